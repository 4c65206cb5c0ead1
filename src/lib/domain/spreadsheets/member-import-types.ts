import type { MemberDoc, MemberFieldKey, MemberFields } from '../member-schema';
import type { MemberStatus } from '../member-statuses';

// The shapes of importing members from a unit's own spreadsheet (docs/spreadsheets.md, "Importing
// members"): the sheet as read (SheetGrid), which column feeds which field (ColumnMapping), every
// row classified before anything is written (ImportPreview), and what the import did (ImportReport).
// Plain data only: they cross the Web Worker boundary (structured clone) and are kept as the report.

/** One cell as the reader hands it over: text, a number, a boolean, a date cell, or empty. */
export type SheetCell = string | number | boolean | Date | null;

export interface SheetRow {
	/** The row's number in the sheet as the secretary sees it (1-based, header rows included). */
	rowNumber: number;
	/** One cell per header column, in column order (shorter rows padded with null). */
	cells: SheetCell[];
}

/** One worksheet: its header row and the data rows under it (empty rows dropped). */
export interface SheetTable {
	/** The worksheet's name ('' for a CSV file). */
	name: string;
	/** The sheet row number of the (last) header row; data starts below it. */
	headerRowNumber: number;
	/** One header per column: merged header cells resolved ("Ngày sinh" over two rows, etc.). */
	headers: string[];
	rows: SheetRow[];
}

export interface SheetGrid {
	fileName: string;
	format: 'xlsx' | 'csv';
	/** Worksheets that hold a table of members; the first is the one to import by default. */
	sheets: SheetTable[];
}

/**
 * A birth date written under the member's gender: the national forms' "Ngày sinh" over two
 * sub-columns "Nam" and "Nữ"; the column the date is in gives the gender.
 */
export type SplitBirthTarget = 'birthDateMale' | 'birthDateFemale';

/**
 * What one column feeds: a member field, a whole name to split into họ/tên đệm/tên, one of the
 * birth date's Nam/Nữ sub-columns, or nothing.
 */
export type ImportTarget = MemberFieldKey | 'fullName' | SplitBirthTarget | null;

/** One target per sheet column, in column order. */
export type ColumnMapping = ImportTarget[];

/** A mapping the secretary confirmed, by folded header text (columns may move between files). */
export type RememberedMapping = Readonly<Record<string, ImportTarget>>;

export interface ColumnGuess {
	mapping: ColumnMapping;
	/** Per column: how its target was found ('none' when it maps to nothing). */
	how: ('remembered' | 'header' | 'variant' | 'none')[];
	/** Fields a new member needs that no column gives (Vietnamese labels are in MEMBER_FIELD_LABELS). */
	missing: MemberFieldKey[];
	/** Fields two or more columns claim: only the first keeps it. */
	repeated: MemberFieldKey[];
}

export type ImportRowClass = 'new' | 'update' | 'duplicate' | 'clash' | 'invalid';

export const IMPORT_ROW_CLASSES: readonly ImportRowClass[] = [
	'new',
	'update',
	'duplicate',
	'clash',
	'invalid'
];

export interface ImportRowError {
	/** The member field at fault ('fullName' for a name column that could not be split). */
	field: MemberFieldKey | 'fullName';
	/** The sheet column's header the value came from ('' when no column gives the field). */
	header: string;
	/** Vietnamese, starting with the field's label. */
	message: string;
}

/** A member already in the unit, as the classification needs it (from the read model). */
export interface ExistingMember {
	id: string;
	citizenId?: string;
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	status: MemberStatus | string;
	/** The full document, when loaded: lets the preview list the fields an update changes. */
	doc?: MemberDoc;
}

/** A citizen id known online (the national registry) to be active in another unit. */
export interface ImportClash {
	citizenId: string;
	unitName: string;
}

export interface ImportRowPreview {
	rowNumber: number;
	class: ImportRowClass;
	/** Each mapped field as text, after reading its cell (what the secretary may fix in place). */
	input: Partial<Record<MemberFieldKey, string>>;
	/** The parsed fields (valid rows: the whole record for new ones; what the sheet gives for updates). */
	fields: Partial<MemberFields>;
	errors: ImportRowError[];
	/** The part of `errors` that came from reading cells (kept until the secretary edits the field). */
	cellErrors: ImportRowError[];
	/** What reading the cells changed (zeros restored…): kept when the row is judged again. */
	cellNotes: string[];
	/** Not errors: what the secretary should know ("số CCCD được khôi phục số 0 ở đầu"…). */
	notes: string[];
	/** Updates: the member the row updates. */
	existingId?: string;
	/** Updates whose document was loaded: the fields the row would change (empty: no change). */
	changedFields?: MemberFieldKey[];
	/** Duplicates: the earlier row of the file it repeats, and why. */
	duplicateOf?: { rowNumber: number; by: 'citizen-id' | 'name-and-birth' };
	/** Clashes: where the citizen id is active. */
	clashWith?: { unitName: string };
	/** Set when the secretary changed a cell in the preview. */
	edited?: boolean;
}

export interface ImportPreview {
	fileName: string;
	sheetName: string;
	rows: ImportRowPreview[];
	counts: Record<ImportRowClass, number>;
	/** The header each field was read from (familyName… from a full-name column's header). */
	fieldHeaders: Partial<Record<MemberFieldKey | 'fullName', string>>;
	/** False when the registry could not be asked (offline): clashes are then found at sync. */
	clashesChecked: boolean;
}

export interface ImportReportRow {
	rowNumber: number;
	memberId: string;
	name: string;
	/** Updates: the fields written. */
	fields: MemberFieldKey[];
}

export interface ImportReport {
	fileName: string;
	unitId: string;
	/** Who imported, and when it started and ended (ISO timestamps). */
	by: string;
	startedAt: string;
	finishedAt: string;
	created: ImportReportRow[];
	updated: ImportReportRow[];
	/** Chosen update rows whose sheet changed nothing: nothing written. */
	unchanged: ImportReportRow[];
	/** Rows not imported, with the reason (invalid, duplicate, clash, or left out by the secretary). */
	skipped: { rowNumber: number; class: ImportRowClass; reason: string }[];
	/** Documents written (members and history entries). */
	documents: number;
}
