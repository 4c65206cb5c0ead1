import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberDoc } from '../support/member-fixture';
import { expectAlive, expectRefused } from './support/attack-log';
import { couch, expectDenied, startOrg, type Org } from './support/org-fixture';

// Device cookies that must stop working (docs/decisions/0005-sessions-and-devices.md): after sign-out,
// after a superior revokes the device, after the account is disabled, after signing in again from the
// same browser; a copy of a cookie dies with the device it was copied from; a password reset sends
// the account back to the sign-in screen for everything but syncing (the device stays, as documented).
// A live `_changes` feed opened before the cut must not keep delivering the unit's new documents.

let org: Org;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

/** A fresh device of a fresh account of commune A. */
async function freshDevice(role: 'secretary' | 'deputy' | 'viewer' = 'deputy') {
	const account = await org.server.createAccountIn({ unitId: org.units.communeA.unit.id, role });
	const { cookie, session } = await org.server.signIn(account);
	return { ...account, cookie, deviceId: session.device.id };
}

/** Every kind of use of a cookie: the unit's data, the API, the session endpoints. */
async function expectCookieDead(label: string, cookie: string): Promise<void> {
	const { db, id } = org.units.communeA.unit;
	const secrets = [org.units.communeA.marker];
	const uses: [string, () => Promise<Response>][] = [
		[
			'GET /couch/<db>/_all_docs',
			() => couch(org.server, `/${db}/_all_docs?include_docs=true`, { cookie })
		],
		[
			'GET /couch/<db>/_changes',
			() => couch(org.server, `/${db}/_changes?include_docs=true`, { cookie })
		],
		[
			'POST /couch/<db>/_bulk_docs',
			() =>
				couch(org.server, `/${db}/_bulk_docs`, {
					cookie,
					method: 'POST',
					body: { docs: [memberDoc({ unitId: id, login: 'x' })] }
				})
		],
		['GET /couch/_session', () => couch(org.server, '/_session', { cookie })],
		['GET /api/session', () => org.server.request('/api/session', { cookie })],
		['GET /api/units/<id>', () => org.server.request(`/api/units/${id}`, { cookie })],
		[
			'GET /api/units/<id>/members',
			() => org.server.request(`/api/units/${id}/members`, { cookie })
		],
		[
			'POST /api/session/password',
			() =>
				org.server.request('/api/session/password', {
					method: 'POST',
					cookie,
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ oldPassword: 'x', newPassword: 'mat-khau-moi-2026' })
				})
		]
	];
	for (const [use, send] of uses) {
		await expectDenied(`${label}: ${use}`, await send(), { statuses: [401], secrets });
	}
}

describe('a cookie whose device has ended', () => {
	it('is refused after sign-out, by either sign-out endpoint', async () => {
		const viaApi = await freshDevice();
		const out = await org.server.request('/api/session', {
			method: 'DELETE',
			cookie: viaApi.cookie
		});
		expect(out.status).toBe(200);
		await expectCookieDead('after DELETE /api/session', viaApi.cookie);

		const viaCouch = await freshDevice();
		const couchOut = await couch(org.server, '/_session', {
			method: 'DELETE',
			cookie: viaCouch.cookie
		});
		expect(couchOut.status).toBe(200);
		await expectCookieDead('after DELETE /couch/_session', viaCouch.cookie);
	});

	it('is refused after a superior revokes the device', async () => {
		const device = await freshDevice();
		const res = await org.server.request(`/api/devices/${device.deviceId}/revoke`, {
			method: 'POST',
			cookie: org.cookies.provinceAdmin
		});
		expect(res.status).toBe(200);
		await expectCookieDead('after revocation by the province', device.cookie);
		// The account itself is fine: its password still signs in, on a new device.
		const again = await org.server.signIn(device);
		expect(again.session.device.id).not.toBe(device.deviceId);
	});

	it('is refused once the account is disabled, and the password no longer signs in', async () => {
		const device = await freshDevice('secretary');
		const res = await org.server.request(`/api/accounts/${device.login}/disable`, {
			method: 'POST',
			cookie: org.cookies.provinceAdmin
		});
		expect(res.status).toBe(200);
		await expectCookieDead('after the account is disabled', device.cookie);
		const signIn = await org.server.request('/api/session', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ login: device.login, password: device.password })
		});
		await expectDenied('sign-in of a disabled account', signIn, { statuses: [403] });
	});

	it('is refused after the same browser signs in again (one device per sign-in)', async () => {
		const device = await freshDevice();
		const res = await org.server.request('/api/session', {
			method: 'POST',
			cookie: device.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ login: device.login, password: device.password })
		});
		expect(res.status).toBe(200);
		await expectCookieDead('the previous cookie after signing in again', device.cookie);
	});
});

describe('a copied cookie', () => {
	it('dies with the device it was copied from, and cannot be recombined', async () => {
		const original = await freshDevice();
		const other = await freshDevice();
		const copy = `${original.cookie}`;
		// Secrets do not move between devices.
		const [, otherSecret] = other.cookie.split('.');
		await expectCookieDead(
			"one device's id with another device's secret",
			`dv_session=${original.deviceId}.${otherSecret}`
		);
		const out = await org.server.request('/api/session', {
			method: 'DELETE',
			cookie: original.cookie
		});
		expect(out.status).toBe(200);
		await expectCookieDead('a copy after the original signed out', copy);
	});
});

describe('a password reset by a superior', () => {
	it('refuses the old password and sends the old cookie to change it before any API use', async () => {
		const device = await freshDevice('secretary');
		const res = await org.server.request(`/api/accounts/${device.login}/reset-password`, {
			method: 'POST',
			cookie: org.cookies.provinceAdmin
		});
		expect(res.status).toBe(200);
		const signIn = await org.server.request('/api/session', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ login: device.login, password: device.password })
		});
		await expectDenied('sign-in with the password from before the reset', signIn, {
			statuses: [401]
		});
		const { id } = org.units.communeA.unit;
		for (const path of [
			`/api/units/${id}`,
			`/api/units/${id}/members`,
			`/api/units/${id}/accounts`
		]) {
			const answer = await org.server.request(path, { cookie: device.cookie });
			await expectDenied(`cookie from before a reset: GET ${path}`, answer, {
				statuses: [403],
				secrets: [org.units.communeA.marker]
			});
		}
		const change = await org.server.request('/api/session/password', {
			method: 'POST',
			cookie: device.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ oldPassword: device.password, newPassword: 'mat-khau-moi-2026' })
		});
		await expectDenied('password change with the password from before the reset', change);
	});
});

describe('a live feed opened before the device was cut off', () => {
	it('does not keep delivering the unit’s new documents', async () => {
		const device = await freshDevice('viewer');
		const { db, id } = org.units.communeA.unit;
		const feed = await couch(
			org.server,
			`/${db}/_changes?feed=continuous&since=now&include_docs=true&heartbeat=500`,
			{
				cookie: device.cookie,
				timeoutMs: 30_000
			}
		);
		expect(feed.status).toBe(200);
		let received = '';
		const reader = (feed.body as ReadableStream<Uint8Array>).getReader();
		const reading = (async () => {
			const decoder = new TextDecoder();
			try {
				for (;;) {
					const { done, value } = await reader.read();
					if (done) break;
					received += decoder.decode(value);
				}
			} catch {
				// Cut by the server or by the end of the test.
			}
		})();

		const revoke = await org.server.request(`/api/devices/${device.deviceId}/revoke`, {
			method: 'POST',
			cookie: org.cookies.provinceAdmin
		});
		expect(revoke.status).toBe(200);
		// The proxy may take a few seconds to notice (a check at each heartbeat, say): the new member
		// is written 5 s after the revocation, and the feed watched for 2 s more.
		await new Promise((resolve) => setTimeout(resolve, 5000));
		const secret = `SauThuHoi${Date.now()}`;
		const written = await couch(org.server, `/${db}/_bulk_docs`, {
			cookie: org.cookies.secretaryA,
			method: 'POST',
			body: { docs: [memberDoc({ unitId: id, login: org.logins.secretaryA, givenName: secret })] }
		});
		expect(written.status).toBe(201);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		await reader.cancel().catch(() => undefined);
		await reading;
		expectRefused(
			'a continuous _changes feed keeps streaming after the device is revoked',
			!received.includes(secret),
			`feed received ${received.length} bytes after revocation, including the new member`
		);
	});
});
