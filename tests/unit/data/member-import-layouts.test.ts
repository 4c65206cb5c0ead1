import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readSheetFile } from '../../../src/lib/data/spreadsheets/member-import-reader';
import {
	guessColumnMapping,
	headerTarget
} from '../../../src/lib/domain/spreadsheets/member-import-headers';
import {
	classifyImportRows,
	revalidateImportRow,
	type ImportContext
} from '../../../src/lib/domain/spreadsheets/member-import-plan';
import type { SheetGrid } from '../../../src/lib/domain/spreadsheets/member-import-types';

// Layouts of units' own sheets the reader met in the field, on files the test makes: a CSV or a
// sheet that starts with title lines (one of which has a comma, or a known word) above the
// header; and the national forms' birth date written under "Nam" or "Nữ" sub-columns, which gives
// the gender too — read, and its conflicts said in Vietnamese.

function utf8(text: string): ArrayBuffer {
	return new TextEncoder().encode(text).slice().buffer;
}

async function xlsx(build: (sheet: ExcelJS.Worksheet) => void): Promise<ArrayBuffer> {
	const workbook = new ExcelJS.Workbook();
	build(workbook.addWorksheet('DS'));
	const buffer = await workbook.xlsx.writeBuffer();
	return new Uint8Array(buffer as ArrayBuffer).slice().buffer;
}

const context: ImportContext = {
	unitId: 'xathanhson',
	existing: [],
	branches: [],
	today: '2026-12-07'
};

function preview(grid: SheetGrid) {
	const sheet = grid.sheets[0];
	if (!sheet) throw new Error('no sheet');
	const { mapping } = guessColumnMapping({ headers: sheet.headers });
	return classifyImportRows({ ...context, sheet, fileName: grid.fileName, mapping });
}

describe('title lines above the header', () => {
	const table = (sep: string) =>
		[
			['Họ và tên', 'Ngày sinh', 'Giới tính', 'Dân tộc'],
			['Nguyễn Thị Lan', '05/01/2003', 'Nữ', 'Kinh'],
			['Lê Văn An', '07/03/2001', 'Nam', 'Tày']
		]
			.map((row) => row.join(sep))
			.join('\r\n');

	it.each([
		['a title, a blank line, then a ; table', 'DANH SÁCH ĐOÀN VIÊN CHI ĐOÀN THÔN ĐÔNG\r\n\r\n', ';'],
		[
			'three title lines, one with commas, over a ; table',
			'ĐOÀN XÃ THANH SƠN\r\nDANH SÁCH ĐOÀN VIÊN CHI ĐOÀN THÔN ĐÔNG, XÃ THANH SƠN\r\n(Kèm theo công văn số 12, ngày 05/01/2026)\r\n\r\n',
			';'
		],
		['a title over a tab-separated table', 'DANH SÁCH ĐOÀN VIÊN CHI ĐOÀN THÔN ĐÔNG\n\n', '\t'],
		[
			'a quoted title with a comma, padded with empty cells',
			'"DANH SÁCH ĐOÀN VIÊN, XÃ THANH SƠN",,,\r\n,,,\r\n',
			','
		]
	])('finds the header under %s', async (_name, title, sep) => {
		const grid = await readSheetFile({
			data: utf8(`\uFEFF${title}${table(sep)}\r\n`),
			fileName: 'ds.csv'
		});
		const [sheet] = grid.sheets;
		expect(sheet?.headers).toEqual(['Họ và tên', 'Ngày sinh', 'Giới tính', 'Dân tộc']);
		expect(sheet?.rows.map((row) => row.cells[0])).toEqual(['Nguyễn Thị Lan', 'Lê Văn An']);
		const titleLines = title.split(/\r?\n/).length - 1;
		expect(sheet?.rows[0]?.rowNumber).toBe(titleLines + 2);
	});

	it('takes the row naming the most columns, not a note above it that names one or two', async () => {
		const text =
			'Đơn vị: Chi đoàn Thôn Đông;Ngày sinh hoạt: thứ hai;Dân tộc;Tôn giáo\n' +
			'\n' +
			'Họ và tên;Ngày sinh;Giới tính;Dân tộc;Tôn giáo\n' +
			'Nguyễn Thị Lan;05/01/2003;Nữ;Kinh;Không\n';
		const grid = await readSheetFile({ data: utf8(text), fileName: 'ds.csv' });
		expect(grid.sheets[0]?.headerRowNumber).toBe(3);
		expect(grid.sheets[0]?.rows).toHaveLength(1);
	});

	it('finds the header of an .xlsx under merged title cells', async () => {
		const data = await xlsx((sheet) => {
			sheet.getCell('A1').value = 'DANH SÁCH ĐOÀN VIÊN CHI ĐOÀN THÔN ĐÔNG';
			sheet.mergeCells('A1:D1');
			sheet.getCell('A2').value = 'Ngày sinh hoạt chi đoàn: thứ hai, Dân tộc: đa số Kinh';
			sheet.mergeCells('A2:D2');
			sheet.addRow([]);
			sheet.addRow(['Họ và tên', 'Ngày sinh', 'Giới tính', 'Dân tộc']);
			sheet.addRow(['Nguyễn Thị Lan', '05/01/2003', 'Nữ', 'Kinh']);
		});
		const grid = await readSheetFile({ data, fileName: 'ds.xlsx' });
		expect(grid.sheets[0]?.headerRowNumber).toBe(4);
		expect(grid.sheets[0]?.rows.map((row) => row.rowNumber)).toEqual([5]);
	});
});

describe('birth date under "Nam" / "Nữ"', () => {
	it('the header guesser maps the sub-columns, and they give the birth date and the gender', () => {
		expect(headerTarget('Ngày sinh Nam')).toBe('birthDateMale');
		expect(headerTarget('NGÀY, THÁNG, NĂM SINH Nữ')).toBe('birthDateFemale');
		expect(headerTarget('Nam')).toBeNull();
		expect(headerTarget('Họ và tên Nam')).toBeNull();
		const guess = guessColumnMapping({
			headers: ['Họ và tên', 'Ngày sinh Nam', 'Ngày sinh Nữ', 'Dân tộc', 'Tôn giáo', 'Văn hóa']
		});
		expect(guess.mapping.slice(1, 3)).toEqual(['birthDateMale', 'birthDateFemale']);
		expect(guess.missing).toEqual([]);
	});

	// The national form: "Ngày sinh" merged across two sub-columns, the other headings merged down.
	async function nationalForm(rows: unknown[][]): Promise<ArrayBuffer> {
		return xlsx((sheet) => {
			sheet.getCell('A1').value = 'DANH SÁCH ĐOÀN VIÊN';
			sheet.mergeCells('A1:G1');
			sheet.getCell('A3').value = 'STT';
			sheet.mergeCells('A3:A4');
			sheet.getCell('B3').value = 'Họ và tên';
			sheet.mergeCells('B3:B4');
			sheet.getCell('C3').value = 'Ngày sinh';
			sheet.mergeCells('C3:D3');
			sheet.getCell('C4').value = 'Nam';
			sheet.getCell('D4').value = 'Nữ';
			sheet.getCell('E3').value = 'Dân tộc';
			sheet.mergeCells('E3:E4');
			sheet.getCell('F3').value = 'Tôn giáo';
			sheet.mergeCells('F3:F4');
			sheet.getCell('G3').value = 'Văn hóa';
			sheet.mergeCells('G3:G4');
			for (const row of rows) sheet.addRow(row);
		});
	}

	it('reads the date and the gender from the column the date is in (merged .xlsx header)', async () => {
		const data = await nationalForm([
			[1, 'Nguyễn Thị Lan', null, new Date(Date.UTC(2003, 0, 5)), 'Kinh', 'Không', '12/12'],
			[2, 'Lê Văn An', '07/03/2001', null, 'Tày', 'Không', '12/12']
		]);
		const grid = await readSheetFile({ data, fileName: 'mau.xlsx' });
		expect(grid.sheets[0]?.headers).toEqual([
			'STT',
			'Họ và tên',
			'Ngày sinh Nam',
			'Ngày sinh Nữ',
			'Dân tộc',
			'Tôn giáo',
			'Văn hóa'
		]);
		const result = preview(grid);
		expect(result.rows.map((row) => [row.class, row.fields.birthDate, row.fields.gender])).toEqual([
			['new', '2003-01-05', 'female'],
			['new', '2001-03-07', 'male']
		]);
	});

	it('reads the same layout from a CSV (no merged cells): "Ngày sinh" over an empty cell', async () => {
		const text =
			'STT,Họ và tên,Ngày sinh,,Dân tộc,Tôn giáo,Văn hóa\n' +
			',,Nam,Nữ,,,\n' +
			'1,Nguyễn Thị Lan,,05/01/2003,Kinh,Không,12/12\n';
		const grid = await readSheetFile({ data: utf8(text), fileName: 'mau.csv' });
		expect(grid.sheets[0]?.headers.slice(2, 4)).toEqual(['Ngày sinh Nam', 'Ngày sinh Nữ']);
		expect(grid.sheets[0]?.rows.map((row) => row.rowNumber)).toEqual([3]);
		const [row] = preview(grid).rows;
		expect([row?.class, row?.fields.birthDate, row?.fields.gender]).toEqual([
			'new',
			'2003-01-05',
			'female'
		]);
	});

	it('says in Vietnamese when both sub-columns are filled, or a gender column disagrees', async () => {
		const data = await xlsx((sheet) => {
			sheet.addRow(['Họ và tên', 'Giới tính', 'Ngày sinh', null, 'Dân tộc', 'Tôn giáo', 'Văn hóa']);
			sheet.mergeCells('C1:D1');
			sheet.addRow([null, null, 'Nam', 'Nữ']);
			sheet.addRow(['Nguyễn Thị Lan', 'Nữ', '05/01/2003', '05/01/2003', 'Kinh', 'Không', '12/12']);
			sheet.addRow(['Lê Văn An', 'Nữ', '07/03/2001', null, 'Kinh', 'Không', '12/12']);
			sheet.addRow(['Trần Thị Hoa', 'Nữ', null, '09/09/2002', 'Kinh', 'Không', '12/12']);
		});
		const grid = await readSheetFile({ data, fileName: 'mau.xlsx' });
		const result = preview(grid);
		const [both, disagree, agree] = result.rows;
		expect(both?.class).toBe('invalid');
		expect(both?.errors).toEqual([
			{
				field: 'birthDate',
				header: 'Ngày sinh Nam',
				message:
					'Ngày sinh: ghi ở cả cột Nam và cột Nữ; chỉ ghi ngày sinh vào một cột, cột đúng giới tính của đoàn viên.'
			}
		]);
		expect(disagree?.class).toBe('invalid');
		expect(disagree?.errors.map((error) => [error.field, error.message])).toEqual([
			['gender', 'Giới tính: cột giới tính ghi "Nữ" nhưng ngày sinh ghi ở cột Nam; sửa cho khớp.']
		]);
		expect([agree?.class, agree?.fields.gender]).toEqual(['new', 'female']);

		// Fixed in the preview: the gender typed again, the row is judged again and becomes new.
		const fixed = revalidateImportRow({
			...context,
			preview: result,
			rowNumber: disagree?.rowNumber ?? 0,
			changes: { gender: 'Nam' }
		});
		const again = fixed.rows.find((row) => row.rowNumber === disagree?.rowNumber);
		expect([again?.class, again?.fields.gender, again?.fields.birthDate]).toEqual([
			'new',
			'male',
			'2001-03-07'
		]);
	});
});
