import { formatDate } from '../dates';
import { offeredOptions } from './form';
import { defineOperation } from './entry';
import type { MemberDoc } from '../member-schema';
import {
	activeRefusal,
	createInputReader,
	hasErrors,
	planMemberChange,
	readDecision,
	rulesOf,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';

// Xóa tên (docs/domain.md §3): removal from the rolls, not a sanction. The branch removes a member who,
// without good reason, neither attended nor paid dues for 3 months within a year; members away for
// study or work who keep in touch are exempt. Reasons come from the rules table; the reason, the
// decision and a note are kept. Also here: từ trần (death), the other way off the rolls.

export interface RemovalInput {
	reasonId?: InputValue;
	on?: InputValue;
	/** Months within the year the member neither attended nor paid dues. */
	monthsMissed?: InputValue;
	/** Away for study or work… */
	awayForStudyOrWork?: InputValue;
	/** …and keeps in touch with the branch: exempt from removal for missed months. */
	keepsInTouch?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export const REMOVAL_FIELD_LABELS = {
	reasonId: 'Lý do xóa tên',
	on: 'Ngày xóa tên',
	monthsMissed: 'Số tháng không sinh hoạt, không đóng đoàn phí',
	note: 'Ghi rõ lý do'
} as const;

export function planRemoval(
	options: OperationContext & { member: MemberDoc; input: RemovalInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const labels = REMOVAL_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'xóa tên' });
	if (refusal) errors.form = refusal;

	const reasonId = reader.text('reasonId', input.reasonId, labels.reasonId, { required: true });
	const reason = rules.removalReasons.find((r) => r.id === reasonId);
	if (reasonId && (reason === undefined || !reason.offered)) {
		errors.reasonId = `${labels.reasonId}: chọn một lý do trong danh sách.`;
	}
	const on = reader.date('on', input.on, labels.on, { required: true });
	const note = reader.text('note', input.note, labels.note, { required: reason?.needsNote });
	let monthsMissed: number | null = null;
	if (reason && reason.minMonthsMissed !== null) {
		const months = reader.number('monthsMissed', input.monthsMissed, labels.monthsMissed, {
			required: true,
			min: 0,
			max: 12
		});
		if (months !== undefined) {
			monthsMissed = months;
			if (months < reason.minMonthsMissed) {
				errors.monthsMissed =
					`${labels.monthsMissed}: lý do này cần từ ${reason.minMonthsMissed} tháng trong năm ` +
					`trở lên (đang ghi ${months}).`;
			}
		}
		if (
			reason.exemptsAwayInTouch &&
			reader.flag(input.awayForStudyOrWork) &&
			reader.flag(input.keepsInTouch)
		) {
			errors.form =
				'Không xóa tên: đoàn viên đi học, đi làm ăn xa vẫn giữ liên hệ với chi đoàn thì không ' +
				'bị xóa tên vì không sinh hoạt.';
		}
	}
	const decision = readDecision({ reader, input: input.decision, required: true });
	if (hasErrors(errors) || !on || !reason || !decision) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'removal',
		at: on,
		data: { reasonId: reason.id, reasonLabel: reason.label, monthsMissed },
		patch: { status: 'removed', statusSince: on, staysUntil: null },
		decision,
		note
	});
}

export interface DeathInput {
	on?: InputValue;
	note?: InputValue;
}

/** Từ trần: the member leaves the rolls on the day of death. */
export function planDeath(
	options: OperationContext & { member: MemberDoc; input: DeathInput }
): OperationResult {
	const { member, input } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'ghi từ trần' });
	if (refusal) errors.form = refusal;
	const on = reader.date('on', input.on, 'Ngày mất', { required: true });
	if (hasErrors(errors) || !on) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'death',
		at: on,
		data: {},
		patch: { status: 'deceased', statusSince: on, staysUntil: null },
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const REMOVAL = defineOperation<RemovalInput>({
	slug: 'xoa-ten',
	title: 'Xóa tên',
	availability: { whileTransferring: false },
	decision: { use: 'required', kind: 'removal' },
	fields: ({ rules }) => [
		{
			kind: 'select',
			name: 'reasonId',
			label: 'Lý do xóa tên',
			placeholder: '— Chọn lý do —',
			options: offeredOptions(rules.removalReasons)
		},
		{ kind: 'date', name: 'on', label: 'Ngày xóa tên' },
		{
			kind: 'number',
			name: 'monthsMissed',
			label: 'Số tháng không sinh hoạt, không đóng đoàn phí trong năm'
		},
		{ kind: 'checkbox', name: 'awayForStudyOrWork', label: 'Đoàn viên đi học, đi làm ăn xa' },
		{ kind: 'checkbox', name: 'keepsInTouch', label: 'Vẫn giữ liên hệ với chi đoàn' },
		{ kind: 'textarea', name: 'note', label: 'Ghi rõ lý do' }
	],
	defaults: ({ today }) => ({ reasonId: '', on: formatDate(today), monthsMissed: '', note: '' }),
	plan: (options) => planRemoval(options)
});

export const DEATH = defineOperation<DeathInput>({
	slug: 'tu-tran',
	title: 'Ghi từ trần',
	availability: { whileTransferring: false },
	decision: { use: 'none', kind: 'death' },
	fields: () => [
		{ kind: 'date', name: 'on', label: 'Ngày mất' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planDeath(options)
});
