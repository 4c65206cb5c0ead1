import * as v from 'valibot';
import { todayIso } from '../../src/lib/domain/dates';
import { fullName } from '../../src/lib/domain/names';
import { isMemberStatus, isOnRolls } from '../../src/lib/domain/member-statuses';
import {
	derivedHistoryId,
	upgradeHistoryDoc,
	type HistoryDoc,
	type HistoryOf
} from '../../src/lib/domain/history-schema';
import { upgradeMemberDoc, type MemberDoc } from '../../src/lib/domain/member-schema';
import {
	buildTransferOffer,
	planTransferOutcome,
	TransferDocSchema,
	transferDocId,
	type TransferDoc
} from '../../src/lib/domain/transfer';
import type { AuditAction, AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import {
	transferJobId,
	TRANSFER_JOB_ID_PATTERN,
	type JobDoc,
	type TransferJobData
} from './job-service';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import type { CitizenRegistry, ClaimStatus } from '../registry/registry-service';
import { ulid } from '../ulid';
import { rewriteUnit, type DocCopier, type RevDoc } from './doc-copier';
import { JobFailed, JobWaiting, NotYet, type JobContext, type JobWorker } from './job-runner';

// Transfers between units (docs/architecture.md, "Transfers between units"; docs/decisions/
// 0009-transfers-and-registry.md), carried by a job per transfer (`job:transfer:<transfer ULID>`,
// created by the unit watcher when it sees the request) on the job machinery of ADR 0007: a lease,
// steps recorded in the job, each step idempotent with deterministic ids, so a server killed between
// any two steps leaves a job that the next server finishes.
//
//   offer     builds the offer from the member and the request entry (buildTransferOffer) and writes
//             it as `transfer:<id>` into the receiving unit's database (or the unit it was merged
//             into); a receiver that no longer exists is answered for, with a rejection;
//   answer    waits (the job is parked, not polled) until the receiving unit answers; the watcher
//             wakes it. On acceptance it also waits for the member the device created there;
//   registry  on acceptance the citizen id's claim moves to the receiving unit;
//   outcome   the answer in the sending unit (planTransferOutcome): `transferred` and a transfer-out
//             entry, or `active` again and a transfer-rejected entry;
//   history   on acceptance the member's history is copied to the receiving unit (same ids, same
//             revisions: a repeated copy writes nothing);
//   remove    on acceptance the member document and its history are deleted in the sending unit
//             (admin deletions with `type`, `updatedBy: 'system'`, `transferredTo`), all but the
//             transfer-out entry, which names the member and the receiving unit and nothing else;
//   finish    a second answer given offline on another device of the receiving unit (a conflict
//             of the offer) is resolved to the one acted on; the audit records the end.
//
// Every step writes one audit entry (derived id: recorded once however often the step runs).

export const TRANSFER_STEPS = [
	'offer',
	'answer',
	'registry',
	'outcome',
	'history',
	'remove',
	'finish'
] as const;

/** Who the worker's writes name as their author. */
export const SYSTEM_ACTOR = 'system';

export interface TransferDeps {
	couch: CouchClient;
	provision: ProvisionService;
	registry: CitizenRegistry;
	audit: AuditService;
	copier: DocCopier;
	/** A unit database was written to (db-updates.ts). */
	touch: (db: string) => void;
	now?: () => Date;
}

export interface TransferWorker extends JobWorker {
	/**
	 * After an accepted transfer, deletes again what the sending unit still (or again) holds of the
	 * member — a phone that edited the record offline pushed it back — and copies history entries
	 * that arrived meanwhile. Returns how many documents it deleted.
	 */
	sweepSource(job: JobDoc): Promise<number>;
}

interface RequestedMember {
	_id: string;
	updatedBy?: unknown;
	transfer?: { id?: unknown; toUnitId?: unknown };
}

/** The job of a request seen in a unit database: undefined when the document is not one. */
export function transferJobFor(options: {
	member: RequestedMember;
	unitId: string;
	now: Date;
}): JobDoc | undefined {
	const { member } = options;
	const id = member.transfer?.id;
	if (typeof id !== 'string' || !TRANSFER_JOB_ID_PATTERN.test(transferJobId(id))) return undefined;
	const at = options.now.toISOString();
	const toUnitId = typeof member.transfer?.toUnitId === 'string' ? member.transfer.toUnitId : '';
	return {
		_id: transferJobId(id),
		type: 'job',
		kind: 'transfer',
		state: 'queued',
		sourceId: options.unitId,
		targetId: toUnitId,
		parentId: '',
		params: {},
		createdAt: at,
		createdBy: typeof member.updatedBy === 'string' ? member.updatedBy : SYSTEM_ACTOR,
		updatedAt: at,
		steps: [...TRANSFER_STEPS],
		step: 0,
		attempts: 0,
		data: { transfer: { id, memberId: member._id } }
	};
}

type Raw = Record<string, unknown> & { _id: string; _rev?: string };

export function createTransferWorker(deps: TransferDeps): TransferWorker {
	const { couch, provision, registry, audit, copier, touch } = deps;
	const now = deps.now ?? (() => new Date());

	const transferOf = (job: JobDoc): TransferJobData => {
		const data = job.data.transfer;
		if (!data) throw new JobFailed('Thao tác chuyển sinh hoạt thiếu dữ liệu.');
		return data;
	};

	const setTransfer = (ctx: JobContext, patch: Partial<TransferJobData>) =>
		ctx.update((job) => ({
			...job,
			data: { ...job.data, transfer: { ...transferOf(job), ...patch } }
		}));

	const record = (
		job: JobDoc,
		step: string,
		action: AuditAction,
		details: Record<string, unknown>,
		actor = SYSTEM_ACTOR
	) =>
		audit.record({
			actor,
			action,
			target: { type: 'transfer', id: transferOf(job).id },
			details: {
				memberId: transferOf(job).memberId,
				fromUnitId: job.sourceId,
				toUnitId: transferOf(job).deliveredTo ?? job.targetId,
				...details
			},
			seed: { time: Date.parse(job.createdAt), value: `${job._id}:${step}` }
		});

	/** The unit holding a unit's records now: itself, or the unit it was merged into (and so on). */
	async function holderOf(id: string): Promise<UnitRecord | undefined> {
		let unit = await provision.getUnit(id);
		for (
			let hops = 0;
			unit && unitStatus(unit) === 'merged' && unit.mergedInto && hops < 8;
			hops++
		) {
			unit = await provision.getUnit(unit.mergedInto);
		}
		return unit && unitStatus(unit) === 'active' ? unit : undefined;
	}

	async function sourceOf(job: JobDoc): Promise<UnitRecord> {
		const unit = (await holderOf(job.sourceId)) ?? (await provision.getUnit(job.sourceId));
		if (!unit) throw new JobFailed('Không tìm thấy đơn vị chuyển đi của đề nghị chuyển sinh hoạt.');
		return unit;
	}

	async function targetOf(job: JobDoc): Promise<UnitRecord> {
		const id = transferOf(job).deliveredTo ?? job.targetId;
		const unit = await provision.getUnit(id);
		if (!unit) throw new JobFailed('Không tìm thấy đơn vị nhận của đề nghị chuyển sinh hoạt.');
		return unit;
	}

	async function getDoc(
		db: string,
		id: string,
		query?: Record<string, string>
	): Promise<Raw | undefined> {
		const doc = await couch.getDoc<Raw>({ db, id, query });
		return doc && !doc._deleted ? doc : undefined;
	}

	async function requestOf(
		db: string,
		transfer: TransferJobData
	): Promise<HistoryOf<'transfer-requested'> | undefined> {
		const id = derivedHistoryId({
			memberId: transfer.memberId,
			sourceKey: transfer.id,
			step: 'requested'
		});
		const raw = await getDoc(db, id);
		if (!raw) return undefined;
		const entry: HistoryDoc = upgradeHistoryDoc(raw);
		if (entry.kind !== 'transfer-requested') {
			throw new Error('transfer: the request entry is of another kind');
		}
		return entry;
	}

	/** The answer the worker acts on: an accepted leaf of the offer before a rejected one. */
	async function answerOf(
		db: string,
		transfer: TransferJobData
	): Promise<
		{ state: 'pending' } | { state: 'missing' } | { state: 'accepted' | 'rejected'; offer: Raw }
	> {
		const id = transferDocId(transfer.id);
		const winner = await getDoc(db, id, { conflicts: 'true' });
		if (!winner) return { state: 'missing' };
		const leaves: Raw[] = [winner];
		for (const rev of (winner._conflicts as string[] | undefined) ?? []) {
			const leaf = await getDoc(db, id, { rev });
			if (leaf) leaves.push(leaf);
		}
		const accepted = leaves.find((leaf) => leaf.state === 'accepted');
		if (accepted) return { state: 'accepted', offer: accepted };
		const rejected = leaves.find((leaf) => leaf.state === 'rejected');
		if (rejected) return { state: 'rejected', offer: rejected };
		return { state: 'pending' };
	}

	/** Ids of the member's history entries in a database (live ones). */
	async function historyIds(db: string, memberId: string): Promise<string[]> {
		const prefix = `history:${memberId.slice('member:'.length)}:`;
		const rows = await couch.allDocs({ db, startkey: prefix, endkey: `${prefix}\ufff0` });
		return rows.map((row) => row.id);
	}

	async function putNew(db: string, doc: object & { _id: string }): Promise<void> {
		const res = await couch.request({
			method: 'PUT',
			path: `${encodeURIComponent(db)}/${encodeURIComponent(doc._id)}`,
			body: doc
		});
		// 409: written by an earlier run of the step (deterministic id).
		if (res.status !== 201 && res.status !== 202 && res.status !== 409) {
			throw new Error(`transfer: writing a document answered ${res.status}`);
		}
		touch(db);
	}

	// ---------------------------------------------------------------------------------------------

	async function autoReject(ctx: JobContext, reason: string): Promise<void> {
		await setTransfer(ctx, {
			outcome: 'rejected',
			autoReject: { reason, on: todayIso(now()) }
		});
		await record(ctx.job, 'offer', 'transfer.offer', { outcome: 'rejected', automatic: true });
	}

	async function offer(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const transfer = transferOf(job);
		if (transfer.outcome) return;
		const source = await sourceOf(job);
		const raw = await getDoc(source.db, transfer.memberId);
		let member: MemberDoc | undefined;
		if (raw) {
			try {
				member = upgradeMemberDoc(raw);
			} catch (error) {
				throw new JobFailed(
					`Hồ sơ đoàn viên không đọc được, chưa gửi được đề nghị chuyển sinh hoạt: ${(error as Error).message}`
				);
			}
		}
		if (!member || member.status !== 'transferring' || member.transfer?.id !== transfer.id) {
			// The member no longer waits on this transfer (deleted, or changed since): nothing to do.
			await setTransfer(ctx, { outcome: 'withdrawn' });
			await record(ctx.job, 'offer', 'transfer.offer', { outcome: 'withdrawn' });
			return;
		}
		let request: HistoryOf<'transfer-requested'> | undefined;
		try {
			request = await requestOf(source.db, transfer);
		} catch {
			return autoReject(
				ctx,
				'Đề nghị chuyển sinh hoạt ghi trên máy không đọc được; hãy lập lại đề nghị.'
			);
		}
		// The entry travels in the same push as the member, maybe in the next batch.
		if (!request) throw new NotYet();
		const target = await holderOf(request.data.toUnitId);
		if (!target) {
			return autoReject(
				ctx,
				`Đơn vị nhận "${request.data.toUnitName}" không còn hoạt động (đã giải thể hoặc không có trong danh bạ).`
			);
		}
		if (target.id === source.id || target.id === job.sourceId) {
			return autoReject(ctx, 'Đơn vị nhận là chính đơn vị đoàn viên đang sinh hoạt.');
		}
		let built: TransferDoc = buildTransferOffer({
			request,
			member,
			fromUnitName: source.name,
			now: now().toISOString(),
			by: SYSTEM_ACTOR
		});
		// A receiving unit merged since the request: the unit it joined answers (its accounts moved).
		if (built.unitId !== target.id)
			built = { ...built, unitId: target.id, toUnitName: target.name };
		const checked = v.safeParse(TransferDocSchema, built);
		if (!checked.success) {
			return autoReject(
				ctx,
				'Hồ sơ đoàn viên chưa đủ thông tin để chuyển sinh hoạt; hãy bổ sung rồi lập lại đề nghị.'
			);
		}
		await putNew(target.db, built);
		await setTransfer(ctx, { deliveredTo: target.id });
		await record(ctx.job, 'offer', 'transfer.offer', {});
	}

	async function answer(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const transfer = transferOf(job);
		if (transfer.outcome) return;
		const target = await targetOf(job);
		const found = await answerOf(target.db, transfer);
		if (found.state === 'missing') throw new Error('transfer: the offer is missing');
		if (found.state === 'pending') throw new JobWaiting();
		if (found.state === 'accepted' && !(await getDoc(target.db, transfer.memberId))) {
			// The device writes the member with its answer; it may arrive in the next batch.
			throw new NotYet();
		}
		await setTransfer(ctx, { outcome: found.state, decidedRev: found.offer._rev });
		await record(
			ctx.job,
			'answer',
			'transfer.answer',
			{ outcome: found.state },
			typeof found.offer.decidedBy === 'string' ? found.offer.decidedBy : SYSTEM_ACTOR
		);
	}

	async function moveClaim(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const transfer = transferOf(job);
		let result = 'unchanged';
		if (transfer.outcome === 'accepted') {
			const target = await targetOf(job);
			const member = await getDoc(target.db, transfer.memberId);
			const status = member?.status;
			if (member && isMemberStatus(status) && isOnRolls(status)) {
				result = await registry.moveMember({
					memberId: transfer.memberId,
					citizenId: typeof member.citizenId === 'string' ? member.citizenId : undefined,
					status: status as ClaimStatus,
					to: target
				});
			}
		}
		await record(ctx.job, 'registry', 'transfer.registry', { registry: result });
	}

	async function outcome(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const transfer = transferOf(job);
		if (transfer.outcome !== 'accepted' && transfer.outcome !== 'rejected') return;
		const source = await sourceOf(job);
		let written = 0;
		for (let attempt = 0; ; attempt++) {
			const raw = await getDoc(source.db, transfer.memberId);
			if (!raw) break;
			const member = upgradeMemberDoc(raw);
			const request = await requestOf(source.db, transfer).catch(() => undefined);
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
				const target = await targetOf(job);
				const stored = await couch.getDoc<TransferDoc>({
					db: target.db,
					id: transferDocId(transfer.id),
					query: transfer.decidedRev ? { rev: transfer.decidedRev } : undefined
				});
				if (!stored) throw new Error('transfer: the answered offer is missing');
				offerDoc = stored;
			}
			const result = planTransferOutcome({
				today: todayIso(now()),
				now: now().toISOString(),
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
				await putNew(source.db, trace);
			}
			if (!result.plan.member) break;
			const res = await couch.request({
				method: 'PUT',
				path: `${encodeURIComponent(source.db)}/${encodeURIComponent(transfer.memberId)}`,
				body: { ...result.plan.member, _rev: raw._rev }
			});
			if (res.status === 201 || res.status === 202) {
				touch(source.db);
				written++;
				break;
			}
			// A phone's edit landed meanwhile: plan again on top of it.
			if (res.status !== 409 || attempt >= 5) {
				throw new Error(`transfer: writing the outcome answered ${res.status}`);
			}
		}
		await record(ctx.job, 'outcome', 'transfer.outcome', {
			outcome: transfer.outcome,
			written
		});
	}

	async function copyHistory(job: JobDoc, ids?: string[]): Promise<number> {
		const transfer = transferOf(job);
		const source = await sourceOf(job);
		const target = await targetOf(job);
		const leaves = await copier.leaves({
			db: source.db,
			ids: ids ?? (await historyIds(source.db, transfer.memberId))
		});
		return copier.copyLeaves({
			source: source.db,
			target: target.db,
			leaves,
			transform: rewriteUnit(target.id)
		});
	}

	async function history(ctx: JobContext): Promise<void> {
		if (transferOf(ctx.job).outcome !== 'accepted') return;
		const copied = await copyHistory(ctx.job);
		await record(ctx.job, 'history', 'transfer.history', { copied });
	}

	async function sweepSource(job: JobDoc): Promise<number> {
		const transfer = transferOf(job);
		if (transfer.outcome !== 'accepted') return 0;
		const source = await sourceOf(job);
		const target = await targetOf(job);
		const trace = derivedHistoryId({
			memberId: transfer.memberId,
			sourceKey: transfer.id,
			step: 'out'
		});
		const historyOf = (await historyIds(source.db, transfer.memberId)).filter((id) => id !== trace);
		const ids = [transfer.memberId, ...historyOf];
		let removed = 0;
		for (let round = 0; ; round++) {
			const leaves = await copier.leaves({ db: source.db, ids });
			const docs = await copier.fetch({ db: source.db, revs: leaves });
			const live = docs.filter((doc) => !doc._deleted);
			if (live.length === 0) break;
			if (round >= 5) throw new Error('transfer: the record keeps changing during its removal');
			// History entries that arrived since the copy go along before they are deleted here.
			const lateHistory = new Map([...leaves].filter(([id]) => id !== transfer.memberId));
			if (lateHistory.size > 0) {
				await copier.copyLeaves({
					source: source.db,
					target: target.db,
					leaves: lateHistory,
					transform: rewriteUnit(target.id)
				});
			}
			const at = now().toISOString();
			const results = await couch.bulkDocs({
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
			touch(source.db);
			removed += results.filter((result) => !result.error).length;
		}
		return removed;
	}

	async function remove(ctx: JobContext): Promise<void> {
		if (transferOf(ctx.job).outcome !== 'accepted') return;
		const removed = await sweepSource(ctx.job);
		await record(ctx.job, 'remove', 'transfer.remove', { removed });
	}

	async function finish(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const transfer = transferOf(job);
		if (transfer.decidedRev && !transfer.autoReject) {
			// Two devices of the receiving unit answered offline: the answer acted on stays.
			const target = await targetOf(job);
			const id = transferDocId(transfer.id);
			const winner = await couch.getDoc<Raw>({ db: target.db, id, query: { conflicts: 'true' } });
			const leaves = [winner?._rev, ...((winner?._conflicts as string[] | undefined) ?? [])];
			const losing = leaves.filter(
				(rev): rev is string => typeof rev === 'string' && rev !== transfer.decidedRev
			);
			if (losing.length > 0) {
				const at = now().toISOString();
				await couch.bulkDocs({
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
				touch(target.db);
			}
		}
		await record(ctx.job, 'finish', 'transfer.done', { outcome: transfer.outcome });
	}

	return {
		steps: TRANSFER_STEPS,
		async run(step, ctx) {
			if (step === 'offer') return offer(ctx);
			if (step === 'answer') return answer(ctx);
			if (step === 'registry') return moveClaim(ctx);
			if (step === 'outcome') return outcome(ctx);
			if (step === 'history') return history(ctx);
			if (step === 'remove') return remove(ctx);
			if (step === 'finish') return finish(ctx);
			throw new Error(`transfer: unknown step ${step}`);
		},
		async stillWaiting(job) {
			const transfer = transferOf(job);
			if (transfer.outcome) return false;
			const target = await targetOf(job);
			return (await answerOf(target.db, transfer)).state === 'pending';
		},
		sweepSource
	};
}
