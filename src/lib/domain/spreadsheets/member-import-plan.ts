import { historyId, type HistoryDoc } from '../history-schema';
import { MEMBER_SCHEMA_VERSION, type MemberDoc, type MemberFieldKey } from '../member-schema';
import { fullName } from '../names';
import {
	applyMemberPatch,
	buildEntry,
	type MemberPatch,
	type OperationActor,
	type OperationContext
} from '../operations/shared';
import type { MembershipRules } from '../rules/table';
import {
	changedFields,
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
	type ImportReport,
	type ImportReportRow,
	type ImportRowClass,
	type ImportRowPreview,
	type SheetTable
} from './member-import-types';

// Classifying a sheet's rows before anything is written, and planning the documents of the rows
// the secretary chose (docs/spreadsheets.md, "Importing members"). A row is, in this order of
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

// ---------------------------------------------------------------------------------------------
// The documents

/** The documents of an import: members created or updated, one `imported` history entry each. */
export interface MemberImportPlan {
	unitId: string;
	fileName: string;
	/** New members (no `_rev`) and updated ones (on top of the `_rev` they were read at). */
	members: MemberDoc[];
	entries: HistoryDoc[];
	/** The report the import gives once written (times filled in by the writer). */
	report: Omit<ImportReport, 'startedAt' | 'finishedAt'>;
}

export type MemberImportPlanResult =
	{ ok: true; plan: MemberImportPlan } | { ok: false; message: string };

const CLASS_REASONS: Record<ImportRowClass, string> = {
	new: 'Không chọn nhập.',
	update: 'Không chọn nhập.',
	duplicate: 'Trùng với một dòng trước trong tệp.',
	clash: 'Số CCCD đang sinh hoạt ở đơn vị khác.',
	invalid: 'Có ô sai.'
};

function skipReason(row: ImportRowPreview): string {
	if (row.class === 'invalid') return row.errors.map((e) => e.message).join(' ');
	if (row.class === 'duplicate' && row.duplicateOf) {
		return `Trùng với dòng ${row.duplicateOf.rowNumber} (${row.duplicateOf.by === 'citizen-id' ? 'cùng số CCCD' : 'cùng họ tên và ngày sinh'}).`;
	}
	if (row.class === 'clash' && row.clashWith) {
		return `Số CCCD đang sinh hoạt tại ${row.clashWith.unitName}.`;
	}
	return CLASS_REASONS[row.class];
}

function rowName(fields: { familyName?: string; middleName?: string; givenName?: string }): string {
	return fullName({
		familyName: fields.familyName ?? '',
		middleName: fields.middleName ?? '',
		givenName: fields.givenName ?? ''
	});
}

export function planMemberImport(options: {
	preview: ImportPreview;
	/** Row numbers to import: new and update rows only. */
	chosenRows: readonly number[];
	/** The current documents of the members the update rows name. */
	members: ReadonlyMap<string, MemberDoc>;
	actor: OperationActor;
	now: string;
	today: string;
	fileName: string;
	unitId: string;
	newUlid: () => string;
}): MemberImportPlanResult {
	const chosen = new Set(options.chosenRows);
	const context: OperationContext = {
		today: options.today,
		now: options.now,
		actor: options.actor,
		newUlid: options.newUlid
	};
	const members: MemberDoc[] = [];
	const entries: HistoryDoc[] = [];
	const created: ImportReportRow[] = [];
	const updated: ImportReportRow[] = [];
	const unchanged: ImportReportRow[] = [];
	const skipped: ImportReport['skipped'] = [];
	const entryData = (rowNumber: number, isNew: boolean, fields: string[]) => ({
		fileName: options.fileName,
		rowNumber,
		created: isNew,
		fields
	});

	for (const row of options.preview.rows) {
		if (!chosen.has(row.rowNumber)) {
			skipped.push({ rowNumber: row.rowNumber, class: row.class, reason: skipReason(row) });
			continue;
		}
		if (row.class !== 'new' && row.class !== 'update') {
			return {
				ok: false,
				message: `Dòng ${row.rowNumber} không nhập được: ${skipReason(row)} Hãy sửa dòng đó hoặc bỏ qua.`
			};
		}
		if (row.class === 'new') {
			const memberId = `member:${options.newUlid()}` as const;
			const member = {
				...row.fields,
				_id: memberId,
				type: 'member',
				v: MEMBER_SCHEMA_VERSION,
				unitId: options.unitId,
				provenance: { source: 'unit' },
				fieldRevs: {},
				createdAt: options.now,
				createdBy: options.actor.login,
				updatedAt: options.now,
				updatedBy: options.actor.login
			} as MemberDoc;
			const fields = Object.keys(row.fields);
			members.push(member);
			entries.push(
				buildEntry({
					context,
					member,
					kind: 'imported',
					id: historyId({ memberId, key: options.newUlid() }),
					at: options.today,
					data: entryData(row.rowNumber, true, fields)
				})
			);
			created.push({
				rowNumber: row.rowNumber,
				memberId,
				name: rowName(row.fields),
				fields: fields as MemberFieldKey[]
			});
			continue;
		}
		const doc = row.existingId ? options.members.get(row.existingId) : undefined;
		if (doc === undefined) {
			return {
				ok: false,
				message:
					`Dòng ${row.rowNumber}: hồ sơ đoàn viên cần cập nhật không còn trên máy này. ` +
					'Hãy đồng bộ rồi xem trước lại.'
			};
		}
		// Computed again on the document as it is now: only what the sheet changes is written.
		const changed = changedFields({ doc, fields: row.fields });
		const reportRow = {
			rowNumber: row.rowNumber,
			memberId: doc._id,
			name: rowName(doc),
			fields: changed
		};
		if (changed.length === 0) {
			unchanged.push(reportRow);
			continue;
		}
		const patch: MemberPatch = {};
		for (const field of changed) (patch as Record<string, unknown>)[field] = row.fields[field];
		const applied = applyMemberPatch({
			member: doc,
			patch,
			at: options.now,
			by: options.actor.login
		});
		members.push(applied.member);
		entries.push(
			buildEntry({
				context,
				member: doc,
				kind: 'imported',
				at: options.today,
				data: entryData(row.rowNumber, false, changed),
				effect: applied.effect
			})
		);
		updated.push(reportRow);
	}
	return {
		ok: true,
		plan: {
			unitId: options.unitId,
			fileName: options.fileName,
			members,
			entries,
			report: {
				fileName: options.fileName,
				unitId: options.unitId,
				by: options.actor.login,
				created,
				updated,
				unchanged,
				skipped,
				documents: members.length + entries.length
			}
		}
	};
}
