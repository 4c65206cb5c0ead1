import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountWithDevices, DeviceRow } from '../../server/accounts/account-admin';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { api, expectRefusal } from '../support/org-api';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';

// Accounts issued by the direct superior: a temporary password changed at the first sign-in, a reset
// that leaves the devices alone, disable and enable (CouchDB's own user loses its roles), devices
// listed and revoked; every act in the audit with who made it. (The login brake: session.test.ts.)

let server: TestServer;
let province: UnitRecord;
let commune: UnitRecord;
let managerCookie: string;
let manager: string;

beforeAll(async () => {
	server = await startTestServer();
	province = await server.provision.createUnit({
		name: 'Tỉnh đoàn Cấp',
		kind: 'tinh-doan',
		createdBy: 'test'
	});
	commune = await server.provision.createUnit({
		name: 'Đoàn xã Nhận',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	const secretary = await server.createAccountIn({ unitId: province.id, role: 'secretary' });
	manager = secretary.login;
	managerCookie = (await server.signIn(secretary)).cookie;
});

afterAll(async () => {
	await server?.close();
});

async function signInRaw(login: string, password: string) {
	const res = await server.request('/api/session', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ login, password })
	});
	const pair = res.headers.getSetCookie()[0]?.split(';', 1)[0] ?? '';
	return { status: res.status, cookie: pair, body: (await res.json()) as SessionInfo };
}

describe('issuing an account', () => {
	it('gives a temporary password, shown once, that must be changed before anything else', async () => {
		const login = uniqueLogin('bithu');
		const issued = await api<{ account: AccountWithDevices; temporaryPassword: string }>(
			server,
			`/units/${commune.id}/accounts`,
			{
				cookie: managerCookie,
				body: { login: ` ${login.toUpperCase()} `, fullName: 'nguyễn  thị hoa', role: 'secretary' }
			}
		);
		expect(issued.status).toBe(201);
		expect(issued.body.account).toMatchObject({
			login,
			role: 'secretary',
			unitId: commune.id,
			mustChangePassword: true,
			disabled: false,
			createdBy: manager,
			devices: []
		});
		expect(issued.body.account).not.toHaveProperty('passwordHash');
		expect(issued.body.account).not.toHaveProperty('serviceSecret');
		const temporary = issued.body.temporaryPassword;
		expect(temporary).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

		const first = await signInRaw(login, temporary);
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ mustChangePassword: true, unit: { id: commune.id } });
		// Until the password is changed, the organisation API does nothing in the account's name.
		expectRefusal(
			await api(server, `/units/${commune.id}`, { cookie: first.cookie }),
			403,
			'password_change_required'
		);
		const changed = await api(server, '/session/password', {
			cookie: first.cookie,
			body: { oldPassword: temporary, newPassword: 'mat-khau-cua-toi' }
		});
		expect(changed.status).toBe(200);
		expect((await api(server, `/units/${commune.id}`, { cookie: first.cookie })).status).toBe(200);
		expect((await signInRaw(login, temporary)).status).toBe(401);
		expect((await signInRaw(login, 'mat-khau-cua-toi')).body.mustChangePassword).toBe(false);

		expectRefusal(
			await api(server, `/units/${commune.id}/accounts`, {
				cookie: managerCookie,
				body: { login, fullName: 'Trùng Tên', role: 'viewer' }
			}),
			409,
			'login_taken'
		);
		const bad = await api(server, `/units/${commune.id}/accounts`, {
			cookie: managerCookie,
			body: { login: 'a b', fullName: 'X Y', role: 'viewer' }
		});
		expectRefusal(bad, 422, 'invalid');
		expect(bad.body).toMatchObject({ field: 'login' });
		const missing = await api(server, `/units/${commune.id}/accounts`, {
			cookie: managerCookie,
			body: { login: uniqueLogin('m') }
		});
		expectRefusal(missing, 422);
		expect(missing.body).toMatchObject({ field: 'fullName' });

		const audit = await server.audit.listFor({ type: 'account', id: login });
		expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
			['account.create', manager],
			['account.change-password', login]
		]);
	});
});

describe('managing an account', () => {
	let login: string;
	let password: string;
	let cookie: string;
	let deviceId: string;

	beforeAll(async () => {
		const account = await server.createAccountIn({ unitId: commune.id, role: 'deputy' });
		({ login, password } = account);
		const signed = await server.signIn(account);
		cookie = signed.cookie;
		deviceId = signed.session.device.id;
	});

	it("lists the unit's accounts with their devices", async () => {
		const list = await api<AccountWithDevices[]>(server, `/units/${commune.id}/accounts`, {
			cookie: managerCookie
		});
		expect(list.status).toBe(200);
		const row = list.body.find((account) => account.login === login);
		expect(row?.devices).toEqual([
			expect.objectContaining({
				id: deviceId,
				createdAt: expect.any(String),
				lastSeenAt: expect.any(String),
				userAgent: expect.any(String)
			})
		]);
		expect(row?.devices[0]).not.toHaveProperty('secretHash');
	});

	it('reset: a new temporary password; the old one stops working, the devices keep working', async () => {
		const reset = await api<{ temporaryPassword: string }>(
			server,
			`/accounts/${login}/reset-password`,
			{ cookie: managerCookie, method: 'POST' }
		);
		expect(reset.status).toBe(200);
		expect((await signInRaw(login, password)).status).toBe(401);
		expect((await server.request(`/couch/${commune.db}/`, { cookie })).status).toBe(200);
		const fresh = await signInRaw(login, reset.body.temporaryPassword);
		expect(fresh.body.mustChangePassword).toBe(true);
		await api(server, '/session/password', {
			cookie: fresh.cookie,
			body: { oldPassword: reset.body.temporaryPassword, newPassword: 'mat-khau-moi-2' }
		});
		password = 'mat-khau-moi-2';
	});

	it('disable: every device refused at its next request, sign-in refused, CouchDB user without roles; enable restores', async () => {
		const disabled = await api<AccountWithDevices>(server, `/accounts/${login}/disable`, {
			cookie: managerCookie,
			method: 'POST'
		});
		expect(disabled.status).toBe(200);
		expect(disabled.body.disabled).toBe(true);
		const refused = await server.request(`/couch/${commune.db}/_changes`, { cookie });
		expect(refused.status).toBe(401);
		expect(await refused.json()).toMatchObject({ error: 'account_disabled' });
		expect((await signInRaw(login, password)).status).toBe(403);
		const user = await server.couch.getDoc<{ _id: string; roles: string[] }>({
			db: '_users',
			id: `org.couchdb.user:${login}`
		});
		expect(user?.roles).toEqual([]);

		const enabled = await api<AccountWithDevices>(server, `/accounts/${login}/enable`, {
			cookie: managerCookie,
			method: 'POST'
		});
		expect(enabled.body.disabled).toBe(false);
		expect((await server.request(`/couch/${commune.db}/`, { cookie })).status).toBe(200);
		const back = await server.couch.getDoc<{ _id: string; roles: string[] }>({
			db: '_users',
			id: `org.couchdb.user:${login}`
		});
		expect(back?.roles).toEqual([`unit:${commune.id}`, 'role:deputy']);
	});

	it('revoke: the device is refused with device_revoked (it wipes itself); the account may revoke its own', async () => {
		const revoked = await api<DeviceRow>(server, `/devices/${deviceId}/revoke`, {
			cookie: managerCookie,
			method: 'POST'
		});
		expect(revoked.status).toBe(200);
		expect(revoked.body).toMatchObject({
			id: deviceId,
			login,
			revokedBy: manager,
			revokedAt: expect.any(String)
		});
		const res = await server.request(`/couch/${commune.db}/_changes`, { cookie });
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ error: 'device_revoked' });

		const again = await server.signIn({ login, password });
		const own = await api<DeviceRow>(server, `/devices/${again.session.device.id}/revoke`, {
			cookie: again.cookie,
			method: 'POST'
		});
		expect(own.status).toBe(200);
		expect(own.body.revokedBy).toBe(login);
		expectRefusal(
			await api(server, '/devices/0123456789abcdef0123456789abcdef/revoke', {
				cookie: managerCookie,
				method: 'POST'
			}),
			404
		);

		const audit = await server.audit.listFor({ type: 'device', id: deviceId });
		expect(audit).toMatchObject([{ action: 'device.revoke', actor: manager, details: { login } }]);
		const accountAudit = await server.audit.listFor({ type: 'account', id: login });
		expect(accountAudit.map((entry) => entry.action)).toEqual([
			'account.reset-password',
			'account.change-password',
			'account.disable',
			'account.enable'
		]);
	});
});
