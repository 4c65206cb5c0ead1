import type { HistoryDoc, MemberDoc, OperationPlan } from '$lib/domain';
import { recordOutbox } from './outbox';
import { localDb } from './pouch';

// Writes what a domain planner decided: the member's new current state and its history entries, in
// one request to the device's PouchDB, each noted as waiting to upload.

export type WriteResult = { ok: true } | { ok: false; message: string };

export async function writePlan(options: {
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
