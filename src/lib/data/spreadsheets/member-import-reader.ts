import Papa from 'papaparse';
import { headerTarget } from '$lib/domain/spreadsheets/member-import-headers';
import { fold } from '$lib/domain/text';
import type {
	SheetCell,
	SheetGrid,
	SheetRow,
	SheetTable
} from '$lib/domain/spreadsheets/member-import-types';
import { loadExcel } from './excel-module';

// Reading a unit's spreadsheet file into a SheetGrid (docs/spreadsheets.md, "Importing members"):
// .xlsx with exceljs, .csv (UTF-8, with or without BOM, comma, semicolon or tab) with papaparse.
// Each worksheet's header row is, among its first rows, the one where the most cells name a member
// field (at least two; the first on a tie), so title lines above it are passed over; a header
// spread over two rows by merged cells ("Địa chỉ" over "Thường trú" and "Hiện nay") is read as one
// header per column; a row numbering the columns under the header ("(1) (2) (3)…"), section rows
// (one merged cell across the table) and empty rows are dropped. Formula cells give their result
// and rich text its plain text. Runs in the import's Web Worker (member-import-worker.ts).

export class SheetReadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SheetReadError';
	}
}

/** Rows scanned for the header row: titles and unit names come first in units' sheets. */
const HEADER_SCAN_ROWS = 30;
const PROGRESS_EVERY = 500;

/** A worksheet as a matrix (row-major, 0-based) and, for merged cells, the cell they belong to. */
interface Matrix {
	name: string;
	cells: SheetCell[][];
	/** "r:c" of a merged cell (0-based) → "r:c" of its range's top-left cell. */
	masters: Map<string, string>;
}

export async function readSheetFile(options: {
	data: ArrayBuffer;
	fileName: string;
	onProgress?: (rowsRead: number) => void;
	/** Whether a header cell names a column of the sheet read (default: a member field). */
	isHeaderCell?: (text: string) => boolean;
}): Promise<SheetGrid> {
	const lower = options.fileName.toLowerCase();
	const isHeaderCell = options.isHeaderCell ?? ((cell: string) => headerTarget(cell) !== null);
	if (lower.endsWith('.csv')) {
		const matrix = readCsv({ data: options.data, isHeaderCell });
		return gridOf({ ...options, isHeaderCell, format: 'csv', matrices: [matrix] });
	}
	if (lower.endsWith('.xlsx')) {
		const matrices = await readXlsx(options);
		return gridOf({ ...options, isHeaderCell, format: 'xlsx', matrices });
	}
	if (lower.endsWith('.xls')) {
		throw new SheetReadError(
			'Tệp .xls (Excel 97–2003) chưa đọc được: hãy mở tệp bằng Excel rồi "Lưu thành" dạng .xlsx.'
		);
	}
	throw new SheetReadError('Chỉ nhập được tệp Excel (.xlsx) hoặc CSV (.csv).');
}

function gridOf(options: {
	fileName: string;
	format: SheetGrid['format'];
	matrices: Matrix[];
	onProgress?: (rowsRead: number) => void;
	isHeaderCell: (text: string) => boolean;
}): SheetGrid {
	const sheets: SheetTable[] = [];
	let read = 0;
	for (const matrix of options.matrices) {
		const table = tableOf({
			matrix,
			isHeaderCell: options.isHeaderCell,
			onRows: (count) => {
				read += count;
				options.onProgress?.(read);
			}
		});
		if (table) sheets.push(table);
	}
	if (sheets.length === 0) {
		throw new SheetReadError(
			'Không tìm thấy dòng tiêu đề trong tệp: cần một dòng ghi tên các cột, ví dụ "Họ và tên", ' +
				'"Ngày sinh", "Giới tính". Hãy dùng tệp mẫu hoặc thêm dòng tiêu đề.'
		);
	}
	return { fileName: options.fileName, format: options.format, sheets };
}

// ---------------------------------------------------------------------------------------------
// CSV

/** Separators a CSV may use: Excel's by locale (`,` or `;`), tabs from a copy, `|` from other systems. */
const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;

function readCsv(options: { data: ArrayBuffer; isHeaderCell: (text: string) => boolean }): Matrix {
	let text: string;
	try {
		// TextDecoder drops a UTF-8 BOM. Windows-1258/1252 files are out of scope: refused, not garbled.
		text = new TextDecoder('utf-8', { fatal: true }).decode(options.data);
	} catch {
		throw new SheetReadError(
			'Tệp CSV không ở mã UTF-8 nên chữ có dấu sẽ sai. Hãy mở tệp bằng Excel rồi lưu lại dạng ' +
				'"CSV UTF-8 (Comma delimited)", hoặc lưu dạng .xlsx.'
		);
	}
	const parsed = Papa.parse<string[]>(text, {
		delimiter: csvDelimiter({ text, isHeaderCell: options.isHeaderCell }),
		skipEmptyLines: false
	});
	const cells = parsed.data.map((row) => row.map((cell) => (cell.trim() === '' ? null : cell)));
	return { name: '', cells, masters: new Map() };
}

/**
 * The separator under which some early line reads as the most known headers. papaparse's own
 * guess ('' below, used when no separator finds a header) compares the field counts of the first
 * lines, which title lines above the header ("DANH SÁCH ĐOÀN VIÊN…, XÃ …", one field, or a comma
 * in a title over a `;` table) throw off.
 */
function csvDelimiter(options: { text: string; isHeaderCell: (text: string) => boolean }): string {
	let best = { delimiter: '', named: 1 };
	for (const delimiter of CSV_DELIMITERS) {
		const head = Papa.parse<string[]>(options.text, {
			delimiter,
			preview: HEADER_SCAN_ROWS,
			skipEmptyLines: false
		});
		for (const row of head.data) {
			const named = row.filter((cell) => options.isHeaderCell(text(cell))).length;
			if (named > best.named) best = { delimiter, named };
		}
	}
	return best.delimiter;
}

// ---------------------------------------------------------------------------------------------
// xlsx

type ExcelValue = unknown;

/** A cell's value as the sheet shows it: formula results, rich text flattened, hyperlinks' text. */
function cellOf(value: ExcelValue): SheetCell {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
	if (typeof value === 'object') {
		const object = value as Record<string, unknown>;
		if ('result' in object) return cellOf(object.result);
		if ('formula' in object || 'sharedFormula' in object) return null;
		if (Array.isArray(object.richText)) {
			return cellOf(
				(object.richText as { text?: unknown }[]).map((run) => String(run.text ?? '')).join('')
			);
		}
		if ('text' in object) return cellOf(object.text);
		if ('error' in object) return String(object.error);
	}
	return null;
}

async function readXlsx(options: { data: ArrayBuffer }): Promise<Matrix[]> {
	const Excel = await loadExcel();
	const workbook = new Excel.Workbook();
	try {
		await workbook.xlsx.load(options.data);
	} catch {
		throw new SheetReadError(
			'Không đọc được tệp Excel này: tệp hỏng hoặc không phải .xlsx. Hãy mở bằng Excel rồi lưu lại.'
		);
	}
	const matrices: Matrix[] = [];
	for (const sheet of workbook.worksheets) {
		if (sheet.state === 'hidden' || sheet.state === 'veryHidden') continue;
		const cells: SheetCell[][] = [];
		const masters = new Map<string, string>();
		const columns = sheet.columnCount;
		for (let r = 1; r <= sheet.rowCount; r++) {
			const row = sheet.getRow(r);
			const values: SheetCell[] = [];
			if (row.cellCount > 0) {
				for (let c = 1; c <= columns; c++) {
					const cell = row.getCell(c);
					if (cell.isMerged) {
						const master = cell.master;
						masters.set(`${r - 1}:${c - 1}`, `${Number(master.row) - 1}:${Number(master.col) - 1}`);
						values.push(cellOf(master.value));
					} else {
						values.push(cellOf(cell.value));
					}
				}
			}
			cells.push(values);
		}
		matrices.push({ name: sheet.name, cells, masters });
	}
	return matrices;
}

// ---------------------------------------------------------------------------------------------
// The table in a matrix

function text(cell: SheetCell | undefined): string {
	if (cell === null || cell === undefined || cell instanceof Date) return '';
	return String(cell).replace(/\s+/g, ' ').trim();
}

function masterOf(matrix: Matrix, r: number, c: number): string {
	return matrix.masters.get(`${r}:${c}`) ?? `${r}:${c}`;
}

/** True when the cell shares its merged range with another column of the same row. */
function spansColumns(matrix: Matrix, r: number, c: number, width: number): boolean {
	const own = masterOf(matrix, r, c);
	if (!matrix.masters.has(`${r}:${c}`) && !hasSlaves(matrix, r, c)) return false;
	for (let other = 0; other < width; other++) {
		if (other !== c && masterOf(matrix, r, other) === own) return true;
	}
	return false;
}

function hasSlaves(matrix: Matrix, r: number, c: number): boolean {
	return matrix.masters.has(`${r}:${c + 1}`) && masterOf(matrix, r, c + 1) === `${r}:${c}`;
}

function tableOf(options: {
	matrix: Matrix;
	isHeaderCell: (text: string) => boolean;
	onRows: (count: number) => void;
}): SheetTable | null {
	const { matrix } = options;
	const headerIndex = headerRowIndex(options);
	if (headerIndex < 0) return null;
	const top = matrix.cells[headerIndex] ?? [];
	const below = matrix.cells[headerIndex + 1] ?? [];
	const width = Math.max(top.length, ...lastUsedColumns(matrix, headerIndex));
	// A second header row: cells merged down from the header row, or sub-headings under a group.
	const genderRow = isGenderSubRow({ matrix, r: headerIndex + 1 });
	const twoRows =
		genderRow ||
		Array.from({ length: width }, (_, c) => c).some(
			(c) =>
				masterOf(matrix, headerIndex + 1, c) === masterOf(matrix, headerIndex, c) ||
				(spansColumns(matrix, headerIndex, c, width) && text(below[c]) !== '')
		);
	const headers = Array.from({ length: width }, (_, c) => {
		const upper = text(top[c]);
		if (genderRow && text(below[c]) !== '' && ownCell(matrix, headerIndex + 1, c)) {
			// "Ngày sinh" over "Nam" and "Nữ" without merged cells (a CSV, or an unmerged sheet):
			// the group heading is the nearest one on the left.
			let group = c;
			while (group > 0 && text(top[group]) === '') group--;
			return `${text(top[group])} ${text(below[c])}`.trim();
		}
		if (!twoRows) return upper;
		if (masterOf(matrix, headerIndex + 1, c) === masterOf(matrix, headerIndex, c)) return upper;
		const lower = text(below[c]);
		if (upper === '') return lower;
		if (lower === '') return upper;
		return spansColumns(matrix, headerIndex, c, width) ? `${upper} ${lower}` : upper;
	});
	const headerRowNumber = headerIndex + (twoRows ? 2 : 1);
	const rows: SheetRow[] = [];
	let pending = 0;
	for (let r = headerRowNumber; r < matrix.cells.length; r++) {
		const source = matrix.cells[r] ?? [];
		const cells = Array.from({ length: width }, (_, c) => source[c] ?? null);
		pending++;
		if (pending === PROGRESS_EVERY) {
			options.onRows(pending);
			pending = 0;
		}
		if (cells.every((cell) => cell === null)) continue;
		if (r === headerRowNumber && isNumberingRow(cells)) continue;
		if (isSectionRow({ matrix, r, cells })) continue;
		rows.push({ rowNumber: r + 1, cells });
	}
	options.onRows(pending);
	return { name: matrix.name, headerRowNumber, headers, rows };
}

/**
 * The row, among the first ones, where the most cells name a column (at least two; the earlier on
 * a tie): a title line that happens to hold one known word, or a note row, loses to the header.
 * Only cells whose merged range starts on the row count, and a merged header counts once however
 * many columns it covers, so the second row of a two-row header (where the cells merged down from
 * the first repeat its texts) does not outscore the first.
 */
function headerRowIndex(options: {
	matrix: Matrix;
	isHeaderCell: (text: string) => boolean;
}): number {
	const { matrix } = options;
	const scan = Math.min(matrix.cells.length, HEADER_SCAN_ROWS);
	const counts: number[] = [];
	let best = { index: -1, named: 1 };
	for (let r = 0; r < scan; r++) {
		const row = matrix.cells[r] ?? [];
		const named = new Set<string>();
		row.forEach((cell, c) => {
			const master = masterOf(matrix, r, c);
			if (!master.startsWith(`${r}:`)) return;
			if (options.isHeaderCell(text(cell))) named.add(master);
		});
		counts.push(named.size);
		if (named.size > best.named) best = { index: r, named: named.size };
	}
	// Sub-headings can outnumber their group headings: when the winner continues a header row
	// above it (cells merged down into it), that row is the header and the winner its second row.
	const above = best.index - 1;
	if (above >= 0 && (counts[above] ?? 0) >= 2) {
		const row = matrix.cells[best.index] ?? [];
		if (row.some((_, c) => masterOf(matrix, best.index, c).startsWith(`${above}:`))) return above;
	}
	return best.index;
}

/**
 * A row under the header holding only "Nam" and "Nữ": the national forms' sub-columns of the birth
 * date (the date written in the member's gender's column), in a file where they are not merged.
 */
function isGenderSubRow(options: { matrix: Matrix; r: number }): boolean {
	const { matrix, r } = options;
	// Cells merged down from the header row above ("Họ và tên" over two rows) are not sub-headings.
	const words = (matrix.cells[r] ?? [])
		.map((cell, c) => (ownCell(matrix, r, c) ? fold(text(cell)) : ''))
		.filter((word) => word !== '');
	return (
		words.includes('nam') && words.includes('nu') && words.every((w) => w === 'nam' || w === 'nu')
	);
}

/** Whether a cell's text is its own: not merged, or its merged range starts on this row. */
function ownCell(matrix: Matrix, r: number, c: number): boolean {
	return masterOf(matrix, r, c).startsWith(`${r}:`);
}

/** How far the rows just under the header reach (a header cell may be empty over a used column). */
function lastUsedColumns(matrix: Matrix, headerIndex: number): number[] {
	return matrix.cells.slice(headerIndex, headerIndex + 50).map((row) => {
		let last = row.length;
		while (last > 0 && row[last - 1] === null) last--;
		return last;
	});
}

/** "(1) (2) (3)…" or "1 2 3…" under the headers: the columns' numbers, not a member. */
function isNumberingRow(cells: SheetCell[]): boolean {
	const filled = cells.filter((cell) => cell !== null);
	if (filled.length < 2) return false;
	return cells.every((cell, c) => {
		if (cell === null) return true;
		const match = /^\(?(\d{1,2})\)?$/.exec(text(cell));
		return match !== null && Number(match[1]) <= cells.length && Number(match[1]) >= c - 1;
	});
}

/** A row whose filled cells are all one merged cell ("Chi đoàn 1" across the table): a heading. */
function isSectionRow(options: { matrix: Matrix; r: number; cells: SheetCell[] }): boolean {
	const { matrix, r, cells } = options;
	const masters = new Set<string>();
	let filled = 0;
	cells.forEach((cell, c) => {
		if (cell === null) return;
		filled++;
		masters.add(masterOf(matrix, r, c));
	});
	return filled > 1 && masters.size === 1;
}
