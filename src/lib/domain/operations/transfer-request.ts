import { derivedHistoryId } from '../history-schema';
import type { MemberDoc } from '../member-schema';
import { UNIT_ID_PATTERN } from '../org/ids';
import { formatMonth, monthOf } from '../months';
import { defineOperation, valuesWithDecision } from './entry';
import { TRANSFER_FIELD_LABELS } from './transfer';
import {
	activeRefusal,
	applyMemberPatch,
	buildEntry,
	createInputReader,
	hasErrors,
	readDecision,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';

// Chuyển sinh hoạt to another unit, phase 1 (transfer.ts draws the whole path): the sending unit
// requests it, the member becomes "transferring" until the receiving unit answers.

export interface TransferRequestInput {
	toUnitId?: InputValue;
	toUnitName?: InputValue;
	on?: InputValue;
	reason?: InputValue;
	/** The branch's assessment of the member (nhận xét của chi đoàn). */
	assessment?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export function planTransferRequest(
	options: OperationContext & { member: MemberDoc; input: TransferRequestInput }
): OperationResult {
	const { member, input } = options;
	const labels = TRANSFER_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'chuyển sinh hoạt' });
	if (refusal) errors.form = refusal;

	const toUnitId = reader.text('toUnitId', input.toUnitId, labels.toUnitId, { required: true });
	if (toUnitId && !UNIT_ID_PATTERN.test(toUnitId)) {
		errors.toUnitId = `${labels.toUnitId}: chọn đơn vị trong danh bạ.`;
	} else if (toUnitId === member.unitId) {
		errors.toUnitId =
			`${labels.toUnitId} là chính đơn vị đang sinh hoạt; để đổi chi đoàn trong đơn vị, dùng ` +
			'"Chuyển chi đoàn".';
	}
	const toUnitName = reader.text('toUnitName', input.toUnitName, labels.toUnitName, {
		required: true
	});
	const on = reader.date('on', input.on, labels.on, { required: true });
	const reason = reader.text('reason', input.reason, labels.reason);
	const assessment = reader.text('assessment', input.assessment, labels.assessment, {
		required: true
	});
	const decision = readDecision({ reader, input: input.decision, required: false });

	// Dues are collected up to the month of the transfer before the member leaves.
	if (on) {
		const month = monthOf(on);
		const paid = member.duesPaidThrough;
		if (paid === undefined || paid < month) {
			errors.duesPaidThrough =
				`Đoàn phí: phải đóng đến hết tháng chuyển sinh hoạt (${formatMonth(month)}) trước khi ` +
				`chuyển; ${paid ? `mới đóng đến tháng ${formatMonth(paid)}` : 'chưa ghi lần đóng nào'}.`;
		}
	}
	if (hasErrors(errors) || !on) return { ok: false, errors };

	const transferId = options.newUlid();
	const applied = applyMemberPatch({
		member,
		patch: {
			status: 'transferring',
			statusSince: on,
			transfer: { id: transferId, toUnitId, toUnitName, requestedOn: on }
		},
		at: options.now,
		by: options.actor.login
	});
	const entry = buildEntry({
		context: options,
		member,
		kind: 'transfer-requested',
		id: derivedHistoryId({ memberId: member._id, sourceKey: transferId, step: 'requested' }),
		at: on,
		data: {
			transferId,
			toUnitId,
			toUnitName,
			assessment,
			...(reason ? { reason } : {}),
			...(member.duesPaidThrough ? { duesPaidThrough: member.duesPaidThrough } : {})
		},
		decision,
		effect: applied.effect,
		note: reader.text('note', input.note, 'Ghi chú')
	});
	return { ok: true, plan: { entries: [entry], member: applied.member, warnings: [] } };
}

export const TRANSFER_REQUEST = defineOperation<TransferRequestInput>({
	slug: 'chuyen-sinh-hoat',
	title: 'Chuyển sinh hoạt đến đơn vị khác',
	availability: { whileTransferring: false },
	decision: { use: 'optional', kind: 'transfer-requested' },
	fields: () => [
		{ kind: 'date', name: 'on', label: 'Ngày đề nghị chuyển' },
		{ kind: 'text', name: 'reason', label: 'Lý do chuyển' },
		{
			kind: 'textarea',
			name: 'assessment',
			label: 'Nhận xét của chi đoàn',
			hint: 'Ý thức, kết quả rèn luyện của đoàn viên tại chi đoàn.'
		},
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	picksUnit: true,
	errorsAboveFields: ['duesPaidThrough'],
	input: ({ values, decision, unit }) => ({
		...valuesWithDecision({ values, decision }),
		toUnitId: unit?.id ?? '',
		toUnitName: unit?.name ?? ''
	}),
	plan: (options) => planTransferRequest(options)
});
