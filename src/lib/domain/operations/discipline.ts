import { offeredOptions } from './form';
import { defineOperation } from './entry';
import type { MemberDoc } from '../member-schema';
import {
	activeRefusal,
	createInputReader,
	hasErrors,
	holdsOffice,
	planMemberChange,
	readDecision,
	rulesOf,
	type DecisionInput,
	type InputValue,
	type MemberPatch,
	type OperationContext,
	type OperationResult
} from './shared';

// Kỷ luật (docs/domain.md §3): khiển trách, cảnh cáo, cách chức (office holders only: it clears the
// office), khai trừ (ends membership: status "expelled"). Decided by secret ballot — more than the
// configured share of those present — then announced with a decision. The forms are data.

export interface DisciplineInput {
	formId?: InputValue;
	reason?: InputValue;
	on?: InputValue;
	ballotPresent?: InputValue;
	ballotInFavour?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export const DISCIPLINE_FIELD_LABELS = {
	formId: 'Hình thức kỷ luật',
	reason: 'Lý do kỷ luật',
	on: 'Ngày kỷ luật',
	ballotPresent: 'Số người có mặt bỏ phiếu',
	ballotInFavour: 'Số phiếu tán thành'
} as const;

export function planDiscipline(
	options: OperationContext & { member: MemberDoc; input: DisciplineInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const labels = DISCIPLINE_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'kỷ luật' });
	if (refusal) errors.form = refusal;

	const formId = reader.text('formId', input.formId, labels.formId, { required: true });
	const form = rules.disciplineForms.find((f) => f.id === formId);
	if (formId && (form === undefined || !form.offered)) {
		errors.formId = `${labels.formId}: chọn một hình thức trong danh sách.`;
	} else if (form?.officeHoldersOnly && !holdsOffice(member)) {
		errors.formId =
			`${labels.formId}: ${form.label.toLowerCase()} chỉ áp dụng với đoàn viên đang giữ chức vụ ` +
			'Đoàn; đoàn viên này không giữ chức vụ nào.';
	}
	const reason = reader.text('reason', input.reason, labels.reason, { required: true });
	const on = reader.date('on', input.on, labels.on, { required: true });
	const present = reader.number('ballotPresent', input.ballotPresent, labels.ballotPresent, {
		required: true,
		min: 1
	});
	const inFavour = reader.number('ballotInFavour', input.ballotInFavour, labels.ballotInFavour, {
		required: true,
		min: 0
	});
	if (present !== undefined && inFavour !== undefined) {
		if (inFavour > present) {
			errors.ballotInFavour = `${labels.ballotInFavour} không được lớn hơn số người có mặt (${present}).`;
		} else if (!(inFavour > present * rules.disciplineVoteShare)) {
			errors.ballotInFavour =
				`${labels.ballotInFavour}: bỏ phiếu kín phải có quá ` +
				`${rules.disciplineVoteShare === 0.5 ? 'nửa' : `${rules.disciplineVoteShare * 100}%`} số ` +
				`người có mặt tán thành (đang có ${inFavour}/${present}).`;
		}
	}
	const decision = readDecision({ reader, input: input.decision, required: true });
	if (
		hasErrors(errors) ||
		!form ||
		!on ||
		!decision ||
		present === undefined ||
		inFavour === undefined
	) {
		return { ok: false, errors };
	}
	const patch: MemberPatch = {};
	if (form.clearsOffice) patch.unionPosition = null;
	if (form.endsMembership) {
		patch.status = 'expelled';
		patch.statusSince = on;
		patch.staysUntil = null;
	}
	return planMemberChange({
		context: options,
		member,
		kind: 'discipline',
		at: on,
		data: { formId: form.id, formLabel: form.label, reason, ballot: { present, inFavour } },
		patch,
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const DISCIPLINE = defineOperation<DisciplineInput>({
	slug: 'ky-luat',
	title: 'Kỷ luật',
	availability: { whileTransferring: false },
	decision: { use: 'required', kind: 'discipline' },
	fields: ({ rules }) => [
		{
			kind: 'select',
			name: 'formId',
			label: 'Hình thức kỷ luật',
			placeholder: '— Chọn hình thức —',
			options: offeredOptions(rules.disciplineForms)
		},
		{ kind: 'textarea', name: 'reason', label: 'Lý do kỷ luật' },
		{ kind: 'date', name: 'on', label: 'Ngày kỷ luật' },
		{ kind: 'number', name: 'ballotPresent', label: 'Số người có mặt bỏ phiếu' },
		{ kind: 'number', name: 'ballotInFavour', label: 'Số phiếu tán thành' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planDiscipline(options)
});
