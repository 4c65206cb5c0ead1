import type {
	SheetGrid,
	SheetRow,
	SheetTable
} from '$lib/domain/spreadsheets/member-import-types';

// A read sheet as the page holds it between the import's workers (docs/decisions/0023): what the
// mapping step shows (names, headers, the first rows, how many rows), and the rows themselves
// packed into one string per sheet. The page never looks at the rows; it only hands them to the
// checking worker. Structured clone copies a string in one go, while 5,000 rows of cells were
// 100,000 values cloned one by one in a single main-thread task — on the way in from the reading
// worker and again on the way out to the checking one (~100–200 ms each at 4× CPU in the bench).

/** One worksheet as the mapping step needs it. */
export interface SheetOutline {
	/** The worksheet's name ('' for a CSV file). */
	name: string;
	headerRowNumber: number;
	headers: string[];
	/** How many data rows the sheet has. */
	rowCount: number;
	/** Its first data rows: the mapping step shows the first value under each header. */
	sample: SheetRow[];
}

export interface PackedGrid {
	fileName: string;
	format: SheetGrid['format'];
	sheets: SheetOutline[];
	/** Per sheet, in the same order: its rows as packed by packGrid (read back by unpackSheet). */
	packed: string[];
}

const SAMPLE_ROWS = 5;
/** A date cell in the packed text (JSON has no dates; every other cell is a JSON value). */
const DATE_KEY = '$d';

// Dates are marked before and restored after plain JSON: a replacer or a reviver function, called
// for every value, made packing and unpacking 5,000 rows several times slower.
function packRows(rows: readonly SheetRow[]): string {
	const plain = rows.map((row) =>
		row.cells.some((cell) => cell instanceof Date)
			? {
					rowNumber: row.rowNumber,
					cells: row.cells.map((cell) =>
						cell instanceof Date ? { [DATE_KEY]: cell.getTime() } : cell
					)
				}
			: row
	);
	return JSON.stringify(plain);
}

function unpackRows(packed: string): SheetRow[] {
	const rows = JSON.parse(packed) as SheetRow[];
	for (const row of rows) {
		const cells = row.cells as unknown[];
		for (let i = 0; i < cells.length; i++) {
			const cell = cells[i];
			// Every other cell is text, a number, a boolean or null: an object is a marked date.
			if (cell !== null && typeof cell === 'object') {
				const time = (cell as Record<string, number | null>)[DATE_KEY];
				cells[i] = new Date(time ?? Number.NaN);
			}
		}
	}
	return rows;
}

/** Run where the sheet was read (the worker): the outline to show and the rows packed. */
export function packGrid(grid: SheetGrid): PackedGrid {
	return {
		fileName: grid.fileName,
		format: grid.format,
		sheets: grid.sheets.map((sheet) => ({
			name: sheet.name,
			headerRowNumber: sheet.headerRowNumber,
			headers: sheet.headers,
			rowCount: sheet.rows.length,
			sample: sheet.rows.slice(0, SAMPLE_ROWS)
		})),
		packed: grid.sheets.map((sheet) => packRows(sheet.rows))
	};
}

/** Run where the rows are checked (the worker): one sheet with its rows, as read. */
export function unpackSheet(options: { grid: PackedGrid; index: number }): SheetTable | undefined {
	const outline = options.grid.sheets[options.index];
	const packed = options.grid.packed[options.index];
	if (outline === undefined || packed === undefined) return undefined;
	const rows = unpackRows(packed);
	return {
		name: outline.name,
		headerRowNumber: outline.headerRowNumber,
		headers: outline.headers,
		rows
	};
}

