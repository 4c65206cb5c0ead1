import type { MemberFieldKey } from '../member-schema';
import type { SheetCell } from './member-import-types';

// Reading one cell into the text a member field takes (docs/spreadsheets.md, "Cell formats").

export type CellReading =
	{ ok: true; text: string; note?: string } | { ok: false; message: string };

/** One cell read for a field: dates as dd/mm/yyyy, ids with their zeros, labels as the form takes them. */
export function readImportCell(options: { field: MemberFieldKey; cell: SheetCell }): CellReading {
	void options;
	throw new Error('not yet');
}

/** A whole name split in Vietnamese order: họ (first word), tên (last word), tên đệm (between). */
export function splitFullName(text: string): {
	familyName: string;
	middleName: string;
	givenName: string;
} {
	void text;
	throw new Error('not yet');
}
