import { formatDate } from '$lib/domain/dates';
import type { MemberFields } from '$lib/domain/member-schema';
import {
	MEMBER_SHEET_COLUMNS,
	memberCellText,
	type MemberSheetColumn
} from '$lib/domain/spreadsheets/member-sheet';
import { loadExcel } from './excel-module';
import {
	EXPORT_CHUNK,
	putRow,
	startSheet,
	yieldToEventLoop,
	type ExportColumn
} from './roster-export-sheet';

// The roster as a workbook (docs/spreadsheets.md, "Exports"): one sheet "Đoàn viên", the columns of
// the roster sheet shared with the import (member-sheet.ts) so the file imports back unchanged.
// Rows are built a chunk at a time with a yield in between: 16,000 members must not freeze the
// screen, and the progress bar moves.

export const ROSTER_SHEET_NAME = 'Đoàn viên';

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

/** The workbook's bytes. */
export async function rosterWorkbook(options: {
	members: readonly Partial<MemberFields>[];
	branchName: (branchId: string) => string;
	unitName: string;
	/** Vietnam's date (ISO). */
	today: string;
	filters: string;
	onProgress?: (progress: { done: number; total: number }) => void;
	signal?: AbortSignal;
}): Promise<ArrayBuffer> {
	const { members, branchName, onProgress, signal } = options;
	const { Workbook } = await loadExcel();
	const workbook = new Workbook();
	workbook.creator = 'Đoàn vụ';
	const sheet = workbook.addWorksheet(ROSTER_SHEET_NAME);
	const columns = MEMBER_SHEET_COLUMNS.map(exportColumn);
	startSheet({ sheet, title: rosterTitle(options), columns });
	for (let start = 0; start < members.length; start += EXPORT_CHUNK) {
		signal?.throwIfAborted();
		const end = Math.min(start + EXPORT_CHUNK, members.length);
		for (let i = start; i < end; i++) {
			const member = members[i]!;
			putRow({
				sheet,
				index: i + 1,
				columns,
				cells: MEMBER_SHEET_COLUMNS.map((column) => memberCellText({ member, column, branchName }))
			});
		}
		onProgress?.({ done: end, total: members.length });
		await yieldToEventLoop();
	}
	signal?.throwIfAborted();
	return (await workbook.xlsx.writeBuffer()) as ArrayBuffer;
}
