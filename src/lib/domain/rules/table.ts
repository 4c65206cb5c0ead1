// The rules table's shape (what the central level may send); its shipped values are in
// default-table.ts, re-exported here so `rules/table` stays the one place to import from.
/**
 * The ages in the Union's membership rules. They come from the charter and its guidance (Điều lệ
 * Đoàn khóa XII, Hướng dẫn thực hiện Điều lệ) and are **configurable by the central level**: a new
 * charter may be adopted in 2026, so they are data, not logic. Raise `version` whenever a value
 * changes, so a record can say which rules it was checked against.
 *
 * Ages follow the Union's own counting: "từ 16 tuổi" means 15 full years and one more day, so an
 * age limit N is met from the day after the (N − 1)th birthday; "không quá 30 tuổi" means up to and
 * including the 30th birthday, and "quá 30 tuổi" starts the day after it.
 */
export interface MembershipRules {
	version: number;
	/** Youngest admission age, counted as above: 16 → from 15 years and one day. */
	admissionMinAge: number;
	/** Oldest admission age: admitted up to and including this birthday. */
	admissionMaxAge: number;
	/** Members past this birthday come of age (trưởng thành Đoàn) unless allowed to stay. */
	comingOfAgeAge: number;
	/** Nobody stays past this birthday, except elected officers and full-time Union staff. */
	maxStayAge: number;
}

// ---------------------------------------------------------------------------------------------
// The rules table of the member operations (docs/domain.md §3). Every list below is marked
// **configurable** in the domain: the central level may change it, and the app receives it as data
// (`parseUnionRules`). Two things keep old records readable when it changes:
//   - items are never deleted from a list, only retired (`offered: false`): a rating given on the
//     old Xuất sắc / Khá / Trung bình / Yếu scale still finds its scale and label;
//   - every history entry stores the `version` it was judged under and a copy of the labels it
//     used, so it reads correctly even against a table that no longer knows its items.
// `checkRulesChange` enforces the first point and a rising version.

/** A usual date of the coming-of-age ceremony (day and month, every year). */
export interface CeremonyDate {
	month: number;
	day: number;
	label: string;
}

export interface RatingGrade {
	id: string;
	label: string;
}

/** A rating scale, grades best first. Only `offered` scales are proposed for new ratings. */
export interface RatingScale {
	id: string;
	label: string;
	offered: boolean;
	grades: readonly RatingGrade[];
}

/** A level that issues rewards (Đoàn cơ sở, huyện, tỉnh, Trung ương). */
export interface IssuingLevel {
	id: string;
	label: string;
}

export interface RewardForm {
	id: string;
	label: string;
	/** Issuing levels that may give it, as ids of `issuingLevels`. */
	levels: readonly string[];
	offered: boolean;
}

export interface DisciplineForm {
	id: string;
	label: string;
	/** Only for members holding a Union office (cách chức). */
	officeHoldersOnly: boolean;
	/** Clears the member's office (chức vụ Đoàn). */
	clearsOffice: boolean;
	/** Ends membership (khai trừ): the member's status becomes "expelled". */
	endsMembership: boolean;
	offered: boolean;
}

export interface RemovalReason {
	id: string;
	label: string;
	/**
	 * Months of missed meetings and dues within a year this reason requires (3 for "bỏ sinh hoạt");
	 * null when the reason does not count months.
	 */
	minMonthsMissed: number | null;
	/** Members away for study or work who keep in touch cannot be removed for this reason. */
	exemptsAwayInTouch: boolean;
	/** The decision must say more than the label (the "other" reason). */
	needsNote: boolean;
	offered: boolean;
}

export interface DuesCategory {
	id: string;
	label: string;
	/** Đồng per month. */
	monthlyAmount: number;
	/** The amount is a minimum ("ít nhất 5.000đ" abroad) rather than exact. */
	atLeast: boolean;
	/** May pay ahead up to the end of the quarter, with the committee's leave. */
	quarterlyAllowed: boolean;
	offered: boolean;
}

export interface TrainingContent {
	id: string;
	label: string;
}

export interface TrainingGroup {
	id: string;
	label: string;
	/** Scores of this group run from 0 to this bound. */
	maxScore: number;
	contents: readonly TrainingContent[];
}

/** A grade band of the training result, from `minScore` up; it suggests an annual rating. */
export interface TrainingBand {
	id: string;
	label: string;
	minScore: number;
	/** Grade of the current rating scale the band suggests. */
	ratingGradeId: string;
}

/** A five-year phase of the training programme (Chương trình rèn luyện đoàn viên). */
export interface TrainingProgramme {
	id: string;
	label: string;
	fromYear: number;
	toYear: number;
	groups: readonly TrainingGroup[];
	/** Best band first; the last band should start at 0. */
	bands: readonly TrainingBand[];
}

export interface UnionRules extends MembershipRules {
	/** Usual ceremony dates for coming of age, in calendar order. */
	ceremonyDates: readonly CeremonyDate[];
	/** How many days before the coming-of-age birthday the app starts warning. */
	comingOfAgeWarningDays: number;
	/**
	 * False: a member comes of age at a ceremony held after the coming-of-age birthday (the
	 * charter's "quá 30 tuổi"). True: any ceremony in the year of that birthday will do, as some
	 * provinces count the age by calendar year.
	 */
	comingOfAgeByCalendarYear: boolean;
	/** Days a receiving unit has to answer a transfer; null: no deadline is known. */
	transferDeadlineDays: number | null;
	/** A branch vote passes with more than this share of those present (0.5: quá nửa). */
	admissionVoteShare: number;
	/** A sponsoring member must have worked with the candidate this many months. */
	sponsorMinMonths: number;
	/** A secret-ballot discipline vote passes with more than this share of those present. */
	disciplineVoteShare: number;
	ratingScales: readonly RatingScale[];
	/** The scale new ratings use. */
	currentRatingScaleId: string;
	issuingLevels: readonly IssuingLevel[];
	rewardForms: readonly RewardForm[];
	disciplineForms: readonly DisciplineForm[];
	removalReasons: readonly RemovalReason[];
	duesCategories: readonly DuesCategory[];
	trainingProgrammes: readonly TrainingProgramme[];
}

// Values only one way (default-table.ts imports types alone from here): no import cycle at run time.
export { DEFAULT_RULES, DEFAULT_UNION_RULES } from './default-table';
