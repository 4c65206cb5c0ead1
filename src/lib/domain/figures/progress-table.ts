import { formatNumber } from '../dates';
import { LIGHT_LABELS, type ProgressRow } from './progress';

// The progress table as cells: what the screen lists and what the .xlsx export writes are built by
// this one function, so the file always says what the screen says (numbers stay numbers; an empty
// cell is null).

export type ProgressCell = string | number | null;

export interface ProgressTable {
	headers: string[];
	rows: ProgressCell[][];
}

export const PROGRESS_COLUMNS = [
	'Đơn vị',
	'Tình trạng',
	'Chỉ tiêu',
	'Đoàn viên',
	'Tự khai',
	'Đã duyệt',
	'Chờ duyệt',
	'Tỷ lệ hoàn thành (%)',
	'Số ngày không hoạt động',
	'Máy lâu chưa đồng bộ',
	'Chuyển sinh hoạt đang chờ',
	'Hồ sơ xung đột'
] as const;

/** Column index of "Tỷ lệ hoàn thành (%)": a number with one decimal in the file. */
export const PERCENT_COLUMN = 7;

export function progressCells(row: ProgressRow): ProgressCell[] {
	return [
		row.name,
		LIGHT_LABELS[row.light],
		row.target,
		row.onRolls,
		row.declared,
		row.approved,
		row.pendingReview,
		row.percent,
		row.daysSinceActivity,
		row.staleDevices,
		row.pendingTransfers,
		row.conflicts
	];
}

/** The table of `rows` in their order (the screen's order). */
export function progressTable(rows: readonly ProgressRow[]): ProgressTable {
	return { headers: [...PROGRESS_COLUMNS], rows: rows.map(progressCells) };
}

/** A cell as the screen shows it: Vietnamese number format, "—" when empty. */
export function formatCell(cell: ProgressCell): string {
	if (cell === null) return '—';
	return typeof cell === 'number' ? formatNumber(cell, { fractionDigits: 1 }) : cell;
}
