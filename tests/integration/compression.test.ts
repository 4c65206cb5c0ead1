import http from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberDoc } from '../support/member-fixture';
import { startTestServer, type TestServer } from '../support/test-server';
import type { UnitRecord } from '../../server/couch/provision-service';

// Replication traffic is compressed both ways (docs/measured.md: a first sync over 3G is dominated by
// bytes), except live feeds, which must flow as they happen.

const MAX_BODY = 4 * 1024 * 1024;

// TypeScript 6's lib and @types/node 20 disagree on Buffer; a Uint8Array copy satisfies both.
const bytes = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);
let server: TestServer;
let unit: UnitRecord;
let cookie: string;
let login: string;

beforeAll(async () => {
	server = await startTestServer({ maxBodyBytes: MAX_BODY });
	const created = await server.createUnitWithAccount({});
	unit = created.unit;
	login = created.login;
	cookie = (await server.signIn(created)).cookie;
});

afterAll(async () => {
	await server?.close();
});

/** A raw GET, so the test sees the bytes on the wire (fetch would decompress them). */
function rawGet(
	path: string,
	headers: Record<string, string>
): Promise<{
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Uint8Array<ArrayBuffer>;
}> {
	return new Promise((resolve, reject) => {
		const req = http.get(`${server.url}${path}`, { headers: { cookie, ...headers } }, (res) => {
			const chunks: Uint8Array[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(bytes(chunk)));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					body: bytes(Buffer.concat(chunks))
				})
			);
		});
		req.on('error', reject);
	});
}

function postBulk(
	body: Uint8Array<ArrayBuffer>,
	headers: Record<string, string> = {}
): Promise<Response> {
	return server.request(`/couch/${unit.db}/_bulk_docs`, {
		method: 'POST',
		cookie,
		headers: { 'content-type': 'application/json', ...headers },
		body
	});
}

describe('compression', () => {
	it('accepts a gzip-encoded _bulk_docs body of a few hundred members', async () => {
		const docs = Array.from({ length: 300 }, (_, i) =>
			memberDoc({ unitId: unit.id, login, givenName: `Thành viên ${i}` })
		);
		const res = await postBulk(bytes(gzipSync(JSON.stringify({ docs }))), {
			'content-encoding': 'gzip'
		});
		expect(res.status).toBe(201);
		const results = (await res.json()) as { ok?: boolean }[];
		expect(results.filter((r) => r.ok)).toHaveLength(300);
	});

	it('answers _all_docs with brotli when the client accepts it', async () => {
		const res = await rawGet(`/couch/${unit.db}/_all_docs?include_docs=true`, {
			'accept-encoding': 'gzip, deflate, br'
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-encoding']).toBe('br');
		const text = brotliDecompressSync(res.body).toString('utf8');
		const parsed = JSON.parse(text) as { rows: unknown[] };
		expect(parsed.rows.length).toBeGreaterThanOrEqual(300);
		expect(res.body.length).toBeLessThan(text.length / 4);
	});

	it('answers _changes with gzip when only gzip is accepted', async () => {
		const res = await rawGet(`/couch/${unit.db}/_changes?include_docs=true&style=all_docs`, {
			'accept-encoding': 'gzip'
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-encoding']).toBe('gzip');
		const parsed = JSON.parse(gunzipSync(res.body).toString('utf8')) as { results: unknown[] };
		expect(parsed.results.length).toBeGreaterThanOrEqual(300);
	});

	it('does not hold back a longpoll feed in a compressor', async () => {
		const res = await rawGet(`/couch/${unit.db}/_changes?feed=longpoll&since=0&include_docs=true`, {
			'accept-encoding': 'br, gzip'
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-encoding']).toBeUndefined();
		const parsed = JSON.parse(new TextDecoder().decode(res.body)) as { results: unknown[] };
		expect(parsed.results.length).toBeGreaterThan(0);
	});

	it('streams a continuous feed: a new change arrives while the feed is open', async () => {
		const info = (await (await server.request(`/couch/${unit.db}/`, { cookie })).json()) as {
			update_seq: string | number;
		};
		const seen = new Promise<{ encoding: string | undefined; text: string }>((resolve, reject) => {
			const req = http.get(
				`${server.url}/couch/${unit.db}/_changes?feed=continuous&heartbeat=500&since=${encodeURIComponent(String(info.update_seq))}`,
				{ headers: { cookie, 'accept-encoding': 'br, gzip' } },
				(res) => {
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (chunk: string) => {
						text += chunk;
						if (text.includes('member:live')) {
							resolve({ encoding: res.headers['content-encoding'], text });
							req.destroy();
						}
					});
					res.on('end', () => reject(new Error('feed ended without the change')));
				}
			);
			req.on('error', (error) => {
				if (!(error as { code?: string }).code?.includes('ECONNRESET')) reject(error);
			});
			setTimeout(() => reject(new Error('no live change within 5 s')), 5000);
		});
		// Give the feed a moment to be open before writing.
		await new Promise((resolve) => setTimeout(resolve, 200));
		const doc = {
			...memberDoc({ unitId: unit.id, login }),
			_id: 'member:live0000000000000000000000'
		};
		const put = await server.request(`/couch/${unit.db}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(doc)
		});
		expect(put.status).toBe(201);
		const { encoding } = await seen;
		expect(encoding).toBeUndefined();
	});
});

describe('request body limits', () => {
	it('refuses a corrupted gzip body with 400', async () => {
		const res = await postBulk(bytes(Buffer.from('not gzip at all')), {
			'content-encoding': 'gzip'
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: 'bad_request' });
	});

	it('refuses an unknown body encoding with 415', async () => {
		const res = await postBulk(bytes(Buffer.from('{}')), { 'content-encoding': 'zstd' });
		expect(res.status).toBe(415);
	});

	it('refuses a body over the limit with 413, declared or discovered after decompression', async () => {
		const big = new Uint8Array(MAX_BODY + 1024).fill(32);
		const declared = await postBulk(big);
		expect(declared.status).toBe(413);
		const body = await declared.json();
		expect(body.error).toBe('too_large');
		expect(body.reason).toMatch(/quá lớn/);

		// A few kilobytes of gzip that inflate past the limit.
		const json = new TextEncoder().encode(`{"docs":[${' '.repeat(MAX_BODY + 1024)}]}`);
		const bomb = bytes(gzipSync(json));
		expect(bomb.length).toBeLessThan(64 * 1024);
		const inflated = await postBulk(bomb, { 'content-encoding': 'gzip' });
		expect(inflated.status).toBe(413);

		expect((await server.request(`/couch/${unit.db}/`, { cookie })).status).toBe(200);
	});
});
