import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';

// Finding 9 of issue 9: no Content-Security-Policy, X-Content-Type-Options, frame-ancestors,
// Referrer-Policy or Permissions-Policy on any response. Every kind of answer is checked — the app
// shell, a missing asset, the API, the proxy, an error — since an attacker picks whichever lacks them.

let server: TestServer;
let cookie = '';
let db = '';

beforeAll(async () => {
	server = await startTestServer();
	const a = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	db = a.unit.db;
	cookie = (await server.signIn(a)).cookie;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function directives(csp: string | null): Map<string, string[]> {
	const map = new Map<string, string[]>();
	for (const part of (csp ?? '').split(';')) {
		const [name, ...values] = part.trim().split(/\s+/);
		if (name) map.set(name.toLowerCase(), values);
	}
	return map;
}

describe('every response', () => {
	it('carries the security headers', async () => {
		const paths: [string, RequestInit?][] = [
			['/'],
			['/doan-vien'],
			['/_app/immutable/missing.js'],
			['/api/health'],
			['/api/units/nope'],
			['/couch/'],
			[`/couch/${db}/_all_docs?limit=1`, { headers: { cookie } }],
			['/couch/_all_dbs', { headers: { cookie } }],
			['/api/session', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }]
		];
		for (const [path, init] of paths) {
			const res = await server.request(path, init);
			await res.arrayBuffer();
			const csp = directives(res.headers.get('content-security-policy'));
			const script = csp.get('script-src') ?? csp.get('default-src') ?? ["'unsafe-inline'"];
			expectRefused(
				`inline or foreign script allowed by the CSP of ${path}`,
				script.length === 1 && script[0] === "'self'",
				`script-src ${script.join(' ')}`
			);
			expectRefused(
				`${path} can be framed by another site`,
				csp.get('frame-ancestors')?.join(' ') === "'none'" &&
					res.headers.get('x-frame-options') === 'DENY',
				`frame-ancestors ${csp.get('frame-ancestors')?.join(' ')}`
			);
			expectRefused(
				`${path} may be MIME-sniffed`,
				res.headers.get('x-content-type-options') === 'nosniff'
			);
			expect(csp.get('object-src')).toEqual(["'none'"]);
			expect(csp.get('base-uri')).toEqual(["'self'"]);
			expect(res.headers.get('referrer-policy')).toBe('same-origin');
			expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\)/);
			expect(res.headers.get('x-powered-by')).toBeNull();
		}
	});
});

describe('the built app', () => {
	it.skipIf(!existsSync('build/index.html'))('has no inline script for the CSP to block', () => {
		const html = readFileSync('build/index.html', 'utf8');
		const inline = [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)].filter(
			([, attributes = '', body = '']) => !/\ssrc\s*=/.test(attributes) && body.trim() !== ''
		);
		expect(inline).toEqual([]);
		expect(html).toMatch(/<script src="\/boot\.[0-9a-f]{12}\.js"><\/script>/);
		const boot = /src="\/(boot\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
		expect(readFileSync('build/sw.js', 'utf8')).toContain(boot);
	});
});

describe("the build's Brotli copies", () => {
	const built = existsSync('build/index.html');

	it.skipIf(!built)(
		'serve no file outside the build, whatever the path or its encoding',
		async () => {
			const br = { headers: { 'accept-encoding': 'br, gzip' } };
			const outside = [
				'/_app/immutable/../../../package.json',
				'/_app/immutable/..%2f..%2f..%2fpackage.json',
				'/_app/immutable/%2e%2e/%2e%2e/%2e%2e/package.json',
				'/_app/immutable/chunks/..%2F..%2F..%2F..%2Fpackage.json',
				'/_app/immutable/%252e%252e/%252e%252e/%252e%252e/package.json',
				'/_app/immutable/..\\..\\..\\package.json',
				'/_app/immutable/chunks/../../../../server/config.ts'
			];
			for (const path of outside) {
				const res = await server.request(path, br);
				const body = await res.text();
				expectRefused(
					`${path} with Brotli accepted reads a file outside the build`,
					!body.includes('"name": "doanvu"') && !body.includes('COUCHDB_URL'),
					`${res.status} ${res.headers.get('content-encoding')}`
				);
			}
		}
	);

	it.skipIf(!built)('answer a real script with Brotli, still not to be sniffed', async () => {
		const copy = readdirSync('build/_app/immutable', { recursive: true, encoding: 'utf8' }).find(
			(name) => name.endsWith('.js.br')
		);
		expect(copy).toBeDefined();
		const path = `/_app/immutable/${copy!.slice(0, -'.br'.length).split('\\').join('/')}`;
		const res = await server.request(path, { headers: { 'accept-encoding': 'br' } });
		await res.arrayBuffer();
		expect(res.status).toBe(200);
		expect(res.headers.get('content-encoding')).toBe('br');
		expect(res.headers.get('content-type')).toMatch(/javascript/);
		expectRefused(
			`${path} (Brotli) may be MIME-sniffed`,
			res.headers.get('x-content-type-options') === 'nosniff'
		);
	});
});
