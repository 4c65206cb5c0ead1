import type { BranchPlan, HistoryDoc, MemberDoc, OperationPlan } from '$lib/domain';
import { recordOutbox } from '$lib/data/sync/outbox';
import { localDb } from '$lib/data/store/pouch';
import { isStorageFullError, STORAGE_FULL_MESSAGE } from '$lib/data/store/storage-full';

// Writes what a domain planner decided: the member's new current state and its history entries, in
// one request to the device's PouchDB, each noted as waiting to upload.
//
// A full phone: one `bulkDocs` is one IndexedDB transaction, so a write refused for quota leaves
// nothing half-written and everything saved before untouched; the screen gets STORAGE_FULL_MESSAGE
// (the form keeps its input and its draft) and the same plan can simply be written again once
// space is freed.

export type WriteResult = { ok: true } | { ok: false; message: string };

/** `write`, with a refusal for space turned into the message the secretary reads. */
async function unlessFull(write: () => Promise<WriteResult>): Promise<WriteResult> {
	try {
		return await write();
	} catch (error) {
		if (isStorageFullError(error)) return { ok: false, message: STORAGE_FULL_MESSAGE };
		throw error;
	}
}

export function writePlan(options: {
	db: string;
	plan: Pick<OperationPlan, 'entries' | 'member'>;
	extra?: PouchDB.Core.PutDocument<object>[];
}): Promise<WriteResult> {
	return unlessFull(() => writeOperationPlan(options));
}

async function writeOperationPlan(options: {
	db: string;
	plan: Pick<OperationPlan, 'entries' | 'member'>;
	extra?: PouchDB.Core.PutDocument<object>[];
}): Promise<WriteResult> {
	const docs: PouchDB.Core.PutDocument<object>[] = [
		...(options.plan.member ? [options.plan.member as MemberDoc] : []),
		...(options.plan.entries as HistoryDoc[]),
		...(options.extra ?? [])
	];
	if (docs.length === 0) return { ok: true };
	const results = await localDb(options.db).bulkDocs(docs);
	let conflict = false;
	for (const result of results) {
		if ('ok' in result && result.ok) {
			await recordOutbox({ db: options.db, docId: result.id, rev: result.rev });
		} else if ('status' in result && result.status === 409) {
			// A history entry with a deterministic id that is already there was written by an earlier
			// attempt: that is success. The member document conflicting is not.
			if (result.id === options.plan.member?._id) conflict = true;
		}
	}
	return conflict
		? {
				ok: false,
				message:
					'Hồ sơ vừa được thay đổi ở nơi khác. Hãy mở lại hồ sơ để xem bản mới rồi thực hiện lại.'
			}
		: { ok: true };
}

/**
 * Writes a branch plan (branch-operations.ts): first the moved members with their history entries,
 * then the branch documents — only when every member was written, so a branch is never marked
 * merged while one of its members still names it on this device. A member changed meanwhile (sync,
 * another tab) stops there; planning the merge again moves whoever is left.
 */
export function writeBranchPlan(options: {
	db: string;
	plan: Pick<BranchPlan, 'branches' | 'members' | 'entries'>;
}): Promise<WriteResult> {
	return unlessFull(() => writeBranchDocs(options));
}

async function writeBranchDocs(options: {
	db: string;
	plan: Pick<BranchPlan, 'branches' | 'members' | 'entries'>;
}): Promise<WriteResult> {
	const { plan } = options;
	const moved = await writeDocs(options.db, [...plan.members, ...plan.entries]);
	if (moved.length > 0) {
		return {
			ok: false,
			message: `${moved.length} hồ sơ đoàn viên vừa được thay đổi ở nơi khác nên chưa chuyển được. Hãy thực hiện lại: những đoàn viên đã chuyển sẽ không bị chuyển lần nữa.`
		};
	}
	const branches = await writeDocs(options.db, plan.branches);
	return branches.length > 0
		? {
				ok: false,
				message:
					'Chi đoàn vừa được thay đổi trên máy khác. Hãy mở lại chi đoàn để xem bản mới rồi thực hiện lại.'
			}
		: { ok: true };
}

/** Writes `docs`, noting each as waiting to upload; returns the ids refused for a conflict. */
async function writeDocs(db: string, docs: object[]): Promise<string[]> {
	if (docs.length === 0) return [];
	const results = await localDb(db).bulkDocs(docs as PouchDB.Core.PutDocument<object>[]);
	const conflicts: string[] = [];
	for (const result of results) {
		if ('ok' in result && result.ok) {
			await recordOutbox({ db, docId: result.id, rev: result.rev });
		} else if (result.id && !result.id.startsWith('history:')) {
			// A history entry already there is an earlier attempt's: that is success.
			conflicts.push(result.id);
		}
	}
	return conflicts;
}

/**
 * Writes small documents that are not a member's (reminders, receipts), noting each as waiting to
 * upload; refused as a whole message when one of them changed meanwhile.
 */
export function writeRecords(options: { db: string; docs: object[] }): Promise<WriteResult> {
	return unlessFull(async () => {
		const conflicts = await writeDocs(options.db, options.docs);
		return conflicts.length > 0
			? {
					ok: false,
					message: 'Dữ liệu vừa được thay đổi trên máy khác. Hãy mở lại trang rồi thực hiện lại.'
				}
			: { ok: true };
	});
}
