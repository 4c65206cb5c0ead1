import type { MemberMergeResult } from '$lib/domain';
import { memberConflict } from '$lib/data/sync/conflict-resolution';
import { listBranches } from './members';
import { getMemberRow } from '$lib/data/read-model/member-store';

// What the screen of one member's conflict shows, for a LiveQuery: the read-model row first (it
// names the member's database, and liveQuery notices only reads made before PouchDB is awaited),
// then the merge so far and the unit's branch names.

export interface ConflictPage {
	/** The unit database the member lives in. */
	db: string;
	/** Null when the member has no conflict (any more). */
	merge: (MemberMergeResult & { unreadable: number }) | null;
	branches: Map<string, string>;
}

export async function conflictPage(options: {
	id: string;
	fallbackDb: string;
	login: string;
}): Promise<ConflictPage> {
	const row = await getMemberRow(options.id);
	const db = row?.db ?? options.fallbackDb;
	const [merge, branchRows] = await Promise.all([
		memberConflict({ db, id: options.id, login: options.login }),
		listBranches([db])
	]);
	return { db, merge, branches: new Map(branchRows.map((b) => [b.id, b.name])) };
}
