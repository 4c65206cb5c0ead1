import { formatDate } from '../dates';
import { defineOperation } from './entry';
import { entriesOfKind, type HistoryDoc, type HistoryOf } from '../history-schema';
import { RATING_STAGES, RATING_STAGE_LABELS, isOneOf, type RatingStage } from '../labels';
import { isOnRolls, memberStatusLabel } from '../member-statuses';
import type { MemberDoc } from '../member-schema';
import {
	createInputReader,
	hasErrors,
	planMemberChange,
	rulesOf,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';
import type { UnionRules } from '../rules/table';
import { currentRatingScale, ratingGradeLabel } from '../rules/lookups';

// Đánh giá, xếp loại (docs/domain.md §3): once a year, the member's self-assessment, then the branch,
// then the superior. New ratings use the current scale only; an entry stores its scale, grade and
// the grade's label, so a rating on the old Xuất sắc / Khá / Trung bình / Yếu scale stays readable.

export interface RatingInput {
	year?: InputValue;
	stage?: InputValue;
	gradeId?: InputValue;
	on?: InputValue;
	note?: InputValue;
}

export const RATING_FIELD_LABELS = {
	year: 'Năm đánh giá',
	stage: 'Bước đánh giá',
	gradeId: 'Mức xếp loại',
	on: 'Ngày đánh giá'
} as const;

/** The ratings in force of one year, one per stage. */
export function ratingsOfYear(options: {
	history: readonly HistoryDoc[];
	year: number;
}): Partial<Record<RatingStage, HistoryOf<'rating'>>> {
	const result: Partial<Record<RatingStage, HistoryOf<'rating'>>> = {};
	for (const entry of entriesOfKind({ entries: options.history, kind: 'rating' })) {
		if (entry.data.year === options.year) result[entry.data.stage] = entry;
	}
	return result;
}

/** The year's result: the latest stage recorded (superior, else branch, else self). */
export function finalRating(options: {
	history: readonly HistoryDoc[];
	year: number;
}): HistoryOf<'rating'> | undefined {
	const ratings = ratingsOfYear(options);
	return ratings.superior ?? ratings.branch ?? ratings.self;
}

/** The label of a rating entry on whatever scale it was given. */
export function ratingLabel(options: { entry: HistoryOf<'rating'>; rules?: UnionRules }): string {
	const { entry } = options;
	return ratingGradeLabel({
		scaleId: entry.data.scaleId,
		gradeId: entry.data.gradeId,
		fallback: entry.data.gradeLabel,
		rules: options.rules
	});
}

export function planRating(
	options: OperationContext & {
		member: MemberDoc;
		input: RatingInput;
		/** The member's history: a stage is rated once a year, and the superior after the branch. */
		history: readonly HistoryDoc[];
	}
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const labels = RATING_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	if (!isOnRolls(member.status)) {
		errors.form = `Không thể đánh giá: đoàn viên đang ở trạng thái "${memberStatusLabel(member.status)}".`;
	}
	const thisYear = Number(options.today.slice(0, 4));
	const joinedYear = member.joinedOn ? Number(member.joinedOn.slice(0, 4)) : 1900;
	const year = reader.number('year', input.year, labels.year, {
		required: true,
		min: joinedYear,
		max: thisYear
	});
	const stageText = reader.text('stage', input.stage, labels.stage, { required: true });
	const stage = isOneOf(RATING_STAGES, stageText) ? stageText : null;
	if (stageText && stage === null) errors.stage = `${labels.stage}: chọn một bước trong danh sách.`;
	const scale = currentRatingScale(rules);
	const gradeId = reader.text('gradeId', input.gradeId, labels.gradeId, { required: true });
	const grade = scale.grades.find((g) => g.id === gradeId);
	if (gradeId && grade === undefined) {
		errors.gradeId =
			`${labels.gradeId}: chọn một mức của thang hiện hành (` +
			`${scale.grades.map((g) => g.label).join(', ')}).`;
	}
	const on = reader.date('on', input.on ?? options.today, labels.on, { required: true });
	if (year !== undefined && stage !== null) {
		const existing = ratingsOfYear({ history: options.history, year });
		if (existing[stage]) {
			errors.form =
				`${RATING_STAGE_LABELS[stage]} năm ${year} đã ghi (${ratingLabel({ entry: existing[stage], rules })}); ` +
				'hủy bản đã ghi trước nếu cần sửa.';
		} else if (stage === 'superior' && !existing.branch) {
			errors.form = `Chưa có kết quả chi đoàn đánh giá năm ${year}: cấp trên xếp loại sau chi đoàn.`;
		}
	}
	if (hasErrors(errors) || year === undefined || stage === null || !grade || !on) {
		return { ok: false, errors };
	}
	return planMemberChange({
		context: options,
		member,
		kind: 'rating',
		at: on,
		data: { year, stage, scaleId: scale.id, gradeId: grade.id, gradeLabel: grade.label },
		patch: {},
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const RATING = defineOperation<RatingInput>({
	slug: 'danh-gia',
	title: 'Đánh giá, xếp loại',
	availability: { whileTransferring: true },
	decision: { use: 'none', kind: 'rating' },
	fields: ({ rules }) => [
		{ kind: 'number', name: 'year', label: 'Năm đánh giá' },
		{
			kind: 'select',
			name: 'stage',
			label: 'Bước đánh giá',
			options: RATING_STAGES.map((s) => ({ value: s, label: RATING_STAGE_LABELS[s] }))
		},
		{
			kind: 'select',
			name: 'gradeId',
			label: 'Mức xếp loại',
			placeholder: '— Chọn mức —',
			options: currentRatingScale(rules).grades.map((g) => ({ value: g.id, label: g.label }))
		},
		{ kind: 'date', name: 'on', label: 'Ngày đánh giá' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	defaults: ({ today }) => ({
		year: String(Number(today.slice(0, 4))),
		stage: 'branch',
		gradeId: '',
		on: formatDate(today)
	}),
	readsHistory: true,
	plan: (options) => planRating(options),
	bulk: { action: 'đánh giá, xếp loại' }
});
