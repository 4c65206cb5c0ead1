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

function packRows(rows: readonly SheetRow[]): string {
	return JSON.stringify(rows, function (this: Record<string, unknown>, key: string, value) {
		// `value` went through Date's toJSON already: the holder still has the Date itself.
		const raw = this[key];
		if (raw instanceof Date) return { [DATE_KEY]: raw.getTime() };
		return value as unknown;
	});
}

function reviveCell(_key: string, value: unknown): unknown {
	if (value !== null && typeof value === 'object' && DATE_KEY in value) {
		const time = (value as Record<string, number | null>)[DATE_KEY];
		return new Date(time ?? Number.NaN);
	}
	return value;
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
	const rows = JSON.parse(packed, reviveCell) as SheetRow[];
	return {
		name: outline.name,
		headerRowNumber: outline.headerRowNumber,
		headers: outline.headers,
		rows
	};
}

