import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
	readSheetFile,
	SheetReadError
} from '../../../src/lib/data/spreadsheets/member-import-reader';

// The sheet reader on files the test makes itself, as units' own rosters come: titles above a
// header spread over two rows by merged cells, a row numbering the columns, date cells and serial
// numbers, citizen ids as numbers, formulas and rich text, empty rows; CSV in UTF-8 with or without
// a BOM, comma or semicolon; anything else refused with a sentence the secretary can act on.

async function xlsx(build: (sheet: ExcelJS.Worksheet) => void): Promise<ArrayBuffer> {
	const workbook = new ExcelJS.Workbook();
	build(workbook.addWorksheet('Danh sách'));
	const buffer = await workbook.xlsx.writeBuffer();
	return new Uint8Array(buffer as ArrayBuffer).slice().buffer;
}

function utf8(text: string): ArrayBuffer {
	return new TextEncoder().encode(text).slice().buffer;
}

describe('readSheetFile: xlsx', () => {
	it('finds the header under the titles, resolves merged header cells over two rows, drops the numbering, section and empty rows', async () => {
		const data = await xlsx((sheet) => {
			sheet.getCell('A1').value = 'ĐOÀN XÃ THANH SƠN';
			sheet.getCell('A2').value = 'DANH SÁCH ĐOÀN VIÊN NĂM 2026';
			sheet.mergeCells('A2:F2');
			// Row 4–5: "STT", "Họ và tên", "Ngày sinh" merged down; "Địa chỉ" across two sub-headings.
			sheet.getCell('A4').value = 'STT';
			sheet.mergeCells('A4:A5');
			sheet.getCell('B4').value = 'Họ và tên';
			sheet.mergeCells('B4:B5');
			sheet.getCell('C4').value = 'Ngày sinh';
			sheet.mergeCells('C4:C5');
			sheet.getCell('D4').value = 'Địa chỉ';
			sheet.mergeCells('D4:E4');
			sheet.getCell('D5').value = 'Thường trú';
			sheet.getCell('E5').value = 'Hiện nay';
			sheet.getCell('F4').value = 'Số CCCD';
			sheet.mergeCells('F4:F5');
			sheet.addRow(['(1)', '(2)', '(3)', '(4)', '(5)', '(6)']); // row 6
			sheet.addRow(['Chi đoàn thôn Đông']); // row 7, a section heading across the table
			sheet.mergeCells('A7:F7');
			sheet.addRow([1, 'Nguyễn Thị Lan', new Date(Date.UTC(2003, 0, 5)), 'Thôn Đông', 'Thôn Đông', 1303012345]);
			sheet.addRow([]); // row 9, empty
			sheet.addRow([2, { richText: [{ text: 'Trần ' }, { text: 'Văn Nam', font: { bold: true } }] }, 37_622, 'Thôn Tây', { formula: 'D10', result: 'Thôn Tây' }, '1.23457E+11']);
		});
		const grid = await readSheetFile({ data, fileName: 'doan-vien.xlsx' });
		expect(grid.format).toBe('xlsx');
		expect(grid.sheets).toHaveLength(1);
		const [sheet] = grid.sheets;
		expect(sheet?.name).toBe('Danh sách');
		expect(sheet?.headerRowNumber).toBe(5);
		expect(sheet?.headers).toEqual([
			'STT',
			'Họ và tên',
			'Ngày sinh',
			'Địa chỉ Thường trú',
			'Địa chỉ Hiện nay',
			'Số CCCD'
		]);
		expect(sheet?.rows.map((row) => row.rowNumber)).toEqual([8, 10]);
		expect(sheet?.rows[0]?.cells).toEqual([
			1,
			'Nguyễn Thị Lan',
			new Date(Date.UTC(2003, 0, 5)),
			'Thôn Đông',
			'Thôn Đông',
			1303012345
		]);
		expect(sheet?.rows[1]?.cells).toEqual([2, 'Trần Văn Nam', 37_622, 'Thôn Tây', 'Thôn Tây', '1.23457E+11']);
	});

	it('says so when no row names the columns', async () => {
		const data = await xlsx((sheet) => {
			sheet.addRow(['Nguyễn Thị Lan', '05/01/2003']);
		});
		await expect(readSheetFile({ data, fileName: 'x.xlsx' })).rejects.toThrow(
			/Không tìm thấy dòng tiêu đề/
		);
	});

	it('refuses a broken file and an .xls with what to do', async () => {
		await expect(readSheetFile({ data: utf8('not a zip'), fileName: 'a.xlsx' })).rejects.toThrow(
			SheetReadError
		);
		await expect(readSheetFile({ data: utf8('x'), fileName: 'cu.xls' })).rejects.toThrow(/\.xlsx/);
	});
});

describe('readSheetFile: csv', () => {
	it('reads UTF-8 with a BOM and semicolons, keeps ids as text', async () => {
		const text = '\uFEFFHọ và tên;Ngày sinh;Số CCCD\r\nNguyễn Thị Lan;05/01/2003;001303012345\r\n;;\r\nLê Văn An;7/3/98;"001098012345"\r\n';
		const grid = await readSheetFile({ data: utf8(text), fileName: 'ds.csv' });
		const [sheet] = grid.sheets;
		expect(sheet?.headers).toEqual(['Họ và tên', 'Ngày sinh', 'Số CCCD']);
		expect(sheet?.rows).toEqual([
			{ rowNumber: 2, cells: ['Nguyễn Thị Lan', '05/01/2003', '001303012345'] },
			{ rowNumber: 4, cells: ['Lê Văn An', '7/3/98', '001098012345'] }
		]);
	});

	it('reads commas without a BOM', async () => {
		const grid = await readSheetFile({
			data: utf8('Họ,Tên,Giới tính\nNguyễn,Lan,Nữ\n'),
			fileName: 'ds.CSV'
		});
		expect(grid.sheets[0]?.rows[0]?.cells).toEqual(['Nguyễn', 'Lan', 'Nữ']);
	});

	it('refuses a file that is not UTF-8 (Windows-1258) rather than garbling the names', async () => {
		// "Họ" in Windows-1258 bytes: H, o, combining dot below (0xF2).
		const bytes = new Uint8Array([0x48, 0x6f, 0xf2, 0x2c, 0x54, 0xea, 0x6e, 0x0a]);
		await expect(readSheetFile({ data: bytes.buffer, fileName: 'ds.csv' })).rejects.toThrow(
			/UTF-8/
		);
	});
});
