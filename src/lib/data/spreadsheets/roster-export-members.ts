import { upgradeMemberDoc, type MemberDoc } from '$lib/domain';
import type { ExportFilters } from '$lib/domain/spreadsheets/export-log-schema';
import { searchMembers, type MemberFilters } from '$lib/data/queries/members';
import type { MemberRow } from '$lib/data/store/device-db';
import { localDb } from '$lib/data/store/pouch';
import { EXPORT_CHUNK, yieldToEventLoop } from './roster-export-sheet';

// The members the roster list shows — its filters and its search, every page of it — as full records
// for the export. The list answers from the read model (rows hold what the list needs); the export
// needs every field, so the records are read from PouchDB a chunk at a time, in the list's order,
// with a yield between chunks so a 16,000-member unit keeps the screen responsive.

/** The largest list the search answers in one page: all of it. */
const ALL = Number.MAX_SAFE_INTEGER;

export interface RosterSelection {
	dbs: string[];
	query: string;
	filters: MemberFilters;
	/** Vietnam's date (ISO): the age bands count from it. */
	today: string;
}

/** The list's rows, in its order. */
export async function rosterRows(selection: RosterSelection): Promise<MemberRow[]> {
	const page = await searchMembers({ ...selection, offset: 0, limit: ALL });
	return page.rows;
}

/** The full records of `rows`, in their order (a record that no longer reads is left out). */
export async function rosterRecords(options: {
	rows: readonly MemberRow[];
	onProgress?: (progress: { done: number; total: number }) => void;
	signal?: AbortSignal;
}): Promise<MemberDoc[]> {
	const { rows, onProgress, signal } = options;
	const records = new Map<string, MemberDoc>();
	for (let start = 0; start < rows.length; start += EXPORT_CHUNK) {
		signal?.throwIfAborted();
		const chunk = rows.slice(start, start + EXPORT_CHUNK);
		const byDb = new Map<string, string[]>();
		for (const row of chunk) byDb.set(row.db, [...(byDb.get(row.db) ?? []), row.id]);
		for (const [db, keys] of byDb) {
			const answer = await localDb(db).allDocs({ keys, include_docs: true });
			for (const item of answer.rows) {
				if (!('doc' in item) || !item.doc) continue;
				try {
					records.set(item.id, upgradeMemberDoc(item.doc));
				} catch {
					// A record this app cannot read (a newer app's) is not exported half-read.
				}
			}
		}
		onProgress?.({ done: Math.min(start + EXPORT_CHUNK, rows.length), total: rows.length });
		await yieldToEventLoop();
	}
	return rows.flatMap((row) => {
		const record = records.get(row.id);
		return record ? [record] : [];
	});
}

/** The list's filters as the audit trail keeps them: enumerated values, the search only as a flag. */
export function rosterExportFilters(selection: RosterSelection): ExportFilters {
	const { filters, query } = selection;
	return {
		...(filters.status ? { status: filters.status } : {}),
		...(filters.branchId ? { branchId: filters.branchId } : {}),
		...(filters.minority !== undefined ? { minority: filters.minority } : {}),
		...(filters.ageBand ? { ageBand: filters.ageBand } : {}),
		...(query.trim() ? { search: true } : {})
	};
}
