import type { MemberFieldKey } from '../member-schema';
import type { MembershipRules } from '../rules/table';
import {
	fieldHeadersOf,
	indexExisting,
	judgeRow,
	nameBirthKey,
	readRow,
	type JudgeContext,
	type JudgedRow
} from './member-import-rows';
import {
	IMPORT_ROW_CLASSES,
	type ColumnMapping,
	type ExistingMember,
	type ImportClash,
	type ImportPreview,
	type ImportRowClass,
	type ImportRowPreview,
	type SheetTable
} from './member-import-types';

// Classifying a sheet's rows before anything is written (docs/spreadsheets.md, "Importing
// members"), again after the secretary fixes a cell, and again once the documents of the members
// the update rows name and the registry's clashes are known. A row is, in this order of
// precedence: invalid (a field and its reason), a duplicate of an earlier row of the file (same
// citizen id, same name and birth date, or the same member updated twice), a clash (its citizen id
// is active in another unit, known online), an update of a member of the unit, or new.

/** Everything the classification compares a row with. */
export interface ImportContext {
	unitId: string;
	/** The unit's members (read model rows; `doc` when loaded). */
	existing: readonly ExistingMember[];
	/** Citizen ids known online to be active in another unit; absent offline. */
	clashes?: readonly ImportClash[];
	/** The unit's open branches: a "Chi đoàn" cell names one. */
	branches: readonly { id: string; name: string }[];
	/** Vietnam's today (dates.ts todayIso), ISO. */
	today: string;
	rules?: MembershipRules;
}

const PROGRESS_EVERY = 250;

function judgeContext(options: ImportContext & { headers: JudgeContext['headers'] }): JudgeContext {
	return {
		today: options.today,
		rules: options.rules,
		index: indexExisting(options.existing),
		branches: options.branches,
		headers: options.headers
	};
}

export function classifyImportRows(
	options: ImportContext & {
		sheet: SheetTable;
		fileName: string;
		mapping: ColumnMapping;
		/** Called every few hundred rows with the rows checked so far. */
		onProgress?: (checked: number, total: number) => void;
	}
): ImportPreview {
	const { sheet, mapping } = options;
	const fieldHeaders = fieldHeadersOf({ headers: sheet.headers, mapping });
	const context = judgeContext({ ...options, headers: fieldHeaders });
	const total = sheet.rows.length;
	const rows: ImportRowPreview[] = [];
	sheet.rows.forEach((row, index) => {
		const read = readRow({ row, mapping, headers: sheet.headers });
		const judged = judgeRow({ ...read, context });
		rows.push(
			toPreviewRow({
				rowNumber: row.rowNumber,
				input: read.input,
				cellErrors: read.cellErrors,
				cellNotes: read.notes,
				judged
			})
		);
		if ((index + 1) % PROGRESS_EVERY === 0) options.onProgress?.(index + 1, total);
	});
	options.onProgress?.(total, total);
	return crossCheck({
		preview: {
			fileName: options.fileName,
			sheetName: sheet.name,
			rows,
			counts: emptyCounts(),
			fieldHeaders,
			clashesChecked: options.clashes !== undefined
		},
		clashes: options.clashes
	});
}

function toPreviewRow(options: {
	rowNumber: number;
	input: ImportRowPreview['input'];
	cellErrors: ImportRowPreview['cellErrors'];
	cellNotes: ImportRowPreview['cellNotes'];
	judged: JudgedRow;
	edited?: boolean;
}): ImportRowPreview {
	const { judged } = options;
	const row: ImportRowPreview = {
		rowNumber: options.rowNumber,
		class: judged.kind,
		input: options.input,
		fields: judged.fields,
		errors: judged.errors,
		cellErrors: options.cellErrors,
		cellNotes: options.cellNotes,
		notes: judged.notes
	};
	if (judged.existingId !== undefined) row.existingId = judged.existingId;
	if (judged.changedFields !== undefined) row.changedFields = judged.changedFields;
	if (options.edited) row.edited = true;
	return row;
}

function emptyCounts(): Record<ImportRowClass, number> {
	return Object.fromEntries(IMPORT_ROW_CLASSES.map((c) => [c, 0])) as Record<
		ImportRowClass,
		number
	>;
}

/**
 * What depends on the other rows: the first row naming a person keeps its class, later ones are
 * duplicates of it; then clashes. Every row's own judgement (invalid, update, new) is kept in its
 * errors and existingId, so this can run again after an edit without reading the sheet again.
 */
function crossCheck(options: {
	preview: ImportPreview;
	clashes: readonly ImportClash[] | undefined;
}): ImportPreview {
	const clashes = new Map((options.clashes ?? []).map((c) => [c.citizenId, c.unitName]));
	const byId = new Map<string, number>();
	const byMember = new Map<string, number>();
	const byNameBirth = new Map<string, { rowNumber: number; citizenId: string }[]>();
	const counts = emptyCounts();
	const rows = options.preview.rows.map((source) => {
		const row: ImportRowPreview = { ...source };
		delete row.duplicateOf;
		delete row.clashWith;
		if (row.errors.length > 0) row.class = 'invalid';
		else {
			row.class = row.existingId !== undefined ? 'update' : 'new';
			const citizenId = typeof row.fields.citizenId === 'string' ? row.fields.citizenId : '';
			const nameBirth = nameBirthKey(row.input);
			const sameId = citizenId ? byId.get(citizenId) : undefined;
			// Same name and birth date is the same person unless two different ids say otherwise.
			const samePerson = nameBirth
				? (byNameBirth.get(nameBirth) ?? []).find(
						(seen) => !seen.citizenId || !citizenId || seen.citizenId === citizenId
					)?.rowNumber
				: undefined;
			const sameMember = row.existingId ? byMember.get(row.existingId) : undefined;
			if (sameId !== undefined) {
				row.class = 'duplicate';
				row.duplicateOf = { rowNumber: sameId, by: 'citizen-id' };
			} else if (samePerson !== undefined || sameMember !== undefined) {
				row.class = 'duplicate';
				row.duplicateOf = { rowNumber: sameMember ?? samePerson ?? 0, by: 'name-and-birth' };
			} else {
				if (citizenId) byId.set(citizenId, row.rowNumber);
				if (row.existingId) byMember.set(row.existingId, row.rowNumber);
				if (nameBirth) {
					byNameBirth.set(nameBirth, [
						...(byNameBirth.get(nameBirth) ?? []),
						{ rowNumber: row.rowNumber, citizenId }
					]);
				}
				// An update clashes only when it gives the member a citizen id she did not have.
				const givesId =
					row.existingId === undefined || row.changedFields?.includes('citizenId') !== false;
				const clash = citizenId && givesId ? clashes.get(citizenId) : undefined;
				if (clash !== undefined) {
					row.class = 'clash';
					row.clashWith = { unitName: clash };
				}
			}
		}
		counts[row.class] += 1;
		return row;
	});
	return { ...options.preview, rows, counts };
}

/** The preview again after the secretary changed cells of one row (by field, typed text). */
export function revalidateImportRow(
	options: ImportContext & {
		preview: ImportPreview;
		rowNumber: number;
		changes: Partial<Record<MemberFieldKey, string>>;
	}
): ImportPreview {
	const { preview } = options;
	const target = preview.rows.find((row) => row.rowNumber === options.rowNumber);
	if (target === undefined) return preview;
	const edited = Object.keys(options.changes) as MemberFieldKey[];
	const input = { ...target.input };
	for (const field of edited) input[field] = options.changes[field] ?? '';
	const cellErrors = target.cellErrors.filter(
		(error) => error.field === 'fullName' || !edited.includes(error.field)
	);
	const context = judgeContext({ ...options, headers: preview.fieldHeaders });
	const row = rejudge({
		// The reading notes are about citizen ids (zeros restored): gone once the id is retyped.
		row: {
			...target,
			input,
			cellErrors,
			cellNotes: edited.includes('citizenId') ? [] : target.cellNotes
		},
		context,
		edited: true
	});
	return crossCheck({
		preview: {
			...preview,
			rows: preview.rows.map((r) => (r.rowNumber === options.rowNumber ? row : r))
		},
		clashes: options.clashes
	});
}

function rejudge(options: {
	row: ImportRowPreview;
	context: JudgeContext;
	edited?: boolean;
}): ImportRowPreview {
	const { row } = options;
	const judged = judgeRow({
		input: row.input,
		cellErrors: row.cellErrors,
		notes: row.cellNotes,
		context: options.context
	});
	return toPreviewRow({
		rowNumber: row.rowNumber,
		input: row.input,
		cellErrors: row.cellErrors,
		cellNotes: row.cellNotes,
		judged,
		edited: options.edited || row.edited
	});
}

/**
 * The preview with what was learnt after classifying: the documents of the members the update
 * rows name (now in `existing`: each update lists the fields it changes) and the registry's
 * clashes. Only update rows are judged again; duplicates and clashes are decided anew.
 */
export function refreshImportPreview(
	options: ImportContext & { preview: ImportPreview }
): ImportPreview {
	const context = judgeContext({ ...options, headers: options.preview.fieldHeaders });
	return crossCheck({
		preview: {
			...options.preview,
			rows: options.preview.rows.map((row) =>
				row.existingId !== undefined ? rejudge({ row, context }) : row
			),
			clashesChecked: options.clashes !== undefined
		},
		clashes: options.clashes
	});
}
