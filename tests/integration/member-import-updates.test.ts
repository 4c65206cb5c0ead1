import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMemberImport } from '../../src/lib/data/commands/member-import';
import { planInSlices } from '../../src/lib/data/commands/member-import-selection';
import { ulid } from '../../src/lib/data/ids';
import { membersForImport } from '../../src/lib/data/queries/member-import';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { previewMemberImport } from '../../src/lib/data/spreadsheets/member-import-client';
import { packGrid } from '../../src/lib/data/spreadsheets/member-import-packed';
import { readSheetFile } from '../../src/lib/data/spreadsheets/member-import-reader';
import { deviceDb, getSetting } from '../../src/lib/data/store/device-db';
import { destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { loadWriteJournal, type WriteJournal } from '../../src/lib/data/sync/push-hold';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { guessColumnMapping } from '../../src/lib/domain/spreadsheets/member-import-headers';
import { generateMembers } from '../../src/lib/synthetic';
import { memberWorkbook } from '../support/member-import-fixture';

// The update path of the import's writer (member-import.ts), on a phone's PouchDB without a server:
// a file naming the unit's members again, every row changed, so every row updates a member already
// there. More members than one read of the before images takes (BEFORE_SLICE, 100), so they are
// read and packed in several slices: the journal must still hold every one as it was, and a write
// stopped mid-way must put every one back.

const TODAY = '2026-11-28';
const NOW = '2026-11-28T03:00:00.000Z';
const COUNT = 230;
const unit = { id: `u${ulid().toLowerCase().slice(-20)}`, db: '' };
unit.db = `unit_${unit.id}`;
let members: MemberDoc[];

beforeAll(async () => {
	const generated = generateMembers({
		seed: 'import-updates',
		count: COUNT,
		unitId: unit.id,
		branchIds: [],
		today: TODAY,
		provinceCode: '001'
	});
	const db = localDb(unit.db);
	const results = await db.bulkDocs(generated);
	members = generated.map((member, i) => ({ ...member, _rev: results[i]!.rev! }) as MemberDoc);
	await catchUp(unit.db);
}, 120_000);

afterAll(async () => {
	await destroyLocalDbs([unit.db]);
});

/** Every member with her current address changed, planned in slices as the screen does. */
async function plannedUpdates() {
	const data = await memberWorkbook({
		members: members.map((member) => ({
			...member,
			currentAddress: `${member.currentAddress ?? ''} (đã chuyển)`.trim()
		}))
	});
	const grid = packGrid(await readSheetFile({ data, fileName: 'doan-vien-cap-nhat.xlsx' }));
	const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
	const { preview } = await previewMemberImport({
		db: unit.db,
		grid,
		sheetIndex: 0,
		mapping,
		// Offline: no registry to ask (every row is the unit's own member anyway).
		origin: 'http://127.0.0.1:9'
	});
	expect(preview.counts).toMatchObject({ new: 0, update: COUNT, invalid: 0 });
	const ids = preview.rows.flatMap((row) => (row.existingId ? [row.existingId] : []));
	const planned = await planInSlices({
		preview,
		members: await membersForImport({ db: unit.db, ids }),
		chosenRows: preview.rows.map((row) => row.rowNumber),
		actor: { login: 'bithu.test', unitId: unit.id },
		now: NOW,
		today: TODAY,
		fileName: preview.fileName,
		unitId: unit.id,
		newUlid: () => ulid()
	});
	if (!planned.ok) throw new Error(planned.message);
	expect(planned.plan.updates).toHaveLength(COUNT);
	return planned.plan;
}

describe('applyMemberImport: every row an update', () => {
	it('journals every member as she was, and puts every one back when cancelled near the end', async () => {
		const plan = await plannedUpdates();
		const controller = new AbortController();
		let journal: WriteJournal | undefined;
		const result = await applyMemberImport({
			db: unit.db,
			plan,
			signal: controller.signal,
			afterBatch: async (written) => {
				journal ??= await loadWriteJournal(unit.db);
				// Well past the first slice of before images (a member and her entry a group): the
				// members to put back are read back from more than one packed slice.
				if (written >= 2 * COUNT - 60) controller.abort();
			}
		});
		expect(result).toMatchObject({ ok: false, cancelled: true });
		// Read in slices of 100, yet all of them, each at the revision the plan was made on.
		expect(journal?.updated.map((doc) => `${doc._id} ${doc._rev}`).sort()).toEqual(
			members.map((member) => `${member._id} ${member._rev}`).sort()
		);
		expect(journal?.created).toHaveLength(COUNT);
		const found = await localDb(unit.db).allDocs<MemberDoc>({
			keys: members.map((member) => member._id),
			include_docs: true
		});
		const addresses = found.rows.map((row) => ('doc' in row ? row.doc?.currentAddress : null));
		expect(addresses).toEqual(members.map((member) => member.currentAddress));
		const ids = members.map((member) => member._id);
		expect(await deviceDb.outbox.where('docId').anyOf(ids).count()).toBe(0);
		expect(await getSetting(`held-write:${unit.db}`)).toBeUndefined();
	});

	it('done, every member updated and every document noted to upload, the journal cleared', async () => {
		const plan = await plannedUpdates();
		const result = await applyMemberImport({ db: unit.db, plan });
		if (!result.ok) throw new Error(result.message);
		expect(result.report.updated).toHaveLength(COUNT);
		const found = await localDb(unit.db).allDocs<MemberDoc>({
			keys: members.map((member) => member._id),
			include_docs: true
		});
		for (const row of found.rows) {
			expect('doc' in row && row.doc?.currentAddress).toMatch(/\(đã chuyển\)$/);
		}
		const noted = await deviceDb.outbox.where('db').equals(unit.db).toArray();
		expect(noted).toHaveLength(plan.documents);
		// The journal's marker (its first created document) among them: how the next start tells a
		// finished import from a cut one (push-hold.ts, takeBackInterrupted).
		expect(noted.map((entry) => entry.docId)).toContain(plan.created[0]);
		expect(await getSetting(`held-write:${unit.db}`)).toBeUndefined();
	});
});
