import type { Worksheet } from 'exceljs';

// What every export's sheet shares (docs/spreadsheets.md, "Exports"), in the dashboard's house style
// (progress-xlsx.ts): row 1 a title naming the unit and Vietnam's date, row 2 bold Vietnamese
// headers, frozen; widths per column; numbers stay numbers; dates and citizen ids are text (a
// citizen id keeps its leading zeros, a date reads dd/mm/yyyy whatever the spreadsheet's locale).
// The import looks for the first row where several headers match, so a title above is fine.

export const EXPORT_TITLE_ROW = 1;
export const EXPORT_HEADER_ROW = 2;

export { XLSX_TYPE } from './download-file';

/**
 * Rows read and worded between two yields to the event loop: short tasks even on a cheap phone
 * (250 gave tasks up to ~300 ms for a 16,000-member roster on the loaded test machine).
 */
export const EXPORT_CHUNK = 100;

export interface ExportColumn {
	header: string;
	/** Characters. */
	width: number;
	/** Text cells stay text when edited ('@'), numbers get thousands separators. */
	format?: 'text' | 'number';
}

export type ExportCell = string | number | null;

/** Lets the screen paint and take taps between chunks of work. */
export function yieldToEventLoop(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The title row and the frozen header row. */
export function startSheet(options: {
	sheet: Worksheet;
	title: string;
	columns: readonly ExportColumn[];
}): void {
	const { sheet, title, columns } = options;
	sheet.views = [{ state: 'frozen', ySplit: EXPORT_HEADER_ROW }];
	const titleCell = sheet.getCell(EXPORT_TITLE_ROW, 1);
	titleCell.value = title;
	titleCell.font = { bold: true, size: 13 };
	if (columns.length > 1) sheet.mergeCells(EXPORT_TITLE_ROW, 1, EXPORT_TITLE_ROW, columns.length);
	const header = sheet.getRow(EXPORT_HEADER_ROW);
	columns.forEach((column, i) => {
		const cell = header.getCell(i + 1);
		cell.value = column.header;
		cell.font = { bold: true };
		cell.alignment = { wrapText: true, vertical: 'middle' };
		const sheetColumn = sheet.getColumn(i + 1);
		sheetColumn.width = column.width;
		if (column.format === 'text') sheetColumn.numFmt = '@';
	});
}

/** One data row (1-based index among the data rows); empty cells stay empty. */
export function putRow(options: {
	sheet: Worksheet;
	index: number;
	cells: readonly ExportCell[];
	columns: readonly ExportColumn[];
}): void {
	const row = options.sheet.getRow(EXPORT_HEADER_ROW + options.index);
	options.cells.forEach((value, i) => {
		if (value === null || value === '') return;
		const cell = row.getCell(i + 1);
		cell.value = value;
		const format = options.columns[i]?.format;
		if (format === 'text') cell.numFmt = '@';
		else if (typeof value === 'number') cell.numFmt = '#,##0';
	});
}

/** A file name's safe form of a unit id or a slug. */
export function fileSlug(text: string): string {
	return text.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 40);
}
