import { downloadFile } from './download-file';
import { formatDate } from '$lib/domain/dates';
import { loadExcel } from './excel-module';
import { PERCENT_COLUMN, type ProgressTable } from '$lib/domain/figures/progress-table';

// The progress table as a real .xlsx (docs/decisions/0017-dashboard-charts-and-export.md). Row 1 is
// the title (the unit, Vietnam's date), row 2 the Vietnamese headers (frozen), then one row per unit
// in the screen's order; counts and percents stay numbers.

export const TITLE_ROW = 1;
export const HEADER_ROW = 2;

export function progressTitle(options: { unitName: string; today: string }): string {
	return `Tiến độ các đơn vị trực thuộc ${options.unitName} — ngày ${formatDate(options.today)}`;
}

export function progressFileName(options: { unitId: string; today: string }): string {
	return `tien-do-${options.unitId}-${options.today}.xlsx`;
}

/** The workbook's bytes. */
export async function progressWorkbook(options: {
	table: ProgressTable;
	unitName: string;
	/** Vietnam's date (ISO). */
	today: string;
}): Promise<ArrayBuffer> {
	const { Workbook } = await loadExcel();
	const workbook = new Workbook();
	workbook.creator = 'Đoàn vụ';
	const sheet = workbook.addWorksheet('Tiến độ', {
		views: [{ state: 'frozen', ySplit: HEADER_ROW }]
	});
	const width = options.table.headers.length;
	sheet.getCell(TITLE_ROW, 1).value = progressTitle(options);
	sheet.getCell(TITLE_ROW, 1).font = { bold: true, size: 13 };
	sheet.mergeCells(TITLE_ROW, 1, TITLE_ROW, width);
	const header = sheet.getRow(HEADER_ROW);
	options.table.headers.forEach((text, i) => {
		const cell = header.getCell(i + 1);
		cell.value = text;
		cell.font = { bold: true };
		cell.alignment = { wrapText: true, vertical: 'middle' };
	});
	options.table.rows.forEach((cells, r) => {
		const row = sheet.getRow(HEADER_ROW + 1 + r);
		cells.forEach((value, i) => {
			if (value === null) return;
			const cell = row.getCell(i + 1);
			cell.value = value;
			if (typeof value === 'number') cell.numFmt = i === PERCENT_COLUMN ? '0.0' : '#,##0';
		});
	});
	sheet.getColumn(1).width = 32;
	for (let i = 2; i <= width; i++) sheet.getColumn(i).width = 14;
	return (await workbook.xlsx.writeBuffer()) as ArrayBuffer;
}

/** Builds the file and hands it to the browser as a download. */
export async function downloadProgressXlsx(options: {
	table: ProgressTable;
	unitId: string;
	unitName: string;
	today: string;
}): Promise<void> {
	const bytes = await progressWorkbook(options);
	downloadFile({ data: bytes, fileName: progressFileName(options) });
}
