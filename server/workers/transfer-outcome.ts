import { todayIso } from '../../src/lib/domain/dates';
import { fullName } from '../../src/lib/domain/names';
import { upgradeMemberDoc } from '../../src/lib/domain/member-schema';
import {
	planTransferOutcome,
	transferDocId,
	type TransferDoc
} from '../../src/lib/domain/operations/transfer';
import { ulid } from '../ulid';
import type { JobContext } from './job-runner';
import { transferOf, SYSTEM_ACTOR } from './transfer-job';
import { TransferStore, type Raw } from './transfer-store';

// The answer recorded in the sending unit (planTransferOutcome), and the last step: a second answer
// given offline is resolved to the one acted on.

export async function outcome(t: TransferStore, ctx: JobContext): Promise<void> {
	const job = ctx.job;
	const transfer = transferOf(job);
	if (transfer.outcome !== 'accepted' && transfer.outcome !== 'rejected') return;
	const source = await t.sourceOf(job);
	let written = 0;
	for (let attempt = 0; ; attempt++) {
		const raw = await t.getDoc(source.db, transfer.memberId);
		if (!raw) break;
		const member = upgradeMemberDoc(raw);
		const request = await t.requestOf(source.db, transfer).catch(() => undefined);
		let offerDoc: TransferDoc;
		if (transfer.autoReject) {
			offerDoc = {
				transferId: transfer.id,
				unitId: member.transfer?.toUnitId ?? job.targetId,
				toUnitName: member.transfer?.toUnitName ?? '',
				state: 'rejected',
				decidedOn: transfer.autoReject.on,
				rejectionReason: transfer.autoReject.reason
			} as TransferDoc;
		} else {
			const target = await t.targetOf(job);
			const stored = await t.couch.getDoc<TransferDoc>({
				db: target.db,
				id: transferDocId(transfer.id),
				query: transfer.decidedRev ? { rev: transfer.decidedRev } : undefined
			});
			if (!stored) throw new Error('transfer: the answered offer is missing');
			offerDoc = stored;
		}
		const result = planTransferOutcome({
			today: todayIso(t.now()),
			now: t.now().toISOString(),
			actor: { login: SYSTEM_ACTOR, unitId: source.id },
			newUlid: () => ulid(),
			member,
			offer: offerDoc,
			...(request ? { request } : {})
		});
		if (!result.ok) throw new Error('transfer: the outcome could not be planned');
		for (const entry of result.plan.entries) {
			// The sending unit's trace of the member: the name, the receiving unit, the date.
			const trace =
				entry.kind === 'transfer-out'
					? {
							...entry,
							note: `${fullName(member)} chuyển sinh hoạt đến ${entry.data.toUnitName}.`
						}
					: entry;
			await t.putNew(source.db, trace);
		}
		if (!result.plan.member) break;
		const res = await t.couch.request({
			method: 'PUT',
			path: `${encodeURIComponent(source.db)}/${encodeURIComponent(transfer.memberId)}`,
			body: { ...result.plan.member, _rev: raw._rev }
		});
		if (res.status === 201 || res.status === 202) {
			t.touch(source.db);
			written++;
			break;
		}
		// A phone's edit landed meanwhile: plan again on top of it.
		if (res.status !== 409 || attempt >= 5) {
			throw new Error(`transfer: writing the outcome answered ${res.status}`);
		}
	}
	await t.record(ctx.job, 'outcome', 'transfer.outcome', {
		outcome: transfer.outcome,
		written
	});
}

export async function finish(t: TransferStore, ctx: JobContext): Promise<void> {
	const job = ctx.job;
	const transfer = transferOf(job);
	if (transfer.decidedRev && !transfer.autoReject) {
		// Two devices of the receiving unit answered offline: the answer acted on stays.
		const target = await t.targetOf(job);
		const id = transferDocId(transfer.id);
		const winner = await t.couch.getDoc<Raw>({ db: target.db, id, query: { conflicts: 'true' } });
		const leaves = [winner?._rev, ...((winner?._conflicts as string[] | undefined) ?? [])];
		const losing = leaves.filter(
			(rev): rev is string => typeof rev === 'string' && rev !== transfer.decidedRev
		);
		if (losing.length > 0) {
			const at = t.now().toISOString();
			await t.couch.bulkDocs({
				db: target.db,
				docs: losing.map((rev) => ({
					_id: id,
					_rev: rev,
					_deleted: true,
					type: 'transfer',
					unitId: target.id,
					updatedAt: at,
					updatedBy: SYSTEM_ACTOR
				}))
			});
			t.touch(target.db);
		}
	}
	await t.record(ctx.job, 'finish', 'transfer.done', { outcome: transfer.outcome });
}
