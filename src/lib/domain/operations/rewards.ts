import { offeredOptions } from './form';
import { defineOperation } from './entry';
import { isOnRolls } from '../member-statuses';
import type { MemberDoc } from '../member-schema';
import {
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
import { memberStatusLabel } from '../member-statuses';

// Khen thưởng (docs/domain.md §3): Giấy khen, Bằng khen and titles, each from the levels the rules table
// allows. A reward changes nothing on the member; it is an entry with its decision.

export interface RewardInput {
	formId?: InputValue;
	levelId?: InputValue;
	/** Thành tích: what the reward is for. */
	achievement?: InputValue;
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export const REWARD_FIELD_LABELS = {
	formId: 'Hình thức khen thưởng',
	levelId: 'Cấp khen thưởng',
	achievement: 'Thành tích',
	on: 'Ngày khen thưởng'
} as const;

export function planReward(
	options: OperationContext & { member: MemberDoc; input: RewardInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const labels = REWARD_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	if (!isOnRolls(member.status)) {
		errors.form =
			`Không thể khen thưởng: đoàn viên đang ở trạng thái "${memberStatusLabel(member.status)}", ` +
			'không còn trong danh sách sinh hoạt của đơn vị.';
	}
	const formId = reader.text('formId', input.formId, labels.formId, { required: true });
	const form = rules.rewardForms.find((f) => f.id === formId);
	if (formId && (form === undefined || !form.offered)) {
		errors.formId = `${labels.formId}: chọn một hình thức trong danh sách.`;
	}
	const levelId = reader.text('levelId', input.levelId, labels.levelId, { required: true });
	const level = rules.issuingLevels.find((l) => l.id === levelId);
	if (levelId && level === undefined) {
		errors.levelId = `${labels.levelId}: chọn một cấp trong danh sách.`;
	} else if (form && level && !form.levels.includes(level.id)) {
		const allowed = rules.issuingLevels
			.filter((l) => form.levels.includes(l.id))
			.map((l) => l.label)
			.join('; ');
		errors.levelId = `${labels.levelId}: ${form.label} chỉ do ${allowed} trao tặng.`;
	}
	const achievement = reader.text('achievement', input.achievement, labels.achievement, {
		required: true
	});
	const on = reader.date('on', input.on, labels.on, { required: true });
	const decision = readDecision({ reader, input: input.decision, required: true });
	if (hasErrors(errors) || !form || !level || !on || !decision) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'reward',
		at: on,
		data: {
			formId: form.id,
			formLabel: form.label,
			levelId: level.id,
			levelLabel: level.label,
			achievement
		},
		patch: {},
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const REWARD = defineOperation<RewardInput>({
	slug: 'khen-thuong',
	title: 'Khen thưởng',
	availability: { whileTransferring: true },
	decision: { use: 'required', kind: 'reward' },
	fields: ({ rules }) => [
		{
			kind: 'select',
			name: 'formId',
			label: 'Hình thức khen thưởng',
			placeholder: '— Chọn hình thức —',
			options: offeredOptions(rules.rewardForms)
		},
		{
			kind: 'select',
			name: 'levelId',
			label: 'Cấp khen thưởng',
			placeholder: '— Chọn cấp —',
			options: offeredOptions(rules.issuingLevels)
		},
		{ kind: 'textarea', name: 'achievement', label: 'Thành tích' },
		{ kind: 'date', name: 'on', label: 'Ngày khen thưởng' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planReward(options)
});
