import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
	classifyInWorker,
	readSheetInWorker
} from '../../../src/lib/data/spreadsheets/member-import-client';
import {
	jobMessages,
	ROWS_PER_MESSAGE,
	runImportJob,
	type ImportJobMessage
} from '../../../src/lib/data/spreadsheets/member-import-jobs';
import { packGrid, unpackSheet } from '../../../src/lib/data/spreadsheets/member-import-packed';
import { readSheetFile } from '../../../src/lib/data/spreadsheets/member-import-reader';
import { guessColumnMapping } from '../../../src/lib/domain/spreadsheets/member-import-headers';
import {
	classifyImportRows,
	refreshImportPreview,
	type ImportContext
} from '../../../src/lib/domain/spreadsheets/member-import-plan';
import type { SheetGrid } from '../../../src/lib/domain/spreadsheets/member-import-types';
import { generateMembers } from '../../../src/lib/synthetic';
import { memberWorkbook } from '../../support/member-import-fixture';

// The preview's rows travel between the import's worker and the page in small messages, so that
// no single message makes the page clone 5,000 rows in one task on a cheap phone (ADR 0023): the
// read sheet stays packed in the page, and a preview comes a page of rows at a time. What the
// secretary sees must not change: every row, every invalid row with its reason, the counts.

const TODAY = '2026-12-07';
const UNIT = 'xaphan';
const BRANCHES = [{ id: 'branch:xaphan-01', name: 'Chi đoàn thôn Một' }];
const branchName = (id: string) => BRANCHES.find((b) => b.id === id)?.name ?? id;
const CONTEXT: ImportContext = { unitId: UNIT, existing: [], branches: BRANCHES, today: TODAY };

describe('the read sheet, packed', () => {
	it('comes back cell for cell: date cells as dates, numbers, booleans, empty cells, NFD text', () => {
		const born = new Date(Date.UTC(2003, 0, 5));
		const grid: SheetGrid = {
			fileName: 'ds.xlsx',
			format: 'xlsx',
			sheets: [
				{
					name: 'DS',
					headerRowNumber: 2,
					headers: ['Họ và tên', 'Ngày sinh', 'Số CCCD', 'Đã vào Đảng'],
					rows: [
						{ rowNumber: 3, cells: ['Nguyê\u0303n Thi\u0323 Lan', born, 1234567890, true] },
						{ rowNumber: 5, cells: ['Lê Văn An', null, '001203004005', false] },
						{ rowNumber: 6, cells: ['{"$d":1}', new Date(Number.NaN), 1.2e11, null] }
					]
				}
			]
		};
		const packed = packGrid(grid);
		// What the page holds: the outline, no rows beyond the sample, the rows as text.
		expect(packed.sheets[0]).toMatchObject({ name: 'DS', rowCount: 3, headerRowNumber: 2 });
		expect(typeof packed.packed[0]).toBe('string');
		const sheet = unpackSheet({ grid: packed, index: 0 })!;
		expect(sheet.rows).toEqual(grid.sheets[0]!.rows);
		expect(sheet.rows[0]!.cells[1]).toBeInstanceOf(Date);
		expect((sheet.rows[0]!.cells[1] as Date).getTime()).toBe(born.getTime());
		expect(Number.isNaN((sheet.rows[2]!.cells[1] as Date).getTime())).toBe(true);
		expect(sheet.rows[2]!.cells[0]).toBe('{"$d":1}');
		expect(unpackSheet({ grid: packed, index: 1 })).toBeUndefined();
	});
});

describe('5,000 rows through the worker’s messages', () => {
	it('list every row, every invalid row with its reason, and the right counts', async () => {
		const members = generateMembers({
			seed: 'paging',
			count: 5_000,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY
		});
		// Every 97th row a birth date nobody can read, every 101st row repeats the row before it.
		const patch: [number, string, ExcelJS.CellValue][] = [];
		const bad = new Set<number>();
		for (let i = 0; i < members.length; i += 97) {
			patch.push([i, 'Ngày sinh', 'không rõ']);
			bad.add(i + 3);
		}
		const rows = members.map((member, i) =>
			i > 0 && i % 101 === 0 && !bad.has(i + 3) && !bad.has(i + 2) ? members[i - 1]! : member
		);
		const repeated = rows.filter((member, i) => i > 0 && member === rows[i - 1]).length;
		const data = await memberWorkbook({ members: rows, branchName, patch });
		const direct = await readSheetFile({ data: data.slice(0), fileName: 'lon.xlsx' });

		const grid = await readSheetInWorker({ data, fileName: 'lon.xlsx' });
		expect(grid.sheets[0]!.rowCount).toBe(5_000);
		expect(grid.sheets[0]!.sample).toHaveLength(5);
		const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
		const preview = await classifyInWorker({ ...CONTEXT, grid, sheetIndex: 0, mapping });

		// The same preview as classifying the sheet as read, in one piece.
		const whole = classifyImportRows({
			...CONTEXT,
			sheet: direct.sheets[0]!,
			fileName: direct.fileName,
			mapping
		});
		expect(preview).toEqual(whole);
		expect(preview.rows).toHaveLength(5_000);
		expect(preview.rows.map((row) => row.rowNumber)).toEqual(
			Array.from({ length: 5_000 }, (_, i) => i + 3)
		);
		const invalid = preview.rows.filter((row) => row.class === 'invalid');
		expect(invalid.map((row) => row.rowNumber)).toEqual([...bad]);
		for (const row of invalid) {
			expect(row.errors.map((e) => e.message).join(' ')).toMatch(/^Ngày sinh/);
		}
		expect(preview.counts).toEqual({
			new: 5_000 - bad.size - repeated,
			update: 0,
			duplicate: repeated,
			clash: 0,
			invalid: bad.size
		});
	}, 120_000);

	it('are never more than a page of rows in one message, either way', async () => {
		const members = generateMembers({
			seed: 'paging-messages',
			count: 1_000,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY
		});
		const data = await memberWorkbook({ members, branchName });
		const grid = packGrid(await readSheetFile({ data, fileName: 'ds.xlsx' }));
		const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
		const messages: ImportJobMessage[] = [];
		await runImportJob({
			job: { kind: 'classify', context: CONTEXT, grid, sheetIndex: 0, mapping },
			post: (message) => messages.push(message)
		});
		const pages = messages.flatMap((m) => (m.kind === 'rows' ? [m.rows] : []));
		expect(pages.map((page) => page.length)).toEqual([250, 250, 250, 250]);
		expect(ROWS_PER_MESSAGE).toBe(250);
		const done = messages.at(-1)!;
		expect(done.kind).toBe('done');
		expect(done.kind === 'done' && 'rows' in done.result).toBe(false);

		// A refresh takes its rows from the messages before it and answers a page at a time too.
		const rows = pages.flat();
		const head = done.kind === 'done' && 'counts' in done.result ? done.result : null;
		const clashes = [{ citizenId: rows[7]!.fields.citizenId!, unitName: 'Đoàn xã Khác' }];
		const again: ImportJobMessage[] = [];
		await runImportJob({
			job: { kind: 'refresh', context: { ...CONTEXT, clashes }, preview: head! },
			rows,
			post: (message) => again.push(message)
		});
		const refreshed = again.flatMap((m) => (m.kind === 'rows' ? m.rows : []));
		expect(again.filter((m) => m.kind === 'rows').length).toBe(4);
		const expected = refreshImportPreview({
			...CONTEXT,
			clashes,
			preview: { ...head!, rows }
		});
		expect(refreshed).toEqual(expected.rows);
		expect(refreshed[7]!.class).toBe('clash');
	}, 60_000);
});

describe('what the page posts to the import worker', () => {
	it('never more than a page of rows or of the unit members in one message, the job last', async () => {
		const members = generateMembers({
			seed: 'paging-existing',
			count: 600,
			unitId: UNIT,
			branchIds: BRANCHES.map((b) => b.id),
			today: TODAY
		});
		// The update path: each of the unit's members with her whole document.
		const existing = members.map((doc) => ({
			id: doc._id,
			citizenId: doc.citizenId,
			familyName: doc.familyName,
			middleName: doc.middleName,
			givenName: doc.givenName,
			birthDate: doc.birthDate,
			status: doc.status,
			doc
		}));
		const { existing: _all, ...context } = CONTEXT;
		const job = {
			kind: 'refresh' as const,
			context,
			preview: {
				fileName: 'ds.xlsx',
				sheetName: 'Đoàn viên',
				counts: { new: 0, update: 0, duplicate: 0, clash: 0, invalid: 0 },
				fieldHeaders: {},
				clashesChecked: false
			}
		};
		const messages = [...jobMessages({ job, existing, rows: [] })];
		const pages = messages.flatMap((m) => (m.kind === 'existing' ? [m.members.length] : []));
		expect(pages).toEqual([250, 250, 100]);
		expect(messages.at(-1)).toBe(job);
		// The job itself carries none of them.
		expect('existing' in job.context).toBe(false);
		expect(messages.flatMap((m) => (m.kind === 'existing' ? m.members : []))).toEqual(existing);

		// The worker compares the sheet with the members it was sent before the job: the unit's own
		// roster imported again is all updates, none of them new.
		const data = await memberWorkbook({ members, branchName });
		const grid = packGrid(await readSheetFile({ data, fileName: 'ds.xlsx' }));
		const { mapping } = guessColumnMapping({ headers: grid.sheets[0]!.headers });
		const answers: ImportJobMessage[] = [];
		await runImportJob({
			job: { kind: 'classify', context, grid, sheetIndex: 0, mapping },
			existing,
			post: (message) => answers.push(message)
		});
		const done = answers.at(-1)!;
		expect(done.kind === 'done' && 'counts' in done.result ? done.result.counts : null).toEqual({
			new: 0,
			update: 600,
			duplicate: 0,
			clash: 0,
			invalid: 0
		});
	}, 60_000);
});
