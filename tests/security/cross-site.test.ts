import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { fakeUlid, memberDoc } from '../support/member-fixture';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// Finding 6 of issue 9: nothing checked where a state-changing request came from. A page on another
// site posted `_bulk_docs` with `Content-Type: text/plain` (no CORS preflight needed) and the
// victim's cookie, and it was stored; a form on another site signed the victim in as the attacker
// (login CSRF). Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); the server
// refuses other sites, and every JSON endpoint takes JSON only.

const EVIL = 'https://evil.example';

let server: TestServer;
let unit: UnitRecord;
let login = { login: '', password: '' };
let cookie = '';

beforeAll(async () => {
	server = await startTestServer();
	const top = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	const a = await server.createUnitWithAccount({ parentId: top.unit.id });
	unit = a.unit;
	login = a;
	cookie = (await server.signIn(a)).cookie;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function member(): ReturnType<typeof memberDoc> {
	return { ...memberDoc({ unitId: unit.id, login: login.login }), _id: `member:${fakeUlid()}` };
}

async function stored(id: string): Promise<boolean> {
	return (await server.couch.getDoc({ db: unit.db, id })) !== undefined;
}

describe('a page on another site', () => {
	it('cannot write with the victim’s cookie, whatever it declares', async () => {
		const variants: [string, Record<string, string>][] = [
			['text/plain + Origin', { origin: EVIL, 'content-type': 'text/plain' }],
			['JSON + Origin', { origin: EVIL, 'content-type': 'application/json' }],
			[
				'JSON + Sec-Fetch-Site cross-site',
				{
					'sec-fetch-site': 'cross-site',
					'content-type': 'application/json'
				}
			],
			[
				'JSON + Sec-Fetch-Site same-site',
				{
					'sec-fetch-site': 'same-site',
					origin: 'https://other.doanvu.example',
					'content-type': 'application/json'
				}
			],
			['JSON + Origin null', { origin: 'null', 'content-type': 'application/json' }],
			[
				'JSON + Origin of another port',
				{
					origin: server.url.replace(/:\d+$/, ':1'),
					'content-type': 'application/json'
				}
			]
		];
		for (const [name, headers] of variants) {
			const doc = member();
			const res = await server.request(`/couch/${unit.db}/_bulk_docs`, {
				method: 'POST',
				cookie,
				headers,
				body: JSON.stringify({ docs: [doc] })
			});
			await expectRefusedResponse(`cross-site _bulk_docs (${name})`, res, [403, 415]);
			expectRefused(`cross-site _bulk_docs stored (${name})`, !(await stored(doc._id)));
		}
		const put = member();
		await expectRefusedResponse(
			'cross-site PUT of a document',
			await server.request(`/couch/${unit.db}/${put._id}`, {
				method: 'PUT',
				cookie,
				headers: { origin: EVIL, 'content-type': 'application/json' },
				body: JSON.stringify(put)
			}),
			[403]
		);
		await expectRefusedResponse(
			'cross-site DELETE of the session',
			await server.request('/couch/_session', {
				method: 'DELETE',
				cookie,
				headers: { origin: EVIL }
			}),
			[403]
		);
		await expectRefusedResponse(
			'cross-site POST to /api',
			await server.request('/api/session/password', {
				method: 'POST',
				cookie,
				headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
				body: JSON.stringify({ oldPassword: login.password, newPassword: 'mk-doi-roi-123456' })
			}),
			[403]
		);
	});

	it('cannot sign the victim in (login CSRF), by form or by JSON', async () => {
		const form = new URLSearchParams({ name: login.login, password: login.password }).toString();
		for (const [name, headers, body] of [
			[
				'form from another site',
				{ origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
				form
			],
			['form without Origin', { 'content-type': 'application/x-www-form-urlencoded' }, form],
			[
				'JSON from another site',
				{ origin: EVIL, 'content-type': 'application/json' },
				JSON.stringify({ name: login.login, password: login.password })
			],
			[
				'text/plain JSON',
				{ 'content-type': 'text/plain' },
				JSON.stringify({ name: login.login, password: login.password })
			]
		] as const) {
			const res = await server.request('/couch/_session', { method: 'POST', headers, body });
			expectRefused(
				`POST /couch/_session (${name})`,
				res.status >= 400 && res.headers.get('set-cookie') === null,
				`HTTP ${res.status}`
			);
		}
		const api = await server.request('/api/session', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ login: login.login, password: login.password }).toString()
		});
		expectRefused(
			'POST /api/session form-encoded',
			api.status === 415 && api.headers.get('set-cookie') === null,
			`HTTP ${api.status}`
		);
	});
});

describe('the app itself', () => {
	it('still writes from its own origin, and so do clients that are not browsers', async () => {
		const sameOrigin = member();
		const res = await server.request(`/couch/${unit.db}/_bulk_docs`, {
			method: 'POST',
			cookie,
			headers: {
				origin: server.url,
				'sec-fetch-site': 'same-origin',
				'content-type': 'application/json'
			},
			body: JSON.stringify({ docs: [sameOrigin] })
		});
		expect(res.status).toBe(201);
		expect(await stored(sameOrigin._id)).toBe(true);

		// Origin only (older browsers send no Fetch Metadata).
		const originOnly = member();
		const second = await server.request(`/couch/${unit.db}/_bulk_docs`, {
			method: 'POST',
			cookie,
			headers: { origin: server.url, 'content-type': 'application/json; charset=utf-8' },
			body: JSON.stringify({ docs: [originOnly] })
		});
		expect(second.status).toBe(201);

		// What the sync engine sends: gzip-encoded JSON.
		const gzipped = member();
		const third = await server.request(`/couch/${unit.db}/_bulk_docs`, {
			method: 'POST',
			cookie,
			headers: {
				'sec-fetch-site': 'same-origin',
				'content-type': 'application/json',
				'content-encoding': 'gzip'
			},
			body: new Uint8Array(gzipSync(JSON.stringify({ docs: [gzipped], new_edits: true })))
		});
		expect(third.status).toBe(201);
		expect(await stored(gzipped._id)).toBe(true);

		const signIn = await server.request('/couch/_session', {
			method: 'POST',
			headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
			body: JSON.stringify({ name: login.login, password: login.password })
		});
		expect(signIn.status).toBe(200);
	});
});
