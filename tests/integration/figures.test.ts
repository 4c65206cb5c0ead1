import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { CycleStats, FiguresWorker } from '../../server/workers/figures-worker';
import type { UnitKindId } from '../../src/lib/domain/unit-kinds';
import {
	addSummaries,
	figuresDocId,
	FiguresDocSchema,
	type FiguresDoc
} from '../../src/lib/domain/figures';
import { isOnRolls, isMemberStatus } from '../../src/lib/domain/member-statuses';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import {
	planTransferAcceptance,
	TransferDocSchema,
	transferDocId,
	type TransferDoc
} from '../../src/lib/domain/operations/transfer';
import { planTransferRequest } from '../../src/lib/domain/operations/transfer-request';
import { generateHistory, generateMembers } from '../../src/lib/synthetic';
import { deviceContext, validMember, vietnamToday } from '../support/domain-fixture';
import { api, branchDoc, until, waitForJob } from '../support/org-api';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// The figures of a generated province in the 2025 shape — a Tỉnh đoàn over communes and wards
// (grassroots units themselves) and over schools, enterprises and agencies (Đoàn trường, Đoàn khối)
// with their grassroots units — rolled up by the figures worker. Every level's totals equal a direct
// count of the member documents; an edit made through /couch by a grassroots secretary reaches the
// province's figures in one worker cycle, reading only that unit's database; a removal and a transfer
// move the counts where they should; every unit's total is its own plus its children's.
//
// The default run is a small tree (≈2,000 members) to keep the suite fast on two cores; the full
// size of the issue (≈450 units, 75,000 members) runs with FIGURES_FULL=1.

const FULL = process.env.FIGURES_FULL === '1';
const SIZE = FULL
	? { communes: 100, groups: 50, perGroup: 4, members: 75_000 }
	: { communes: 8, groups: 4, perGroup: 3, members: 2_000 };
const SETUP_MS = FULL ? 900_000 : 180_000;

// The worker's clock: an evening in UTC, when Vietnam's date is already the next day.
const NOW = new Date('2026-12-06T20:30:00Z');
const TODAY = '2026-12-07';

type Doc = { _id: string; _rev?: string; [key: string]: unknown };

let server: TestServer;
let second: TestServer | undefined;
let third: TestServer | undefined;
let figures: FiguresWorker;
let province: UnitRecord;
let communes: UnitRecord[] = [];
let groups: UnitRecord[] = [];
let grassroots: UnitRecord[] = [];
let all: UnitRecord[] = [];
/** The grassroots unit edited through /couch, its parent group, and a commune receiving a transfer. */
let edited: UnitRecord;
let editedParent: UnitRecord;
let receiver: UnitRecord;
let secretary: { login: string; cookie: string };
let receiverSecretary: { login: string; cookie: string; branchId: string };

async function createUnits(
	specs: { name: string; kind: UnitKindId; parentId: string }[]
): Promise<UnitRecord[]> {
	const created: UnitRecord[] = [];
	for (let i = 0; i < specs.length; i += 6) {
		created.push(
			...(await Promise.all(
				specs
					.slice(i, i + 6)
					.map((spec) => server.provision.createUnit({ ...spec, createdBy: 'test' }))
			))
		);
	}
	return created;
}

async function bulkWrite(db: string, docs: object[]): Promise<void> {
	for (let i = 0; i < docs.length; i += 1000) {
		const results = await server.couch.bulkDocs({ db, docs: docs.slice(i, i + 1000) });
		expect(results.filter((row) => row.error)).toEqual([]);
	}
}

async function fill(unit: UnitRecord, count: number, index: number): Promise<void> {
	const branches = [0, 1].map((n) =>
		branchDoc({ unitId: unit.id, login: 'test', name: `Chi đoàn ${n + 1} ${unit.name}` })
	);
	const members = generateMembers({
		seed: `figures/${unit.id}`,
		count,
		unitId: unit.id,
		branchIds: branches.map((branch) => branch._id),
		today: TODAY,
		ethnicMix: index % 3 === 0 ? 'mountain-district' : 'lowland',
		createdBy: 'test'
	});
	// History for one unit in five: the worker reads the entries in force too.
	const history =
		index % 5 === 0
			? generateHistory({
					seed: `figures/${unit.id}`,
					members,
					today: TODAY,
					createdBy: 'test',
					issuer: `Ban Chấp hành ${unit.name}`
				})
			: [];
	await bulkWrite(unit.db, [...branches, ...members, ...history]);
}

async function signInSecretary(unitId: string): Promise<{ login: string; cookie: string }> {
	const account = await server.createAccountIn({ unitId, role: 'secretary' });
	const { cookie } = await server.signIn(account);
	return { login: account.login, cookie };
}

/** Writes documents through /couch as a device would (the proxy, the write guard, the design doc). */
async function push(cookie: string, db: string, docs: object[]): Promise<void> {
	const res = await server.request(`/couch/${db}/_bulk_docs`, {
		method: 'POST',
		cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ docs })
	});
	expect(res.status).toBe(201);
	const rows = (await res.json()) as { error?: string; reason?: string }[];
	expect(rows.filter((row) => row.error)).toEqual([]);
}

async function figuresIn(holder: UnitRecord, unit: UnitRecord = holder): Promise<FiguresDoc> {
	const doc = await server.couch.getDoc<FiguresDoc>({ db: holder.db, id: figuresDocId(unit.id) });
	expect(doc, `figures of ${unit.name} in ${holder.name}`).toBeDefined();
	return doc!;
}

/** Every figures document the province's database holds, by unit. */
async function provinceFigures(): Promise<Map<string, FiguresDoc>> {
	const rows = await server.couch.allDocs<FiguresDoc>({
		db: province.db,
		startkey: 'figures:',
		endkey: 'figures:\ufff0',
		includeDocs: true
	});
	return new Map(rows.flatMap((row) => (row.doc ? [[row.doc.of.id, row.doc] as const] : [])));
}

interface Counted {
	onRolls: number;
	byStatus: Record<string, number>;
	male: number;
	female: number;
}

/** A direct count: every member document of the unit's database, read one by one. */
async function directCount(unit: UnitRecord): Promise<Counted> {
	const counted: Counted = { onRolls: 0, byStatus: {}, male: 0, female: 0 };
	const rows = await server.couch.allDocs<Doc>({
		db: unit.db,
		startkey: 'member:',
		endkey: 'member:\ufff0',
		includeDocs: true
	});
	for (const row of rows) {
		const member = row.doc as unknown as MemberDoc | undefined;
		if (!member || !isMemberStatus(member.status)) continue;
		counted.byStatus[member.status] = (counted.byStatus[member.status] ?? 0) + 1;
		if (!isOnRolls(member.status)) continue;
		counted.onRolls++;
		if (member.gender === 'male') counted.male++;
		if (member.gender === 'female') counted.female++;
	}
	return counted;
}

/** The latest `updatedAt` of the documents the unit's devices write, read directly. */
async function latestWrite(unit: UnitRecord): Promise<string> {
	const rows = await server.couch.allDocs<Doc>({ db: unit.db, includeDocs: true });
	const deviceTypes = ['member', 'history', 'branch', 'transfer', 'device-report'];
	return rows
		.flatMap((row) =>
			row.doc && deviceTypes.includes(String(row.doc.type)) ? [String(row.doc.updatedAt)] : []
		)
		.sort()
		.at(-1)!;
}

/** The unit and the units whose figures add into its total (merged and dissolved ones do not). */
function subtree(unit: UnitRecord): UnitRecord[] {
	return all.filter(
		(other) =>
			other.id === unit.id ||
			(other.ancestors.includes(unit.id) && (other.status ?? 'active') === 'active')
	);
}

async function expectTotalsMatchDirectCount(): Promise<void> {
	const own = new Map<string, Counted>();
	for (let i = 0; i < all.length; i += 8) {
		const batch = all.slice(i, i + 8);
		const counts = await Promise.all(batch.map((unit) => directCount(unit)));
		batch.forEach((unit, n) => own.set(unit.id, counts[n]!));
	}
	const docs = await provinceFigures();
	for (const unit of all) {
		const expected: Counted = { onRolls: 0, byStatus: {}, male: 0, female: 0 };
		for (const member of subtree(unit)) {
			const counted = own.get(member.id)!;
			expected.onRolls += counted.onRolls;
			expected.male += counted.male;
			expected.female += counted.female;
			for (const [status, n] of Object.entries(counted.byStatus))
				expected.byStatus[status] = (expected.byStatus[status] ?? 0) + n;
		}
		const doc = docs.get(unit.id);
		expect(doc, `figures of ${unit.name}`).toBeDefined();
		expect(
			{
				onRolls: doc!.total.onRolls,
				byStatus: doc!.total.byStatus,
				male: doc!.total.byGender.male,
				female: doc!.total.byGender.female
			},
			unit.name
		).toEqual(expected);
		expect(doc!.own.onRolls, `${unit.name} (own)`).toBe(own.get(unit.id)!.onRolls);
	}
}

beforeAll(async () => {
	const started = Date.now();
	server = await startTestServer({
		workers: {
			...TEST_WORKERS,
			// No polling: the test says when a cycle runs (and the proxy's writes nudge it).
			figures: { enabled: true, pollMs: 60_000, minIntervalMs: 10, now: () => NOW }
		}
	});
	figures = server.workers.figures!;
	province = await server.provision.createUnit({
		name: 'Tỉnh đoàn Phú Thọ',
		kind: 'tinh-doan',
		createdBy: 'test'
	});
	communes = await createUnits(
		Array.from({ length: SIZE.communes }, (_, i) => ({
			name: i % 3 === 2 ? `Đoàn phường Thử ${i + 1}` : `Đoàn xã Thử ${i + 1}`,
			kind: i % 3 === 2 ? 'doan-phuong' : 'doan-xa',
			parentId: province.id
		}))
	);
	groups = await createUnits(
		Array.from({ length: SIZE.groups }, (_, i) => ({
			name: i % 2 === 0 ? `Đoàn trường THPT số ${i + 1}` : `Đoàn khối Doanh nghiệp ${i + 1}`,
			kind: i % 2 === 0 ? 'doan-truong' : 'doan-khoi',
			parentId: province.id
		}))
	);
	grassroots = await createUnits(
		groups.flatMap((group, g) =>
			Array.from({ length: SIZE.perGroup }, (_, i) => ({
				name: `Đoàn cơ sở ${g + 1}.${i + 1}`,
				kind: 'doan-co-so' as const,
				parentId: group.id
			}))
		)
	);
	all = [province, ...communes, ...groups, ...grassroots];
	// A few members of their own at the province and the groups (their office's staff); the rest
	// spread over the communes and grassroots units.
	const holders = [...communes, ...grassroots];
	const extra = 3 + groups.length * 5;
	const each = Math.floor((SIZE.members - extra) / holders.length);
	const jobs: [UnitRecord, number][] = [
		[province, 3],
		...groups.map((group) => [group, 5] as [UnitRecord, number]),
		...holders.map((unit) => [unit, each] as [UnitRecord, number])
	];
	for (let i = 0; i < jobs.length; i += 4) {
		await Promise.all(jobs.slice(i, i + 4).map(([unit, count], n) => fill(unit, count, i + n)));
	}
	edited = grassroots[0]!;
	editedParent = groups[0]!;
	receiver = communes[0]!;
	secretary = await signInSecretary(edited.id);
	const receiving = await signInSecretary(receiver.id);
	const branches = await server.couch.allDocs({
		db: receiver.db,
		startkey: 'branch:',
		endkey: 'branch:\ufff0'
	});
	receiverSecretary = { ...receiving, branchId: branches[0]!.id };
	const filled = Date.now();
	// Written as admin, so nothing recorded them: the test tells the worker, as the proxy would.
	for (const unit of all) figures.nudge(unit.db);
	await figures.cycle();
	console.log(
		`figures: ${all.length} units, ${SIZE.members} members written in ${filled - started} ms, ` +
			`first cycle ${Date.now() - filled} ms (${JSON.stringify(figures.lastCycle)})`
	);
}, SETUP_MS);

afterAll(async () => {
	await third?.close({ keepData: true });
	await second?.close({ keepData: true });
	await server?.close();
});

/** Another server process on the same store, its figures worker at the same clock. */
function sameStoreServer(): Promise<TestServer> {
	const store = server.embeddedStore;
	return startTestServer({
		dbPrefix: server.config.dbPrefix,
		...(store
			? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
			: {}),
		workers: {
			...TEST_WORKERS,
			figures: { enabled: true, pollMs: 60_000, minIntervalMs: 10, now: () => NOW }
		}
	});
}

/** Cycles until the worker holds the lease; what those cycles did, added up. */
async function takeOver(worker: FiguresWorker): Promise<CycleStats> {
	const total: CycleStats = { read: 0, computed: 0, written: 0 };
	await until(
		async () => {
			const cycle = await worker.cycle();
			total.read += cycle.read;
			total.computed += cycle.computed;
			total.written += cycle.written;
			return worker.holdsLease;
		},
		{ what: 'the figures lease' }
	);
	return total;
}

describe('the figures of a generated province', () => {
	it('are valid documents, at every level, for Vietnam’s date', async () => {
		const docs = await provinceFigures();
		expect(docs.size).toBe(all.length);
		for (const doc of docs.values()) {
			expect(v.safeParse(FiguresDocSchema, doc).success).toBe(true);
			expect(doc.today).toBe(TODAY);
			expect(doc.unitId).toBe(province.id);
			expect(doc.series['2026-12']).toBe(doc.total.onRolls);
		}
		const top = docs.get(province.id)!;
		expect(top.total.onRolls).toBeGreaterThan(SIZE.members * 0.8);
		expect(top.children.sort()).toEqual([...communes, ...groups].map((u) => u.id).sort());
		// Counts only: a figures document holds no name of a member, nor a citizen id. (Its `_rev`
		// is left out: a revision's hex hash holds a run of 12 decimal digits once in about 13.)
		const { _rev: _revision, ...content } = top as typeof top & { _rev?: string };
		expect(JSON.stringify(content)).not.toMatch(/citizenId|familyName|\d{12}/);
	}, 120_000);

	it('total the direct count of every member document at every level', async () => {
		await expectTotalsMatchDirectCount();
	}, 300_000);

	it('are copied into the unit’s own database and every ancestor’s, and nowhere else', async () => {
		const own = await figuresIn(edited);
		const inParent = await figuresIn(editedParent, edited);
		const inProvince = await figuresIn(province, edited);
		expect([own.unitId, inParent.unitId, inProvince.unitId]).toEqual([
			edited.id,
			editedParent.id,
			province.id
		]);
		expect(inParent.total).toEqual(own.total);
		expect(inProvince.total).toEqual(own.total);
		expect(own.branches.reduce((sum, branch) => sum + branch.onRolls, 0)).toBe(own.own.onRolls);
		// A sibling group, a commune and the grassroots unit's own database hold no copy of others'.
		const sibling = groups[1]!;
		for (const [holder, unit] of [
			[sibling, edited],
			[receiver, edited],
			[edited, editedParent],
			[edited, province]
		] as const) {
			expect(
				await server.couch.getDoc({ db: holder.db, id: figuresDocId(unit.id) }),
				`${unit.name} in ${holder.name}`
			).toBeUndefined();
		}
	});

	it('an edit by a grassroots secretary reaches the province in one cycle, reading one database', async () => {
		const before = await provinceFigures();
		const member = validMember({ unitId: edited.id, login: secretary.login, givenName: 'Mới' });
		await push(secretary.cookie, edited.db, [member]);
		const cycle = await figures.cycle();
		expect(cycle.read).toBe(1);
		// The unit, its group and the province: each once.
		expect(cycle.computed).toBe(3);
		const after = await provinceFigures();
		for (const unit of [edited, editedParent, province]) {
			expect(after.get(unit.id)!.total.onRolls, unit.name).toBe(
				before.get(unit.id)!.total.onRolls + 1
			);
		}
		expect(after.get(edited.id)!.own.onRolls).toBe(before.get(edited.id)!.own.onRolls + 1);
		expect(after.get(receiver.id)).toEqual(before.get(receiver.id));
		expect(after.get(edited.id)!.activity.lastWriteAt).toBe(await latestWrite(edited));
		expect(after.get(edited.id)!.activity.lastWriteAt! >= member.updatedAt).toBe(true);
		// Nothing changed since: a cycle reads nothing and writes nothing.
		expect(await figures.cycle()).toEqual({ read: 0, computed: 0, written: 0 });
	});

	it('a removal takes the member off the rolls at every level', async () => {
		const before = await provinceFigures();
		const rows = await server.couch.allDocs<MemberDoc>({
			db: edited.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		const member = rows.map((row) => row.doc!).find((doc) => doc.status === 'active')!;
		await push(secretary.cookie, edited.db, [
			{
				...member,
				status: 'removed',
				statusSince: TODAY,
				updatedAt: new Date().toISOString(),
				updatedBy: secretary.login
			}
		]);
		await figures.cycle();
		const after = await provinceFigures();
		for (const unit of [edited, editedParent, province]) {
			const was = before.get(unit.id)!.total;
			const now = after.get(unit.id)!.total;
			expect(now.onRolls, unit.name).toBe(was.onRolls - 1);
			expect(now.byStatus.removed ?? 0, unit.name).toBe((was.byStatus.removed ?? 0) + 1);
		}
	});

	it('a transfer shows as pending on both sides, then moves the member’s count', async () => {
		const before = await provinceFigures();
		const member = validMember({ unitId: edited.id, login: secretary.login, givenName: 'Chuyển' });
		await push(secretary.cookie, edited.db, [member]);
		const request = planTransferRequest({
			...deviceContext({ login: secretary.login, unitId: edited.id }),
			member,
			input: {
				toUnitId: receiver.id,
				toUnitName: receiver.name,
				on: vietnamToday(),
				reason: 'Chuyển về nơi cư trú',
				assessment: 'Hoàn thành tốt nhiệm vụ.'
			}
		});
		if (!request.ok) throw new Error(JSON.stringify(request.errors));
		const requested = (await server.couch.getDoc<Doc>({ db: edited.db, id: member._id }))!;
		await push(secretary.cookie, edited.db, [
			{ ...request.plan.member!, _rev: requested._rev },
			...request.plan.entries
		]);
		const transferId = request.plan.member!.transfer!.id;
		const offer = await until(
			() => server.couch.getDoc<TransferDoc>({ db: receiver.db, id: transferDocId(transferId) }),
			{ what: 'the offer in the receiving commune' }
		);
		await figures.cycle();
		const pending = await provinceFigures();
		// (The generated members include some already on their way elsewhere.)
		const was = before.get(edited.id)!;
		expect(pending.get(edited.id)!.activity.pendingTransfersOut).toBe(
			was.activity.pendingTransfersOut + 1
		);
		expect(pending.get(edited.id)!.total.byStatus.transferring ?? 0).toBe(
			(was.total.byStatus.transferring ?? 0) + 1
		);
		// Still on the sending unit's rolls until the receiver accepts.
		expect(pending.get(edited.id)!.total.onRolls).toBe(before.get(edited.id)!.total.onRolls + 1);
		expect(pending.get(receiver.id)!.activity.pendingTransfersIn).toBe(
			before.get(receiver.id)!.activity.pendingTransfersIn + 1
		);

		const accepted = planTransferAcceptance({
			...deviceContext({ login: receiverSecretary.login, unitId: receiver.id }),
			offer: v.parse(TransferDocSchema, offer),
			input: { branchId: receiverSecretary.branchId, on: vietnamToday() },
			branchIds: [receiverSecretary.branchId]
		});
		if (!accepted.ok) throw new Error(JSON.stringify(accepted.errors));
		await push(receiverSecretary.cookie, receiver.db, [
			accepted.plan.member!,
			...accepted.plan.entries,
			accepted.plan.offer
		]);
		await until(
			async () => (await server.couch.getDoc<Doc>({ db: edited.db, id: member._id })) === undefined,
			{ what: 'the transfer to finish (the record gone from the sending unit)' }
		);
		await figures.cycle();
		const after = await provinceFigures();
		expect(after.get(edited.id)!.total.onRolls).toBe(before.get(edited.id)!.total.onRolls);
		expect(after.get(edited.id)!.activity.pendingTransfersOut).toBe(
			was.activity.pendingTransfersOut
		);
		expect(after.get(editedParent.id)!.total.onRolls).toBe(
			before.get(editedParent.id)!.total.onRolls
		);
		expect(after.get(receiver.id)!.total.onRolls).toBe(before.get(receiver.id)!.total.onRolls + 1);
		expect(after.get(receiver.id)!.activity.pendingTransfersIn).toBe(
			before.get(receiver.id)!.activity.pendingTransfersIn
		);
		expect(after.get(province.id)!.total.onRolls).toBe(before.get(province.id)!.total.onRolls + 1);
	}, 60_000);

	it('activity: the unit’s devices with their own reports, and members in conflict', async () => {
		// The secretary's device (signed in above) reports its sync through /couch, as the app does.
		const deviceId = /dv_session=([0-9a-f]{32})\./.exec(secretary.cookie)![1]!;
		const at = new Date().toISOString();
		await push(secretary.cookie, edited.db, [
			{
				_id: `device-report:${deviceId}`,
				type: 'device-report',
				v: 1,
				unitId: edited.id,
				deviceId,
				syncedAt: at,
				waiting: 2,
				refused: 1,
				createdAt: at,
				createdBy: secretary.login,
				updatedAt: at,
				updatedBy: secretary.login
			}
		]);
		// Two phones edited one member offline: CouchDB keeps both revisions, one in conflict.
		const rows = await server.couch.allDocs<MemberDoc & { _rev: string }>({
			db: edited.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			limit: 1,
			includeDocs: true
		});
		const member = rows[0]!.doc!;
		const [generation, hash] = member._rev.split('-') as [string, string];
		const child = (letter: string, phone: string) => ({
			...member,
			phone,
			_rev: `${Number(generation) + 1}-${letter.repeat(32)}`,
			_revisions: { start: Number(generation) + 1, ids: [letter.repeat(32), hash] }
		});
		await server.couch.json({
			method: 'POST',
			path: `${edited.db}/_bulk_docs`,
			body: {
				new_edits: false,
				docs: [child('a', '0912000111'), child('b', '0912000222')]
			}
		});
		figures.nudge(edited.db);
		await figures.cycle();
		const activity = (await figuresIn(province, edited)).activity;
		expect(activity.conflicts).toBe(1);
		expect(activity.lastWriteAt).toBe(await latestWrite(edited));
		const device = activity.devices.find((row) => row.id === deviceId.slice(0, 8));
		expect(device).toMatchObject({
			login: secretary.login,
			state: 'active',
			lastSyncAt: at,
			waiting: 2,
			refused: 1
		});
		// Seen this hour, to the hour: a device at work does not rewrite the figures up the tree
		// every few minutes.
		expect(device!.lastSeenAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
		expect(Date.now() - Date.parse(device!.lastSeenAt!)).toBeLessThan(3_600_000 + 60_000);
		// Never a secret, a user agent or a whole device id.
		expect(JSON.stringify(activity)).not.toContain(deviceId);
		expect(JSON.stringify(activity)).not.toMatch(/secret|userAgent|Chrome/);
	});

	it('a merge: the merged unit leaves its parent’s sum, its members count in the survivor', async () => {
		const [merged, survivor] = [grassroots[1]!, grassroots[2]!];
		expect([merged.parentId, survivor.parentId]).toEqual([editedParent.id, editedParent.id]);
		const before = await provinceFigures();
		const manager = await signInSecretary(editedParent.id);
		const job = await api<{ id: string }>(server, `/units/${merged.id}/merge`, {
			cookie: manager.cookie,
			body: { intoId: survivor.id }
		});
		expect(job.status).toBe(202);
		const done = await waitForJob(server, { cookie: manager.cookie, id: job.body.id });
		expect(done.state).toBe('done');
		// No nudge from the test: the directory's change and the merge's own writes tell the worker.
		await figures.cycle();
		const after = await provinceFigures();
		expect(after.get(merged.id)!.of.status).toBe('merged');
		expect(after.get(editedParent.id)!.children).not.toContain(merged.id);
		expect(after.get(survivor.id)!.own.onRolls).toBe(
			before.get(survivor.id)!.own.onRolls + before.get(merged.id)!.own.onRolls
		);
		expect(after.get(editedParent.id)!.total.onRolls).toBe(
			before.get(editedParent.id)!.total.onRolls
		);
		expect(after.get(province.id)!.total.onRolls).toBe(before.get(province.id)!.total.onRolls);
		// The manager's sign-in wrote nothing to the group's database; its device is listed all the same.
		expect(after.get(editedParent.id)!.activity.devices.map((device) => device.login)).toContain(
			manager.login
		);
		all = await server.provision.listUnits();
	}, 120_000);

	it('every unit’s total is its own plus its children’s totals, and still the direct count', async () => {
		const docs = await provinceFigures();
		for (const doc of docs.values()) {
			const children = doc.children.map((id) => docs.get(id)!.total);
			expect(doc.total, doc.of.name).toEqual(addSummaries([doc.own, ...children]));
		}
		await expectTotalsMatchDirectCount();
	}, 300_000);

	it('after a restart, another process reads back what was written and reads no database', async () => {
		// Let the last writes (a merge's forwarding, the touches recorded a second late) settle first.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		await figures.cycle();
		const before = await provinceFigures();
		await figures.stop();
		second = await sameStoreServer();
		// Once the stopped worker's lease has run out, the other process takes over.
		const restarted = await takeOver(second.workers.figures!);
		expect(restarted).toEqual({ read: 0, computed: 0, written: 0 });
		expect(await provinceFigures()).toEqual(before);

		// Without its checkpoint (a first start) a process reads every unit once, and rewrites nothing.
		const jobsDb = second.jobs.db;
		const checkpoint = await second.couch.getDoc({ db: jobsDb, id: '_local/dbupdates:figures' });
		expect(checkpoint?._rev).toBeDefined();
		const removed = await second.couch.request({
			method: 'DELETE',
			path: `${jobsDb}/_local/${encodeURIComponent('dbupdates:figures')}`,
			query: { rev: checkpoint!._rev! }
		});
		expect(removed.status).toBeLessThan(300);
		await second.workers.figures!.stop();
		third = await sameStoreServer();
		const fresh = await takeOver(third.workers.figures!);
		expect(fresh.read).toBe(all.length);
		expect(fresh.written).toBe(0);
		expect(await provinceFigures()).toEqual(before);
	}, 120_000);
});
