import type { OperationActor } from '../operations/shared';
import type { HistoryDoc } from '../history-schema';
import type { MemberDoc, MemberFieldKey } from '../member-schema';
import type { MembershipRules } from '../rules/table';
import type {
	ColumnMapping,
	ExistingMember,
	ImportClash,
	ImportPreview,
	ImportReport,
	SheetTable
} from './member-import-types';

// Classifying a sheet's rows before anything is written, and planning the documents of the rows
// the secretary chose (docs/spreadsheets.md, "Importing members").

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

export function classifyImportRows(
	options: ImportContext & {
		sheet: SheetTable;
		fileName: string;
		mapping: ColumnMapping;
		/** Called every few hundred rows with the rows checked so far. */
		onProgress?: (checked: number, total: number) => void;
	}
): ImportPreview {
	void options;
	throw new Error('not yet');
}

/** The preview again after the secretary changed cells of one row (by field, typed text). */
export function revalidateImportRow(
	options: ImportContext & {
		preview: ImportPreview;
		rowNumber: number;
		changes: Partial<Record<MemberFieldKey, string>>;
	}
): ImportPreview {
	void options;
	throw new Error('not yet');
}

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
	void options;
	throw new Error('not yet');
}
