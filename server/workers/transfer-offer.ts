import * as v from 'valibot';
import { todayIso } from '../../src/lib/domain/dates';
import { isMemberStatus, isOnRolls } from '../../src/lib/domain/member-statuses';
import type { HistoryOf } from '../../src/lib/domain/history-schema';
import { upgradeMemberDoc, type MemberDoc } from '../../src/lib/domain/member-schema';
import {
	buildTransferOffer,
	TransferDocSchema,
	type TransferDoc
} from '../../src/lib/domain/operations/transfer';
import type { ClaimStatus } from '../registry/registry-service';
import { JobFailed, JobWaiting, NotYet, type JobContext } from './job-runner';
import { transferOf, SYSTEM_ACTOR } from './transfer-job';
import type { TransferStore } from './transfer-store';

// The first steps of a transfer: the offer to the receiving unit, its answer, and the citizen id's
// claim moving with an accepted member.

async function autoReject(t: TransferStore, ctx: JobContext, reason: string): Promise<void> {
	await t.setTransfer(ctx, {
		outcome: 'rejected',
		autoReject: { reason, on: todayIso(t.now()) }
	});
	await t.record(ctx.job, 'offer', 'transfer.offer', { outcome: 'rejected', automatic: true });
}

export async function offer(t: TransferStore, ctx: JobContext): Promise<void> {
	const job = ctx.job;
	const transfer = transferOf(job);
	if (transfer.outcome) return;
	const source = await t.sourceOf(job);
	const raw = await t.getDoc(source.db, transfer.memberId);
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
		await t.setTransfer(ctx, { outcome: 'withdrawn' });
		await t.record(ctx.job, 'offer', 'transfer.offer', { outcome: 'withdrawn' });
		return;
	}
	let request: HistoryOf<'transfer-requested'> | undefined;
	try {
		request = await t.requestOf(source.db, transfer);
	} catch {
		return autoReject(
			t,
			ctx,
			'Đề nghị chuyển sinh hoạt ghi trên máy không đọc được; hãy lập lại đề nghị.'
		);
	}
	// The entry travels in the same push as the member, maybe in the next batch.
	if (!request) throw new NotYet();
	const target = await t.holderOf(request.data.toUnitId);
	if (!target) {
		return autoReject(
			t,
			ctx,
			`Đơn vị nhận "${request.data.toUnitName}" không còn hoạt động (đã giải thể hoặc không có trong danh bạ).`
		);
	}
	if (target.id === source.id || target.id === job.sourceId) {
		return autoReject(t, ctx, 'Đơn vị nhận là chính đơn vị đoàn viên đang sinh hoạt.');
	}
	let built: TransferDoc = buildTransferOffer({
		request,
		member,
		fromUnitName: source.name,
		now: t.now().toISOString(),
		by: SYSTEM_ACTOR
	});
	// A receiving unit merged since the request: the unit it joined answers (its accounts moved).
	if (built.unitId !== target.id) built = { ...built, unitId: target.id, toUnitName: target.name };
	const checked = v.safeParse(TransferDocSchema, built);
	if (!checked.success) {
		return autoReject(
			t,
			ctx,
			'Hồ sơ đoàn viên chưa đủ thông tin để chuyển sinh hoạt; hãy bổ sung rồi lập lại đề nghị.'
		);
	}
	await t.putNew(target.db, built);
	await t.setTransfer(ctx, { deliveredTo: target.id });
	await t.record(ctx.job, 'offer', 'transfer.offer', {});
}

export async function answer(t: TransferStore, ctx: JobContext): Promise<void> {
	const job = ctx.job;
	const transfer = transferOf(job);
	if (transfer.outcome) return;
	const target = await t.targetOf(job);
	const found = await t.answerOf(target.db, transfer);
	if (found.state === 'missing') throw new Error('transfer: the offer is missing');
	if (found.state === 'pending') throw new JobWaiting();
	if (found.state === 'accepted' && !(await t.getDoc(target.db, transfer.memberId))) {
		// The device writes the member with its answer; it may arrive in the next batch.
		throw new NotYet();
	}
	await t.setTransfer(ctx, { outcome: found.state, decidedRev: found.offer._rev });
	await t.record(
		ctx.job,
		'answer',
		'transfer.answer',
		{ outcome: found.state },
		typeof found.offer.decidedBy === 'string' ? found.offer.decidedBy : SYSTEM_ACTOR
	);
}

export async function moveClaim(t: TransferStore, ctx: JobContext): Promise<void> {
	const job = ctx.job;
	const transfer = transferOf(job);
	let result = 'unchanged';
	if (transfer.outcome === 'accepted') {
		const target = await t.targetOf(job);
		const member = await t.getDoc(target.db, transfer.memberId);
		const status = member?.status;
		if (member && isMemberStatus(status) && isOnRolls(status)) {
			result = await t.registry.moveMember({
				memberId: transfer.memberId,
				citizenId: typeof member.citizenId === 'string' ? member.citizenId : undefined,
				status: status as ClaimStatus,
				to: target
			});
		}
	}
	await t.record(ctx.job, 'registry', 'transfer.registry', { registry: result });
}
