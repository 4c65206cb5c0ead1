import {
	DEFAULT_UNION_RULES,
	type DuesCategory,
	type RatingGrade,
	type RatingScale,
	type TrainingBand,
	type TrainingProgramme,
	type UnionRules
} from './table';

// Lookups in the rules table. They take the rules as an option (the table in force on the device) and fall back to
// the shipped defaults.

export function findRatingScale(options: {
	scaleId: string;
	rules?: UnionRules;
}): RatingScale | undefined {
	const rules = options.rules ?? DEFAULT_UNION_RULES;
	return rules.ratingScales.find((scale) => scale.id === options.scaleId);
}

/** The scale new ratings use. */
export function currentRatingScale(rules: UnionRules = DEFAULT_UNION_RULES): RatingScale {
	const scale = findRatingScale({ scaleId: rules.currentRatingScaleId, rules });
	if (scale === undefined) throw new RangeError('Quy định không có thang xếp loại hiện hành.');
	return scale;
}

export function findRatingGrade(options: {
	scaleId: string;
	gradeId: string;
	rules?: UnionRules;
}): RatingGrade | undefined {
	return findRatingScale(options)?.grades.find((grade) => grade.id === options.gradeId);
}

/**
 * The label of a grade on any scale the table knows — the old Xuất sắc / Khá / Trung bình / Yếu
 * included — else `fallback` (the label stored with the record), else the raw id.
 */
export function ratingGradeLabel(options: {
	scaleId: string;
	gradeId: string;
	fallback?: string;
	rules?: UnionRules;
}): string {
	return findRatingGrade(options)?.label ?? options.fallback ?? options.gradeId;
}

/** The programme phase covering a year, if any. */
export function trainingProgrammeForYear(options: {
	year: number;
	rules?: UnionRules;
}): TrainingProgramme | undefined {
	const rules = options.rules ?? DEFAULT_UNION_RULES;
	return rules.trainingProgrammes.find(
		(p) => p.fromYear <= options.year && options.year <= p.toYear
	);
}

/** The band a total score falls in: the first (best) band whose minimum it reaches. */
export function trainingBand(options: {
	programme: TrainingProgramme;
	total: number;
}): TrainingBand | undefined {
	return options.programme.bands.find((band) => options.total >= band.minScore);
}

export function findDuesCategory(options: {
	categoryId: string;
	rules?: UnionRules;
}): DuesCategory | undefined {
	const rules = options.rules ?? DEFAULT_UNION_RULES;
	return rules.duesCategories.find((category) => category.id === options.categoryId);
}
