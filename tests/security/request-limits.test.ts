import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { fakeUlid, memberDoc } from '../support/member-fixture';
import { VIETNAMESE } from '../support/org-api';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';
import { rawRequest } from './support/raw-http';

// Finding 8 of issue 9: one `_bulk_docs` of 100,000 documents (18 MB, under the body limit) kept the
// store busy for minutes while health checks and other units' reads failed; after a 413 the next
// request on the same keep-alive connection got no answer; a slow body was held for 30 minutes.

let server: TestServer;
let unitA: UnitRecord;
let unitB: UnitRecord;
let loginA = '';
const cookies = { a: '', b: '' };

beforeAll(async () => {
	server = await startTestServer({ slowBodyGraceMs: 1500, minBodyBytesPerSecond: 2048 });
	const top = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	const a = await server.createUnitWithAccount({ parentId: top.unit.id });
	const b = await server.createUnitWithAccount({ parentId: top.unit.id });
	unitA = a.unit;
	unitB = b.unit;
	loginA = a.login;
	cookies.a = (await server.signIn(a)).cookie;
	cookies.b = (await server.signIn(b)).cookie;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function batch(count: number, options: { small?: boolean } = {}): string {
	// Small: about 180 bytes a document, as in the attack (100,000 in 18 MB, under the 32 MB limit).
	const base = options.small
		? { type: 'member', v: 1, unitId: unitA.id, updatedBy: loginA, note: 'x'.repeat(40) }
		: memberDoc({ unitId: unitA.id, login: loginA });
	const docs: string[] = [];
	for (let i = 0; i < count; i++) {
		docs.push(JSON.stringify({ ...base, _id: `member:${fakeUlid()}`, givenName: `Thử ${i}` }));
	}
	return `{"docs":[${docs.join(',')}]}`;
}

async function docCount(db: string): Promise<number> {
	const info = await server.couch.json<{ doc_count: number }>({ path: db });
	return info.doc_count;
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((x, y) => x - y);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

describe('a batch of 100,000 documents', () => {
	it('is refused without other units’ reads failing or slowing (p95 under 2 s)', async () => {
		const body = batch(100_000, { small: true });
		expect(body.length).toBeGreaterThan(15 * 1024 * 1024);
		expect(body.length).toBeLessThan(server.config.maxBodyBytes);
		const before = await docCount(unitA.db);

		const latencies: number[] = [];
		let failures = 0;
		let pushing = true;
		const reader = (async () => {
			while (pushing || latencies.length < 20) {
				const started = Date.now();
				try {
					const res = await fetch(`${server.url}/couch/${unitB.db}/_all_docs?limit=20`, {
						headers: { cookie: cookies.b },
						signal: AbortSignal.timeout(10_000)
					});
					await res.arrayBuffer();
					if (res.status !== 200) failures++;
				} catch {
					failures++;
				}
				latencies.push(Date.now() - started);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		})();
		const res = await fetch(`${server.url}/couch/${unitA.db}/_bulk_docs`, {
			method: 'POST',
			headers: { cookie: cookies.a, 'content-type': 'application/json' },
			body
		});
		const answer = (await res.json()) as { error?: string; reason?: string };
		pushing = false;
		await reader;

		expectRefused(
			'_bulk_docs of 100,000 documents',
			res.status === 413 && (await docCount(unitA.db)) === before,
			`HTTP ${res.status}`
		);
		expect(answer.reason).toMatch(VIETNAMESE);
		const p95 = percentile(latencies, 95);
		expectRefused(
			'other units’ reads failed or slowed during a huge push',
			failures === 0 && p95 < 2000,
			`${failures} failed of ${latencies.length}, p95 ${p95} ms`
		);
	});

	it('the batch sizes the app and PouchDB send still go through', async () => {
		const before = await docCount(unitA.db);
		const res = await fetch(`${server.url}/couch/${unitA.db}/_bulk_docs`, {
			method: 'POST',
			headers: { cookie: cookies.a, 'content-type': 'application/json' },
			body: batch(1000)
		});
		expect(res.status).toBe(201);
		expect(await docCount(unitA.db)).toBe(before + 1000);
		const ids = Array.from({ length: 1000 }, () => ({ id: `member:${fakeUlid()}` }));
		const get = await fetch(`${server.url}/couch/${unitA.db}/_bulk_get`, {
			method: 'POST',
			headers: { cookie: cookies.a, 'content-type': 'application/json' },
			body: JSON.stringify({ docs: ids })
		});
		expect(get.status).toBe(200);
		const tooMany = Object.fromEntries(
			Array.from({ length: 5000 }, () => [`member:${fakeUlid()}`, ['1-abc']])
		);
		const diff = await fetch(`${server.url}/couch/${unitA.db}/_revs_diff`, {
			method: 'POST',
			headers: { cookie: cookies.a, 'content-type': 'application/json' },
			body: JSON.stringify(tooMany)
		});
		expectRefused('_revs_diff of 5,000 documents', diff.status === 413, `HTTP ${diff.status}`);
	});
});

describe('after a refused body', () => {
	it('the next request on the same keep-alive connection is answered', async () => {
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		try {
			for (const [name, body] of [
				['too many documents', batch(3000)],
				['too many bytes', `{"docs":[{"_id":"x","pad":"${'x'.repeat(33 * 1024 * 1024)}"}]}`]
			] as const) {
				const refused = await rawRequest(server.url, {
					method: 'POST',
					path: `/couch/${unitA.db}/_bulk_docs`,
					headers: { cookie: cookies.a, 'content-type': 'application/json' },
					body,
					agent,
					timeoutMs: 20_000
				});
				expect(refused.status).toBe(413);
				let next = 0;
				try {
					next = (
						await rawRequest(server.url, {
							path: `/couch/${unitA.db}/_all_docs?limit=1`,
							headers: { cookie: cookies.a },
							agent,
							timeoutMs: 5000
						})
					).status;
				} catch {
					next = 0;
				}
				expectRefused(
					`connection left unusable after a 413 (${name})`,
					next === 200,
					`next request: ${next || 'no answer'}`
				);
			}
		} finally {
			agent.destroy();
		}
	});
});

describe('a body that trickles in', () => {
	it('is cut well before the request timeout', async () => {
		const url = new URL(server.url);
		const socket = net.connect(Number(url.port), url.hostname);
		await new Promise((resolve) => socket.once('connect', resolve));
		socket.write(
			[
				`POST /couch/${unitA.db}/_bulk_docs HTTP/1.1`,
				`Host: ${url.host}`,
				`Cookie: ${cookies.a}`,
				'Content-Type: application/json',
				'Content-Length: 100000',
				'',
				''
			].join('\r\n')
		);
		const started = Date.now();
		let received = '';
		socket.on('data', (chunk) => (received += chunk.toString()));
		const trickle = setInterval(() => socket.writable && socket.write('{'), 500);
		const closed = await Promise.race([
			new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
			new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))
		]);
		clearInterval(trickle);
		socket.destroy();
		expectRefused(
			'slow body held open',
			closed && Date.now() - started < 15_000,
			`closed ${closed} after ${Date.now() - started} ms`
		);
		expect(received).toMatch(/^HTTP\/1\.1 408/);
	});
});
