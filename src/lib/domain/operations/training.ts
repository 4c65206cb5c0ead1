import { formatDate } from '../dates';
import { groupedValues } from './form';
import { defineOperation } from './entry';
import { entriesOfKind, type HistoryDoc, type HistoryOf } from '../history-schema';
import { isOnRolls, memberStatusLabel } from '../member-statuses';
import type { MemberDoc } from '../member-schema';
import {
	createInputReader,
	hasErrors,
	planMemberChange,
	rulesOf,
	type InputValue,
	type OperationContext,
	type OperationErrors,
	type OperationResult
} from './shared';
import type { TrainingProgramme, UnionRules } from '../rules/table';
import { formatNumber } from '../dates';
import { trainingBand, trainingProgrammeForYear } from '../rules/lookups';

// Chương trình rèn luyện đoàn viên (docs/domain.md §3): five-year phases (2023–2027 now). At the start of
// the year members register for contents (in bulk: bulk.ts); at the end the unit scores each content
// group within its bound and submits the year upwards ("chuyển cấp trên"), after which the scores
// are locked; the band of the total suggests the annual rating. Contents, groups, bounds and bands
// are data (rules/table.ts).

function onRollsRefusal(member: MemberDoc, action: string): string | null {
	return isOnRolls(member.status)
		? null
		: `Không thể ${action}: đoàn viên đang ở trạng thái "${memberStatusLabel(member.status)}".`;
}

function registrationOf(options: {
	history: readonly HistoryDoc[];
	year: number;
}): HistoryOf<'training-registration'> | undefined {
	return entriesOfKind({ entries: options.history, kind: 'training-registration' }).find(
		(entry) => entry.data.year === options.year
	);
}

function scoreOf(options: {
	history: readonly HistoryDoc[];
	year: number;
}): HistoryOf<'training-score'> | undefined {
	return entriesOfKind({ entries: options.history, kind: 'training-score' }).find(
		(entry) => entry.data.year === options.year
	);
}

function readProgramme(options: {
	reader: ReturnType<typeof createInputReader>;
	value: InputValue;
	rules: UnionRules;
	today: string;
}): { year: number; programme: TrainingProgramme } | null {
	const { reader, rules } = options;
	const thisYear = Number(options.today.slice(0, 4));
	const year = reader.number('year', options.value, 'Năm', {
		required: true,
		min: 1900,
		max: thisYear + 1
	});
	if (year === undefined) return null;
	const programme = trainingProgrammeForYear({ year, rules });
	if (programme === undefined) {
		reader.fail('year', `Năm ${year} không thuộc giai đoạn nào của chương trình rèn luyện.`);
		return null;
	}
	return { year, programme };
}

export interface TrainingRegistrationInput {
	year?: InputValue;
	contentIds?: readonly string[];
	on?: InputValue;
}

/** A member registers for contents of the year's programme, once a year. */
export function planTrainingRegistration(
	options: OperationContext & {
		member: MemberDoc;
		input: TrainingRegistrationInput;
		history: readonly HistoryDoc[];
	}
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = onRollsRefusal(member, 'đăng ký chương trình rèn luyện');
	if (refusal) errors.form = refusal;
	const found = readProgramme({ reader, value: input.year, rules, today: options.today });
	const on = reader.date('on', input.on ?? options.today, 'Ngày đăng ký', { required: true });
	const contentIds = [...new Set(input.contentIds ?? [])];
	if (contentIds.length === 0) {
		errors.contentIds = 'Nội dung đăng ký: chọn ít nhất một nội dung.';
	} else if (found) {
		const known = new Set(found.programme.groups.flatMap((g) => g.contents.map((c) => c.id)));
		const unknown = contentIds.filter((id) => !known.has(id));
		if (unknown.length > 0) {
			errors.contentIds = `Nội dung đăng ký: không có trong chương trình (${unknown.join(', ')}).`;
		}
	}
	if (found && registrationOf({ history: options.history, year: found.year })) {
		errors.form = `Đoàn viên đã đăng ký chương trình rèn luyện năm ${found.year}.`;
	}
	if (hasErrors(errors) || !found || !on) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'training-registration',
		at: on,
		data: { programmeId: found.programme.id, year: found.year, contentIds },
		patch: {}
	});
}

export interface TrainingScoreInput {
	year?: InputValue;
	/** Score per content group id. */
	scores?: Readonly<Record<string, InputValue>>;
	on?: InputValue;
}

/**
 * The unit scores a registered member's year, every group within its bound. Refused when the
 * member did not register, when the year is already scored (reverse it first), or once the year
 * has been submitted to the superior.
 */
export function planTrainingScore(
	options: OperationContext & {
		member: MemberDoc;
		input: TrainingScoreInput;
		history: readonly HistoryDoc[];
		/** The unit already submitted this year's results upwards. */
		submitted?: boolean;
	}
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = onRollsRefusal(member, 'chấm điểm rèn luyện');
	if (refusal) errors.form = refusal;
	const found = readProgramme({ reader, value: input.year, rules, today: options.today });
	const on = reader.date('on', input.on ?? options.today, 'Ngày chấm', { required: true });
	const scores: Record<string, number> = {};
	if (found) {
		if (options.submitted) {
			errors.form = `Kết quả rèn luyện năm ${found.year} đã chuyển cấp trên, không sửa được nữa.`;
		} else if (!registrationOf({ history: options.history, year: found.year })) {
			errors.form = `Đoàn viên chưa đăng ký chương trình rèn luyện năm ${found.year}.`;
		} else if (scoreOf({ history: options.history, year: found.year })) {
			errors.form = `Đã chấm điểm rèn luyện năm ${found.year}; hủy lần chấm đó trước nếu cần chấm lại.`;
		}
		for (const group of found.programme.groups) {
			const score = reader.number(`scores.${group.id}`, input.scores?.[group.id], group.label, {
				required: true,
				min: 0,
				max: group.maxScore,
				decimals: true
			});
			if (score !== undefined) scores[group.id] = score;
		}
	}
	if (hasErrors(errors) || !found || !on) return { ok: false, errors };
	// Sum in tenths so 0.1 + 0.2 stays 0.3.
	const total = Math.round(Object.values(scores).reduce((sum, s) => sum + s * 10, 0)) / 10;
	const band = trainingBand({ programme: found.programme, total });
	if (band === undefined) {
		return { ok: false, errors: { form: 'Quy định chưa có mức xếp loại cho tổng điểm này.' } };
	}
	return planMemberChange({
		context: options,
		member,
		kind: 'training-score',
		at: on,
		data: {
			programmeId: found.programme.id,
			year: found.year,
			scores,
			total,
			bandId: band.id,
			bandLabel: band.label
		},
		patch: {}
	});
}

/** The rating grade a year's training result suggests (the result feeds the annual rating). */
export function suggestedRatingGrade(options: {
	history: readonly HistoryDoc[];
	year: number;
	rules?: UnionRules;
}): string | undefined {
	const score = scoreOf(options);
	if (score === undefined) return undefined;
	const programme = rulesOf(options).trainingProgrammes.find(
		(p) => p.id === score.data.programmeId
	);
	return programme?.bands.find((band) => band.id === score.data.bandId)?.ratingGradeId;
}

/** What a unit sends its superior for a year ("chuyển cấp trên"). */
export interface TrainingSubmission {
	_id: `training:${number}`;
	type: 'training-submission';
	v: 1;
	unitId: string;
	year: number;
	programmeId: string;
	registered: number;
	scored: number;
	/** Members per band, best band first. */
	bands: { id: string; label: string; count: number }[];
	averageTotal: number;
	submittedAt: string;
	submittedBy: string;
}

/**
 * The year's submission, or why not yet: every registered member on the rolls must be scored.
 * `history` holds the entries of the unit's members (any order).
 */
export function planTrainingSubmission(options: {
	unitId: string;
	year: number;
	members: readonly MemberDoc[];
	history: readonly HistoryDoc[];
	now: string;
	by: string;
	rules?: UnionRules;
}):
	| { ok: true; submission: TrainingSubmission }
	| { ok: false; errors: OperationErrors; missing: MemberDoc[] } {
	const programme = trainingProgrammeForYear({ year: options.year, rules: options.rules });
	if (programme === undefined) {
		return {
			ok: false,
			errors: { year: `Năm ${options.year} không thuộc giai đoạn nào của chương trình rèn luyện.` },
			missing: []
		};
	}
	const byMember = new Map<string, HistoryDoc[]>();
	for (const entry of options.history) {
		const list = byMember.get(entry.memberId) ?? [];
		list.push(entry);
		byMember.set(entry.memberId, list);
	}
	const missing: MemberDoc[] = [];
	const totals: { bandId: string; total: number }[] = [];
	let registered = 0;
	for (const member of options.members) {
		if (!isOnRolls(member.status)) continue;
		const history = byMember.get(member._id) ?? [];
		if (!registrationOf({ history, year: options.year })) continue;
		registered++;
		const score = scoreOf({ history, year: options.year });
		if (score) totals.push({ bandId: score.data.bandId, total: score.data.total });
		else missing.push(member);
	}
	if (missing.length > 0) {
		return {
			ok: false,
			errors: {
				form:
					`Còn ${formatNumber(missing.length)} đoàn viên đã đăng ký nhưng chưa chấm điểm năm ` +
					`${options.year}; chấm đủ rồi mới chuyển cấp trên.`
			},
			missing
		};
	}
	const average = totals.length
		? Math.round((totals.reduce((sum, t) => sum + t.total, 0) / totals.length) * 10) / 10
		: 0;
	return {
		ok: true,
		submission: {
			_id: `training:${options.year}`,
			type: 'training-submission',
			v: 1,
			unitId: options.unitId,
			year: options.year,
			programmeId: programme.id,
			registered,
			scored: totals.length,
			bands: programme.bands.map((band) => ({
				id: band.id,
				label: band.label,
				count: totals.filter((t) => t.bandId === band.id).length
			})),
			averageTotal: average,
			submittedAt: options.now,
			submittedBy: options.by
		}
	};
}

function yearOf(today: string): string {
	return String(Number(today.slice(0, 4)));
}

export const TRAINING_REGISTRATION = defineOperation<TrainingRegistrationInput>({
	slug: 'dang-ky-ren-luyen',
	title: 'Đăng ký chương trình rèn luyện',
	availability: { whileTransferring: true },
	decision: { use: 'none', kind: 'training-registration' },
	fields: ({ values, rules }) => [
		{ kind: 'number', name: 'year', label: 'Năm' },
		...(trainingProgrammeForYear({ year: Number(values.year), rules })?.groups ?? []).map(
			(group) =>
				({
					kind: 'checkboxes',
					name: `content-${group.id}`,
					label: group.label,
					options: group.contents.map((c) => ({ value: c.id, label: c.label }))
				}) as const
		),
		{ kind: 'date', name: 'on', label: 'Ngày đăng ký' }
	],
	defaults: ({ today }) => ({ year: yearOf(today), on: formatDate(today) }),
	errorsAboveFields: ['contentIds'],
	// Each group's checkboxes store `content-<group>:<content id>`; the planner wants the ids.
	input: ({ values }) => ({
		year: values.year as string,
		on: values.on as string,
		contentIds: Object.entries(values)
			.filter(([key, v]) => key.startsWith('content-') && v === true)
			.map(([key]) => key.slice(key.indexOf(':') + 1))
	}),
	readsHistory: true,
	plan: (options) => planTrainingRegistration(options),
	bulk: { action: 'đăng ký chương trình rèn luyện' }
});

export const TRAINING_SCORE = defineOperation<TrainingScoreInput>({
	slug: 'cham-diem-ren-luyen',
	title: 'Chấm điểm rèn luyện',
	availability: { whileTransferring: true },
	decision: { use: 'none', kind: 'training-score' },
	fields: ({ values, rules }) => [
		{ kind: 'number', name: 'year', label: 'Năm' },
		...(trainingProgrammeForYear({ year: Number(values.year), rules })?.groups ?? []).map(
			(group) =>
				({
					kind: 'number',
					name: `scores.${group.id}`,
					label: group.label,
					hint: `Từ 0 đến ${group.maxScore} điểm.`
				}) as const
		),
		{ kind: 'date', name: 'on', label: 'Ngày chấm' }
	],
	defaults: ({ today }) => ({ year: yearOf(today), on: formatDate(today) }),
	input: ({ values }) => ({
		year: values.year as string,
		on: values.on as string,
		scores: groupedValues(values, 'scores')
	}),
	// Once the year is sent to the superior its scores are locked.
	needs: (input) => {
		const year = Number(input.year);
		return Number.isInteger(year) ? { trainingSubmittedYear: year } : {};
	},
	readsHistory: true,
	plan: (options) =>
		planTrainingScore({ ...options, submitted: options.facts.trainingSubmitted ?? false })
});
