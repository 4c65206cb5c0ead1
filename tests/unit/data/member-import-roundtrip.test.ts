import { describe, expect, it } from 'vitest';
import { readSheetFile } from '../../../src/lib/data/spreadsheets/member-import-reader';
import {
	rosterFileName,
	rosterWorkbook
} from '../../../src/lib/data/spreadsheets/roster-export-workbook';
import { guessColumnMapping } from '../../../src/lib/domain/spreadsheets/member-import-headers';
import {
	classifyImportRows,
	planMemberImport
} from '../../../src/lib/domain/spreadsheets/member-import-plan';
import { generateMembers } from '../../../src/lib/synthetic';
import { existingOf, memberWorkbook } from '../../support/member-import-fixture';

// A roster written as the export writes it (memberCellText, member-sheet.ts) and read back by the
// import changes nothing: every row is an update of its member with no field changed, and the plan
// writes no document. Then 5,000 rows: read and classified, with the time printed.

const TODAY = '2026-12-07';
const UNIT = 'xavong';
const BRANCHES = [
	{ id: 'branch:xavong-01', name: 'Chi đoàn thôn Một' },
	{ id: 'branch:xavong-02', name: 'Chi đoàn thôn Hai' }
];
const branchName = (id: string) => BRANCHES.find((b) => b.id === id)?.name ?? id;

describe('round trip: exported cells imported again', () => {
	it('changes nothing', async () => {
		const members = generateMembers({
			seed: 'roundtrip',
			count: 300,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY,
			ethnicMix: 'mountain-district'
		});
		// Members without a citizen id are recognised by name and birth date.
		const withoutId = members.slice(0, 10).map((member) => {
			const copy = { ...member };
			delete copy.citizenId;
			delete copy.citizenIdIssuedOn;
			delete copy.citizenIdIssuedBy;
			return copy;
		});
		const all = [...withoutId, ...members.slice(10)];
		const data = await memberWorkbook({ members: all, branchName });
		const grid = await readSheetFile({ data, fileName: 'xuat.xlsx' });
		const sheet = grid.sheets[0]!;
		const { mapping, missing } = guessColumnMapping({ headers: sheet.headers });
		expect(missing).toEqual([]);
		const preview = classifyImportRows({
			unitId: UNIT,
			existing: existingOf(all),
			branches: BRANCHES,
			today: TODAY,
			sheet,
			fileName: grid.fileName,
			mapping
		});
		const changed = preview.rows.filter(
			(row) => row.class !== 'update' || (row.changedFields ?? ['?']).length > 0
		);
		expect(
			changed.map((row) => ({ row: row.rowNumber, class: row.class, changed: row.changedFields, errors: row.errors }))
		).toEqual([]);
		expect(preview.counts.update).toBe(300);
		const result = planMemberImport({
			preview,
			chosenRows: preview.rows.map((row) => row.rowNumber),
			members: new Map(all.map((m) => [m._id, m])),
			actor: { login: 'bithu', unitId: UNIT },
			now: `${TODAY}T03:00:00.000Z`,
			today: TODAY,
			fileName: grid.fileName,
			unitId: UNIT,
			newUlid: () => '01JG0000000000000000000000'
		});
		expect(result.ok && result.plan.report.documents).toBe(0);
		expect(result.ok && result.plan.report.unchanged).toHaveLength(300);
	}, 30_000);
});

describe('round trip: the roster export’s own file imported again', () => {
	it('changes nothing (title row, text-formatted cells and all)', async () => {
		const members = generateMembers({
			seed: 'roundtrip-export',
			count: 120,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY,
			ethnicMix: 'mountain-district'
		});
		const data = await rosterWorkbook({
			members,
			branchName,
			unitName: 'Đoàn xã Vông',
			today: TODAY,
			filters: 'Tất cả'
		});
		const grid = await readSheetFile({ data, fileName: rosterFileName({ unitId: UNIT, today: TODAY }) });
		const sheet = grid.sheets[0]!;
		const { mapping, missing } = guessColumnMapping({ headers: sheet.headers });
		expect(missing).toEqual([]);
		const preview = classifyImportRows({
			unitId: UNIT,
			existing: existingOf(members),
			branches: BRANCHES,
			today: TODAY,
			sheet,
			fileName: grid.fileName,
			mapping
		});
		expect(preview.rows).toHaveLength(120);
		const changed = preview.rows.filter(
			(row) => row.class !== 'update' || (row.changedFields ?? ['?']).length > 0
		);
		expect(changed.map((row) => ({ row: row.rowNumber, class: row.class, changed: row.changedFields, errors: row.errors }))).toEqual([]);
	}, 30_000);
});

describe('a roster spanning several units', () => {
	it('names each member’s unit in a first column, which the import leaves out', async () => {
		const own = generateMembers({
			seed: 'multi-own',
			count: 30,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY,
			ethnicMix: 'mountain-district'
		});
		const other = generateMembers({
			seed: 'multi-other',
			count: 20,
			unitId: 'xakhac',
			branchIds: [],
			today: TODAY,
			ethnicMix: 'mountain-district'
		}).filter((member) => member.citizenId);
		const names = new Map([
			[UNIT, 'Đoàn xã Vông'],
			['xakhac', 'Đoàn xã Khác']
		]);
		const data = await rosterWorkbook({
			members: [...own, ...other],
			branchName,
			unitName: 'Huyện đoàn Thử',
			today: TODAY,
			filters: 'Tất cả',
			memberUnitName: (member) => names.get(member.unitId ?? '') ?? ''
		});
		const grid = await readSheetFile({ data, fileName: 'nhieu-don-vi.xlsx' });
		const sheet = grid.sheets[0]!;
		expect(sheet.headers[0]).toBe('Đơn vị');
		expect(sheet.rows.map((row) => row.cells[0])).toEqual([
			...own.map(() => 'Đoàn xã Vông'),
			...other.map(() => 'Đoàn xã Khác')
		]);
		const { mapping, missing } = guessColumnMapping({ headers: sheet.headers });
		expect(mapping[0]).toBeNull();
		expect(missing).toEqual([]);
		// Imported into one unit: its own members change nothing; the others are known by their
		// citizen ids as active elsewhere (online), whatever the "Đơn vị" cell says.
		const preview = classifyImportRows({
			unitId: UNIT,
			existing: existingOf(own),
			clashes: other.map((m) => ({ citizenId: m.citizenId!, unitName: 'Đoàn xã Khác' })),
			branches: BRANCHES,
			today: TODAY,
			sheet,
			fileName: grid.fileName,
			mapping
		});
		const classes = preview.rows.map((row) =>
			row.class === 'update' && (row.changedFields ?? ['?']).length === 0 ? 'unchanged' : row.class
		);
		expect(classes).toEqual([...own.map(() => 'unchanged'), ...other.map(() => 'clash')]);
	}, 30_000);
});

describe('5,000 rows', () => {
	it('are read and classified, every one new, and the time is printed', async () => {
		const members = generateMembers({
			seed: 'big',
			count: 5_000,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY
		});
		const data = await memberWorkbook({ members, branchName });
		const started = performance.now();
		const grid = await readSheetFile({ data, fileName: 'lon.xlsx' });
		const read = performance.now();
		const sheet = grid.sheets[0]!;
		const { mapping } = guessColumnMapping({ headers: sheet.headers });
		let progressCalls = 0;
		const preview = classifyImportRows({
			unitId: UNIT,
			existing: [],
			branches: BRANCHES,
			today: TODAY,
			sheet,
			fileName: grid.fileName,
			mapping,
			onProgress: () => progressCalls++
		});
		const classified = performance.now();
		console.log(
			`5,000 rows: read ${Math.round(read - started)} ms, classified ${Math.round(classified - read)} ms`
		);
		expect(sheet.rows).toHaveLength(5_000);
		expect(preview.counts).toEqual({ new: 5_000, update: 0, duplicate: 0, clash: 0, invalid: 0 });
		expect(progressCalls).toBeGreaterThanOrEqual(20);
	}, 60_000);
});
