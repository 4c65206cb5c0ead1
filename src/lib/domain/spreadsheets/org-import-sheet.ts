import { fold } from '../text';
import { getUnitKind, UNIT_KINDS, type UnitKindId } from '../unit-kinds';

// The organisation sheet (docs/spreadsheets.md, "The organisation in bulk"): one row per unit to
// found beneath the importing unit, with its secretary's account. The template, the export of the
// tree and the import share these columns, so an exported sheet with new rows added imports again.

export type OrgSheetKey = 'unitId' | 'name' | 'kind' | 'parent' | 'fullName' | 'login' | 'phone';

export interface OrgSheetColumn {
	key: OrgSheetKey;
	header: string;
	/** Other headers secretaries write for the same column (matched folded). */
	aliases: readonly string[];
	required: boolean;
	/** The template's note under the header. */
	note: string;
	width: number;
}

export const ORG_SHEET_COLUMNS: readonly OrgSheetColumn[] = [
	{
		key: 'name',
		header: 'Tên đơn vị',
		aliases: ['Đơn vị', 'Tên'],
		required: true,
		note: 'Bắt buộc. Ví dụ: Đoàn xã An Bình',
		width: 32
	},
	{
		key: 'kind',
		header: 'Loại đơn vị',
		aliases: ['Loại', 'Cấp đơn vị'],
		required: true,
		note: 'Bắt buộc. Ví dụ: Đoàn xã, Đoàn phường, Huyện đoàn, Đoàn cơ sở',
		width: 18
	},
	{
		key: 'parent',
		header: 'Đơn vị cấp trên',
		aliases: ['Cấp trên', 'Trực thuộc'],
		required: false,
		note: 'Để trống nếu trực thuộc đơn vị đang nhập; hoặc tên một đơn vị mới trong bảng',
		width: 28
	},
	{
		key: 'fullName',
		header: 'Họ tên bí thư',
		aliases: ['Bí thư', 'Họ và tên bí thư', 'Họ tên'],
		required: false,
		note: 'Để trống nếu chưa cấp tài khoản',
		width: 24
	},
	{
		key: 'login',
		header: 'Tên đăng nhập',
		aliases: ['Tài khoản', 'Tên tài khoản', 'Đăng nhập'],
		required: false,
		note: '3–32 ký tự: chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang',
		width: 20
	},
	{
		key: 'phone',
		header: 'Số điện thoại',
		aliases: ['Điện thoại', 'SĐT', 'SDT', 'Di động'],
		required: false,
		note: 'Không bắt buộc; in kèm danh sách mật khẩu để báo cho bí thư',
		width: 16
	},
	{
		key: 'unitId',
		header: 'Mã đơn vị',
		aliases: ['Mã'],
		required: false,
		note: 'Do Doanvu ghi khi xuất; để trống ở dòng mới',
		width: 14
	}
];

/** A row as read from the sheet: every cell as text, absent cells empty. */
export type OrgSheetRow = Record<OrgSheetKey, string>;

/** Header text folded and stripped of punctuation: "TÊN ĐĂNG NHẬP:", "Tên  đăng-nhập" match. */
function headerKey(text: string): string {
	return fold(text)
		.replace(/[^a-z0-9 ]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

const HEADER_INDEX = new Map<string, OrgSheetKey>(
	ORG_SHEET_COLUMNS.flatMap((column) =>
		[column.header, ...column.aliases].map((text) => [headerKey(text), column.key] as const)
	)
);

/** Which column of the sheet holds which field; a field whose header is missing is absent. */
export type OrgHeaderMapping = Partial<Record<OrgSheetKey, number>>;

/** Matches a header row's cells to the sheet's columns (folded; the first match wins). */
export function matchOrgHeaders(headers: readonly string[]): OrgHeaderMapping {
	const mapping: OrgHeaderMapping = {};
	headers.forEach((text, index) => {
		const key = HEADER_INDEX.get(headerKey(text));
		if (key && mapping[key] === undefined) mapping[key] = index;
	});
	return mapping;
}

/** The required columns the mapping lacks, by their headers (to say what the sheet misses). */
export function missingOrgColumns(mapping: OrgHeaderMapping): string[] {
	return ORG_SHEET_COLUMNS.filter(
		(column) => column.required && mapping[column.key] === undefined
	).map((column) => column.header);
}

/**
 * The header row of a grid: the first of its first ten rows that names both required columns (a
 * sheet often starts with a title and the unit's name above the table).
 */
export function findOrgHeaderRow(grid: readonly (readonly string[])[]): number {
	const limit = Math.min(grid.length, 10);
	for (let index = 0; index < limit; index++) {
		if (missingOrgColumns(matchOrgHeaders(grid[index] ?? [])).length === 0) return index;
	}
	return -1;
}

/**
 * The data rows beneath the header, trimmed, as sheet rows with their line number in the file
 * (1-based, as the spreadsheet shows it). Empty rows are left out; the template's note row too.
 */
export function orgRowsOfGrid(options: {
	grid: readonly (readonly string[])[];
	headerRow: number;
	mapping: OrgHeaderMapping;
}): { line: number; row: OrgSheetRow }[] {
	const { grid, headerRow, mapping } = options;
	const rows: { line: number; row: OrgSheetRow }[] = [];
	for (let index = headerRow + 1; index < grid.length; index++) {
		const cells = grid[index] ?? [];
		const row = Object.fromEntries(
			ORG_SHEET_COLUMNS.map((column) => {
				const at = mapping[column.key];
				return [column.key, at === undefined ? '' : String(cells[at] ?? '').trim()];
			})
		) as OrgSheetRow;
		if (Object.values(row).every((value) => value === '')) continue;
		if (isNoteRow(row)) continue;
		rows.push({ line: index + 1, row });
	}
	return rows;
}

const NOTES = new Set(ORG_SHEET_COLUMNS.map((column) => headerKey(column.note)));

function isNoteRow(row: OrgSheetRow): boolean {
	return headerKey(row.name) !== '' && NOTES.has(headerKey(row.name));
}

/** The kinds a sheet may name (those with a database of their own), by every way people write them. */
const KIND_INDEX = new Map<string, UnitKindId>();
for (const kind of UNIT_KINDS) {
	if (!kind.hasDatabase) continue;
	const forms = [kind.id.replace(/-/g, ' '), kind.label, ...kind.label.split(/[(/]/)];
	for (const form of forms) {
		const key = headerKey(form);
		if (key && !KIND_INDEX.has(key)) KIND_INDEX.set(key, kind.id);
	}
}
KIND_INDEX.set('thanh doan', 'tinh-doan');
KIND_INDEX.set('quan doan', 'huyen-doan');
KIND_INDEX.set('thi doan', 'huyen-doan');

/**
 * The kind a cell names ("Đoàn xã", "DOAN XA", "doan-xa"); undefined when unknown. Branches (chi
 * đoàn, liên chi đoàn) are not units of their own: `branch` says so.
 */
export function kindOfCell(text: string): UnitKindId | 'branch' | undefined {
	const key = headerKey(text);
	const found = KIND_INDEX.get(key);
	if (found) return found;
	const branch = UNIT_KINDS.find(
		(kind) =>
			!kind.hasDatabase && (headerKey(kind.label) === key || kind.id.replace(/-/g, ' ') === key)
	);
	return branch ? 'branch' : undefined;
}

/** The cell text of a kind: the short form secretaries write ("Tỉnh đoàn", "Huyện đoàn"). */
export function kindCellText(kind: UnitKindId): string {
	const label = getUnitKind(kind)?.label ?? kind;
	return label.split(/\s*[(/]\s*/)[0]?.trim() ?? label;
}

/** Whether a header cell names a column of the organisation sheet (how the reader finds the header). */
export function isOrgHeader(text: string): boolean {
	return HEADER_INDEX.has(headerKey(text));
}

/** A cell as the reader hands it over, as the text the sheet's rules read. */
export function orgCellText(cell: string | number | boolean | Date | null | undefined): string {
	if (cell === null || cell === undefined) return '';
	if (cell instanceof Date) return cell.toISOString().slice(0, 10);
	return String(cell);
}

/** The rows of a table read with its headers (the file reader's shape), as sheet rows. */
export function orgRowsOfTable(table: {
	headers: readonly string[];
	rows: readonly {
		rowNumber: number;
		cells: readonly (string | number | boolean | Date | null)[];
	}[];
}): { line: number; row: OrgSheetRow }[] {
	const grid = [table.headers.map(String), ...table.rows.map((row) => row.cells.map(orgCellText))];
	const mapping = matchOrgHeaders(table.headers);
	return orgRowsOfGrid({ grid, headerRow: 0, mapping }).map(({ line, row }) => ({
		line: table.rows[line - 2]?.rowNumber ?? line,
		row
	}));
}
