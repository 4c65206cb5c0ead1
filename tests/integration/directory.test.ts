import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../server/org/directory-index';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { OnlineRosterPage } from '../../server/org/online-roster';
import { memberDoc } from '../support/member-fixture';
import { api, expectRefusal } from '../support/org-api';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// The unit picker (GET /api/directory) and a superior's online roster (GET /api/units/:id/members).
// The directory finds any unit by folded name — old names included — for any signed-in account, and
// never says anything about members; the roster is read from the unit database as the user, so
// CouchDB's `_security` decides who sees it.

let server: TestServer;
let province: UnitRecord;
let district: UnitRecord;
let commune: UnitRecord;
let sibling: UnitRecord;
let provinceCookie: string;
let siblingCookie: string;
let districtCookie: string;

beforeAll(async () => {
	// No workers: their job polling would index the thousands of filler units below meanwhile.
	server = await startTestServer({ workers: { ...TEST_WORKERS, enabled: false } });
	const create = (name: string, kind: 'tinh-doan' | 'huyen-doan' | 'doan-xa', parentId?: string) =>
		server.provision.createUnit({ name, kind, parentId, createdBy: 'test' });
	province = await create('Tỉnh đoàn Phú Thọ', 'tinh-doan');
	district = await create('Huyện đoàn Thanh Sơn', 'huyen-doan', province.id);
	commune = await create('Đoàn xã Thạch Khoán', 'doan-xa', district.id);
	sibling = await create('Đoàn xã Thục Luyện', 'doan-xa', district.id);
	const p = await server.createAccountIn({ unitId: province.id, role: 'viewer' });
	provinceCookie = (await server.signIn(p)).cookie;
	const s = await server.createAccountIn({ unitId: sibling.id, role: 'secretary' });
	siblingCookie = (await server.signIn(s)).cookie;
	const d = await server.createAccountIn({ unitId: district.id, role: 'secretary' });
	districtCookie = (await server.signIn(d)).cookie;
	// Thousands of units (the 3,321 communes after 2025), written straight into the directory.
	const filler = Array.from({ length: 4000 }, (_, i) => ({
		_id: `unit:filler${String(i).padStart(5, '0')}`,
		type: 'unit',
		id: `filler${String(i).padStart(5, '0')}`,
		name: `Đoàn xã Số ${i}`,
		kind: 'doan-xa',
		parentId: district.id,
		ancestors: [province.id, district.id],
		db: `unit_filler${String(i).padStart(5, '0')}`,
		createdAt: '2025-07-01T00:00:00.000Z',
		createdBy: 'test',
		nameHistory: [{ name: `Đoàn xã Số ${i}`, from: '2025-07-01T00:00:00.000Z' }]
	}));
	await server.couch.bulkDocs({ db: server.provision.names.directory, docs: filler });
	const members = ['Quỳnh', 'Anh', 'Bích'].map((givenName, i) => ({
		...memberDoc({ unitId: commune.id, login: 'test', givenName }),
		citizenId: `02530100000${i}`,
		phone: '0912345678'
	}));
	await server.couch.bulkDocs({ db: commune.db, docs: members });
});

afterAll(async () => {
	await server?.close();
});

const search = (q: string, cookie = siblingCookie, limit?: number) =>
	api<DirectoryEntry[]>(
		server,
		`/directory?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`,
		{ cookie }
	);

describe('the directory', () => {
	it('finds units by folded name, any diacritics or case, with their ancestor path', async () => {
		for (const q of ['thach khoan', 'THẠCH KHOÁN', 'khoan thach', 'Thạch Khoán', 'xa thach']) {
			const res = await search(q);
			expect(res.status).toBe(200);
			expect(res.body[0]).toEqual({
				id: commune.id,
				name: 'Đoàn xã Thạch Khoán',
				kind: 'doan-xa',
				status: 'active',
				path: 'Tỉnh đoàn Phú Thọ › Huyện đoàn Thanh Sơn'
			});
		}
		// đ folds to d.
		expect((await search('doan xa thuc luyen')).body.map((unit) => unit.id)).toEqual([sibling.id]);
		expect((await search('')).body).toEqual([]);
		expect((await search('khongcodonvinaonhuthe')).body).toEqual([]);
	});

	it('ranks the exact name first, limits the answer, and is fast over thousands of units', async () => {
		const started = performance.now();
		const res = await search('so 12', siblingCookie, 5);
		const ms = performance.now() - started;
		expect(res.body).toHaveLength(5);
		expect(res.body[0]?.name).toBe('Đoàn xã Số 12');
		expect(ms).toBeLessThan(200);
		expectRefusal(await search('x', siblingCookie, 1000), 422);
	});

	it('finds a unit by a name it had before (old records keep the old names)', async () => {
		for (const name of ['Đoàn xã Cự Đồng', 'Đoàn xã Thục Luyện Mới']) {
			const renamed = await api(server, `/units/${sibling.id}/rename`, {
				cookie: districtCookie,
				body: { name }
			});
			expect(renamed.status).toBe(200);
		}
		const res = await search('cu dong');
		expect(res.body[0]).toMatchObject({
			id: sibling.id,
			name: 'Đoàn xã Thục Luyện Mới',
			formerName: 'Đoàn xã Cự Đồng'
		});
		// The current name still ranks first for its own words.
		expect((await search('thuc luyen moi')).body[0]?.id).toBe(sibling.id);
	});

	it('never exposes members, and needs a signed-in account', async () => {
		const res = await server.request(`/api/directory?q=${encodeURIComponent('Quỳnh')}`, {
			cookie: siblingCookie
		});
		const text = await res.text();
		expect(JSON.parse(text)).toEqual([]);
		const all = await (
			await server.request('/api/directory?q=doan&limit=100', { cookie: siblingCookie })
		).text();
		for (const secret of ['Quỳnh', '025301000000', '0912345678', 'member:'])
			expect(all).not.toContain(secret);
		expectRefusal(await api(server, '/directory?q=doan'), 401);
	});
});

describe("a superior's online roster", () => {
	it('pages the members in Vietnamese name order with minimal fields', async () => {
		const page = await api<OnlineRosterPage>(
			server,
			`/units/${commune.id}/members?offset=0&limit=2`,
			{
				cookie: provinceCookie
			}
		);
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({ total: 3, offset: 0, limit: 2 });
		expect(page.body.rows.map((row) => row.givenName)).toEqual(['Anh', 'Bích']);
		expect(Object.keys(page.body.rows[0]!).sort()).toEqual(
			['birthDate', 'familyName', 'fullName', 'givenName', 'id', 'middleName', 'status'].sort()
		);
		expect(page.body.rows[0]).toMatchObject({
			fullName: 'Nguyễn Thị Anh',
			status: 'active',
			id: expect.stringMatching(/^member:/)
		});
		const rest = await api<OnlineRosterPage>(
			server,
			`/units/${commune.id}/members?offset=2&limit=2`,
			{
				cookie: provinceCookie
			}
		);
		expect(rest.body.rows.map((row) => row.givenName)).toEqual(['Quỳnh']);
		expectRefusal(
			await api(server, `/units/${commune.id}/members?limit=abc`, { cookie: provinceCookie }),
			422
		);
	});

	it("is refused outside one's subtree", async () => {
		expectRefusal(
			await api(server, `/units/${commune.id}/members`, { cookie: siblingCookie }),
			403,
			'forbidden'
		);
	});

	it("is read as the user: CouchDB's _security decides, not the server's own tree", async () => {
		// Take the province out of the commune's _security behind the server's back: the tree still
		// says "superior", but CouchDB now refuses the province's user.
		const security = await server.couch.getSecurity(commune.db);
		await server.couch.putSecurity({
			db: commune.db,
			security: { ...security, members: { roles: [`unit:${commune.id}`, `unit:${district.id}`] } }
		});
		try {
			expectRefusal(
				await api(server, `/units/${commune.id}/members`, { cookie: provinceCookie }),
				403,
				'forbidden'
			);
		} finally {
			await server.couch.putSecurity({ db: commune.db, security: security! });
		}
		expect(
			(await api(server, `/units/${commune.id}/members`, { cookie: provinceCookie })).status
		).toBe(200);
	});
});
