import { formatDate } from '../dates';
import { derivedHistoryId, historyKey, type HistoryOf } from '../history-schema';
import { MEMBER_SCHEMA_VERSION, type MemberDoc } from '../member-schema';
import type { TransferDoc } from './transfer-offer-doc';
import {
	applyMemberPatch,
	buildEntry,
	createInputReader,
	hasErrors,
	readDecision,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationErrors,
	type OperationPlan,
	type OperationResult
} from './shared';

// Chuyển sinh hoạt (docs/domain.md §3, docs/design.md §2). Within one grassroots unit a member moves from
// branch to branch in one step. Between units it is a two-phase process across two databases:
//
//   sending unit                         server worker                receiving unit
//   planTransferRequest ──────────────►  buildTransferOffer  ──────►  offer "pending"
//   (member "transferring")                                           planTransferAcceptance → member
//                                                                     created there, "accepted"
//                                                                     or planTransferRejection
//   planTransferOutcome  ◄─────────────  carries the answer back ◄──  "rejected"
//   (member "transferred", or back to "active")
//
// Every document after the request derives its id from the request's ULID (the transfer id), so a
// worker that crashes and retries writes the same documents again, never a second copy.

/** Where a transfer stands: requested at the sender, pending at the receiver, then answered. */
export const TRANSFER_STATES = ['requested', 'pending', 'accepted', 'rejected'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export const TRANSFER_STATE_LABELS: Readonly<Record<TransferState, string>> = {
	requested: 'Đã đề nghị chuyển',
	pending: 'Chờ đơn vị nhận',
	accepted: 'Đơn vị nhận đã tiếp nhận',
	rejected: 'Đơn vị nhận từ chối'
};

export const TRANSFER_TRANSITIONS: Readonly<Record<TransferState, readonly TransferState[]>> = {
	requested: ['pending'],
	pending: ['accepted', 'rejected'],
	accepted: [],
	rejected: []
};

export function canChangeTransferState(options: {
	from: TransferState;
	to: TransferState;
}): boolean {
	return TRANSFER_TRANSITIONS[options.from].includes(options.to);
}

/** The transfer's fields as the forms and messages name them. */
export const TRANSFER_FIELD_LABELS = {
	toUnitId: 'Đơn vị chuyển đến',
	toUnitName: 'Tên đơn vị chuyển đến',
	on: 'Ngày đề nghị chuyển',
	reason: 'Lý do chuyển',
	assessment: 'Nhận xét của chi đoàn',
	branchId: 'Chi đoàn tiếp nhận',
	rejectionReason: 'Lý do từ chối'
} as const;

// ---------------------------------------------------------------------------------------------
// Phase 2: the offer in the receiving unit's database (its document: transfer-offer-doc.ts).

export * from './transfer-offer-doc';

function offerRefusal(offer: TransferDoc): string | null {
	if (offer.state === 'pending') return null;
	const when = offer.decidedOn ? ` ngày ${formatDate(offer.decidedOn)}` : '';
	return offer.state === 'accepted'
		? `Đề nghị chuyển sinh hoạt này đã được tiếp nhận${when}.`
		: `Đề nghị chuyển sinh hoạt này đã bị từ chối${when}.`;
}

export type TransferPlan = OperationPlan & { offer: TransferDoc };

export type TransferResult =
	{ ok: true; plan: TransferPlan } | { ok: false; errors: OperationErrors };

export interface TransferAcceptanceInput {
	branchId?: InputValue;
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

/**
 * The receiver accepts: the offer becomes "accepted" and the member is created in the receiving
 * unit — same member id (ULIDs are unique nationwide), active, in the chosen branch, without the
 * office held in the old unit — with a "transfer-in" entry whose id derives from the transfer.
 */
export function planTransferAcceptance(
	options: OperationContext & {
		offer: TransferDoc;
		input: TransferAcceptanceInput;
		branchIds?: readonly string[];
	}
): TransferResult {
	const { offer, input } = options;
	const labels = TRANSFER_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = offerRefusal(offer);
	if (refusal) errors.form = refusal;
	if (offer.unitId !== options.actor.unitId) {
		errors.form = 'Chỉ đơn vị được đề nghị chuyển đến mới tiếp nhận được.';
	}
	const branchId = reader.text('branchId', input.branchId, labels.branchId, { required: true });
	if (branchId && options.branchIds && !options.branchIds.includes(branchId)) {
		errors.branchId = `${labels.branchId} không có trong đơn vị.`;
	}
	const on = reader.date('on', input.on, 'Ngày tiếp nhận', { required: true });
	if (on && on < offer.requestedOn) {
		errors.on = `Ngày tiếp nhận không được trước ngày đề nghị chuyển (${formatDate(offer.requestedOn)}).`;
	}
	const decision = readDecision({ reader, input: input.decision, required: false });
	if (hasErrors(errors) || !on) return { ok: false, errors };

	const {
		transfer: _transfer,
		unionPosition: _office,
		staysUntil: _stay,
		...profile
	} = offer.member;
	const member: MemberDoc = {
		...profile,
		_id: offer.memberId as MemberDoc['_id'],
		type: 'member',
		v: MEMBER_SCHEMA_VERSION,
		unitId: offer.unitId,
		status: 'active',
		statusSince: on,
		branchId,
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: options.now,
		createdBy: options.actor.login,
		updatedAt: options.now,
		updatedBy: options.actor.login
	};
	const entry = buildEntry({
		context: options,
		member,
		kind: 'transfer-in',
		id: derivedHistoryId({ memberId: member._id, sourceKey: offer.transferId, step: 'in' }),
		at: on,
		data: {
			transferId: offer.transferId,
			fromUnitId: offer.fromUnitId,
			fromUnitName: offer.fromUnitName,
			branchId
		},
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
	const decided: TransferDoc = {
		...offer,
		state: 'accepted',
		decidedOn: on,
		decidedBy: options.actor.login,
		branchId,
		updatedAt: options.now,
		updatedBy: options.actor.login
	};
	return { ok: true, plan: { entries: [entry], member, warnings: [], offer: decided } };
}

export interface TransferRejectionInput {
	reason?: InputValue;
	on?: InputValue;
}

/** The receiver refuses, with a reason; the sender gets the member back as active. */
export function planTransferRejection(
	options: OperationContext & { offer: TransferDoc; input: TransferRejectionInput }
): TransferResult {
	const { offer, input } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = offerRefusal(offer);
	if (refusal) errors.form = refusal;
	if (offer.unitId !== options.actor.unitId) {
		errors.form = 'Chỉ đơn vị được đề nghị chuyển đến mới từ chối được.';
	}
	const reason = reader.text('reason', input.reason, TRANSFER_FIELD_LABELS.rejectionReason, {
		required: true
	});
	const on = reader.date('on', input.on, 'Ngày từ chối', { required: true });
	if (hasErrors(errors) || !on) return { ok: false, errors };
	const decided: TransferDoc = {
		...offer,
		state: 'rejected',
		decidedOn: on,
		decidedBy: options.actor.login,
		rejectionReason: reason,
		updatedAt: options.now,
		updatedBy: options.actor.login
	};
	return { ok: true, plan: { entries: [], member: null, warnings: [], offer: decided } };
}

/**
 * Carries the receiver's answer back to the sending unit (run by the worker): accepted → the member
 * is "transferred" here with a "transfer-out" entry; rejected → back to "active" with a
 * "transfer-rejected" entry. Idempotent: once the answer is applied (the member no longer waits on
 * this transfer) it plans nothing, and the entry ids derive from the transfer id anyway.
 * `request`, when given, restores the status date the member had before the request.
 */
export function planTransferOutcome(
	options: OperationContext & {
		member: MemberDoc;
		offer: TransferDoc;
		request?: HistoryOf<'transfer-requested'>;
	}
): OperationResult {
	const { member, offer } = options;
	const nothing: OperationResult = { ok: true, plan: { entries: [], member: null, warnings: [] } };
	if (offer.state === 'pending' || !offer.decidedOn) return nothing;
	if (member.status !== 'transferring' || member.transfer?.id !== offer.transferId) return nothing;
	const sourceKey = offer.transferId;
	const target = {
		transferId: offer.transferId,
		toUnitId: offer.unitId,
		toUnitName: offer.toUnitName
	};
	if (offer.state === 'accepted') {
		const applied = applyMemberPatch({
			member,
			patch: { status: 'transferred', statusSince: offer.decidedOn },
			at: options.now,
			by: options.actor.login
		});
		const entry = buildEntry({
			context: options,
			member,
			kind: 'transfer-out',
			id: derivedHistoryId({ memberId: member._id, sourceKey, step: 'out' }),
			at: offer.decidedOn,
			data: target,
			effect: applied.effect
		});
		return { ok: true, plan: { entries: [entry], member: applied.member, warnings: [] } };
	}
	// The request's effect holds the status date from before it (absent there: it did not change).
	const before = options.request?.effect?.before;
	let statusSince: string | null = member.joinedOn ?? null;
	if (before !== undefined) {
		const value = 'statusSince' in before ? before.statusSince : member.statusSince;
		statusSince = typeof value === 'string' ? value : null;
	}
	const applied = applyMemberPatch({
		member,
		patch: { status: 'active', statusSince, transfer: null },
		at: options.now,
		by: options.actor.login
	});
	const entry = buildEntry({
		context: options,
		member,
		kind: 'transfer-rejected',
		id: derivedHistoryId({ memberId: member._id, sourceKey, step: 'rejected' }),
		at: offer.decidedOn,
		data: { ...target, reason: offer.rejectionReason ?? 'Không ghi lý do.' },
		effect: applied.effect
	});
	return { ok: true, plan: { entries: [entry], member: applied.member, warnings: [] } };
}

/** The transfer id a history entry of a transfer belongs to, from its id. */
export function transferIdOfEntry(entryId: string): string {
	return historyKey(entryId).split('-')[0] ?? '';
}
