import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

// The built app: cache headers that let phones keep hashed assets for a year but always revalidate
// the shell, the SPA fallback for deep links, and a readable page when the app was never built.

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
