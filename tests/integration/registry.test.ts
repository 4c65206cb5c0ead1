import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loadDemo, type DemoAccount } from '../../server/site/demo-loader';
import type { JobView } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { isOnRolls } from '../../src/lib/domain/member-statuses';
import { newCitizenId, pastEntries, validMember } from '../support/domain-fixture';
import { api, branchDoc, expectRefusal, until, VIETNAMESE, waitForJob } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// The national citizen-id registry: one person, one active record in the whole country. A device
// admitting someone already active elsewhere has that member document refused at sync — with the
// name of the unit where the person is active, nothing else about them — while the rest of its
// batch is stored; two units admitting the same new person at the same moment cannot both win;
// a number is free again once its member leaves the rolls; records written around the proxy (the
// demo loader, data from before the registry) are registered too; merges keep it right.

type Doc = { _id: string; _rev?: string; [key: string]: unknown };

interface Phone {
	login: string;
	unit: UnitRecord;
	cookie: string;
	local: PouchDB.Database<Doc>;
	remote: PouchDB.Database<Doc>;
}

const CHECK_LIMIT = 12;

let host: TestServer; // the store, with the demo province; its workers are off
let server: TestServer; // a server with workers on the same store
let demo: DemoAccount[];
let phuTho: UnitRecord; // the demo province (root)
let thanhSon: UnitRecord; // a demo commune
let caMau: UnitRecord; // a second province
let tanHung: UnitRecord; // a commune of Cà Mau
let caiNuoc: UnitRecord; // another commune of Cà Mau
let caMauAdmin: { login: string; password: string };
let imported: MemberDoc;
let phoneTS: Phone;
let phoneTH: Phone;
let phoneCN: Phone;
let branchTH: string; // a chi đoàn of Tân Hưng

async function openPhone(options: {
	unit: UnitRecord;
	login: string;
	password: string;
}): Promise<Phone> {
	const { cookie } = await server.signIn(options);
	return {
		login: options.login,
		unit: options.unit,
		cookie,
		local: new PouchDB<Doc>(`doanvu-${options.unit.db}-${randomBytes(4).toString('hex')}`),
		remote: server.remoteDb({ db: options.unit.db, cookie }) as PouchDB.Database<Doc>
	};
}

/** Pushes what the phone holds; returns what the server refused (PouchDB's `denied`). */
async function push(phone: Phone): Promise<{ written: number; denied: Doc[] }> {
	const denied: Doc[] = [];
	const replication = phone.local.replicate.to(phone.remote);
	replication.on('denied', (error) => denied.push(error as unknown as Doc));
	const result = await replication;
	return { written: result.docs_written, denied };
}

async function claimOf(citizenId: string): Promise<Doc | undefined> {
	return host.couch.getDoc<Doc>({ db: host.provision.names.registry, id: `cid:${citizenId}` });
}

async function storedIn(unit: UnitRecord, id: string): Promise<Doc | undefined> {
	return host.couch.getDoc<Doc>({ db: unit.db, id });
}

function check(phone: Phone, query: string) {
	return api<{ status: string; unitName?: string }>(server, `/registry/check?${query}`, {
		cookie: phone.cookie
	});
}

beforeAll(async () => {
	host = await startTestServer({ workers: { ...TEST_WORKERS, enabled: false } });
	demo = (await loadDemo({ server: host, today: '2026-06-01' }))!;
	const units = await host.provision.listUnits();
	phuTho = units.find((unit) => unit.parentId === null)!;
	thanhSon = units.find((unit) => unit.parentId === phuTho.id)!;

	// A member written straight into the store, as data from before the registry would be.
	imported = validMember({ unitId: thanhSon.id, login: 'import', givenName: 'Cũ' });
	await host.couch.bulkDocs({ db: thanhSon.db, docs: [imported] });

	caMau = await host.provision.createUnit({
		name: 'Tỉnh đoàn Cà Mau',
		kind: 'tinh-doan',
		createdBy: 'test'
	});
	caMauAdmin = await host.createAccountIn({ unitId: caMau.id, role: 'admin' });
	const th = await host.createUnitWithAccount({ parentId: caMau.id, name: 'Đoàn xã Tân Hưng' });
	const cn = await host.createUnitWithAccount({ parentId: caMau.id, name: 'Đoàn xã Cái Nước' });
	tanHung = th.unit;
	caiNuoc = cn.unit;

	const store = host.embeddedStore;
	server = await startTestServer({
		workers: TEST_WORKERS,
		registryCheckLimits: { perLogin: CHECK_LIMIT, perIp: 1000, windowMs: 60_000 },
		dbPrefix: host.config.dbPrefix,
		...(store
			? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
			: {})
	});
	const secretary = demo.find((account) => account.unitName === thanhSon.name)!;
	phoneTS = await openPhone({ unit: thanhSon, login: secretary.login, password: DEMO_PASSWORD });
	phoneTH = await openPhone({ unit: tanHung, login: th.login, password: th.password });
	phoneCN = await openPhone({ unit: caiNuoc, login: cn.login, password: cn.password });
});

afterAll(async () => {
	await server?.close({ keepData: true });
	await host?.close();
});

describe('records written around the proxy are registered', () => {
	it('the demo loader registers every member it writes who is on the rolls', async () => {
		const registry = await host.couch.allDocs<Doc>({
			db: host.provision.names.registry,
			startkey: 'cid:',
			endkey: 'cid:\ufff0',
			includeDocs: true
		});
		const claims = new Map(registry.map((row) => [row.id, row.doc!]));
		let onRolls = 0;
		for (const unit of (await host.provision.listUnits()).filter((u) => u.parentId === phuTho.id)) {
			const rows = await host.couch.allDocs<MemberDoc>({
				db: unit.db,
				startkey: 'member:',
				endkey: 'member:\ufff0',
				includeDocs: true
			});
			for (const member of rows.map((row) => row.doc!)) {
				if (member._id === imported._id || !member.citizenId) continue;
				if (!isOnRolls(member.status)) {
					expect(claims.get(`cid:${member.citizenId}`)?.memberId).not.toBe(member._id);
					continue;
				}
				onRolls++;
				expect(claims.get(`cid:${member.citizenId}`)).toMatchObject({
					memberId: member._id,
					unitId: unit.id,
					unitName: unit.name
				});
			}
		}
		expect(onRolls).toBeGreaterThan(50);
	});

	it('a member already stored when the watcher first starts is registered by its sweep', async () => {
		const claim = await until(() => claimOf(imported.citizenId!), { what: 'the sweep' });
		expect(claim).toMatchObject({ memberId: imported._id, unitId: thanhSon.id, status: 'active' });
	});
});

describe('one person, one active record', () => {
	let active: MemberDoc; // a demo member active in Thanh Sơn
	let duplicate: MemberDoc;

	it('refuses a duplicate admission from another province at sync, naming the unit only; the rest of the batch is stored', async () => {
		const rows = await host.couch.allDocs<MemberDoc>({
			db: thanhSon.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		active = rows
			.map((row) => row.doc!)
			.find((doc) => doc.status === 'active' && doc.citizenId && doc._id !== imported._id)!;

		// Offline in Tân Hưng: a branch, a new member, and the same person admitted again.
		const branch = branchDoc({ unitId: tanHung.id, login: phoneTH.login, name: 'Chi đoàn ấp 3' });
		branchTH = branch._id;
		const fresh = validMember({ unitId: tanHung.id, login: phoneTH.login, givenName: 'Tâm' });
		duplicate = {
			...validMember({ unitId: tanHung.id, login: phoneTH.login, givenName: active.givenName }),
			familyName: active.familyName,
			citizenId: active.citizenId
		};
		// The duplicate's history goes with it: nothing of the refused record reaches the unit.
		const duplicateHistory = pastEntries({ member: duplicate, login: phoneTH.login });
		await phoneTH.local.bulkDocs([branch, fresh, duplicate, ...duplicateHistory] as Doc[]);
		const { written, denied } = await push(phoneTH);

		expect(written).toBe(2);
		expect(denied.map((d) => d.id).sort()).toEqual(
			[duplicate._id, ...duplicateHistory.map((h) => h._id)].sort()
		);
		for (const entry of duplicateHistory)
			expect(await storedIn(tanHung, entry._id)).toBeUndefined();
		for (const denial of denied) {
			expect(denial).toMatchObject({ error: 'forbidden', reason: denied[0]!.reason });
		}
		const reason = String(denied[0]!.reason);
		expect(reason).toContain(`đang sinh hoạt tại ${thanhSon.name}`);
		expect(reason).toMatch(VIETNAMESE);
		for (const detail of [active.citizenId!, active.birthDate, active.givenName, active._id]) {
			expect(reason).not.toContain(detail);
		}
		expect(await storedIn(tanHung, duplicate._id)).toBeUndefined();
		expect(await storedIn(tanHung, fresh._id)).toMatchObject({ givenName: 'Tâm' });
		expect(await storedIn(tanHung, branch._id)).toBeDefined();
		expect(await claimOf(active.citizenId!)).toMatchObject({
			memberId: active._id,
			unitId: thanhSon.id
		});
		expect(await claimOf(fresh.citizenId!)).toMatchObject({
			memberId: fresh._id,
			unitId: tanHung.id
		});
	});

	it('refuses it the same way in a document PUT and in a _bulk_docs with new edits (answers in order)', async () => {
		const put = await server.request(`/couch/${tanHung.db}/${encodeURIComponent(duplicate._id)}`, {
			method: 'PUT',
			cookie: phoneTH.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(duplicate)
		});
		expect(put.status).toBe(403);
		expect((await put.json()).reason).toContain(thanhSon.name);

		const other = validMember({ unitId: tanHung.id, login: phoneTH.login, givenName: 'Thảo' });
		const bulk = await server.request(`/couch/${tanHung.db}/_bulk_docs`, {
			method: 'POST',
			cookie: phoneTH.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: [duplicate, other] })
		});
		expect(bulk.status).toBe(201);
		const results = (await bulk.json()) as Doc[];
		expect(results).toHaveLength(2);
		expect(results[0]).toMatchObject({ id: duplicate._id, error: 'forbidden' });
		expect(results[1]).toMatchObject({ id: other._id, ok: true });
	});

	it('of two units pushing the same new citizen id at the same moment, exactly one wins', async () => {
		for (let round = 0; round < 3; round++) {
			const citizenId = newCitizenId();
			const a = validMember({
				unitId: tanHung.id,
				login: phoneTH.login,
				givenName: 'Hải',
				citizenId
			});
			const b = validMember({
				unitId: thanhSon.id,
				login: phoneTS.login,
				givenName: 'Hải',
				citizenId
			});
			await phoneTH.local.put(a as Doc);
			await phoneTS.local.put(b as Doc);
			const [th, ts] = await Promise.all([push(phoneTH), push(phoneTS)]);
			const stored = [await storedIn(tanHung, a._id), await storedIn(thanhSon, b._id)];
			expect(stored.filter(Boolean)).toHaveLength(1);
			expect(th.denied.length + ts.denied.length).toBe(1);
			const winner = stored[0] ? { member: a, unit: tanHung } : { member: b, unit: thanhSon };
			const loser = stored[0] ? ts : th;
			expect(String(loser.denied[0]!.reason)).toContain(winner.unit.name);
			expect(await claimOf(citizenId)).toMatchObject({
				memberId: winner.member._id,
				unitId: winner.unit.id
			});
		}
	});

	it('a number is free again once its member leaves the rolls; the refused admission then goes through', async () => {
		// Thanh Sơn removes the member from the rolls (xóa tên).
		await phoneTS.local.replicate.from(phoneTS.remote);
		const held = (await phoneTS.local.get(active._id)) as unknown as MemberDoc;
		await phoneTS.local.put({
			...held,
			status: 'removed',
			updatedBy: phoneTS.login,
			updatedAt: new Date().toISOString()
		} as unknown as Doc);
		expect((await push(phoneTS)).denied).toEqual([]);
		await until(async () => !(await claimOf(active.citizenId!)), { what: 'the release' });
		expect((await check(phoneTH, `citizenId=${active.citizenId}`)).body).toEqual({
			status: 'free'
		});

		// Tân Hưng's phone still holds its refused record: touched, it is pushed again, and stored.
		const refused = await phoneTH.local.get(duplicate._id);
		await phoneTH.local.put({ ...refused, updatedAt: new Date().toISOString() });
		expect((await push(phoneTH)).denied).toEqual([]);
		expect(await storedIn(tanHung, duplicate._id)).toBeDefined();
		await until(
			async () =>
				(await claimOf(active.citizenId!))?.memberId === duplicate._id ? true : undefined,
			{ what: 'the new claim' }
		);
	});
});

describe('GET /api/registry/check', () => {
	it('answers active with the unit name only, free for the member itself and for unknown numbers', async () => {
		const member = validMember({ unitId: caiNuoc.id, login: phoneCN.login, givenName: 'Nga' });
		await phoneCN.local.put(member as Doc);
		expect((await push(phoneCN)).denied).toEqual([]);

		const active = await check(phoneTH, `citizenId=${member.citizenId}`);
		expect(active).toEqual({
			status: 200,
			body: { status: 'active', unitName: 'Đoàn xã Cái Nước' }
		});
		expect(
			(
				await check(
					phoneCN,
					`citizenId=${member.citizenId}&memberId=${encodeURIComponent(member._id)}`
				)
			).body
		).toEqual({ status: 'free' });
		expect((await check(phoneTH, `citizenId=${newCitizenId()}`)).body).toEqual({ status: 'free' });
		expectRefusal(await check(phoneTH, 'citizenId=12345'), 422, 'invalid');
		expect((await check(phoneTH, 'citizenId=12345')).body).toMatchObject({ field: 'citizenId' });
		const anonymous = await api(server, `/registry/check?citizenId=${member.citizenId}`);
		expect(anonymous.status).toBe(401);
	});

	it('is rate-limited per account', async () => {
		const viewer = await host.createAccountIn({ unitId: tanHung.id, role: 'viewer' });
		const { cookie } = await server.signIn(viewer);
		for (let i = 0; i < CHECK_LIMIT; i++) {
			const answer = await api(server, `/registry/check?citizenId=${newCitizenId()}`, { cookie });
			expect(answer.status).toBe(200);
		}
		const refused = await api(server, `/registry/check?citizenId=${newCitizenId()}`, { cookie });
		expectRefusal(refused, 429, 'too_many_requests');
	});
});

describe('workers keep the registry right', () => {
	it('a merge moves the claims of the merged unit to the unit it joined', async () => {
		const member = validMember({ unitId: caiNuoc.id, login: phoneCN.login, givenName: 'Phúc' });
		await phoneCN.local.put(member as Doc);
		expect((await push(phoneCN)).denied).toEqual([]);
		expect(await claimOf(member.citizenId!)).toMatchObject({ unitId: caiNuoc.id });

		const { cookie: adminCookie } = await server.signIn(caMauAdmin);
		const asked = await api<JobView>(server, `/units/${caiNuoc.id}/merge`, {
			cookie: adminCookie,
			body: { intoId: tanHung.id }
		});
		expect(asked.status).toBe(202);
		expect(await waitForJob(server, { cookie: adminCookie, id: asked.body.id })).toMatchObject({
			state: 'done'
		});
		expect(await claimOf(member.citizenId!)).toMatchObject({
			memberId: member._id,
			unitId: tanHung.id,
			unitName: 'Đoàn xã Tân Hưng'
		});
		expect((await check(phoneTH, `citizenId=${member.citizenId}`)).body).toEqual({
			status: 'active',
			unitName: 'Đoàn xã Tân Hưng'
		});
	});

	it('a split moves the claims of the members of the branches that left', async () => {
		const member = {
			...validMember({ unitId: tanHung.id, login: phoneTH.login, givenName: 'Quý' }),
			branchId: branchTH
		};
		await phoneTH.local.put(member as Doc);
		expect((await push(phoneTH)).denied).toEqual([]);
		const { cookie } = await server.signIn(caMauAdmin);
		const asked = await api<JobView>(server, `/units/${tanHung.id}/split`, {
			cookie,
			body: { name: 'Đoàn xã Tân Hưng Đông', kind: 'doan-xa', branchIds: [branchTH] }
		});
		expect(asked.status).toBe(202);
		const job = await waitForJob(server, { cookie, id: asked.body.id });
		expect(job.state).toBe('done');
		const claim = await until(
			async () => {
				const current = await claimOf(member.citizenId!);
				return current?.unitId === job.targetId ? current : undefined;
			},
			{ what: 'the claim moved to the new unit' }
		);
		expect(claim).toMatchObject({ memberId: member._id, unitName: 'Đoàn xã Tân Hưng Đông' });
	});

	it('the top admin rebuilds the registry from the unit databases', async () => {
		const rows = await host.couch.allDocs<MemberDoc>({
			db: tanHung.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		const member = rows.map((row) => row.doc!).find((doc) => doc.givenName === 'Tâm')!;
		const lost = (await claimOf(member.citizenId!))!;
		await host.couch.bulkDocs({
			db: host.provision.names.registry,
			docs: [{ _id: lost._id, _rev: lost._rev, _deleted: true }]
		});
		expect((await check(phoneCN, `citizenId=${member.citizenId}`)).body).toEqual({
			status: 'free'
		});

		expectRefusal(
			await api(server, '/registry/rebuild', { cookie: phoneTH.cookie, method: 'POST' }),
			403,
			'forbidden'
		);
		const admin = demo.find((account) => account.role === 'admin')!;
		const { cookie } = await server.signIn({ login: admin.login, password: DEMO_PASSWORD });
		const rebuild = await api(server, '/registry/rebuild', { cookie, method: 'POST' });
		expect(rebuild.status).toBe(202);
		await until(() => claimOf(member.citizenId!), { what: 'the rebuilt claim' });
		expect(await claimOf(member.citizenId!)).toMatchObject({
			memberId: member._id,
			unitId: tanHung.id
		});
	});
});
