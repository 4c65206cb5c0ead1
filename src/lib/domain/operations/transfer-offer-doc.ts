import * as v from 'valibot';
import { addDays, isIsoDate } from '../dates';
import type { HistoryOf } from '../history-schema';
import { memberFieldsEntries, memberStateEntries, type MemberDoc } from '../member-schema';
import { ULID_PATTERN, UNIT_ID_PATTERN } from '../org/ids';
import { isIsoMonth } from '../months';
import type { UnionRules } from '../rules/table';
import { rulesOf } from './shared';

// Chuyển sinh hoạt, phase 2 (transfer.ts): the offer a server worker delivers into the receiving
// unit's database (`transfer:<transfer ULID>`), built the same way however often a retried worker
// builds it, and when its answer is overdue.

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
