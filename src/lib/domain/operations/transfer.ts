// Whole (~400 lines) on purpose: the transfer offer's document and the phases that answer it form one protocol with the server's worker.
import * as v from 'valibot';
import { addDays, formatDate, isIsoDate } from '../dates';
import { derivedHistoryId, historyKey, type HistoryOf } from '../history-schema';
import {
	MEMBER_SCHEMA_VERSION,
	memberFieldsEntries,
	memberStateEntries,
	type MemberDoc
} from '../member-schema';
import { ULID_PATTERN, UNIT_ID_PATTERN } from '../org/ids';
import { isIsoMonth } from '../months';
import {
	applyMemberPatch,
	buildEntry,
	createInputReader,
	hasErrors,
	readDecision,
	rulesOf,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationErrors,
	type OperationPlan,
	type OperationResult
} from './shared';
import type { UnionRules } from '../rules/table';

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
// Phase 2: the offer in the receiving unit's database.

const IsoDate = v.pipe(
	v.string(),
	v.check((value: string) => isIsoDate(value), 'Ngày phải là một ngày có thật, dạng YYYY-MM-DD.')
);
const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const RequiredText = v.pipe(v.string(), v.trim(), v.nonEmpty('Không được để trống.'));
const UnitId = v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.'));

export const TRANSFER_SCHEMA_VERSION = 1 as const;
export const TRANSFER_ID_PATTERN = /^transfer:[0-9A-HJKMNP-TV-Z]{26}$/;

/** The member as the sending unit knew it, carried to the receiver. */
export const TransferMemberSchema = v.strictObject({
	...memberFieldsEntries,
	...memberStateEntries
});

/** `transfer:<transfer ULID>`: the offer a worker delivers into the receiving unit's database. */
export const TransferDocSchema = v.strictObject({
	_id: v.custom<`transfer:${string}`>(
		(input) => typeof input === 'string' && TRANSFER_ID_PATTERN.test(input),
		'Mã chuyển sinh hoạt phải có dạng transfer:<ULID>.'
	),
	_rev: v.optional(v.string()),
	type: v.literal('transfer'),
	v: v.literal(TRANSFER_SCHEMA_VERSION),
	/** The receiving unit: the offer lives in its database. */
	unitId: UnitId,
	transferId: v.pipe(v.string(), v.regex(ULID_PATTERN)),
	memberId: v.pipe(v.string(), v.regex(/^member:[0-9A-HJKMNP-TV-Z]{26}$/)),
	fromUnitId: UnitId,
	fromUnitName: RequiredText,
	toUnitName: RequiredText,
	requestedOn: IsoDate,
	requestedBy: RequiredText,
	reason: v.optional(v.string()),
	assessment: RequiredText,
	duesPaidThrough: v.optional(
		v.pipe(
			v.string(),
			v.check((m: string) => isIsoMonth(m))
		)
	),
	member: TransferMemberSchema,
	state: v.picklist(['pending', 'accepted', 'rejected']),
	decidedOn: v.optional(IsoDate),
	decidedBy: v.optional(v.string()),
	/** Where the receiver placed the member. */
	branchId: v.optional(v.string()),
	rejectionReason: v.optional(v.string()),
	createdAt: Timestamp,
	createdBy: RequiredText,
	updatedAt: Timestamp,
	updatedBy: RequiredText
});

export type TransferDoc = v.InferOutput<typeof TransferDocSchema>;

/** `transfer:<transfer ULID>`. */
export function transferDocId(transferId: string): `transfer:${string}` {
	return `transfer:${transferId}`;
}

const BOOKKEEPING = new Set([
	'_id',
	'_rev',
	'type',
	'v',
	'unitId',
	'provenance',
	'fieldRevs',
	'createdAt',
	'createdBy',
	'updatedAt',
	'updatedBy'
]);

/**
 * The offer the worker writes into the receiving unit, from the request entry and the member as
 * the sender holds it. Deterministic: the same request always gives the same document.
 */
export function buildTransferOffer(options: {
	request: HistoryOf<'transfer-requested'>;
	member: MemberDoc;
	fromUnitName: string;
	now: string;
	by: string;
}): TransferDoc {
	const { request, member } = options;
	const snapshot = Object.fromEntries(
		Object.entries(member).filter(([key]) => !BOOKKEEPING.has(key))
	) as TransferDoc['member'];
	return {
		_id: transferDocId(request.data.transferId),
		type: 'transfer',
		v: TRANSFER_SCHEMA_VERSION,
		unitId: request.data.toUnitId,
		transferId: request.data.transferId,
		memberId: member._id,
		fromUnitId: request.unitId,
		fromUnitName: options.fromUnitName,
		toUnitName: request.data.toUnitName,
		requestedOn: request.at,
		requestedBy: request.createdBy,
		...(request.data.reason ? { reason: request.data.reason } : {}),
		assessment: request.data.assessment,
		...(request.data.duesPaidThrough ? { duesPaidThrough: request.data.duesPaidThrough } : {}),
		member: snapshot,
		state: 'pending',
		createdAt: options.now,
		createdBy: options.by,
		updatedAt: options.now,
		updatedBy: options.by
	};
}

/** Past the configured deadline for the receiver's answer (never, while no deadline is set). */
export function isTransferOverdue(options: {
	offer: Pick<TransferDoc, 'state' | 'requestedOn'>;
	today: string;
	rules?: UnionRules;
}): boolean {
	const days = rulesOf(options).transferDeadlineDays;
	if (days === null || options.offer.state !== 'pending') return false;
	return options.today > addDays({ date: options.offer.requestedOn, days });
}

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
