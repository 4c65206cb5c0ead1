import { formatDate } from '$lib/domain/dates';
import type { MemberFields } from '$lib/domain/member-schema';
import {
	MEMBER_SHEET_COLUMNS,
	memberCellText,
	type MemberSheetColumn
} from '$lib/domain/spreadsheets/member-sheet';
import { chunkedRows, packWorkbook } from './roster-export-book';
import type { ExportColumn } from './roster-export-sheet';

// The roster as a workbook (docs/spreadsheets.md, "Exports"): one sheet "Đoàn viên", the columns of
// the roster sheet shared with the import (member-sheet.ts) so the file imports back unchanged.
// Rows are built a chunk at a time with a yield in between and the file is packed in a worker
// (roster-export-book.ts): 16,000 members must not freeze the screen, and the progress bar moves.

export const ROSTER_SHEET_NAME = 'Đoàn viên';

/**
 * The first column of a roster spanning several units (a superior's list over her pinned units):
 * which unit each member belongs to. The member import leaves it out (member-import-headers.ts):
 * a file is imported into the one unit on screen, and a member of another unit is recognised by her
 * citizen id (a clash known online, refused at sync offline), not by a name typed in a cell.
 */
export const UNIT_COLUMN: ExportColumn = { header: 'Đơn vị', width: 24, format: 'text' };

export function rosterTitle(options: {
	unitName: string;
	today: string;
	/** The filters in words (describeExportFilters); 'không lọc' leaves the title plain. */
	filters: string;
}): string {
	const filtered = options.filters && options.filters !== 'không lọc' ? ` (${options.filters})` : '';
	return `Danh sách đoàn viên ${options.unitName}${filtered} — ngày ${formatDate(options.today)}`;
}

export function rosterFileName(options: { unitId: string; today: string }): string {
	return `doan-vien-${options.unitId}-${options.today}.xlsx`;
}

function exportColumn(column: MemberSheetColumn): ExportColumn {
	return {
		header: column.header,
		width: column.width,
		// Every cell is text as a secretary types it; ids and dates must stay text when edited.
		format: 'text'
	};
}

/** The workbook's bytes: rows worded here a chunk at a time, the file packed off the main thread. */
export async function rosterWorkbook(options: {
	members: readonly Partial<MemberFields>[];
	branchName: (branchId: string) => string;
	unitName: string;
	/** Vietnam's date (ISO). */
	today: string;
	filters: string;
	/** Given when the list spans several units: the name of a member's unit, in a first column. */
	memberUnitName?: (member: Partial<MemberFields> & { unitId?: string }) => string;
	onProgress?: (progress: { done: number; total: number }) => void;
	signal?: AbortSignal;
}): Promise<ArrayBuffer> {
	const { members, branchName, memberUnitName, onProgress, signal } = options;
	const columns = MEMBER_SHEET_COLUMNS.map(exportColumn);
	const rows = await chunkedRows({
		items: members,
		row: (member) => {
			const cells = MEMBER_SHEET_COLUMNS.map((column) =>
				memberCellText({ member, column, branchName })
			);
			return memberUnitName ? [memberUnitName(member), ...cells] : cells;
		},
		onProgress,
		signal
	});
	return packWorkbook({
		spec: {
			sheets: [
				{
					name: ROSTER_SHEET_NAME,
					title: rosterTitle(options),
					columns: memberUnitName ? [UNIT_COLUMN, ...columns] : columns,
					rows
				}
			]
		},
		signal
	});
}
