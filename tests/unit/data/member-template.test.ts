import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
	TEMPLATE_DATA_SHEET,
	TEMPLATE_GUIDE_SHEET,
	TEMPLATE_EXAMPLES,
	memberTemplateWorkbook
} from '../../../src/lib/data/spreadsheets/member-template';
import { MEMBER_SHEET_COLUMNS } from '../../../src/lib/domain/spreadsheets/member-sheet';

// The template as Excel would open it: read back from its bytes.

async function readTemplate() {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(await memberTemplateWorkbook());
	return workbook;
}

describe('the member import template', () => {
	it('has the roster headers, bold and frozen, each with a note, and no data rows', async () => {
		const workbook = await readTemplate();
		const sheet = workbook.worksheets[0]!;
		expect(sheet.name).toBe(TEMPLATE_DATA_SHEET);
		const headers = MEMBER_SHEET_COLUMNS.map((_, i) => sheet.getRow(1).getCell(i + 1).text);
		expect(headers).toEqual(MEMBER_SHEET_COLUMNS.map((c) => c.header));
		expect(sheet.getCell('A1').font?.bold).toBe(true);
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
		const birth = MEMBER_SHEET_COLUMNS.findIndex((c) => c.key === 'birthDate') + 1;
		const note = sheet.getRow(1).getCell(birth).note;
		const noteText = typeof note === 'string' ? note : (note.texts ?? []).map((t) => t.text).join('');
		expect(noteText).toContain('dd/mm/yyyy');
		expect(noteText).toContain('Bắt buộc');
		// The data sheet holds no member: only headers (the examples are on the guide).
		expect(sheet.actualRowCount).toBe(1);
	});

	it('keeps citizen ids and dates as text and offers lists for gender, ethnicity, status', async () => {
		const workbook = await readTemplate();
		const sheet = workbook.worksheets[0]!;
		const col = (key: string) => MEMBER_SHEET_COLUMNS.findIndex((c) => c.key === key) + 1;
		expect(sheet.getColumn(col('citizenId')).numFmt).toBe('@');
		expect(sheet.getColumn(col('birthDate')).numFmt).toBe('@');
		expect(sheet.getCell(2, col('gender')).dataValidation).toMatchObject({
			type: 'list',
			formulae: [expect.stringContaining('Danh mục')]
		});
		expect(sheet.getCell(500, col('ethnicCode')).dataValidation?.type).toBe('list');
		expect(sheet.getCell(2, col('status')).dataValidation?.type).toBe('list');
	});

	it('shows two examples on the guide sheet, marked as examples', async () => {
		const workbook = await readTemplate();
		const guide = workbook.getWorksheet(TEMPLATE_GUIDE_SHEET)!;
		const texts: string[] = [];
		guide.eachRow((row) => texts.push(row.getCell(1).text));
		expect(texts.some((t) => t.startsWith('VÍ DỤ'))).toBe(true);
		for (const example of TEMPLATE_EXAMPLES) expect(texts).toContain(example.familyName);
	});
});

describe('the template read back by the import', () => {
	it('offers its data sheet first, and no example or list as members', async () => {
		const { readSheetFile } = await import('../../../src/lib/data/spreadsheets/member-import-reader');
		const grid = await readSheetFile({
			data: await memberTemplateWorkbook(),
			fileName: 'mau-nhap-doan-vien.xlsx'
		});
		expect(grid.sheets[0]?.name).toBe(TEMPLATE_DATA_SHEET);
		expect(grid.sheets[0]?.headers).toEqual(MEMBER_SHEET_COLUMNS.map((c) => c.header));
		expect(grid.sheets.flatMap((s) => s.rows)).toEqual([]);
	});
});
