import { derivedHistoryId } from '../../src/lib/domain/history-schema';
import type { JobDoc } from './job-service';
import { rewriteUnit, type RevDoc } from './doc-copier';
import type { JobContext } from './job-runner';
import { transferOf, SYSTEM_ACTOR } from './transfer-job';
import type { TransferStore } from './transfer-store';

// After an accepted transfer: the member's history copied to the receiving unit, then the member
// and its history deleted in the sending unit (again whenever a phone pushes them back).

async function copyHistory(t: TransferStore, job: JobDoc, ids?: string[]): Promise<number> {
	const transfer = transferOf(job);
	const source = await t.sourceOf(job);
	const target = await t.targetOf(job);
	const leaves = await t.copier.leaves({
		db: source.db,
		ids: ids ?? (await t.historyIds(source.db, transfer.memberId))
	});
	return t.copier.copyLeaves({
		source: source.db,
		target: target.db,
		leaves,
		transform: rewriteUnit(target.id)
	});
}

export async function history(t: TransferStore, ctx: JobContext): Promise<void> {
	if (transferOf(ctx.job).outcome !== 'accepted') return;
	const copied = await copyHistory(t, ctx.job);
	await t.record(ctx.job, 'history', 'transfer.history', { copied });
}

export async function sweepSource(t: TransferStore, job: JobDoc): Promise<number> {
	const transfer = transferOf(job);
	if (transfer.outcome !== 'accepted') return 0;
	const source = await t.sourceOf(job);
	const target = await t.targetOf(job);
	const trace = derivedHistoryId({
		memberId: transfer.memberId,
		sourceKey: transfer.id,
		step: 'out'
	});
	const historyOf = (await t.historyIds(source.db, transfer.memberId)).filter((id) => id !== trace);
	const ids = [transfer.memberId, ...historyOf];
	let removed = 0;
	for (let round = 0; ; round++) {
		const leaves = await t.copier.leaves({ db: source.db, ids });
		const docs = await t.copier.fetch({ db: source.db, revs: leaves });
		const live = docs.filter((doc) => !doc._deleted);
		if (live.length === 0) break;
		if (round >= 5) throw new Error('transfer: the record keeps changing during its removal');
		// History entries that arrived since the copy go along before they are deleted here.
		const lateHistory = new Map([...leaves].filter(([id]) => id !== transfer.memberId));
		if (lateHistory.size > 0) {
			await t.copier.copyLeaves({
				source: source.db,
				target: target.db,
				leaves: lateHistory,
				transform: rewriteUnit(target.id)
			});
		}
		const at = t.now().toISOString();
		const results = await t.couch.bulkDocs({
			db: source.db,
			docs: live.map((doc: RevDoc) => ({
				_id: doc._id,
				_rev: doc._rev,
				_deleted: true,
				type: doc.type,
				unitId: doc.unitId,
				updatedAt: at,
				updatedBy: SYSTEM_ACTOR,
				transferredTo: target.id
			}))
		});
		t.touch(source.db);
		removed += results.filter((result) => !result.error).length;
	}
	return removed;
}

export async function remove(t: TransferStore, ctx: JobContext): Promise<void> {
	if (transferOf(ctx.job).outcome !== 'accepted') return;
	const removed = await sweepSource(t, ctx.job);
	await t.record(ctx.job, 'remove', 'transfer.remove', { removed });
}
