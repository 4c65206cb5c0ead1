import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { memberDoc, type TestMember } from '../support/member-fixture';
import { api, expectRefusal, historyDoc, until, waitForJob } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';

// 2025's merger of communes, end to end with real devices: two communes' phones hold members written
// offline; their province merges one commune into the other; then the phones come back. Every member
// ends up exactly once in the surviving unit's database with all its history, late offline edits
// pushed to the old database are forwarded, concurrent edits become conflicts (never lost), the old
// unit's accounts now belong to the surviving unit, and the old phone no longer holds the old copy.

type Doc = TestMember | ReturnType<typeof historyDoc>;

interface Phone {
	login: string;
	password: string;
	cookie: string;
	local: PouchDB.Database<Doc>;
	remote: PouchDB.Database<Doc>;
}

let server: TestServer;
let province: UnitRecord;
let merged: UnitRecord; // Đoàn xã Thanh Sơn, merged away
let surviving: UnitRecord; // Đoàn xã Thạch Khoán, which receives it
let other: UnitRecord; // a third commune, not involved
let adminCookie: string;
let phoneA: Phone;
let phoneB: Phone;
let otherCookie: string;
let otherLogin: string;

async function openPhone(options: { login: string; password: string; db: string }): Promise<Phone> {
	const { cookie } = await server.signIn(options);
	return {
		...options,
		cookie,
		local: new PouchDB<Doc>(`doanvu-${options.db}-${randomBytes(4).toString('hex')}`),
		remote: server.remoteDb({ db: options.db, cookie }) as PouchDB.Database<Doc>
	};
}

async function sync(phone: Phone): Promise<void> {
	const pushed = await phone.local.replicate.to(phone.remote);
	const pulled = await phone.local.replicate.from(phone.remote);
	expect(pushed.doc_write_failures).toBe(0);
	expect(pulled.doc_write_failures).toBe(0);
}

/** Members and history the phone writes while offline: never synced until `sync`. */
async function writeOffline(phone: Phone, unitId: string, names: string[]): Promise<TestMember[]> {
	const members: TestMember[] = [];
	for (const givenName of names) {
		const member = memberDoc({ unitId, login: phone.login, givenName });
		await phone.local.put(member);
		await phone.local.put(historyDoc({ unitId, login: phone.login, memberId: member._id }));
		await phone.local.put(
			historyDoc({ unitId, login: phone.login, memberId: member._id, kind: 'evaluation' })
		);
		members.push(member);
	}
	return members;
}

async function serverDocs(db: string) {
	const all = await server.couch.allDocs<Doc & { _conflicts?: string[] }>({
		db,
		includeDocs: true
	});
	return all.flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [row.doc] : []));
}

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = top.unit;
	adminCookie = (await server.signIn(top)).cookie;
	const a = await server.createUnitWithAccount({
		parentId: province.id,
		name: 'Đoàn xã Thanh Sơn'
	});
	const b = await server.createUnitWithAccount({
		parentId: province.id,
		name: 'Đoàn xã Thạch Khoán'
	});
	const c = await server.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã Khác' });
	merged = a.unit;
	surviving = b.unit;
	other = c.unit;
	otherLogin = c.login;
	otherCookie = (await server.signIn(c)).cookie;
	phoneA = await openPhone({ login: a.login, password: a.password, db: merged.db });
	phoneB = await openPhone({ login: b.login, password: b.password, db: surviving.db });
});

afterAll(async () => {
	await server?.close();
});

describe('merging two communes with phones offline', () => {
	let fromA: TestMember[];
	let fromB: TestMember[];
	let lateMember: TestMember;
	let job: JobView;

	it('before: each phone enters members and history offline, then syncs its own unit', async () => {
		fromA = await writeOffline(phoneA, merged.id, ['An', 'Bình', 'Chi']);
		fromB = await writeOffline(phoneB, surviving.id, ['Dũng', 'Giang']);
		await sync(phoneA);
		await sync(phoneB);
		expect((await serverDocs(merged.db)).filter((d) => d.type === 'member')).toHaveLength(3);
		expect((await serverDocs(surviving.db)).filter((d) => d.type === 'member')).toHaveLength(2);

		// Phone A goes offline again and keeps working: a new member, an edit, more history.
		lateMember = (await writeOffline(phoneA, merged.id, ['Muộn']))[0]!;
		const first = await phoneA.local.get(fromA[0]!._id);
		await phoneA.local.put({ ...first, phone: '0912345678', updatedAt: new Date().toISOString() });
		const second = await phoneA.local.get(fromA[1]!._id);
		await phoneA.local.put({
			...second,
			address: 'Thôn Đồng Xe',
			updatedAt: new Date().toISOString()
		});
	});

	it('the province asks for the merge: 202 and a job; asking again returns the same job', async () => {
		const res = await api<JobView>(server, `/units/${merged.id}/merge`, {
			cookie: adminCookie,
			body: { intoId: surviving.id }
		});
		expect(res.status).toBe(202);
		expect(res.body).toMatchObject({
			id: `job:merge:${merged.id}:${surviving.id}`,
			kind: 'merge',
			progress: { total: 4 }
		});
		const again = await api<JobView>(server, `/units/${merged.id}/merge`, {
			cookie: adminCookie,
			body: { intoId: surviving.id }
		});
		expect(again.status).toBe(202);
		expect(again.body.id).toBe(res.body.id);
		// The merged unit is busy meanwhile: no other reorganisation of it.
		expectRefusal(
			await api(server, `/units/${merged.id}/merge`, {
				cookie: adminCookie,
				body: { intoId: other.id }
			}),
			409,
			'unit_busy'
		);
		job = await waitForJob(server, { cookie: adminCookie, id: res.body.id });
		expect(job).toMatchObject({
			state: 'done',
			progress: { done: 4, total: 4 },
			forwarding: 'open'
		});
	});

	it('the old unit is marked merged, in the directory and in its own unit document', async () => {
		const view = await api<{ unit: Record<string, unknown>; children: { id: string }[] }>(
			server,
			`/units/${merged.id}`,
			{ cookie: adminCookie }
		);
		expect(view.body.unit).toMatchObject({ status: 'merged', mergedInto: surviving.id });
		const parent = await api<{ children: { id: string; status: string }[] }>(
			server,
			`/units/${province.id}`,
			{ cookie: adminCookie }
		);
		expect(parent.body.children).toContainEqual(
			expect.objectContaining({ id: merged.id, status: 'merged' })
		);
		const unitDoc = await server.couch.getDoc<{ _id: string; status: string; mergedInto: string }>({
			db: merged.db,
			id: 'unit'
		});
		expect(unitDoc).toMatchObject({ status: 'merged', mergedInto: surviving.id });
	});

	it("the old unit's accounts now belong to the surviving unit (next GET /api/session)", async () => {
		const session = await api<SessionInfo>(server, '/session', { cookie: phoneA.cookie });
		expect(session.status).toBe(200);
		expect(session.body).toMatchObject({
			user: { login: phoneA.login, unitId: surviving.id },
			unit: { id: surviving.id, db: surviving.db },
			dbs: [surviving.db],
			formerDbs: [merged.db]
		});
		const accounts = await api<{ login: string }[]>(server, `/units/${surviving.id}/accounts`, {
			cookie: adminCookie
		});
		expect(accounts.body.map((account) => account.login)).toContain(phoneA.login);
		const moves = await server.audit.listFor({ type: 'account', id: phoneA.login });
		expect(moves.filter((entry) => entry.action === 'account.move')).toHaveLength(1);
	});

	it('meanwhile phone B edits a moved member in the surviving unit', async () => {
		await sync(phoneB);
		const moved = await phoneB.local.get(fromA[1]!._id);
		expect(moved.unitId).toBe(surviving.id);
		await phoneB.local.put({
			...(moved as TestMember),
			updatedBy: phoneB.login,
			address: 'Khu 3, Thạch Khoán',
			updatedAt: new Date().toISOString()
		});
		await sync(phoneB);
	});

	it('phone A comes back: pushes its late changes to the old database, forgets it, moves on', async () => {
		// What the app does (src/lib/data): it still syncs the old database, sees `merged`…
		await phoneA.local.replicate.from(phoneA.remote);
		const unitDoc = (await phoneA.local.get('unit')) as unknown as {
			status: string;
			mergedInto: string;
		};
		expect(unitDoc).toMatchObject({ status: 'merged', mergedInto: surviving.id });
		// …pushes what it still holds (its account, now the surviving unit's, is still let in)…
		const pushed = await phoneA.local.replicate.to(phoneA.remote);
		expect(pushed.doc_write_failures).toBe(0);
		expect(pushed.docs_written).toBeGreaterThanOrEqual(5);
		// …deletes its local copy and re-reads its session.
		const oldName = phoneA.local.name;
		await phoneA.local.destroy();
		const session = await api<SessionInfo>(server, '/session', { cookie: phoneA.cookie });
		const [db] = session.body.dbs;
		phoneA = {
			...phoneA,
			local: new PouchDB<Doc>(`doanvu-${db}-${randomBytes(4).toString('hex')}`),
			remote: server.remoteDb({ db: db!, cookie: phoneA.cookie }) as PouchDB.Database<Doc>
		};
		expect((await new PouchDB(oldName).allDocs()).rows).toHaveLength(0);
	});

	it('the late changes are forwarded; after sync every member is in the surviving unit exactly once', async () => {
		await until(
			async () => {
				const docs = await serverDocs(surviving.db);
				return docs.some((doc) => doc._id === lateMember._id) &&
					(docs.find((doc) => doc._id === fromA[0]!._id) as TestMember | undefined)?.phone ===
						'0912345678'
					? docs
					: undefined;
			},
			{ what: 'late changes forwarded' }
		);
		await sync(phoneA);
		await sync(phoneB);

		const docs = await serverDocs(surviving.db);
		const members = docs.filter(
			(doc): doc is TestMember & { _conflicts?: string[] } => doc.type === 'member'
		);
		const expected = [...fromA, lateMember, ...fromB].map((member) => member._id).sort();
		expect(members.map((member) => member._id).sort()).toEqual(expected);
		expect(new Set(members.map((member) => member.unitId))).toEqual(new Set([surviving.id]));
		// Full history, moved with the members: two entries each, none twice.
		const history = docs.filter((doc) => doc.type === 'history') as ReturnType<typeof historyDoc>[];
		expect(history).toHaveLength(expected.length * 2);
		for (const id of expected) {
			expect(history.filter((entry) => entry.memberId === id)).toHaveLength(2);
		}
		expect(new Set(history.map((entry) => entry.unitId))).toEqual(new Set([surviving.id]));
		// Nobody else's data arrived: no unit doc of the old unit, no stray design document.
		expect((docs.find((doc) => doc._id === 'unit') as { unitId?: string })?.unitId).toBe(
			surviving.id
		);

		// The late edit landed; the concurrent edits of one member are both kept (a conflict).
		expect(members.find((m) => m._id === fromA[0]!._id)?.phone).toBe('0912345678');
		const contested = await server.couch.getDoc<TestMember & { _conflicts?: string[] }>({
			db: surviving.db,
			id: fromA[1]!._id,
			query: { conflicts: true }
		});
		expect(contested?._conflicts).toHaveLength(1);
		const losing = await server.couch.getDoc<TestMember>({
			db: surviving.db,
			id: fromA[1]!._id,
			query: { rev: contested!._conflicts![0]! }
		});
		expect(new Set([contested?.address, losing?.address])).toEqual(
			new Set(['Thôn Đồng Xe', 'Khu 3, Thạch Khoán'])
		);

		// Both phones now hold the same members, and phone A holds nothing of the old unit.
		for (const phone of [phoneA, phoneB]) {
			const local = await phone.local.allDocs({ include_docs: true });
			const ids = local.rows
				.filter((row) => (row.doc as Doc | undefined)?.type === 'member')
				.map((row) => row.id)
				.sort();
			expect(ids).toEqual(expected);
			const owners = local.rows
				.filter((row) => !row.id.startsWith('_design/'))
				.map((row) => (row.doc as { unitId?: string }).unitId);
			expect(new Set(owners)).toEqual(new Set([surviving.id]));
		}
	});

	it('the old database stays open to its former members but not to other units', async () => {
		const late = memberDoc({ unitId: merged.id, login: phoneA.login, givenName: 'Rất Muộn' });
		const put = await server.request(`/couch/${merged.db}/${encodeURIComponent(late._id)}`, {
			method: 'PUT',
			cookie: phoneA.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(late)
		});
		expect(put.status).toBe(201);
		await until(
			async () =>
				(await server.couch.getDoc({ db: surviving.db, id: late._id })) ? true : undefined,
			{ what: 'forwarding of a write made after the merge' }
		);
		// The proxy recorded the write where workers look for changed databases.
		const touched = await server.couch.getDoc<{ _id: string; db: string }>({
			db: server.provision.names.dbUpdates,
			id: `db:${merged.db}`
		});
		expect(touched?.db).toBe(merged.db);
		const refused = await server.request(`/couch/${merged.db}/`, { cookie: otherCookie });
		expect(refused.status).toBe(403);
		expect(otherLogin).toBeTruthy();
	});

	it('closing the forwarding: a last pass, then the old database refuses every write', async () => {
		const closed = await api<JobView>(server, `/jobs/${encodeURIComponent(job.id)}/close`, {
			cookie: adminCookie,
			method: 'POST'
		});
		expect(closed.status).toBe(200);
		expect(closed.body.forwarding).toBe('closed');
		const late = memberDoc({ unitId: merged.id, login: phoneA.login, givenName: 'Quá Muộn' });
		const put = await server.request(`/couch/${merged.db}/${encodeURIComponent(late._id)}`, {
			method: 'PUT',
			cookie: phoneA.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(late)
		});
		expect(put.status).toBe(403);
		expect((await put.json()).reason).toMatch(/hợp nhất/);
		// Its records stay readable.
		expect(
			(await server.request(`/couch/${merged.db}/_all_docs`, { cookie: adminCookie })).status
		).toBe(200);
	});
});
