import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { precompress } from '../../scripts/sw/precompress';

// The built app: cache headers that let phones keep hashed assets for a year but always revalidate
// the shell, the SPA fallback for deep links, and a readable page when the app was never built.

// Over the compression threshold (1 kB), so that it is compressed either way.
const BIG_SCRIPT = `export const rows = ${JSON.stringify(
	Array.from({ length: 200 }, (_, i) => `Đoàn viên số ${i}`)
)};`;

// TypeScript 6's lib and @types/node 20 disagree on Buffer; a Uint8Array copy satisfies both.
const bytes = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);

/** A raw GET (fetch would decode the body and hide how it came): status, headers, body bytes. */
function rawGet(url: string, headers: Record<string, string>) {
	return new Promise<{
		status: number;
		headers: Record<string, unknown>;
		body: Uint8Array<ArrayBuffer>;
	}>((resolve, reject) => {
		httpRequest(url, { headers }, (res) => {
			const chunks: Uint8Array[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(bytes(chunk)));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					body: bytes(Buffer.concat(chunks))
				})
			);
		})
			.on('error', reject)
			.end();
	});
}

const buildDir = mkdtempSync(join(tmpdir(), 'doanvu-build-'));
let server: TestServer;
let unbuilt: TestServer;

beforeAll(async () => {
	mkdirSync(join(buildDir, '_app', 'immutable', 'entry'), { recursive: true });
	writeFileSync(join(buildDir, 'index.html'), '<!doctype html><title>Đoàn vụ</title>');
	writeFileSync(join(buildDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
	// The declaration page's own worker (scripts/build-declaration-sw.ts), scope /khai/.
	mkdirSync(join(buildDir, 'khai'));
	writeFileSync(
		join(buildDir, 'khai', 'sw.js'),
		'/* khai */ self.addEventListener("fetch", () => {});'
	);
	writeFileSync(join(buildDir, 'manifest.webmanifest'), '{"name":"Đoàn vụ"}');
	writeFileSync(join(buildDir, '_app', 'immutable', 'entry', 'app.abc123.js'), 'export {};');
	mkdirSync(join(buildDir, '_app', 'immutable', 'chunks'));
	writeFileSync(join(buildDir, '_app', 'immutable', 'chunks', 'big.abc123.js'), BIG_SCRIPT);
	precompress(buildDir);
	mkdirSync(join(buildDir, '_app', 'immutable', 'workers'));
	writeFileSync(join(buildDir, '_app', 'immutable', 'workers', 'w.abc123.js'), 'onmessage = null;');
	mkdirSync(join(buildDir, '_app', 'immutable', 'assets'));
	writeFileSync(join(buildDir, '_app', 'immutable', 'assets', '0.abc123.css'), 'p{color:red}');
	server = await startTestServer({ buildDir });
	unbuilt = await startTestServer({ buildDir: join(buildDir, 'missing') });
});

afterAll(async () => {
	await server?.close();
	await unbuilt?.close();
	rmSync(buildDir, { recursive: true, force: true });
});

describe('static app', () => {
	it('caches hashed assets for a year and revalidates the shell, worker and manifest', async () => {
		const asset = await server.request('/_app/immutable/entry/app.abc123.js');
		expect(asset.status).toBe(200);
		expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		for (const path of ['/', '/sw.js', '/manifest.webmanifest']) {
			const res = await server.request(path);
			expect({ path, status: res.status }).toEqual({ path, status: 200 });
			expect(res.headers.get('cache-control')).toBe('no-cache');
		}
	});

	it('answers hashed scripts and stylesheets with a subresource’s headers only, workers and misses with all', async () => {
		const bytes = (res: Response) =>
			[...res.headers].reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
		for (const path of [
			'/_app/immutable/entry/app.abc123.js',
			'/_app/immutable/assets/0.abc123.css'
		]) {
			const res = await server.request(path);
			expect({ path, status: res.status }).toEqual({ path, status: 200 });
			// What a subresource uses stays: no sniffing into HTML, no other site may load it.
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
			expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
			// A document's headers, and revalidation's, do not.
			for (const name of ['content-security-policy', 'x-frame-options', 'etag', 'last-modified'])
				expect({ path, [name]: res.headers.get(name) }).toEqual({ path, [name]: null });
			expect(bytes(res)).toBeLessThan(450);
		}
		// A worker's script carries its own CSP; a miss is answered like any other response.
		for (const path of ['/_app/immutable/workers/w.abc123.js', '/_app/immutable/chunks/gone.js']) {
			const res = await server.request(path);
			expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
			expect(res.headers.get('x-frame-options')).toBe('DENY');
		}
	});

	it('answers Brotli from the build’s copy to a phone that accepts it, gzip to one that does not', async () => {
		const url = `${server.url}/_app/immutable/chunks/big.abc123.js`;
		const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
		expect(br.status).toBe(200);
		expect(br.headers['content-encoding']).toBe('br');
		expect(br.headers['content-type']).toMatch(/^application\/javascript/);
		expect(br.headers['vary']).toMatch(/accept-encoding/i);
		expect(brotliDecompressSync(br.body).toString()).toBe(BIG_SCRIPT);
		// The build's copy at the highest quality, not the compression middleware's (quality 4).
		const copy = readFileSync(join(buildDir, '_app', 'immutable', 'chunks', 'big.abc123.js.br'));
		expect(Buffer.from(br.body).equals(bytes(copy))).toBe(true);
		const gzip = await rawGet(url, { 'accept-encoding': 'gzip, deflate' });
		expect(gzip.headers['content-encoding']).toBe('gzip');
		expect(gunzipSync(gzip.body).toString()).toBe(BIG_SCRIPT);
		// A name that climbs out of the build is not looked for.
		const climb = await rawGet(`${server.url}/_app/immutable/chunks/..%2f..%2findex.js`, {
			'accept-encoding': 'br'
		});
		expect(climb.headers['content-encoding']).toBeUndefined();
	});

	it('answers deep links with the shell, but not missing assets, /api or /couch', async () => {
		const deep = await server.request('/doan-vien/01JD3XABCDEFGHJKMNPQRSTVWX');
		expect(deep.status).toBe(200);
		expect(await deep.text()).toContain('<title>Đoàn vụ</title>');
		expect((await server.request('/_app/immutable/entry/gone.js')).status).toBe(404);
		const api = await server.request('/api/khong-co');
		expect(api.status).toBe(404);
		expect((await api.json()).reason).toBe('Không tìm thấy địa chỉ này.');
		expect((await server.request('/couch/unit_abcd/')).status).toBe(401);
		expect((await server.request('/', { method: 'POST' })).status).toBe(404);
	});

	it('serves the declaration page’s worker at /khai/sw.js, revalidated, and the shell for /khai links', async () => {
		const worker = await server.request('/khai/sw.js');
		expect(worker.status).toBe(200);
		expect(worker.headers.get('content-type')).toContain('javascript');
		expect(worker.headers.get('cache-control')).toBe('no-cache');
		expect(await worker.text()).toContain('/* khai */');
		for (const path of ['/khai/tinhdoanpt01-ABCDEFGH12', '/khai/bien-nhan', '/khai']) {
			const page = await server.request(path);
			expect({ path, status: page.status }).toEqual({ path, status: 200 });
			expect(await page.text()).toContain('<title>Đoàn vụ</title>');
		}
	});

	it('explains in Vietnamese when the app has not been built', async () => {
		const res = await unbuilt.request('/');
		expect(res.status).toBe(503);
		expect(await res.text()).toContain('npm run build');
		expect(await (await unbuilt.request('/api/health')).json()).toEqual({ ok: true });
	});
});
