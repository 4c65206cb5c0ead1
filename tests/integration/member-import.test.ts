import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMemberImport } from '../../src/lib/data/commands/member-import';
import { unpackImportPlan } from '../../src/lib/data/commands/member-import-packed-plan';
import { planInSlices } from '../../src/lib/data/commands/member-import-selection';
import { membersForImport } from '../../src/lib/data/queries/member-import';
import { searchMembers } from '../../src/lib/data/queries/members';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { previewMemberImport } from '../../src/lib/data/spreadsheets/member-import-client';
import { packGrid } from '../../src/lib/data/spreadsheets/member-import-packed';
import { readSheetFile } from '../../src/lib/data/spreadsheets/member-import-reader';
import { ulid } from '../../src/lib/data/ids';
import { deviceDb, getSetting } from '../../src/lib/data/store/device-db';
import { saveWriteJournal } from '../../src/lib/data/sync/push-hold';
import { destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { countPending } from '../../src/lib/data/sync/outbox';
import type { UnitSyncHandle } from '../../src/lib/data/sync/unit-sync';
import { todayIso } from '../../src/lib/domain/dates';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { guessColumnMapping } from '../../src/lib/domain/spreadsheets/member-import-headers';
import {
	planMemberImport,
	type MemberImportPlan
} from '../../src/lib/domain/spreadsheets/member-import-plan';
import { generateMembers } from '../../src/lib/synthetic';
import { memberWorkbook } from '../support/member-import-fixture';
import { startPhoneSync, until } from '../support/phone-sync';
import { startTestServer, type TestServer } from '../support/test-server';

// The import's writer on a phone's PouchDB (Node, memory) syncing with the real server through the
// app's own sync engine: all-or-nothing — cancelled after its first batch, or stopped by a member
// changed meanwhile, it leaves nothing on the phone (no member, no history entry, nothing waiting
// to upload, the updated member as it was) and nothing reaches the server; done, its members and
// their `imported` history entries are uploaded and accepted.

let server: TestServer;
let unit: { id: string; db: string };
let login: string;
let sync: UnitSyncHandle;
let refused: string[] = [];
let existing: MemberDoc[];
let incoming: MemberDoc[];
const TODAY = todayIso();

beforeAll(async () => {
	server = await startTestServer();
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thử Nhập' });
	unit = created.unit;
	login = created.login;
	existing = generateMembers({
		seed: 'import-existing',
		count: 20,
		unitId: unit.id,
		branchIds: [],
		today: TODAY
	});
	await server.couch.bulkDocs({ db: unit.db, docs: existing });
	incoming = generateMembers({
		seed: 'import-new',
		count: 150,
		unitId: unit.id,
		branchIds: [],
		today: TODAY,
		provinceCode: '001'
	});
	const { cookie } = await server.signIn({ login, password: created.password });
	const phone = startPhoneSync({ server, db: unit.db, cookie });
	sync = phone.handle;
	refused = phone.refused;
	await until(phone.idle, 30_000);
	await catchUp(unit.db);
});

afterAll(async () => {
	sync?.stop();
	await destroyLocalDbs([unit.db]);
	await server?.close();
});

/** The unit's file — 150 new members, then one of the unit's with a new phone number, last — previewed. */
async function previewOf() {
	// As the phone holds it now (an earlier test changes it).
	const updated = await localDb(unit.db).get<MemberDoc>(existing[5]!._id);
	const data = await memberWorkbook({
		members: [...incoming, updated],
		patch: [[150, 'Số điện thoại', '0987654321']]
	});
	const grid = packGrid(await readSheetFile({ data, fileName: 'doan-vien-xa.xlsx' }));
	const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
	const { preview } = await previewMemberImport({ db: unit.db, grid, sheetIndex: 0, mapping });
	expect(preview.counts).toMatchObject({ new: 150, update: 1, invalid: 0 });
	const ids = preview.rows.flatMap((row) => (row.existingId ? [row.existingId] : []));
	return { preview, updated, members: await membersForImport({ db: unit.db, ids }) };
}

/** What the planner is given for every row of the file, as the screen gives it. */
function planOptions(options: Pick<Parameters<typeof planMemberImport>[0], 'preview' | 'members'>) {
	return {
		...options,
		chosenRows: options.preview.rows.map((row) => row.rowNumber),
		actor: { login, unitId: unit.id },
		now: new Date().toISOString(),
		today: TODAY,
		fileName: options.preview.fileName,
		unitId: unit.id,
		newUlid: () => ulid()
	};
}

/** The file's plan, in one go. */
async function plan(): Promise<{ plan: MemberImportPlan; updated: MemberDoc }> {
	const { preview, updated, members } = await previewOf();
	const result = planMemberImport(planOptions({ preview, members }));
	if (!result.ok) throw new Error(result.message);
	expect(result.plan.members).toHaveLength(151);
	expect(result.plan.entries).toHaveLength(151);
	return { plan: result.plan, updated };
}

/** Nothing of `plan` is on the phone, nothing waits to upload, the updated member is unchanged. */
async function expectNothingLeft(options: { plan: MemberImportPlan; updated: MemberDoc }) {
	const db = localDb(unit.db);
	const ids = [...options.plan.members, ...options.plan.entries]
		.map((doc) => doc._id)
		.filter((id) => id !== options.updated._id);
	const found = await db.allDocs({ keys: ids });
	const alive = found.rows.filter((row) => 'value' in row && !row.value.deleted);
	expect(alive).toEqual([]);
	const member = await db.get<MemberDoc>(options.updated._id);
	expect(member.phone).toBe(options.updated.phone);
	expect(await deviceDb.outbox.where('docId').anyOf(ids).count()).toBe(0);
	await catchUp(unit.db);
	const page = await searchMembers({ dbs: [unit.db], today: TODAY, limit: 1 });
	expect(page.total).toBe(existing.length);
}

/**
 * Writes one more change on the phone and waits for it on the server — the push goes in the order
 * of the phone's changes, so whatever the import left behind has been sent by then (or left out) —
 * then checks the server has none of `plan`.
 */
async function expectNothingOnServer(options: { plan: MemberImportPlan; updated: MemberDoc }) {
	const db = localDb(unit.db);
	const marker = await db.get<MemberDoc>(existing[0]!._id);
	const address = `Thôn ${ulid()}`;
	await db.put({
		...marker,
		currentAddress: address,
		updatedAt: new Date().toISOString(),
		updatedBy: login
	});
	await until(async () => {
		const remote = await server.couch.getDoc<MemberDoc>({ db: unit.db, id: marker._id });
		return remote?.currentAddress === address;
	}, 30_000);
	// Never seen there: not even a deletion (a tombstone would answer `deleted`, not `not_found`).
	const ids = [...options.plan.members, ...options.plan.entries]
		.map((doc) => doc._id)
		.filter((id) => id !== options.updated._id);
	const rows = await server.couch.allDocs({ db: unit.db, keys: ids });
	expect(rows.filter((row) => (row as { error?: string }).error !== 'not_found')).toEqual([]);
	const onServer = await server.couch.getDoc<MemberDoc>({ db: unit.db, id: options.updated._id });
	expect(onServer?.phone).toBe(options.updated.phone);
	expect(refused).toEqual([]);
}

describe('applyMemberImport: all-or-nothing', () => {
	it('cancelled after its first batch, leaves nothing on the phone or the server', async () => {
		const planned = await plan();
		const controller = new AbortController();
		const progress: number[] = [];
		const result = await applyMemberImport({
			db: unit.db,
			plan: planned.plan,
			signal: controller.signal,
			onProgress: (written) => progress.push(written),
			afterBatch: async () => {
				// Long enough for the sync to try uploading the first batch: it is held (push-hold.ts).
				await new Promise((resolve) => setTimeout(resolve, 1_500));
				controller.abort();
			}
		});
		expect(result).toEqual({
			ok: false,
			cancelled: true,
			message: 'Đã hủy nhập: không có hồ sơ nào được ghi.'
		});
		// The start, then the first batch (its size is the writer's), then nothing more.
		expect(progress).toHaveLength(2);
		expect(progress[0]).toBe(0);
		expect(progress[1]).toBeGreaterThan(0);
		await expectNothingLeft(planned);
		await expectNothingOnServer(planned);
	});

	it('planned and packed in slices as the screen does, cancelled in its third chunk, leaves nothing', async () => {
		const planned = await plan();
		const { preview, members } = await previewOf();
		const sliced = await planInSlices({ ...planOptions({ preview, members }), slice: 40 });
		if (!sliced.ok) throw new Error(sliced.message);
		// 151 rows in slices of 40: four chunks of documents, each read back only when written.
		expect(sliced.plan.chunks).toHaveLength(4);
		expect(sliced.plan.documents).toBe(302);
		const all = unpackImportPlan(sliced.plan);
		const controller = new AbortController();
		let batches = 0;
		const result = await applyMemberImport({
			db: unit.db,
			plan: sliced.plan,
			signal: controller.signal,
			afterBatch: (written) => {
				batches += 1;
				// Past two chunks' documents (80 each): the third is being written.
				if (written > 170) controller.abort();
			}
		});
		expect(result).toMatchObject({ ok: false, cancelled: true });
		expect(batches).toBeGreaterThan(1);
		await expectNothingLeft({ plan: all, updated: planned.updated });
		await expectNothingOnServer({ plan: all, updated: planned.updated });
	});

	it('stopped by a member changed meanwhile, leaves nothing either', async () => {
		const planned = await plan();
		// Another tab (or a pull) changes the member the sheet updates, after the preview.
		const db = localDb(unit.db);
		const current = await db.get<MemberDoc>(planned.updated._id);
		await db.put({
			...current,
			currentAddress: 'Thôn Mới, xã Thử Nhập',
			updatedAt: new Date().toISOString(),
			updatedBy: login
		});
		const changed = await db.get<MemberDoc>(planned.updated._id);
		const result = await applyMemberImport({ db: unit.db, plan: planned.plan });
		expect(result.ok).toBe(false);
		expect(!result.ok && result.cancelled).toBe(false);
		expect(!result.ok && result.message).toMatch(
			/^Một hồ sơ đoàn viên vừa được thay đổi ở nơi khác trong lúc nhập/
		);
		await expectNothingLeft({ ...planned, updated: changed });
		await expectNothingOnServer({ ...planned, updated: changed });
	});

	it('cut short by the app closing, is taken back before the next upload', async () => {
		const planned = await plan();
		// What a closed app leaves: the journal and the first batch, no hold, nothing in the outbox.
		const first = [...planned.plan.members.slice(0, 50), ...planned.plan.entries.slice(0, 50)];
		await saveWriteJournal({
			db: unit.db,
			journal: {
				created: [...planned.plan.members, ...planned.plan.entries]
					.filter((doc) => doc._rev === undefined)
					.map((doc) => doc._id),
				updated: [],
				by: login
			}
		});
		// The app closed more than a minute ago: its beat is old (a fresh one is a write going on in
		// another tab, left alone).
		await deviceDb.settings.put({ key: `held-write-beat:${unit.db}`, value: Date.now() - 120_000 });
		await localDb(unit.db).bulkDocs(first);
		await expectNothingOnServer(planned);
		await expectNothingLeft(planned);
		expect(await getSetting(`held-write:${unit.db}`)).toBeUndefined();
		expect(await getSetting(`held-write-beat:${unit.db}`)).toBeUndefined();
	});

	it('done, uploads every member and its imported entry, and the server accepts them', async () => {
		const planned = await plan();
		const result = await applyMemberImport({ db: unit.db, plan: planned.plan });
		if (!result.ok) throw new Error(result.message);
		expect(result.report.created).toHaveLength(150);
		expect(result.report.updated.map((row) => row.fields)).toEqual([['phone']]);
		expect(result.report.documents).toBe(302);
		await until(async () => (await countPending(unit.db)) === 0, 30_000);
		expect(refused).toEqual([]);
		const [first] = planned.plan.entries;
		const entry = await server.couch.getDoc<{
			_id: string;
			kind: string;
			data: { fileName: string };
		}>({
			db: unit.db,
			id: first!._id
		});
		expect(entry).toMatchObject({ kind: 'imported', data: { fileName: 'doan-vien-xa.xlsx' } });
		const all = await server.couch.allDocs({ db: unit.db });
		const onServer = new Set(all.map((row) => row.id));
		const missing = [...planned.plan.members, ...planned.plan.entries].filter(
			(doc) => !onServer.has(doc._id)
		);
		expect(missing).toEqual([]);
		const member = await server.couch.getDoc<MemberDoc>({ db: unit.db, id: planned.updated._id });
		expect(member?.phone).toBe('0987654321');
		await catchUp(unit.db);
		const page = await searchMembers({ dbs: [unit.db], today: TODAY, limit: 1 });
		expect(page.total).toBe(existing.length + 150);
	});
});
