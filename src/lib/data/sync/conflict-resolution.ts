import {
	mergeMemberLeaves,
	resolveMemberConflicts,
	revisionList,
	type MemberMergeResult,
	type MergeLeaf
} from '$lib/domain/member-merge';
import { upgradeMemberDoc, type MemberDoc } from '$lib/domain/member-schema';
import { recordOutbox } from './outbox';
import { localDb } from '$lib/data/store/pouch';
import { watchQuery } from '$lib/data/read-model/watch';
import { conflictedMembers } from '$lib/data/read-model/member-store';

// Concurrent edits of one member (docs/decisions/0006-conflict-policy.md). After a pull brings a
// second leaf of a member, the device merges field by field (mergeMemberLeaves): when the leaves
// differ only on fields each changed alone, it writes the merge on top of CouchDB's winner and
// deletes the losing leaves in the same write; when both changed a field differently, it writes
// nothing and the secretary chooses on the conflicts screen (resolveMemberConflicts). Until then
// every leaf stays, so nothing is lost.
//
// Deletions of the losing leaves are full documents (`type`, `unitId`, `updatedBy`): the server's
// validation refuses bare deletions.

type LeafDoc = Record<string, unknown> & {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	_revisions?: { start: number; ids: string[] };
};

/** The live leaves of a member with their revision histories; empty when there is no conflict. */
export async function memberLeaves(options: { db: string; id: string }): Promise<{
	leaves: MergeLeaf[];
	/** Leaves this app cannot read (a newer app wrote them): never merged automatically. */
	unreadable: number;
}> {
	let answers: PouchDB.Core.GetMeta[];
	try {
		answers = (await localDb(options.db).get(options.id, {
			open_revs: 'all',
			revs: true
		})) as unknown as PouchDB.Core.GetMeta[];
	} catch (error) {
		if ((error as { status?: number }).status === 404) return { leaves: [], unreadable: 0 };
		throw error;
	}
	const leaves: MergeLeaf[] = [];
	let unreadable = 0;
	for (const answer of answers as unknown as { ok?: LeafDoc }[]) {
		const doc = answer.ok;
		if (!doc || doc._deleted) continue;
		try {
			const member = upgradeMemberDoc(doc);
			const revisions = doc._revisions ? revisionList(doc._revisions) : [doc._rev];
			leaves.push({ doc: member, revisions });
		} catch {
			unreadable++;
		}
	}
	return { leaves: leaves.length > 1 ? leaves : [], unreadable };
}

/** The merge of a member's conflicting leaves as the screens show it, or null when none. */
export async function memberConflict(options: {
	db: string;
	id: string;
	login: string;
	now?: Date;
}): Promise<(MemberMergeResult & { unreadable: number }) | null> {
	const { leaves, unreadable } = await memberLeaves(options);
	if (leaves.length < 2) return null;
	const at = (options.now ?? new Date()).toISOString();
	return { ...mergeMemberLeaves({ leaves, at, by: options.login }), unreadable };
}

export type MergeWriteResult = { ok: true } | { ok: false; message: string };

/**
 * Writes a merge: the merged member on top of the winner (when it differs from the winner) and a
 * deletion of every losing leaf, in one request.
 */
async function writeMerge(options: {
	db: string;
	result: MemberMergeResult;
	member: MemberDoc | null;
	login: string;
	at: string;
}): Promise<MergeWriteResult> {
	const { db, result, member, login, at } = options;
	const id = result.merged._id;
	const docs: Record<string, unknown>[] = [];
	if (member) docs.push({ ...member, _id: id, _rev: result.winnerRev });
	for (const rev of result.losingRevs) {
		docs.push({
			_id: id,
			_rev: rev,
			_deleted: true,
			type: 'member',
			unitId: result.merged.unitId,
			updatedAt: at,
			updatedBy: login
		});
	}
	const answers = await localDb(db).bulkDocs(docs as PouchDB.Core.PutDocument<object>[]);
	let stale = false;
	for (const answer of answers) {
		if ('ok' in answer && answer.ok) {
			await recordOutbox({ db, docId: answer.id, rev: answer.rev });
		} else {
			stale = true;
		}
	}
	return stale
		? {
				ok: false,
				message:
					'Hồ sơ vừa thay đổi trên máy (đồng bộ vừa mang về bản mới). Hãy xem lại các bản rồi chọn lại.'
			}
		: { ok: true };
}

export type AutoMergeOutcome = 'none' | 'merged' | 'needs-choice';

/**
 * Merges a member's conflicting leaves when no field was changed differently on two of them;
 * otherwise leaves them for the secretary. Every device computes the same merge from the same
 * leaves. When the merge equals the winner (the losers only repeat it, or only bookkeeping
 * differs), only the losing leaves are deleted: two devices merging at once then agree instead of
 * making a new conflict of their two merges.
 */
export async function autoMergeMember(options: {
	db: string;
	id: string;
	login: string;
	now?: Date;
}): Promise<AutoMergeOutcome> {
	const conflict = await memberConflict(options);
	if (!conflict) return 'none';
	if (conflict.conflicts.length > 0 || conflict.unreadable > 0) return 'needs-choice';
	const changed = conflict.autoMerged.some((field) => field.from.rev !== conflict.winnerRev);
	const written = await writeMerge({
		db: options.db,
		result: conflict,
		member: changed ? conflict.merged : null,
		login: options.login,
		at: (options.now ?? new Date()).toISOString()
	});
	return written.ok ? 'merged' : 'needs-choice';
}

export type ResolveOutcome = { ok: true } | { ok: false; message: string; missing?: string[] };

/**
 * The secretary's choice: for each conflicting field, the revision of the side she keeps. The
 * leaves are read again, so a choice made on a stale screen is refused rather than applied to a
 * merge she has not seen.
 */
export async function resolveConflict(options: {
	db: string;
	id: string;
	login: string;
	/** The winner she saw: the choice only applies to the same set of leaves. */
	winnerRev: string;
	losingRevs: readonly string[];
	choices: Readonly<Partial<Record<string, string>>>;
	now?: Date;
}): Promise<ResolveOutcome> {
	const conflict = await memberConflict(options);
	if (!conflict) return { ok: false, message: 'Hồ sơ này không còn xung đột (đã được xử lý).' };
	const sameLeaves =
		conflict.winnerRev === options.winnerRev &&
		conflict.losingRevs.length === options.losingRevs.length &&
		conflict.losingRevs.every((rev) => options.losingRevs.includes(rev));
	if (!sameLeaves) {
		return {
			ok: false,
			message: 'Đồng bộ vừa mang về một bản khác của hồ sơ. Hãy xem lại các bản rồi chọn lại.'
		};
	}
	if (conflict.unreadable > 0) {
		return {
			ok: false,
			message: 'Có bản được ghi bằng phiên bản ứng dụng mới hơn. Hãy cập nhật ứng dụng rồi chọn lại.'
		};
	}
	const at = (options.now ?? new Date()).toISOString();
	const resolved = resolveMemberConflicts({
		result: conflict,
		choices: options.choices,
		at,
		by: options.login
	});
	if (!resolved.ok) {
		return {
			ok: false,
			message: `Hãy chọn bản giữ lại cho: ${resolved.missing.join(', ')}.`,
			missing: resolved.missing
		};
	}
	return writeMerge({
		db: options.db,
		result: conflict,
		member: resolved.member,
		login: options.login,
		at
	});
}

export interface ConflictSummary {
	id: string;
	db: string;
	name: string;
	/** Labels of the fields that need a choice; empty when the device can merge by itself. */
	fields: string[];
}

/** Members with conflicting leaves in these databases, with the fields to choose. */
export async function listConflicts(options: {
	dbs: readonly string[];
	login: string;
}): Promise<ConflictSummary[]> {
	const rows = await conflictedMembers();
	const summaries: ConflictSummary[] = [];
	for (const row of rows) {
		if (!options.dbs.includes(row.db)) continue;
		const conflict = await memberConflict({ db: row.db, id: row.id, login: options.login });
		if (!conflict) continue;
		summaries.push({
			id: row.id,
			db: row.db,
			name: row.fullName,
			fields: conflict.conflicts.map((c) => c.label)
		});
	}
	return summaries.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/**
 * Watches the read model for members with conflicting leaves and merges those that need no
 * choice. Started for the signed-in account (who may write); returns the function that stops it.
 */
export function startConflictMerger(options: { dbs: readonly string[]; login: string }): () => void {
	let queue: { id: string; db: string }[] | null = null;
	let running = false;
	let stopped = false;
	const drain = async () => {
		if (running) return;
		running = true;
		try {
			while (queue && !stopped) {
				const rows = queue;
				queue = null;
				for (const row of rows) {
					if (stopped) break;
					try {
						await autoMergeMember({ db: row.db, id: row.id, login: options.login });
					} catch (error) {
						console.warn('Chưa hợp nhất được hồ sơ', row.id, error);
					}
				}
			}
		} finally {
			running = false;
		}
	};
	const stop = watchQuery({
		query: () => conflictedMembers(),
		next: (rows) => {
			queue = rows.filter((row) => options.dbs.includes(row.db));
			void drain();
		}
	});
	return () => {
		stopped = true;
		stop();
	};
}
