import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { previewMemberImport } from '../../src/lib/data/spreadsheets/member-import-client';
import { packGrid } from '../../src/lib/data/spreadsheets/member-import-packed';
import { readSheetFile } from '../../src/lib/data/spreadsheets/member-import-reader';
import { ulid } from '../../src/lib/data/ids';
import { destroyLocalDbs } from '../../src/lib/data/store/pouch';
import { todayIso } from '../../src/lib/domain/dates';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { guessColumnMapping } from '../../src/lib/domain/spreadsheets/member-import-headers';
import { generateMembers } from '../../src/lib/synthetic';
import { memberWorkbook } from '../support/member-import-fixture';
import { startTestServer, type TestServer } from '../support/test-server';

// A whole file's clashes found online (docs/spreadsheets.md, "Clashes for a whole file"): a
// 3,000-row sheet whose people include some already on the rolls of another unit, here and there
// in the file, is classified completely before anything is written — every one of them a clash
// naming that unit, every other row new, the preview saying the registry was asked — through the
// app's own preview code against the real server's registry.

let server: TestServer;
let importer: { unit: UnitRecord; cookie: string };
let other: UnitRecord;
let incoming: MemberDoc[];
/** Rows of the file whose person is active in the other unit: scattered, first and last included. */
let clashing: MemberDoc[];
const TODAY = todayIso();
const ROWS = 3_000;

beforeAll(async () => {
	server = await startTestServer();
	const a = await server.createUnitWithAccount({ name: 'Đoàn xã Nhập Tệp' });
	const b = await server.createUnitWithAccount({ name: 'Đoàn phường Đã Có' });
	other = b.unit;
	const { cookie } = await server.signIn({ login: a.login, password: a.password });
	importer = { unit: a.unit, cookie };
	incoming = generateMembers({
		seed: 'import-clashes',
		count: ROWS,
		unitId: a.unit.id,
		branchIds: [],
		today: TODAY,
		provinceCode: '001'
	});
	const withIds = incoming.filter((member) => member.citizenId);
	clashing = withIds.filter((_, i) => i === 0 || i === withIds.length - 1 || i % 97 === 41);
	// The same people on the rolls of the other unit, registered as the unit watcher would.
	const theirs = clashing.map((member) => ({
		...member,
		_id: `member:${ulid()}`,
		unitId: other.id,
		status: 'active' as const
	}));
	await server.couch.bulkDocs({ db: other.db, docs: theirs });
	// (The server's own watcher may claim some of them first: either way they are claimed.)
	await server.registry.reconcile({ unit: other, docs: theirs });
}, 120_000);

afterAll(async () => {
	await destroyLocalDbs([importer.unit.db]);
	await server?.close();
});

describe('a whole file checked against the registry', () => {
	it('classifies every row of a 3,000-row file, clashes scattered, with the registry asked', async () => {
		const data = await memberWorkbook({ members: incoming });
		const grid = packGrid(await readSheetFile({ data, fileName: 'doan-vien-3000.xlsx' }));
		const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
		const progress: number[] = [];
		const { preview } = await previewMemberImport({
			db: importer.unit.db,
			grid,
			sheetIndex: 0,
			mapping,
			origin: server.url,
			headers: { cookie: importer.cookie },
			onProgress: (p) => {
				if (p.stage === 'registry') progress.push(p.done);
			}
		});
		expect(preview.clashesChecked).toBe(true);
		expect(preview.rows).toHaveLength(ROWS);
		expect(preview.counts).toMatchObject({
			clash: clashing.length,
			new: ROWS - clashing.length,
			invalid: 0,
			duplicate: 0
		});
		const clashRows = preview.rows.filter((row) => row.class === 'clash');
		expect(new Set(clashRows.map((row) => row.fields.citizenId))).toEqual(
			new Set(clashing.map((member) => member.citizenId))
		);
		for (const row of clashRows) expect(row.clashWith).toEqual({ unitName: other.name });
		// Asked in slices, the bar moving to the end.
		expect(progress.length).toBeGreaterThan(2);
		expect(progress.at(-1)).toBe(new Set(incoming.flatMap((m) => m.citizenId ?? [])).size);
	}, 180_000);

	it('offline (no server to ask), the same file says clashes were not checked', async () => {
		const data = await memberWorkbook({ members: incoming.slice(0, 50) });
		const grid = packGrid(await readSheetFile({ data, fileName: 'doan-vien-50.xlsx' }));
		const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
		const { preview } = await previewMemberImport({
			db: importer.unit.db,
			grid,
			sheetIndex: 0,
			mapping,
			origin: 'http://127.0.0.1:9'
		});
		expect(preview.clashesChecked).toBe(false);
		expect(preview.counts.clash).toBe(0);
	}, 60_000);
});
