import 'fake-indexeddb/auto';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
	HISTORY_SHEET_NAME,
	PROFILE_SHEET_NAME,
	memberFileName,
	memberFileRowCount,
	memberFileWorkbook,
	type MemberFileContent
} from '../../src/lib/data/spreadsheets/member-file-workbook';
import {
	operationListFileName,
	operationListWorkbook,
	type OperationList
} from '../../src/lib/data/spreadsheets/operation-list-workbook';
import {
	EXPORT_HEADER_ROW,
	EXPORT_TITLE_ROW
} from '../../src/lib/data/spreadsheets/roster-export-sheet';

// A member's file and the Nghiệp vụ lists read back with exceljs: the sheets and their headers, the
// title with the unit and Vietnam's date, dates dd/mm/yyyy as text, numbers as numbers, ids as text.

const today = '2026-12-07';

async function read(bytes: ArrayBuffer): Promise<ExcelJS.Workbook> {
	const book = new ExcelJS.Workbook();
	await book.xlsx.load(bytes);
	return book;
}

describe("a member's file", () => {
	const content: MemberFileContent = {
		name: 'Nguyễn Thị Lan',
		unitName: 'Đoàn xã Thử',
		sections: [
			{
				title: 'Thông tin cá nhân',
				rows: [
					{ label: 'Họ và tên', value: 'Nguyễn Thị Lan' },
					{ label: 'Số CCCD', value: '001303012345' },
					{ label: 'Tên gọi khác', value: '—' }
				]
			},
			{ title: 'Thông tin Đoàn', rows: [{ label: 'Ngày vào Đoàn', value: '26/03/2019' }] }
		],
		history: [
			{
				at: '2026-03-26',
				kind: 'Khen thưởng',
				summary: 'Giấy khen (cấp xã): hoàn thành xuất sắc',
				decisionNumber: '012-QĐ/ĐTN',
				decisionDate: '2026-03-20',
				note: ''
			},
			{
				at: '2019-03-26',
				kind: 'Kết nạp',
				summary: 'Người giới thiệu: Lò Văn Minh.',
				decisionNumber: '',
				decisionDate: '',
				note: 'Đã hoàn tác'
			}
		]
	};

	it('holds the profile as field and value pairs, and the history timeline', async () => {
		const book = await read(await memberFileWorkbook({ content, today }));
		expect(book.worksheets.map((s) => s.name)).toEqual([PROFILE_SHEET_NAME, HISTORY_SHEET_NAME]);

		const profile = book.getWorksheet(PROFILE_SHEET_NAME)!;
		expect(String(profile.getCell(EXPORT_TITLE_ROW, 1).value)).toBe(
			'Hồ sơ đoàn viên Nguyễn Thị Lan — Đoàn xã Thử — ngày 07/12/2026'
		);
		expect(profile.getRow(EXPORT_HEADER_ROW).values).toEqual([
			undefined,
			'Mục',
			'Thông tin',
			'Nội dung'
		]);
		expect(profile.getRow(EXPORT_HEADER_ROW + 2).values).toEqual([
			undefined,
			'Thông tin cá nhân',
			'Số CCCD',
			'001303012345'
		]);
		expect(profile.getCell(EXPORT_HEADER_ROW + 2, 3).numFmt).toBe('@');
		// The screen's dash for "not filled in" is an empty cell in a sheet.
		expect(profile.getCell(EXPORT_HEADER_ROW + 3, 3).value).toBeNull();
		expect(profile.getCell(EXPORT_HEADER_ROW + 4, 1).value).toBe('Thông tin Đoàn');

		const history = book.getWorksheet(HISTORY_SHEET_NAME)!;
		expect(history.getRow(EXPORT_HEADER_ROW).values).toEqual([
			undefined,
			'Ngày',
			'Nghiệp vụ',
			'Nội dung',
			'Số quyết định',
			'Ngày quyết định',
			'Ghi chú'
		]);
		expect(history.getRow(EXPORT_HEADER_ROW + 1).values).toEqual([
			undefined,
			'26/03/2026',
			'Khen thưởng',
			'Giấy khen (cấp xã): hoàn thành xuất sắc',
			'012-QĐ/ĐTN',
			'20/03/2026'
		]);
		expect(history.getCell(EXPORT_HEADER_ROW + 2, 6).value).toBe('Đã hoàn tác');
		expect(memberFileRowCount(content)).toBe(6);
		expect(memberFileName({ memberKey: '01KB2Z', today })).toBe('ho-so-01kb2z-2026-12-07.xlsx');
	});
});

describe('the Nghiệp vụ lists', () => {
	it("write the screen's columns, numbers as numbers and dates as text", async () => {
		const list: OperationList = {
			kind: 'coming-of-age',
			title: 'Danh sách trưởng thành Đoàn năm 2026',
			sheetName: 'Trưởng thành 2026',
			columns: [
				{ header: 'STT', width: 6, format: 'number' },
				{ header: 'Họ và tên', width: 28 },
				{ header: 'Ngày sinh', width: 12, format: 'text' },
				{ header: 'Tình trạng', width: 40 }
			],
			rows: Array.from({ length: 600 }, (_, i) => [
				i + 1,
				`Đoàn viên ${i + 1}`,
				'05/01/1996',
				'Đến tuổi trưởng thành'
			])
		};
		const book = await read(await operationListWorkbook({ list, unitName: 'Đoàn xã Thử', today }));
		const sheet = book.getWorksheet('Trưởng thành 2026')!;
		expect(String(sheet.getCell(EXPORT_TITLE_ROW, 1).value)).toBe(
			'Danh sách trưởng thành Đoàn năm 2026 — Đoàn xã Thử — ngày 07/12/2026'
		);
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: EXPORT_HEADER_ROW });
		expect(sheet.getRow(EXPORT_HEADER_ROW).values).toEqual([
			undefined,
			'STT',
			'Họ và tên',
			'Ngày sinh',
			'Tình trạng'
		]);
		expect(sheet.getCell(EXPORT_HEADER_ROW, 1).font?.bold).toBe(true);
		expect(sheet.rowCount).toBe(EXPORT_HEADER_ROW + 600);
		expect(sheet.getCell(EXPORT_HEADER_ROW + 600, 1).value).toBe(600);
		expect(sheet.getCell(EXPORT_HEADER_ROW + 1, 3).value).toBe('05/01/1996');
		expect(sheet.getCell(EXPORT_HEADER_ROW + 1, 3).numFmt).toBe('@');
		expect(sheet.getColumn(2).width).toBe(28);
		expect(operationListFileName({ kind: 'ratings', unitId: 'xathu01', today, year: 2025 })).toBe(
			'xep-loai-2025-xathu01-2026-12-07.xlsx'
		);
		expect(operationListFileName({ kind: 'transfers', unitId: 'xathu01', today })).toBe(
			'chuyen-sinh-hoat-xathu01-2026-12-07.xlsx'
		);
	});
});
