import 'fake-indexeddb/auto';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foundBranch } from '../../src/lib/data/commands/branches';
import { addMember } from '../../src/lib/data/commands/members';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { listBranches } from '../../src/lib/data/queries/members';
import {
	rosterExportFilters,
	rosterRecords,
	rosterRows,
	type RosterSelection
} from '../../src/lib/data/spreadsheets/roster-export-members';
import {
	EXPORT_HEADER_ROW,
	EXPORT_TITLE_ROW
} from '../../src/lib/data/spreadsheets/roster-export-sheet';
import {
	ROSTER_SHEET_NAME,
	rosterWorkbook
} from '../../src/lib/data/spreadsheets/roster-export-workbook';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { allowLocalDbs, destroyLocalDbs } from '../../src/lib/data/store/pouch';
import { describeExportFilters } from '../../src/lib/domain/spreadsheets/export-log-schema';
import { MEMBER_SHEET_COLUMNS } from '../../src/lib/domain/spreadsheets/member-sheet';

// The roster's export read back with exceljs: the title and the Vietnamese headers where the import
// looks for them, citizen ids as text with their leading zeros, dates dd/mm/yyyy, a branch's name for
// its id, and exactly the members the list shows under its filters and search.

const db = 'unit_xaexport';
const actor = { login: 'bithu.export' };
const now = new Date('2026-12-06T20:30:00.000Z');
const today = '2026-12-07';

const col = (header: string) => MEMBER_SHEET_COLUMNS.findIndex((c) => c.header === header) + 1;

async function add(overrides: Record<string, string | boolean>) {
	const result = await addMember({
		db,
		actor,
		input: {
			familyName: 'Nguyễn',
			middleName: 'Thị',
			givenName: 'Lan',
			gender: 'female',
			birthDate: '05/01/2003',
			ethnicCode: '01',
			religion: 'Không',
			generalEducation: '12/12',
			status: 'active',
			partyMember: false,
			...overrides
		}
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.id;
}

async function found(name: string): Promise<string> {
	const result = await foundBranch({
		db,
		actor,
		now,
		input: { name, kind: 'khu-dan-cu', secretaryName: 'Lò Văn Minh' }
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.branchId;
}

async function exported(selection: RosterSelection) {
	const rows = await rosterRows(selection);
	const members = await rosterRecords({ rows });
	const names = new Map((await listBranches([db])).map((b) => [b.id, b.name]));
	const progress: number[] = [];
	const bytes = await rosterWorkbook({
		members,
		branchName: (id) => names.get(id) ?? '',
		unitName: 'Đoàn xã Thử',
		today,
		filters: describeExportFilters(rosterExportFilters(selection), (id) => names.get(id)),
		onProgress: ({ done }) => progress.push(done)
	});
	const book = new ExcelJS.Workbook();
	await book.xlsx.load(bytes);
	return { sheet: book.getWorksheet(ROSTER_SHEET_NAME)!, progress };
}

function dataRows(sheet: ExcelJS.Worksheet): ExcelJS.Row[] {
	const rows: ExcelJS.Row[] = [];
	sheet.eachRow((row, n) => {
		if (n > EXPORT_HEADER_ROW) rows.push(row);
	});
	return rows;
}

let branchA = '';
let branchB = '';

beforeEach(async () => {
	allowLocalDbs([db]);
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	branchA = await found('Thôn Đông');
	branchB = await found('Thôn Tây');
	await add({ givenName: 'Lan', citizenId: '001303012345', branchId: branchA });
	await add({ givenName: 'Mai', citizenId: '002303000077', branchId: branchB });
	await add({ givenName: 'Hoa', branchId: branchA, status: 'transferred' });
	await add({
		givenName: 'Bình',
		gender: 'male',
		birthDate: '20/11/1999',
		citizenId: '001099004321',
		branchId: branchA,
		ethnicCode: '04'
	});
	await catchUp(db);
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('roster export', () => {
	it('writes the title, the headers the import reads, and every field as typed text', async () => {
		const { sheet } = await exported({ dbs: [db], query: '', filters: {}, today });
		expect(String(sheet.getCell(EXPORT_TITLE_ROW, 1).value)).toBe(
			'Danh sách đoàn viên Đoàn xã Thử — ngày 07/12/2026'
		);
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: EXPORT_HEADER_ROW });
		const headers = MEMBER_SHEET_COLUMNS.map(
			(_, i) => sheet.getCell(EXPORT_HEADER_ROW, i + 1).value
		);
		expect(headers).toEqual(MEMBER_SHEET_COLUMNS.map((c) => c.header));
		expect(sheet.getCell(EXPORT_HEADER_ROW, 1).font?.bold).toBe(true);
		expect(dataRows(sheet)).toHaveLength(4);

		const mai = dataRows(sheet).find((r) => r.getCell(col('Tên')).value === 'Mai')!;
		// A citizen id keeps its leading zeros: a string, formatted as text.
		expect(mai.getCell(col('Số CCCD')).value).toBe('002303000077');
		expect(mai.getCell(col('Số CCCD')).numFmt).toBe('@');
		expect(mai.getCell(col('Ngày sinh')).value).toBe('05/01/2003');
		expect(mai.getCell(col('Giới tính')).value).toBe('Nữ');
		expect(mai.getCell(col('Chi đoàn')).value).toBe('Thôn Tây');
		expect(mai.getCell(col('Trạng thái')).value).toBe('Đang sinh hoạt');
		expect(mai.getCell(col('Đảng viên')).value).toBe('Không');
		const binh = dataRows(sheet).find((r) => r.getCell(col('Tên')).value === 'Bình')!;
		expect(binh.getCell(col('Ngày sinh')).value).toBe('20/11/1999');
		// Ethnic group 04 is the Hoa people, by its Vietnamese name.
		expect(binh.getCell(col('Dân tộc')).value).toBe('Hoa');
	});

	it('holds exactly the members the list shows under its filters and search', async () => {
		const active = await exported({
			dbs: [db],
			query: '',
			filters: { status: 'active', branchId: branchA },
			today
		});
		const names = dataRows(active.sheet).map((r) => r.getCell(col('Tên')).value);
		expect(names.sort()).toEqual(['Bình', 'Lan']);
		expect(String(active.sheet.getCell(EXPORT_TITLE_ROW, 1).value)).toContain(
			'(đang sinh hoạt, chi đoàn Thôn Đông)'
		);

		const young = await exported({
			dbs: [db],
			query: '',
			filters: { status: 'active', ageBand: '18-24' },
			today
		});
		expect(
			dataRows(young.sheet)
				.map((r) => r.getCell(col('Tên')).value)
				.sort()
		).toEqual(['Lan', 'Mai']);

		const search = await exported({ dbs: [db], query: '0023030', filters: {}, today });
		expect(dataRows(search.sheet).map((r) => r.getCell(col('Tên')).value)).toEqual(['Mai']);

		const nobody = await exported({ dbs: [db], query: 'Không Ai', filters: {}, today });
		expect(dataRows(nobody.sheet)).toHaveLength(0);
	});

	it('builds large lists in chunks, reporting progress as it goes', async () => {
		const many = Array.from({ length: 1_200 }, (_, i) => ({
			familyName: 'Trần',
			givenName: `Số${i}`,
			citizenId: String(i).padStart(12, '0'),
			birthDate: '2001-02-03'
		}));
		const progress: number[] = [];
		const bytes = await rosterWorkbook({
			members: many,
			branchName: () => '',
			unitName: 'Đoàn xã Thử',
			today,
			filters: 'không lọc',
			onProgress: ({ done }) => progress.push(done)
		});
		expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 100));
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(bytes);
		const sheet = book.getWorksheet(ROSTER_SHEET_NAME)!;
		expect(dataRows(sheet)).toHaveLength(1_200);
		expect(sheet.getCell(EXPORT_HEADER_ROW + 1, col('Số CCCD')).value).toBe('000000000000');
		expect(sheet.getCell(EXPORT_HEADER_ROW + 1, col('Ngày sinh')).value).toBe('03/02/2001');
	});

	it('stops when cancelled, writing nothing', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(
			rosterWorkbook({
				members: [{ givenName: 'Lan' }],
				branchName: () => '',
				unitName: 'Đoàn xã Thử',
				today,
				filters: 'không lọc',
				signal: controller.signal
			})
		).rejects.toThrow();
	});

	it('keeps only enumerated filters for the audit trail: a search is a flag, never its words', () => {
		const filters = rosterExportFilters({
			dbs: [db],
			query: 'Nguyễn Thị Lan',
			filters: { status: 'active', branchId: branchA, minority: true, ageBand: '18-24' },
			today
		});
		expect(filters).toEqual({
			status: 'active',
			branchId: branchA,
			minority: true,
			ageBand: '18-24',
			search: true
		});
		expect(JSON.stringify(filters)).not.toContain('Nguyễn');
		expect(describeExportFilters(filters)).toBe(
			'đang sinh hoạt, một chi đoàn, dân tộc thiểu số, 18–24 tuổi, theo từ khóa tìm kiếm'
		);
	});
});
