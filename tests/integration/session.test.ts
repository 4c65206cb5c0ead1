import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';

// Sign-in, the device cookie, sign-out, the first-run setup and the login brake, through HTTP.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

const json = (body: unknown): RequestInit => ({
	method: 'POST',
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify(body)
});

function cookiePair(res: Response): string {
	const pair = res.headers.getSetCookie()[0]?.split(';', 1)[0];
	if (!pair) throw new Error('no cookie');
	return pair;
}

describe('first-run setup', () => {
	const admin = { login: uniqueLogin('admin'), password: 'mat-khau-tinh-doan' };

	it('is needed while no unit exists, refuses bad input, then works once and refuses after (409)', async () => {
		expect(await (await server.request('/api/setup')).json()).toEqual({ needsSetup: true });

		const bad = await server.request(
			'/api/setup',
			json({
				unitName: 'Tỉnh đoàn Thử',
				unitKind: 'chi-doan',
				login: admin.login,
				fullName: 'A B',
				password: 'mk'
			})
		);
		expect(bad.status).toBe(400);
		const badBody = await bad.json();
		expect(badBody).toMatchObject({ error: 'invalid', field: 'unitKind' });
		expect(badBody.reason).toMatch(/loại đơn vị/i);

		const res = await server.request(
			'/api/setup',
			json({
				unitName: 'Tỉnh đoàn Phú Thọ',
				unitKind: 'tinh-doan',
				login: admin.login.toUpperCase(),
				fullName: 'Hà Văn Quản',
				password: admin.password
			})
		);
		expect(res.status).toBe(201);
		const session = await res.json();
		expect(session).toMatchObject({
			user: { login: admin.login, fullName: 'Hà Văn Quản', role: 'admin' },
			unit: { name: 'Tỉnh đoàn Phú Thọ', kind: 'tinh-doan' },
			mustChangePassword: false
		});
		expect(session.unit.db).toBe(`unit_${session.unit.id}`);
		expect(session.dbs).toEqual([session.unit.db]);
		expect(cookiePair(res)).toMatch(/^dv_session=[0-9a-f]{32}\./);

		expect(await (await server.request('/api/setup')).json()).toEqual({ needsSetup: false });
		const again = await server.request(
			'/api/setup',
			json({
				unitName: 'Tỉnh đoàn Khác',
				unitKind: 'tinh-doan',
				login: uniqueLogin('x'),
				fullName: 'Người Khác',
				password: 'mat-khau-khac-1'
			})
		);
		expect(again.status).toBe(409);
		expect(await again.json()).toMatchObject({ error: 'already_set_up' });
	});
});

describe('sign-in', () => {
	let unitId: string;
	let login: string;
	let password: string;

	beforeAll(async () => {
		const created = await server.createUnitWithAccount({});
		({ login, password } = created);
		unitId = created.unit.id;
	});

	it('refuses a wrong password and an unknown login with the same Vietnamese sentence (401)', async () => {
		const wrong = await server.request('/api/session', json({ login, password: 'sai-mat-khau' }));
		expect(wrong.status).toBe(401);
		const unknown = await server.request(
			'/api/session',
			json({ login: uniqueLogin('nobody'), password })
		);
		expect(unknown.status).toBe(401);
		const expected = {
			error: 'invalid_credentials',
			reason: 'Tên đăng nhập hoặc mật khẩu không đúng.'
		};
		expect(await wrong.json()).toEqual(expected);
		expect(await unknown.json()).toEqual(expected);
		expect(wrong.headers.getSetCookie()).toEqual([]);
	});

	it('sets a long-lived HttpOnly device cookie and GET /api/session returns SessionInfo', async () => {
		const res = await server.request(
			'/api/session',
			json({ login: ` ${login.toUpperCase()} `, password })
		);
		expect(res.status).toBe(200);
		const header = res.headers.getSetCookie()[0] ?? '';
		expect(header).toMatch(/^dv_session=[0-9a-f]{32}\.[A-Za-z0-9_-]{43};/);
		expect(header).toContain('HttpOnly');
		expect(header).toContain('SameSite=Lax');
		expect(header).toContain('Path=/');
		expect(header).toContain(`Max-Age=${400 * 24 * 3600}`);
		expect(header).not.toContain('Secure');
		const signedIn = await res.json();

		const current = await server.request('/api/session', { cookie: cookiePair(res) });
		expect(current.status).toBe(200);
		const info = await current.json();
		expect(info).toEqual(signedIn);
		expect(info).toEqual({
			user: { login, fullName: 'Nguyễn Thị Thử', role: 'secretary', unitId },
			unit: expect.objectContaining({ id: unitId, kind: 'doan-xa', db: `unit_${unitId}` }),
			device: { id: expect.stringMatching(/^[0-9a-f]{32}$/) },
			dbs: [`unit_${unitId}`],
			mustChangePassword: false,
			canManage: true,
			formerDbs: []
		});

		const anonymous = await server.request('/api/session');
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toMatchObject({ error: 'unauthorized' });
	});

	it('marks the cookie Secure behind an https proxy', async () => {
		const res = await server.request('/api/session', {
			...json({ login, password }),
			headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }
		});
		expect(res.status).toBe(200);
		expect(res.headers.getSetCookie()[0]).toContain('Secure');
	});

	it('signs out: the cookie is cleared and the device no longer works', async () => {
		const { cookie } = await server.signIn({ login, password });
		const out = await server.request('/api/session', { method: 'DELETE', cookie });
		expect(out.status).toBe(200);
		expect(out.headers.getSetCookie()[0]).toMatch(/^dv_session=;.*Max-Age=0/);
		const after = await server.request('/api/session', { cookie });
		expect(after.status).toBe(401);
		expect(await after.json()).toMatchObject({ error: 'device_revoked' });
	});

	it('changes the own password: old one checked, new one at least 8 characters', async () => {
		const own = await server.createAccountIn({ unitId, role: 'deputy' });
		const { cookie } = await server.signIn(own);
		const post = (body: unknown) =>
			server.request('/api/session/password', { ...json(body), cookie });

		const wrongOld = await post({ oldPassword: 'khong-phai', newPassword: 'mat-khau-moi-1' });
		expect(wrongOld.status).toBe(400);
		expect(await wrongOld.json()).toMatchObject({ field: 'oldPassword' });
		const short = await post({ oldPassword: own.password, newPassword: 'ngan' });
		expect(short.status).toBe(400);
		expect(await short.json()).toMatchObject({ field: 'newPassword' });
		expect((await post({ oldPassword: own.password, newPassword: 'mat-khau-moi-1' })).status).toBe(
			200
		);

		expect(
			(await server.request('/api/session', json({ login: own.login, password: own.password })))
				.status
		).toBe(401);
		await server.signIn({ login: own.login, password: 'mat-khau-moi-1' });
		expect((await server.request('/api/session/password', json({}))).status).toBe(401);
	});

	it('brakes guessing: after 10 failures even the right password gets 429', async () => {
		const target = await server.createAccountIn({ unitId, role: 'viewer' });
		for (let i = 0; i < 10; i++) {
			const res = await server.request(
				'/api/session',
				json({ login: target.login, password: `sai-${i}` })
			);
			expect(res.status).toBe(401);
		}
		const blocked = await server.request('/api/session', json(target));
		expect(blocked.status).toBe(429);
		expect(await blocked.json()).toEqual({
			error: 'too_many_attempts',
			reason: 'Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.'
		});
		expect(blocked.headers.get('retry-after')).toBe('900');
		// Other accounts are not affected by one login's brake.
		await server.signIn({ login, password });
	});

	it('answers /couch/_session from our own session, as CouchDB would', async () => {
		const anonymous = await server.request('/couch/_session');
		expect(await anonymous.json()).toEqual({ ok: true, userCtx: { name: null, roles: [] } });

		const res = await server.request('/couch/_session', json({ name: login, password }));
		expect(res.status).toBe(200);
		const cookie = cookiePair(res);
		const who = await (await server.request('/couch/_session', { cookie })).json();
		expect(who).toMatchObject({
			ok: true,
			userCtx: { name: login, roles: [`unit:${unitId}`, 'role:secretary'] }
		});
		expect((await server.request('/couch/_session', { method: 'DELETE', cookie })).status).toBe(
			200
		);
		const after = await server.request('/couch/_session', { cookie });
		expect(after.status).toBe(401);
		expect(await after.json()).toMatchObject({ error: 'device_revoked' });
	});
});
