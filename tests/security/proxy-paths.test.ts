import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamUrl } from '../../server/proxy/allowlist';
import type { UnitRecord } from '../../server/couch/provision-service';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';
import { rawRequest, refusedStatus } from './support/raw-http';

// Finding 2 of issue 9: a path ending in `_local/..` or `_design/..` passed the allowlist and URL
// resolution collapsed it to the database itself — GET answered the database info, PUT reached the
// store as "create database", and a viewer's DELETE …/_local/.. hung sign-ins and other units'
// reads until the server restarted. Every spelling of a dot segment, an empty segment or an encoded
// separator is tried here, raw (fetch() would resolve the dots before sending).

let server: TestServer;
let unitA: UnitRecord;
let unitB: UnitRecord;
const cookies = { viewerA: '', secretaryA: '', secretaryB: '' };
let loginB = { login: '', password: '' };

beforeAll(async () => {
	server = await startTestServer();
	const top = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	const a = await server.createUnitWithAccount({ parentId: top.unit.id });
	const b = await server.createUnitWithAccount({ parentId: top.unit.id });
	unitA = a.unit;
	unitB = b.unit;
	loginB = b;
	const viewer = await server.createAccountIn({ unitId: unitA.id, role: 'viewer' });
	cookies.viewerA = (await server.signIn(viewer)).cookie;
	cookies.secretaryA = (await server.signIn(a)).cookie;
	cookies.secretaryB = (await server.signIn(b)).cookie;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function tricks(db: string, other: string): string[] {
	return [
		`/couch/${db}/_local/..`,
		`/couch/${db}/_design/..`,
		`/couch/${db}/_local/.`,
		`/couch/${db}/_local/%2e%2e`,
		`/couch/${db}/_local/%2E%2E`,
		`/couch/${db}/_local/%2E.`,
		`/couch/${db}/_design/.%2e`,
		`/couch/${db}/_local%2F..`,
		`/couch/${db}/_local%2f..`,
		`/couch/${db}/_design%2F..`,
		`/couch/${db}/_local/..%2F`,
		`/couch/${db}/_local/..%5C`,
		`/couch/${db}/_local\\..`,
		`/couch/${db}/_local/..\\`,
		`/couch/${db}/_local//..`,
		`/couch/${db}//_all_docs`,
		`/couch//${db}/_all_docs`,
		`/couch/${db}/./_all_docs`,
		`/couch/${db}/%2e/_all_docs`,
		`/couch/${db}/_all_docs/..`,
		`/couch/${db}/unit/..`,
		`/couch/${db}/unit/%2e%2e`,
		`/couch/${db}/..`,
		`/couch/${db}/%2e%2e`,
		`/couch/${db}/_local/../../${other}`,
		`/couch/${db}/%2e%2e/${other}/_all_docs`,
		`/couch/${db}/..%2F${other}`,
		`/couch/${db}/_local/x%00`,
		`/couch/${db}/_local/..?x=1`
	];
}

describe('dot segments, empty segments and encoded separators', () => {
	it('are refused for every method and never reach the store as another path', async () => {
		const db = unitA.db;
		for (const [who, cookie] of [
			['viewer', cookies.viewerA],
			['secretary', cookies.secretaryA]
		] as const) {
			for (const path of tricks(db, unitB.db)) {
				for (const method of ['GET', 'PUT', 'DELETE', 'COPY']) {
					const answer = await rawRequest(server.url, {
						method,
						path,
						headers: { cookie, 'content-type': 'application/json' },
						body: method === 'PUT' ? '{}' : undefined
					});
					expectRefused(
						`${who} ${method} ${path.replace(db, '<db>').replace(unitB.db, '<other>')}`,
						refusedStatus(answer),
						`HTTP ${answer.status} ${answer.text.slice(0, 120)}`
					);
				}
			}
		}
	});

	it('leave sign-ins and other units answering quickly afterwards', async () => {
		// The DELETE that used to hang the embedded store, several times over.
		for (let i = 0; i < 5; i++) {
			await rawRequest(server.url, {
				method: 'DELETE',
				path: `/couch/${unitA.db}/_local/..`,
				headers: { cookie: cookies.viewerA }
			});
		}
		const started = Date.now();
		const read = await rawRequest(server.url, {
			path: `/couch/${unitB.db}/_all_docs?limit=1`,
			headers: { cookie: cookies.secretaryB },
			timeoutMs: 5000
		});
		const signIn = await rawRequest(server.url, {
			method: 'POST',
			path: '/api/session',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(loginB),
			timeoutMs: 5000
		});
		expectRefused(
			'store frozen by DELETE …/_local/..',
			read.status === 200 && signIn.status === 200 && Date.now() - started < 5000,
			`read ${read.status}, sign-in ${signIn.status}, ${Date.now() - started} ms`
		);
		expect((await server.couch.databaseExists(unitA.db)) && true).toBe(true);
	});

	it('the upstream URL is refused if resolving it would change its path', () => {
		const base = new URL('http://127.0.0.1:5984/');
		expect(upstreamUrl({ base, path: 'unit_abcd/_local/..', query: '' })).toBeUndefined();
		expect(upstreamUrl({ base, path: 'unit_abcd/./x', query: '' })).toBeUndefined();
		expect(upstreamUrl({ base, path: 'unit_abcd/a\\..', query: '' })).toBeUndefined();
		expect(upstreamUrl({ base, path: 'unit_abcd/x', query: '?a=../..' })?.pathname).toBe(
			'/unit_abcd/x'
		);
		const prefixed = new URL('http://127.0.0.1:5984/couch');
		expect(upstreamUrl({ base: prefixed, path: 'unit_abcd/_all_docs', query: '' })?.href).toBe(
			'http://127.0.0.1:5984/couch/unit_abcd/_all_docs'
		);
	});
});
