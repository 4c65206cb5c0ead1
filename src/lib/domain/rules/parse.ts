import * as v from 'valibot';
import type { UnionRules } from './table';

// The rules table as data: the central level sends it as a document, the app checks it here before
// using it, and looks items up by id (labels of old records included).

const Id = v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,40}$/, 'Mã mục chỉ gồm a-z, 0-9 và "-".'));
const Label = v.pipe(v.string(), v.trim(), v.nonEmpty('Tên mục không được để trống.'));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const Age = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(120));

const RatingScaleSchema = v.strictObject({
	id: Id,
	label: Label,
	offered: v.boolean(),
	grades: v.pipe(v.array(v.strictObject({ id: Id, label: Label })), v.minLength(1))
});

const TrainingProgrammeSchema = v.pipe(
	v.strictObject({
		id: Id,
		label: Label,
		fromYear: Count,
		toYear: Count,
		groups: v.pipe(
			v.array(
				v.strictObject({
					id: Id,
					label: Label,
					maxScore: v.pipe(v.number(), v.minValue(0)),
					contents: v.array(v.strictObject({ id: Id, label: Label }))
				})
			),
			v.minLength(1)
		),
		bands: v.pipe(
			v.array(
				v.strictObject({
					id: Id,
					label: Label,
					minScore: v.pipe(v.number(), v.minValue(0)),
					ratingGradeId: Id
				})
			),
			v.minLength(1)
		)
	}),
	v.check((p) => p.fromYear <= p.toYear, 'Giai đoạn: năm bắt đầu phải trước năm kết thúc.')
);

/** The rules document the central level sends, checked field by field. */
export const UnionRulesSchema = v.pipe(
	v.strictObject({
		version: v.pipe(v.number(), v.integer(), v.minValue(1)),
		admissionMinAge: Age,
		admissionMaxAge: Age,
		comingOfAgeAge: Age,
		maxStayAge: Age,
		ceremonyDates: v.array(
			v.strictObject({
				month: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(12)),
				day: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(31)),
				label: Label
			})
		),
		comingOfAgeWarningDays: Count,
		comingOfAgeByCalendarYear: v.boolean(),
		transferDeadlineDays: v.nullable(Count),
		admissionVoteShare: Share,
		sponsorMinMonths: Count,
		disciplineVoteShare: Share,
		ratingScales: v.pipe(v.array(RatingScaleSchema), v.minLength(1)),
		currentRatingScaleId: Id,
		issuingLevels: v.array(v.strictObject({ id: Id, label: Label })),
		rewardForms: v.array(
			v.strictObject({ id: Id, label: Label, levels: v.array(Id), offered: v.boolean() })
		),
		disciplineForms: v.array(
			v.strictObject({
				id: Id,
				label: Label,
				officeHoldersOnly: v.boolean(),
				clearsOffice: v.boolean(),
				endsMembership: v.boolean(),
				offered: v.boolean()
			})
		),
		removalReasons: v.array(
			v.strictObject({
				id: Id,
				label: Label,
				minMonthsMissed: v.nullable(v.pipe(Count, v.maxValue(12))),
				exemptsAwayInTouch: v.boolean(),
				needsNote: v.boolean(),
				offered: v.boolean()
			})
		),
		duesCategories: v.array(
			v.strictObject({
				id: Id,
				label: Label,
				monthlyAmount: Count,
				atLeast: v.boolean(),
				quarterlyAllowed: v.boolean(),
				offered: v.boolean()
			})
		),
		trainingProgrammes: v.array(TrainingProgrammeSchema)
	}),
	v.check(
		(r) => r.admissionMinAge <= r.admissionMaxAge,
		'Tuổi kết nạp thấp nhất phải không lớn hơn tuổi cao nhất.'
	),
	v.check(
		(r) => r.comingOfAgeAge <= r.maxStayAge,
		'Tuổi trưởng thành phải không lớn hơn tuổi sinh hoạt tối đa.'
	),
	v.check(
		(r) => r.ratingScales.some((s) => s.id === r.currentRatingScaleId && s.offered),
		'Thang xếp loại hiện hành phải có trong danh sách và đang dùng.'
	)
);

export type UnionRulesResult = { ok: true; rules: UnionRules } | { ok: false; problems: string[] };

/** A rules document as the app can use it, or every problem with it (Vietnamese, with paths). */
export function parseUnionRules(doc: unknown): UnionRulesResult {
	const result = v.safeParse(UnionRulesSchema, doc);
	if (!result.success) {
		return {
			ok: false,
			problems: result.issues.map((issue) => {
				const path = v.getDotPath(issue);
				return path ? `${path}: ${issue.message}` : issue.message;
			})
		};
	}
	return { ok: true, rules: result.output };
}

type ListKey =
	| 'ratingScales'
	| 'issuingLevels'
	| 'rewardForms'
	| 'disciplineForms'
	| 'removalReasons'
	| 'duesCategories'
	| 'trainingProgrammes';

const LIST_LABELS: Readonly<Record<ListKey, string>> = {
	ratingScales: 'Thang xếp loại',
	issuingLevels: 'Cấp khen thưởng',
	rewardForms: 'Hình thức khen thưởng',
	disciplineForms: 'Hình thức kỷ luật',
	removalReasons: 'Lý do xóa tên',
	duesCategories: 'Mức đoàn phí',
	trainingProgrammes: 'Chương trình rèn luyện'
};

/**
 * What is wrong with replacing `previous` by `next`: the version must rise, and no item any record
 * may name can disappear (retire it with `offered: false` instead), nor can a rating scale lose a
 * grade — old records must stay readable. Empty when the change is acceptable.
 */
export function checkRulesChange(options: { previous: UnionRules; next: UnionRules }): string[] {
	const { previous, next } = options;
	const problems: string[] = [];
	if (next.version <= previous.version) {
		problems.push(
			`Phiên bản quy định mới (${next.version}) phải lớn hơn phiên bản đang dùng ` +
				`(${previous.version}).`
		);
	}
	for (const key of Object.keys(LIST_LABELS) as ListKey[]) {
		const kept = new Set<string>(next[key].map((item) => item.id));
		for (const item of previous[key]) {
			if (!kept.has(item.id)) {
				problems.push(
					`${LIST_LABELS[key]} "${item.label}" không được xóa vì hồ sơ cũ còn dùng; hãy ` +
						'đánh dấu ngừng dùng.'
				);
			}
		}
	}
	for (const scale of previous.ratingScales) {
		const nextScale = next.ratingScales.find((s) => s.id === scale.id);
		for (const grade of scale.grades) {
			if (nextScale && !nextScale.grades.some((g) => g.id === grade.id)) {
				problems.push(
					`Thang "${scale.label}" không được bỏ mức "${grade.label}" vì hồ sơ cũ còn dùng.`
				);
			}
		}
	}
	return problems;
}
