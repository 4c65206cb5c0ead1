import ExcelJS from 'exceljs';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import {
	MEMBER_SHEET_COLUMNS,
	memberCellText
} from '../../src/lib/domain/spreadsheets/member-sheet';
import type { ExistingMember } from '../../src/lib/domain/spreadsheets/member-import-types';

// Spreadsheets of members made by the tests, the way the roster export writes them: one column per
// member field (member-sheet.ts), every cell the text memberCellText gives.

export function memberSheetRows(options: {
	members: readonly MemberDoc[];
	branchName?: (branchId: string) => string;
}): string[][] {
	const branchName = options.branchName ?? ((id: string) => id);
	return options.members.map((member) =>
		MEMBER_SHEET_COLUMNS.map((column) => memberCellText({ member, column, branchName }))
	);
}

/** An .xlsx of members under a title row, as bytes the reader takes. */
export async function memberWorkbook(options: {
	members: readonly MemberDoc[];
	branchName?: (branchId: string) => string;
	/** Cells to overwrite: [row index among members, header, value]. */
	patch?: [number, string, ExcelJS.CellValue][];
}): Promise<ArrayBuffer> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('Đoàn viên');
	sheet.addRow(['DANH SÁCH ĐOÀN VIÊN']);
	const headers = MEMBER_SHEET_COLUMNS.map((column) => column.header);
	sheet.addRow(headers);
	for (const row of memberSheetRows(options)) sheet.addRow(row);
	for (const [index, header, value] of options.patch ?? []) {
		sheet.getRow(index + 3).getCell(headers.indexOf(header) + 1).value = value;
	}
	const buffer = await workbook.xlsx.writeBuffer();
	return new Uint8Array(buffer as ArrayBuffer).slice().buffer;
}

/** The members as the classification knows the unit's (with their documents). */
export function existingOf(members: readonly MemberDoc[]): ExistingMember[] {
	return members.map((member) => ({
		id: member._id,
		citizenId: member.citizenId,
		familyName: member.familyName,
		middleName: member.middleName,
		givenName: member.givenName,
		birthDate: member.birthDate,
		status: member.status,
		doc: member
	}));
}
