import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESIGN_DOC_VERSION } from '../../server/couch/design-doc';
import type { JobView } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { UnitInfo, UnitView } from '../../server/org/unit-views';
import { memberDoc } from '../support/member-fixture';
import {
	api,
	branchDoc,
	expectRefusal,
	historyDoc,
	VIETNAMESE,
	waitForJob
} from '../support/org-api';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';

// The unit tree through the API: founding units with their database, `_security` and design document;
// views of the subtree; renaming with the old names kept; dissolving only an empty unit; branches as
// documents of their grassroots unit (ADR 0004); every change in the audit.

let server: TestServer;
let province: UnitRecord;
let adminCookie: string;
let admin: string;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = top.unit;
	admin = top.login;
	adminCookie = (await server.signIn(top)).cookie;
});

afterAll(async () => {
	await server?.close();
});

const found = (body: Record<string, unknown>, cookie = adminCookie) =>
	api<UnitInfo>(server, '/units', { cookie, body });

describe('founding a unit', () => {
	it('creates the database with _security for the unit and every ancestor, the design document and the unit document', async () => {
		const district = await found({
			parentId: province.id,
			name: 'Đoàn Khối  Doanh nghiệp',
			kind: 'doan-khoi'
		});
		expect(district.status).toBe(201);
		expect(district.body).toMatchObject({
			name: 'Đoàn Khối Doanh nghiệp',
			kind: 'doan-khoi',
			parentId: province.id,
			status: 'active',
			nameHistory: [{ name: 'Đoàn Khối Doanh nghiệp', by: admin }]
		});
		// The new unit's managers are the province's: a unit two levels down is founded by the district.
		const secretary = await server.createAccountIn({ unitId: district.body.id, role: 'secretary' });
		const districtCookie = (await server.signIn(secretary)).cookie;
		const grassroots = await found(
			{ parentId: district.body.id, name: 'Đoàn cơ sở Công ty Chè', kind: 'doan-co-so' },
			districtCookie
		);
		expect(grassroots.status).toBe(201);
		const { id, db } = grassroots.body;
		expect(await server.couch.getSecurity(db)).toEqual({
			admins: { names: [], roles: [] },
			members: {
				names: [],
				roles: [`unit:${id}`, `unit:${province.id}`, `unit:${district.body.id}`]
			}
		});
		const design = await server.couch.getDoc<{ _id: string; validate_doc_update?: string }>({
			db,
			id: '_design/doanvu'
		});
		expect(design?.validate_doc_update).toContain(JSON.stringify(id));
		expect(await server.couch.getDoc({ db, id: 'unit' })).toMatchObject({
			type: 'unit',
			unitId: id,
			parentId: district.body.id,
			ancestors: [province.id, district.body.id],
			status: 'active'
		});
		const audit = await server.audit.listFor({ type: 'unit', id });
		expect(audit).toMatchObject([{ action: 'unit.create', actor: secretary.login }]);
	});

	it('refuses kinds that cannot sit there, and branches (they are documents, ADR 0004)', async () => {
		expectRefusal(
			await found({ parentId: province.id, name: 'Tỉnh đoàn Lồng', kind: 'tinh-doan' }),
			422,
			'invalid_kind'
		);
		const branch = await found({
			parentId: province.id,
			name: 'Chi đoàn Thôn 1',
			kind: 'chi-doan'
		});
		expectRefusal(branch, 422, 'invalid');
		expect(branch.body).toMatchObject({ field: 'kind' });
		expect((branch.body as unknown as { reason: string }).reason).toMatch(/đơn vị cơ sở/);
		expectRefusal(
			await found({ parentId: province.id, name: 'X', kind: 'doan-xa' }),
			422,
			'invalid'
		);
		expectRefusal(
			await found({ parentId: 'khongtontai', name: 'Đoàn xã Ma', kind: 'doan-xa' }),
			404
		);
		expectRefusal(
			await api(server, '/units', {
				body: { parentId: province.id, name: 'Đoàn xã', kind: 'doan-xa' }
			}),
			401
		);
	});
});

describe('the tree and a unit', () => {
	it('shows ancestors, children (in Vietnamese order) and whether the viewer manages it', async () => {
		const names = ['Đoàn xã Yên Lập', 'Đoàn xã Ấm Thượng', 'Đoàn phường Âu Cơ'];
		for (const name of names) {
			expect(
				(
					await found({
						parentId: province.id,
						name,
						kind: name.includes('phường') ? 'doan-phuong' : 'doan-xa'
					})
				).status
			).toBe(201);
		}
		const view = await api<UnitView>(server, `/units/${province.id}`, { cookie: adminCookie });
		expect(view.status).toBe(200);
		expect(view.body).toMatchObject({ ancestors: [], canManage: false, canManageAccounts: true });
		const childNames = view.body.children
			.map((child) => child.name)
			.filter((name) => names.includes(name));
		expect(childNames).toEqual(['Đoàn phường Âu Cơ', 'Đoàn xã Ấm Thượng', 'Đoàn xã Yên Lập']);
		const childId = view.body.children.find((child) => child.name === 'Đoàn xã Yên Lập')!.id;
		const child = await api<UnitView>(server, `/units/${childId}`, { cookie: adminCookie });
		expect(child.body).toMatchObject({
			unit: { id: childId, parentId: province.id, db: `unit_${childId}`, status: 'active' },
			ancestors: [
				{ id: province.id, name: 'Tỉnh đoàn Phú Thọ', kind: 'tinh-doan', status: 'active' }
			],
			children: [],
			canManage: true
		});
		expectRefusal(
			await api(server, '/units/khongtontai', { cookie: adminCookie }),
			404,
			'unit_not_found'
		);
	});
});

describe('renaming', () => {
	it('keeps every old name with dates, who and the decision; the unit document follows', async () => {
		const created = await found({
			parentId: province.id,
			name: 'Đoàn xã Thanh Sơn',
			kind: 'doan-xa'
		});
		const id = created.body.id;
		const renamed = await api<UnitInfo>(server, `/units/${id}/rename`, {
			cookie: adminCookie,
			body: { name: 'Đoàn xã Thanh  Sơn Mới', decision: 'Số: 12-QĐ/TĐTN' }
		});
		expect(renamed.status).toBe(200);
		expect(renamed.body.name).toBe('Đoàn xã Thanh Sơn Mới');
		const [first, second] = renamed.body.nameHistory;
		expect(first).toMatchObject({ name: 'Đoàn xã Thanh Sơn', by: admin, to: expect.any(String) });
		expect(second).toMatchObject({
			name: 'Đoàn xã Thanh Sơn Mới',
			by: admin,
			decision: 'Số: 12-QĐ/TĐTN'
		});
		expect(second?.from).toBe(first?.to);
		expect(await server.couch.getDoc({ db: created.body.db, id: 'unit' })).toMatchObject({
			name: 'Đoàn xã Thanh Sơn Mới',
			nameHistory: renamed.body.nameHistory,
			updatedBy: admin
		});
		expectRefusal(
			await api(server, `/units/${id}/rename`, {
				cookie: adminCookie,
				body: { name: 'Đoàn xã Thanh Sơn Mới' }
			}),
			422
		);
		expectRefusal(await api(server, `/units/${id}/rename`, { cookie: adminCookie, body: {} }), 422);
		const audit = await server.audit.listFor({ type: 'unit', id });
		expect(audit.map((entry) => entry.action)).toEqual(['unit.create', 'unit.rename']);
		expect(audit[1]?.details).toMatchObject({
			from: 'Đoàn xã Thanh Sơn',
			to: 'Đoàn xã Thanh Sơn Mới'
		});
	});
});

describe('dissolving', () => {
	it('only with nobody on the rolls; then its accounts are closed and its database is read-only', async () => {
		const created = await found({
			parentId: province.id,
			name: 'Đoàn xã Giải Thể',
			kind: 'doan-xa'
		});
		const unit = created.body;
		const secretary = await server.createAccountIn({ unitId: unit.id, role: 'secretary' });
		const { cookie } = await server.signIn(secretary);
		const members = [0, 1, 2].map((i) =>
			memberDoc({ unitId: unit.id, login: secretary.login, givenName: `Người ${i}` })
		);
		members[2]!.status = 'matured';
		await server.couch.bulkDocs({ db: unit.db, docs: members });

		const refused = await api(server, `/units/${unit.id}/dissolve`, {
			cookie: adminCookie,
			method: 'POST'
		});
		expectRefusal(refused, 409, 'unit_has_members');
		expect((refused.body as { reason: string }).reason).toContain('2 đoàn viên');

		// The two active members leave the rolls (e.g. transferred); the matured one stays on record.
		for (const member of members.slice(0, 2)) {
			const current = await server.couch.getDoc<typeof member>({ db: unit.db, id: member._id });
			await server.couch.putDoc({ db: unit.db, doc: { ...current!, status: 'transferred' } });
		}
		const dissolved = await api<UnitInfo>(server, `/units/${unit.id}/dissolve`, {
			cookie: adminCookie,
			method: 'POST'
		});
		expect(dissolved.status).toBe(200);
		expect(dissolved.body).toMatchObject({ status: 'dissolved', dissolvedAt: expect.any(String) });

		// Its phone is cut off; its records stay readable by the superior, and nobody writes there.
		const cut = await server.request(`/couch/${unit.db}/`, { cookie });
		expect(cut.status).toBe(401);
		expect(await cut.json()).toMatchObject({ error: 'account_disabled' });
		expect(
			(await server.request(`/couch/${unit.db}/_all_docs`, { cookie: adminCookie })).status
		).toBe(200);
		const late = memberDoc({ unitId: unit.id, login: admin });
		const put = await server.request(`/couch/${unit.db}/${encodeURIComponent(late._id)}`, {
			method: 'PUT',
			cookie: adminCookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(late)
		});
		expect(put.status).toBe(403);
		expect((await put.json()).reason).toMatch(/giải thể/);
		expect(await server.couch.getDoc({ db: unit.db, id: 'unit' })).toMatchObject({
			status: 'dissolved'
		});
		expectRefusal(
			await api(server, `/units/${unit.id}/dissolve`, { cookie: adminCookie, method: 'POST' }),
			409,
			'unit_not_active'
		);
		expectRefusal(
			await api(server, `/units/${unit.id}/accounts`, {
				cookie: adminCookie,
				body: { login: 'moi.sau.giai.the', fullName: 'Người Mới', role: 'viewer' }
			}),
			409
		);
	});

	it('refuses a unit that still has subordinate units', async () => {
		const district = await found({
			parentId: province.id,
			name: 'Huyện đoàn Còn Con',
			kind: 'huyen-doan'
		});
		await server.provision.createUnit({
			name: 'Đoàn xã Con',
			kind: 'doan-xa',
			parentId: district.body.id,
			createdBy: 'test'
		});
		expectRefusal(
			await api(server, `/units/${district.body.id}/dissolve`, {
				cookie: adminCookie,
				method: 'POST'
			}),
			409,
			'unit_has_children'
		);
	});
});

describe('branches are documents of their grassroots unit (ADR 0004)', () => {
	it('have no database, no accounts, and move with their members when the unit is split', async () => {
		const commune = await found({
			parentId: province.id,
			name: 'Đoàn xã Có Chi Đoàn',
			kind: 'doan-xa'
		});
		const secretary = await server.createAccountIn({ unitId: commune.body.id, role: 'secretary' });
		const { cookie } = await server.signIn(secretary);
		const branch = branchDoc({
			unitId: commune.body.id,
			login: secretary.login,
			name: 'Chi đoàn Thôn 1'
		});
		const put = await server.request(
			`/couch/${commune.body.db}/${encodeURIComponent(branch._id)}`,
			{
				method: 'PUT',
				cookie,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(branch)
			}
		);
		expect(put.status).toBe(201);
		// Not a unit: no page, no accounts, no database of its own.
		expectRefusal(
			await api(server, `/units/${encodeURIComponent(branch._id)}`, { cookie: adminCookie }),
			404
		);
		expectRefusal(
			await api(server, `/units/${encodeURIComponent(branch._id)}/accounts`, {
				cookie: adminCookie,
				body: { login: 'bithu.chidoan', fullName: 'Bí Thư Chi', role: 'secretary' }
			}),
			404
		);
		expect(await server.couch.databaseExists(`unit_${branch._id.slice(7)}`)).toBe(false);
		// The commune's every account sees every branch (reads are per database).
		const deputy = await server.createAccountIn({ unitId: commune.body.id, role: 'viewer' });
		const seen = await server.request(
			`/couch/${commune.body.db}/${encodeURIComponent(branch._id)}`,
			{
				cookie: (await server.signIn(deputy)).cookie
			}
		);
		expect(seen.status).toBe(200);
		// A split moves whole branches: the branch document, its members and their history.
		const member = {
			...memberDoc({ unitId: commune.body.id, login: secretary.login }),
			branchId: branch._id
		};
		const history = historyDoc({
			unitId: commune.body.id,
			login: secretary.login,
			memberId: member._id
		});
		await server.couch.bulkDocs({ db: commune.body.db, docs: [member, history] });
		const job = await api<{ id: string; targetId: string }>(
			server,
			`/units/${commune.body.id}/split`,
			{
				cookie: adminCookie,
				body: { name: 'Đoàn xã Tách Ra', kind: 'doan-xa', branchIds: [branch._id] }
			}
		);
		expect(job.status).toBe(202);
		expectRefusal(
			await api(server, `/units/${commune.body.id}/split`, {
				cookie: adminCookie,
				body: { name: 'Đoàn xã Khác', kind: 'doan-xa', branchIds: ['branch:khongco'] }
			}),
			409,
			'unit_busy'
		);
		const done = await waitForJob(server, { cookie: adminCookie, id: job.body.id });
		expect(done.state).toBe('done');
		const moved = await server.couch.allDocs({
			db: `unit_${done.targetId}`,
			keys: [branch._id, member._id, history._id],
			includeDocs: true
		});
		expect(moved.map((row) => (row.doc as { unitId?: string } | undefined)?.unitId)).toEqual([
			done.targetId,
			done.targetId,
			done.targetId
		]);
		const left = await server.couch.allDocs({
			db: commune.body.db,
			keys: [branch._id, member._id, history._id]
		});
		expect(left.map((row) => row.value?.deleted)).toEqual([true, true, true]);
	});

	it('split input is checked: unknown branches, bad kinds', async () => {
		const commune = await found({
			parentId: province.id,
			name: 'Đoàn xã Kiểm Tra Tách',
			kind: 'doan-xa'
		});
		const unknown = await api(server, `/units/${commune.body.id}/split`, {
			cookie: adminCookie,
			body: { name: 'Đoàn xã Mới', kind: 'doan-xa', branchIds: ['branch:khongco'] }
		});
		expectRefusal(unknown, 422);
		expect(unknown.body).toMatchObject({ field: 'branchIds' });
		expectRefusal(
			await api(server, `/units/${commune.body.id}/split`, {
				cookie: adminCookie,
				body: { name: 'Đoàn xã Mới', kind: 'doan-xa', branchIds: [] }
			}),
			422
		);
		expectRefusal(
			await api(server, `/units/${commune.body.id}/split`, {
				cookie: adminCookie,
				body: { name: 'Tỉnh Mới', kind: 'tinh-doan', branchIds: ['branch:x'] }
			}),
			422,
			'invalid_kind'
		);
		expect(VIETNAMESE.test('đã')).toBe(true);
	});
});

describe('jobs', () => {
	it('a merge that cannot proceed fails with a reason, frees the unit, and resumes when asked again', async () => {
		const quiet = await startTestServer({ workers: { ...TEST_WORKERS, enabled: false } });
		try {
			const top = await quiet.createUnitWithAccount({
				kind: 'tinh-doan',
				role: 'secretary',
				name: 'Tỉnh đoàn Việc'
			});
			const cookie = (await quiet.signIn(top)).cookie;
			const a = await quiet.provision.createUnit({
				name: 'Đoàn xã Đi',
				kind: 'doan-xa',
				parentId: top.unit.id,
				createdBy: 'test'
			});
			const b = await quiet.provision.createUnit({
				name: 'Đoàn xã Đến',
				kind: 'doan-xa',
				parentId: top.unit.id,
				createdBy: 'test'
			});
			const asked = await api<JobView>(quiet, `/units/${a.id}/merge`, {
				cookie,
				body: { intoId: b.id }
			});
			expect(asked.body).toMatchObject({ state: 'queued', progress: { done: 0, total: 4 } });
			expect((await quiet.provision.getUnit(a.id))?.lock).toBe(asked.body.id);
			// Meanwhile the receiving unit is dissolved (behind the API's back), then the worker runs.
			const gone = await quiet.provision.updateUnit(b.id, (unit) => ({
				...unit,
				status: 'dissolved'
			}));
			quiet.workers.runner.start();
			const failed = await waitForJob(quiet, { cookie, id: asked.body.id });
			expect(failed).toMatchObject({ state: 'failed', progress: { done: 0 } });
			expect(failed.error).toMatch(/không còn hoạt động/);
			expect((await quiet.provision.getUnit(a.id))?.lock).toBeUndefined();
			// Someone else may not follow it.
			const other = await quiet.createAccountIn({ unitId: a.id, role: 'secretary' });
			expectRefusal(
				await api(quiet, `/jobs/${encodeURIComponent(asked.body.id)}`, {
					cookie: (await quiet.signIn(other)).cookie
				}),
				403
			);
			// The unit is restored; asking again resumes the same job.
			await quiet.provision.updateUnit(b.id, () => ({ ...gone, status: 'active' }));
			const again = await api<JobView>(quiet, `/units/${a.id}/merge`, {
				cookie,
				body: { intoId: b.id }
			});
			expect(again).toMatchObject({ status: 202, body: { id: asked.body.id, state: 'queued' } });
			expect((await waitForJob(quiet, { cookie, id: asked.body.id })).state).toBe('done');
		} finally {
			await quiet.close();
		}
	});

	it('unit databases made by an older server get the current design document', async () => {
		const created = await found({ parentId: province.id, name: 'Đoàn xã Cũ Kỹ', kind: 'doan-xa' });
		const { db, id } = created.body;
		const design = await server.couch.getDoc<{ _id: string; _rev: string }>({
			db,
			id: '_design/doanvu'
		});
		await server.couch.putDoc({
			db,
			doc: { ...design!, doanvuVersion: 1, validate_doc_update: 'function () {}' }
		});
		await server.provision.updateUnit(id, ({ designVersion: _v, ...unit }) => unit);
		expect(await server.provision.upgradeDesignDocs()).toBeGreaterThanOrEqual(1);
		const upgraded = await server.couch.getDoc<{
			_id: string;
			doanvuVersion: number;
			validate_doc_update: string;
		}>({ db, id: '_design/doanvu' });
		expect(upgraded).toMatchObject({ doanvuVersion: DESIGN_DOC_VERSION });
		expect(upgraded?.validate_doc_update).toContain("'history'");
		expect(await server.provision.upgradeDesignDocs()).toBe(0);
	});
});
