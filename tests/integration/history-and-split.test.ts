import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import { memberDoc, type TestMember } from '../support/member-fixture';
import { api, branchDoc, historyDoc, until, VIETNAMESE, waitForJob } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommuneWithPeople, createProvince, type SignedIn } from '../support/org-setup';

// History entries are immutable, enforced by the design document whoever writes; and a split moves
// whole branches — with a phone that kept working offline on the moved members, whose late changes
// follow the members to their new unit and vanish from the old one.

let server: TestServer;
let province: UnitRecord;
let commune: UnitRecord;
let adminCookie: string;
let people: Record<'secretary' | 'deputy' | 'viewer', SignedIn>;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Tách');
	province = top.unit;
	adminCookie = (await server.signIn(top)).cookie;
	({ commune, people } = await createCommuneWithPeople(server, {
		parentId: province.id,
		name: 'Đoàn xã Hai Thôn'
	}));
});

afterAll(async () => {
	await server?.close();
});

async function put(as: keyof typeof people, doc: { _id: string } & Record<string, unknown>) {
	const res = await server.request(`/couch/${commune.db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		cookie: people[as].cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(doc)
	});
	const body = (await res.json()) as { rev?: string; reason?: string };
	if (res.status >= 400) expect(body.reason).toMatch(VIETNAMESE);
	return { status: res.status, rev: body.rev, reason: body.reason };
}

describe('history entries', () => {
	it('may be added by secretary and deputy, never changed or deleted, never by a viewer', async () => {
		const member = memberDoc({ unitId: commune.id, login: people.secretary.login });
		expect((await put('secretary', member)).status).toBe(201);
		const entry = historyDoc({
			unitId: commune.id,
			login: people.deputy.login,
			memberId: member._id
		});
		const created = await put('deputy', entry);
		expect(created.status).toBe(201);
		const changed = await put('secretary', {
			...entry,
			_rev: created.rev,
			kind: 'expulsion',
			updatedBy: people.secretary.login
		});
		expect(changed.status).toBe(403);
		expect(changed.reason).toMatch(/không được sửa hoặc xóa/);
		const deleted = await put('secretary', {
			_id: entry._id,
			_rev: created.rev,
			_deleted: true,
			type: 'history',
			unitId: commune.id,
			updatedBy: people.secretary.login
		});
		expect(deleted.status).toBe(403);
		expect(
			(
				await put(
					'viewer',
					historyDoc({ unitId: commune.id, login: people.viewer.login, memberId: member._id })
				)
			).status
		).toBe(403);
		for (const missing of ['memberId', 'kind', 'at'] as const) {
			const { [missing]: _gone, ...partial } = historyDoc({
				unitId: commune.id,
				login: people.secretary.login,
				memberId: member._id
			});
			expect((await put('secretary', partial as typeof entry)).status).toBe(403);
		}
		expect(
			(
				await put('secretary', {
					...historyDoc({
						unitId: commune.id,
						login: people.secretary.login,
						memberId: member._id
					}),
					_id: `x:${randomBytes(4).toString('hex')}`
				})
			).status
		).toBe(403);
		// An entry filed under another member's id.
		const stranger = memberDoc({ unitId: commune.id, login: people.secretary.login });
		const misfiled = historyDoc({
			unitId: commune.id,
			login: people.secretary.login,
			memberId: stranger._id
		});
		const wrong = await put('secretary', { ...misfiled, memberId: member._id });
		expect(wrong.status).toBe(403);
		expect(wrong.reason).toMatch(/mã của đoàn viên/);
		// The server itself (admin) may: it moves history during merges and splits.
		expect(await server.couch.getDoc({ db: commune.db, id: entry._id })).toMatchObject({
			kind: 'admission'
		});
	});

	it('the author of a record cannot be rewritten, and a branch needs a name', async () => {
		const member = memberDoc({ unitId: commune.id, login: people.secretary.login });
		const created = await put('secretary', member);
		const hijack = await put('deputy', {
			...member,
			_rev: created.rev,
			createdBy: people.deputy.login,
			updatedBy: people.deputy.login
		});
		expect(hijack.status).toBe(403);
		expect(hijack.reason).toMatch(/createdBy/);
		expect(
			(
				await put('deputy', {
					...member,
					_rev: created.rev,
					phone: '0987654321',
					updatedBy: people.deputy.login
				})
			).status
		).toBe(201);
		const branch = branchDoc({ unitId: commune.id, login: people.secretary.login, name: '' });
		expect((await put('secretary', branch)).status).toBe(403);
	});
});

describe('splitting a commune while its phone is offline', () => {
	it("moves the chosen branches with members and history; the phone's late changes follow them", async () => {
		const login = people.secretary.login;
		const phone = new PouchDB<Record<string, unknown>>(
			`split-phone-${randomBytes(4).toString('hex')}`
		);
		const remote = server.remoteDb({ db: commune.db, cookie: people.secretary.cookie });
		const moving = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Đi' });
		const staying = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Ở' });
		const movers = ['Lan', 'Mai'].map((givenName) => ({
			...memberDoc({ unitId: commune.id, login, givenName }),
			branchId: moving._id
		}));
		const stayer = {
			...memberDoc({ unitId: commune.id, login, givenName: 'Ở Lại' }),
			branchId: staying._id
		};
		const histories = movers.map((member) =>
			historyDoc({ unitId: commune.id, login, memberId: member._id })
		);
		for (const doc of [moving, staying, ...movers, stayer, ...histories]) await phone.put(doc);
		await phone.replicate.to(remote);

		// Offline from here: an edit of a moving member, a new member of the moving branch, more history.
		const lan = (await phone.get(movers[0]!._id)) as unknown as TestMember;
		await phone.put({ ...lan, phone: '0911111111', updatedAt: new Date().toISOString() });
		const newcomer = {
			...memberDoc({ unitId: commune.id, login, givenName: 'Mới Vào' }),
			branchId: moving._id
		};
		await phone.put(newcomer);
		const lateHistory = historyDoc({
			unitId: commune.id,
			login,
			memberId: movers[1]!._id,
			kind: 'reward'
		});
		await phone.put(lateHistory);

		const asked = await api<JobView>(server, `/units/${commune.id}/split`, {
			cookie: adminCookie,
			body: { name: 'Đoàn xã Thôn Đi', kind: 'doan-xa', branchIds: [moving._id] }
		});
		expect(asked.status).toBe(202);
		const job = await waitForJob(server, { cookie: adminCookie, id: asked.body.id });
		expect(job).toMatchObject({ state: 'done', forwarding: 'open' });
		const newDb = `unit_${job.targetId}`;

		// The phone comes back: it pushes its late work to its own unit, which forwards what moved.
		const pushed = await phone.replicate.to(remote);
		expect(pushed.doc_write_failures).toBe(0);
		const moved = [
			moving._id,
			...movers.map((m) => m._id),
			newcomer._id,
			...histories.map((h) => h._id),
			lateHistory._id
		];
		await until(
			async () => {
				const rows = await server.couch.allDocs<{ phone?: string }>({
					db: newDb,
					keys: moved,
					includeDocs: true
				});
				const lanNow = rows.find((row) => row.id === movers[0]!._id)?.doc;
				return rows.every((row) => row.doc) && lanNow?.phone === '0911111111' ? rows : undefined;
			},
			{ what: 'late changes forwarded to the new unit' }
		);
		// …and they are gone again from the old unit (the phone sees them disappear on its next pull).
		await until(
			async () => {
				const rows = await server.couch.allDocs({ db: commune.db, keys: moved });
				return rows.every((row) => row.value?.deleted) ? rows : undefined;
			},
			{ what: 'moved records removed from the old unit' }
		);
		await phone.replicate.from(remote);
		const onPhone = await phone.allDocs({ keys: moved });
		expect(onPhone.rows.every((row) => 'value' in row && row.value?.deleted)).toBe(true);
		expect((await phone.get(stayer._id)).givenName).toBe('Ở Lại');

		// In the new unit: each record once, owned by it; what stayed is still only in the old one.
		const inNew = await server.couch.allDocs<{ unitId?: string }>({ db: newDb, includeDocs: true });
		const ids = inNew
			.filter((row) => !row.id.startsWith('_design/') && row.id !== 'unit')
			.map((row) => row.id)
			.sort();
		expect(ids).toEqual([...moved].sort());
		expect(
			new Set(inNew.filter((row) => !row.id.startsWith('_design/')).map((row) => row.doc?.unitId))
		).toEqual(new Set([job.targetId]));
		const kept = await server.couch.getDoc<{ _id: string; branchId: string }>({
			db: commune.db,
			id: stayer._id
		});
		expect(kept?.branchId).toBe(staying._id);
		await phone.destroy();
	});
});
