import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberDoc } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import type { UnitRecord } from '../../server/couch/provision-service';

// Who may do what through /couch: the proxy's own checks (device, allowlist, `_security`) and the
// design document's validate_doc_update, which CouchDB applies because requests go as the real user.

let server: TestServer;
let province: UnitRecord;
let communeA: UnitRecord;
let communeB: UnitRecord;
const cookies: Record<
	'provinceAdmin' | 'secretaryA' | 'deputyA' | 'viewerA' | 'secretaryB',
	string
> = {
	provinceAdmin: '',
	secretaryA: '',
	deputyA: '',
	viewerA: '',
	secretaryB: ''
};
const logins = { ...cookies };

const VIETNAMESE = /[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]/i;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Thử');
	province = top.unit;
	const a = await server.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã A' });
	const b = await server.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã B' });
	communeA = a.unit;
	communeB = b.unit;
	const deputy = await server.createAccountIn({ unitId: communeA.id, role: 'deputy' });
	const viewer = await server.createAccountIn({ unitId: communeA.id, role: 'viewer' });
	const accounts = {
		provinceAdmin: top,
		secretaryA: a,
		deputyA: deputy,
		viewerA: viewer,
		secretaryB: b
	};
	for (const [key, account] of Object.entries(accounts) as [keyof typeof cookies, typeof top][]) {
		cookies[key] = (await server.signIn(account)).cookie;
		logins[key] = account.login;
	}
});

afterAll(async () => {
	await server?.close();
});

function couch(
	path: string,
	options: {
		cookie?: string;
		method?: string;
		body?: unknown;
		headers?: Record<string, string>;
	} = {}
): Promise<Response> {
	return server.request(`/couch${path}`, {
		method: options.method ?? 'GET',
		cookie: options.cookie,
		headers: {
			...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
			...options.headers
		},
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
}

async function expectRefused(res: Response, status: number, error?: string): Promise<void> {
	expect(res.status).toBe(status);
	const body = await res.json();
	if (error) expect(body.error).toBe(error);
	expect(body.reason).toMatch(VIETNAMESE);
}

describe('device authentication', () => {
	it('no cookie or a forged one → 401 with the Vietnamese reason', async () => {
		for (const cookie of [
			undefined,
			'dv_session=abc',
			`dv_session=${'0'.repeat(32)}.${'A'.repeat(43)}`
		]) {
			const res = await couch(`/${communeA.db}/`, { cookie });
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({
				error: 'unauthorized',
				reason: 'Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.'
			});
		}
	});

	it('the client cannot bring its own CouchDB credentials', async () => {
		const res = await couch(`/${communeA.db}/`, {
			headers: {
				authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
				cookie: 'AuthSession=forged'
			}
		});
		expect(res.status).toBe(401);
	});

	it('a revoked device: its next proxied request is 401 device_revoked, replication too', async () => {
		const account = await server.createAccountIn({ unitId: communeA.id, role: 'secretary' });
		const { cookie, session } = await server.signIn(account);
		expect((await couch(`/${communeA.db}/`, { cookie })).status).toBe(200);

		await server.devices.revokeDevice({
			deviceId: session.device.id,
			revokedBy: logins.provinceAdmin
		});
		const res = await couch(`/${communeA.db}/_changes`, { cookie });
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ error: 'device_revoked' });

		const local = new PouchDB(`revoked-${randomBytes(4).toString('hex')}`);
		const error = await local.replicate.from(server.remoteDb({ db: communeA.db, cookie })).then(
			() => undefined,
			(e: { status?: number; error?: string }) => e
		);
		// What the app's sync looks at to wipe the device (src/lib/data/sync/unit-sync.ts).
		expect(error).toMatchObject({ status: 401, error: 'device_revoked' });

		const devices = await server.devices.listDevices({ login: account.login });
		expect(devices).toHaveLength(1);
		expect(devices[0]).toMatchObject({ revokedBy: logins.provinceAdmin });
		expect(devices[0]).not.toHaveProperty('secretHash');
	});
});

describe('unit databases', () => {
	it('a user of another unit is refused on read and on write', async () => {
		const cookie = cookies.secretaryB;
		await expectRefused(await couch(`/${communeA.db}/`, { cookie }), 403, 'forbidden');
		await expectRefused(await couch(`/${communeA.db}/_all_docs`, { cookie }), 403);
		await expectRefused(await couch(`/${communeA.db}/_changes`, { cookie }), 403);
		await expectRefused(await couch(`/${communeA.db}/unit`, { cookie }), 403);
		const doc = memberDoc({ unitId: communeA.id, login: logins.secretaryB });
		await expectRefused(
			await couch(`/${communeA.db}/${encodeURIComponent(doc._id)}`, {
				cookie,
				method: 'PUT',
				body: doc
			}),
			403
		);
		await expectRefused(
			await couch(`/${communeA.db}/_bulk_docs`, { cookie, method: 'POST', body: { docs: [doc] } }),
			403
		);
		const error = await new PouchDB(`other-${randomBytes(4).toString('hex')}`).replicate
			.from(server.remoteDb({ db: communeA.db, cookie }))
			.then(
				() => undefined,
				(e: { status?: number }) => e
			);
		expect(error?.status).toBe(403);
		// …while the unit's own secretary and its superior get in.
		expect((await couch(`/${communeA.db}/`, { cookie: cookies.secretaryA })).status).toBe(200);
		expect((await couch(`/${communeA.db}/`, { cookie: cookies.provinceAdmin })).status).toBe(200);
		// A subordinate does not see its superior's database.
		await expectRefused(await couch(`/${province.db}/`, { cookie: cookies.secretaryA }), 403);
	});

	it("the superior may write into its subordinate's database", async () => {
		const doc = memberDoc({ unitId: communeA.id, login: logins.provinceAdmin });
		const res = await couch(`/${communeA.db}/${encodeURIComponent(doc._id)}`, {
			cookie: cookies.provinceAdmin,
			method: 'PUT',
			body: doc
		});
		expect(res.status).toBe(201);
	});

	it('validate_doc_update refuses what breaks the invariants, in Vietnamese', async () => {
		const cookie = cookies.secretaryA;
		const login = logins.secretaryA;
		const put = (doc: Record<string, unknown> & { _id: string }, as = cookie) =>
			couch(`/${communeA.db}/${encodeURIComponent(doc._id)}`, {
				cookie: as,
				method: 'PUT',
				body: doc
			});
		const good = memberDoc({ unitId: communeA.id, login });

		// Claims another unit.
		await expectRefused(await put({ ...good, unitId: communeB.id }), 403, 'forbidden');
		// Written in someone else's name.
		await expectRefused(await put({ ...good, updatedBy: logins.deputyA }), 403, 'forbidden');
		// Unknown type, unit doc, missing required field, id without its prefix.
		await expectRefused(await put({ ...good, type: 'bogus' }), 403, 'forbidden');
		await expectRefused(await put({ ...good, givenName: '' }), 403, 'forbidden');
		await expectRefused(await put({ ...good, _id: `x:${good._id}` }), 403, 'forbidden');
		// A viewer reads but never writes.
		expect((await couch(`/${communeA.db}/_all_docs`, { cookie: cookies.viewerA })).status).toBe(
			200
		);
		await expectRefused(
			await put({ ...good, updatedBy: logins.viewerA }, cookies.viewerA),
			403,
			'forbidden'
		);

		// The good one passes; then its type cannot change and a bare deletion is refused.
		const created = await put(good);
		expect(created.status).toBe(201);
		const { rev } = (await created.json()) as { rev: string };
		await expectRefused(await put({ ...good, _rev: rev, type: 'branch' }), 403, 'forbidden');
		await expectRefused(
			await couch(`/${communeA.db}/${encodeURIComponent(good._id)}?rev=${rev}`, {
				cookie,
				method: 'DELETE'
			}),
			403,
			'forbidden'
		);
		const deleted = await put({
			_id: good._id,
			_rev: rev,
			_deleted: true,
			type: 'member',
			unitId: communeA.id,
			updatedBy: login
		});
		expect([200, 201]).toContain(deleted.status);

		// Through _bulk_docs, each refused document carries the reason (results come in any order).
		// The `unit` rewrite carries its current `_rev`: Apache CouchDB checks revisions before it runs
		// the validation, so without it the answer would be a conflict and the validation untested.
		const otherUnit = { ...memberDoc({ unitId: communeA.id, login }), unitId: communeB.id };
		const fine = memberDoc({ unitId: communeA.id, login });
		const unitDoc = await couch(`/${communeA.db}/unit`, { cookie });
		expect(unitDoc.status).toBe(200);
		const { _rev: unitRev } = (await unitDoc.json()) as { _rev: string };
		const bulk = await couch(`/${communeA.db}/_bulk_docs`, {
			cookie,
			method: 'POST',
			body: {
				docs: [
					otherUnit,
					{
						_id: 'unit',
						_rev: unitRev,
						type: 'unit',
						unitId: communeA.id,
						updatedBy: login,
						name: 'Đổi tên'
					},
					{ _id: '_design/evil', validate_doc_update: 'function(){}' },
					fine
				]
			}
		});
		expect(bulk.status).toBe(201);
		const results = (await bulk.json()) as {
			id: string;
			error?: string;
			reason?: string;
			ok?: boolean;
		}[];
		const byId = new Map(results.map((r) => [r.id, r]));
		for (const id of [otherUnit._id, 'unit']) {
			expect(byId.get(id)?.error).toBe('forbidden');
			expect(byId.get(id)?.reason).toMatch(VIETNAMESE);
		}
		// CouchDB itself refuses design documents from non-admins before validation runs.
		expect(['forbidden', 'unauthorized']).toContain(byId.get('_design/evil')?.error);
		expect(byId.get(fine._id)?.ok).toBe(true);
		expect(await server.couch.getDoc({ db: communeA.db, id: '_design/evil' })).toBeUndefined();
	});

	it('branches: the secretary and the deputy write them (design document version 5), whole', async () => {
		const branch = (login: string) => ({
			_id: `branch:${communeA.id}-${randomBytes(6).toString('hex')}`,
			type: 'branch',
			v: 2,
			unitId: communeA.id,
			name: 'Chi đoàn Thôn 1',
			kind: 'khu-dan-cu',
			status: 'active',
			nameHistory: [{ name: 'Chi đoàn Thôn 1', from: new Date().toISOString(), by: login }],
			createdBy: login,
			updatedBy: login
		});
		for (const who of ['secretaryA', 'deputyA'] as const) {
			const doc = branch(logins[who]);
			const res = await couch(`/${communeA.db}/${doc._id}`, {
				cookie: cookies[who],
				method: 'PUT',
				body: doc
			});
			expect(res.status).toBe(201);
		}
		// The old shape (no kind, no status, an id outside the unit) is refused.
		const {
			kind: _k,
			status: _s,
			...old
		} = {
			...branch(logins.deputyA),
			_id: `branch:${randomBytes(6).toString('hex')}`
		};
		await expectRefused(
			await couch(`/${communeA.db}/${old._id}`, {
				cookie: cookies.deputyA,
				method: 'PUT',
				body: old
			}),
			403,
			'forbidden'
		);
	});

	it('design documents cannot be written however the id is spelled', async () => {
		const cookie = cookies.secretaryA;
		for (const path of ['_design/doanvu', '_design%2Fdoanvu', '_design/other']) {
			await expectRefused(
				await couch(`/${communeA.db}/${path}`, { cookie, method: 'PUT', body: { views: {} } }),
				403,
				'forbidden'
			);
		}
		await expectRefused(
			await couch(`/${communeA.db}/_design/doanvu`, { cookie, method: 'DELETE' }),
			403
		);
		// Reading it is harmless (replication copies it).
		expect((await couch(`/${communeA.db}/_design/doanvu`, { cookie })).status).toBe(200);
	});
});

describe('allowlist', () => {
	it('refuses with 403 and a Vietnamese reason everything not listed', async () => {
		const cookie = cookies.provinceAdmin;
		const db = communeA.db;
		const refused: [string, string, unknown?][] = [
			['GET', '/_all_dbs'],
			['GET', '/_users'],
			['GET', '/_users/org.couchdb.user:x'],
			['GET', `/_users/org.couchdb.user:${logins.secretaryA}`],
			['GET', '/_users/_all_docs'],
			['GET', '/_config'],
			['PUT', '/_config/admins/x', 'secret'],
			['GET', '/_node/_local/_config'],
			['POST', '/_replicate', { source: db, target: 'unit_copyofit' }],
			['GET', '/_active_tasks'],
			['GET', '/_uuids'],
			['GET', '/_utils/'],
			['GET', '/_db_updates'],
			['GET', '/_replicator'],
			['GET', '/doanvu_accounts'],
			['GET', '/doanvu_accounts/_all_docs'],
			['GET', `/doanvu_directory/unit:${communeA.id}`],
			['PUT', '/unit_brandnew', undefined],
			['PUT', `/${db}`],
			['DELETE', `/${db}`],
			['POST', `/${db}`, memberDoc({ unitId: communeA.id, login: logins.provinceAdmin })],
			['GET', `/${db}/_security`],
			['PUT', `/${db}/_security`, { members: { roles: [] } }],
			['GET', `/${db}/_design/doanvu/_view/x`],
			['POST', `/${db}/_find`, { selector: {} }],
			['POST', `/${db}/_compact`],
			['POST', `/${db}/_purge`, {}],
			['GET', `/${db}/_design_docs`],
			['POST', `/${db}/_revs_limit`],
			['PUT', `/${db}/member:x/photo.jpg`, 'x'],
			['GET', `/${db}/member:x/photo.jpg`],
			['COPY', `/${db}/unit`],
			['PUT', '/_session']
		];
		for (const [method, path, body] of refused) {
			const res = await couch(path, { cookie, method, body });
			expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
			const json = await res.json();
			expect(json.error).toBe('forbidden');
			expect(json.reason).toMatch(VIETNAMESE);
		}
	});

	it('lets replication endpoints through and answers GET /couch/ sanitised', async () => {
		const cookie = cookies.secretaryA;
		const db = communeA.db;
		const root = await couch('/');
		expect(await root.json()).toEqual({
			couchdb: 'Welcome',
			version: expect.any(String),
			vendor: { name: 'Doanvu' }
		});
		const allowed: [string, string, unknown?][] = [
			['GET', `/${db}`],
			['GET', `/${db}/`],
			['GET', `/${db}/_all_docs?limit=1`],
			['POST', `/${db}/_all_docs`, { keys: ['unit'] }],
			['GET', `/${db}/_changes?limit=1`],
			['POST', `/${db}/_changes?filter=_doc_ids`, { doc_ids: ['unit'] }],
			['POST', `/${db}/_revs_diff`, { unit: ['1-abc'] }],
			['POST', `/${db}/_bulk_get`, { docs: [{ id: 'unit' }] }],
			// A PouchDB replication checkpoint id (server/proxy/local-docs.ts): other `_local` ids are refused.
			['PUT', `/${db}/_local/AbCdEfGhIjKlMnOpQrStU.%3D%3D`, { session_id: 'x' }],
			['GET', `/${db}/_local/AbCdEfGhIjKlMnOpQrStU.%3D%3D`],
			['GET', `/${db}/unit`]
		];
		for (const [method, path, body] of allowed) {
			const res = await couch(path, { cookie, method, body });
			expect({ method, path, ok: res.ok }).toEqual({ method, path, ok: true });
			await res.arrayBuffer();
		}
	});

	it('strips CORS headers: same origin only', async () => {
		const res = await couch(`/${communeA.db}/`, {
			cookie: cookies.secretaryA,
			headers: { origin: 'https://evil.example' }
		});
		expect(res.status).toBe(200);
		for (const name of res.headers.keys()) expect(name).not.toMatch(/^access-control-/);
		expect(res.headers.get('set-cookie')).toBeNull();
		expect(res.headers.get('server')).toBeNull();
	});
});

describe('robustness', () => {
	it('requests that crash or hang the embedded store are refused, and the server keeps answering', async () => {
		const cookie = cookies.secretaryA;
		const dangerous: [string, string, unknown?][] = [
			['PUT', '/unit_zzzzzzzz'],
			['PUT', `/${communeA.db}`],
			['DELETE', `/${communeA.db}`],
			['DELETE', `/${communeB.db}`],
			['GET', '/_users/org.couchdb.user:x'],
			['GET', `/_users/org.couchdb.user:${logins.secretaryA}`],
			[
				'PUT',
				'/_users/org.couchdb.user:x',
				{ name: 'x', password: 'x', roles: ['_admin'], type: 'user' }
			],
			['DELETE', '/_users'],
			['PUT', '/_users']
		];
		for (const [method, path, body] of dangerous) {
			const res = await couch(path, { cookie, method, body });
			expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
			await res.arrayBuffer();
		}
		expect(await (await server.request('/api/health')).json()).toEqual({ ok: true });
		expect((await couch(`/${communeA.db}/`, { cookie })).status).toBe(200);
		expect(await server.couch.getSecurity(communeA.db)).toBeDefined();
		expect(await server.couch.getSecurity('unit_zzzzzzzz')).toBeUndefined();
	});
});
