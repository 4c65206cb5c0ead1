// Whole (~400 lines) on purpose: the rules table's shape beside its shipped values, read together when the central level sends a new table.
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

export const DEFAULT_RULES: Readonly<MembershipRules> = Object.freeze({
	version: 1,
	admissionMinAge: 16,
	admissionMaxAge: 30,
	comingOfAgeAge: 30,
	maxStayAge: 35
});

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

const CURRENT_SCALE: RatingScale = {
	id: 'nhiem-vu',
	label: 'Mức hoàn thành nhiệm vụ',
	offered: true,
	grades: [
		{ id: 'hoan-thanh-xuat-sac', label: 'Hoàn thành xuất sắc nhiệm vụ' },
		{ id: 'hoan-thanh-tot', label: 'Hoàn thành tốt nhiệm vụ' },
		{ id: 'hoan-thanh', label: 'Hoàn thành nhiệm vụ' },
		{ id: 'khong-hoan-thanh', label: 'Không hoàn thành nhiệm vụ' }
	]
};

const OLD_SCALE: RatingScale = {
	id: 'xep-loai-cu',
	label: 'Xếp loại cũ',
	offered: false,
	grades: [
		{ id: 'xuat-sac', label: 'Xuất sắc' },
		{ id: 'kha', label: 'Khá' },
		{ id: 'trung-binh', label: 'Trung bình' },
		{ id: 'yeu', label: 'Yếu' }
	]
};

// The programme's groups, bounds and bands below are the app's defaults until the central level
// sends its own table: the domain only fixes that contents come in groups, each bounded, with
// bands over the total.
const PROGRAMME_2023_2027: TrainingProgramme = {
	id: '2023-2027',
	label: 'Chương trình rèn luyện đoàn viên giai đoạn 2023 – 2027',
	fromYear: 2023,
	toYear: 2027,
	groups: [
		{
			id: 'chinh-tri',
			label: 'Rèn luyện tư tưởng chính trị, đạo đức, lối sống',
			maxScore: 30,
			contents: [
				{ id: 'hoc-nghi-quyet', label: 'Học tập nghị quyết, chỉ thị của Đảng, của Đoàn' },
				{
					id: 'lam-theo-bac',
					label: 'Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh'
				},
				{ id: 'lich-su', label: 'Tìm hiểu lịch sử Đảng, lịch sử Đoàn, truyền thống quê hương' }
			]
		},
		{
			id: 'hoc-tap',
			label: 'Học tập, nâng cao trình độ, kỹ năng',
			maxScore: 30,
			contents: [
				{ id: 'chuyen-mon', label: 'Nâng cao trình độ học vấn, chuyên môn, nghề nghiệp' },
				{ id: 'ky-nang-so', label: 'Rèn luyện kỹ năng số' },
				{ id: 'ngoai-ngu', label: 'Học ngoại ngữ' },
				{ id: 'ky-nang', label: 'Rèn luyện kỹ năng thực hành xã hội' }
			]
		},
		{
			id: 'tinh-nguyen',
			label: 'Tình nguyện, xung kích vì cộng đồng',
			maxScore: 20,
			contents: [
				{ id: 'tinh-nguyen', label: 'Tham gia ít nhất một hoạt động tình nguyện' },
				{ id: 'cong-trinh', label: 'Tham gia công trình, phần việc thanh niên' }
			]
		},
		{
			id: 'the-chat',
			label: 'Rèn luyện thể chất, văn hóa',
			maxScore: 10,
			contents: [{ id: 'the-thao', label: 'Tập luyện thể dục, thể thao thường xuyên' }]
		},
		{
			id: 'nhiem-vu',
			label: 'Thực hiện nhiệm vụ đoàn viên',
			maxScore: 10,
			contents: [
				{ id: 'sinh-hoat', label: 'Sinh hoạt chi đoàn đầy đủ' },
				{ id: 'doan-phi', label: 'Đóng đoàn phí đúng quy định' }
			]
		}
	],
	bands: [
		{ id: 'xuat-sac', label: 'Xuất sắc', minScore: 90, ratingGradeId: 'hoan-thanh-xuat-sac' },
		{ id: 'tot', label: 'Tốt', minScore: 70, ratingGradeId: 'hoan-thanh-tot' },
		{ id: 'dat', label: 'Đạt', minScore: 50, ratingGradeId: 'hoan-thanh' },
		{ id: 'khong-dat', label: 'Không đạt', minScore: 0, ratingGradeId: 'khong-hoan-thanh' }
	]
};

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const inner of Object.values(value)) deepFreeze(inner);
		Object.freeze(value);
	}
	return value;
}

/**
 * The whole rules table as the app ships it. Version 2: version 1 was the ages alone
 * (DEFAULT_RULES), which this table keeps unchanged.
 */
export const DEFAULT_UNION_RULES: Readonly<UnionRules> = deepFreeze<UnionRules>({
	...DEFAULT_RULES,
	version: 2,
	ceremonyDates: [
		{ month: 3, day: 26, label: 'Ngày thành lập Đoàn TNCS Hồ Chí Minh' },
		{ month: 5, day: 19, label: 'Ngày sinh Chủ tịch Hồ Chí Minh' },
		{ month: 10, day: 15, label: 'Ngày truyền thống Hội Liên hiệp Thanh niên Việt Nam' },
		{ month: 12, day: 22, label: 'Ngày thành lập Quân đội nhân dân Việt Nam' }
	],
	comingOfAgeWarningDays: 90,
	comingOfAgeByCalendarYear: false,
	transferDeadlineDays: null,
	admissionVoteShare: 0.5,
	sponsorMinMonths: 3,
	disciplineVoteShare: 0.5,
	ratingScales: [CURRENT_SCALE, OLD_SCALE],
	currentRatingScaleId: CURRENT_SCALE.id,
	issuingLevels: [
		{ id: 'co-so', label: 'Ban Chấp hành Đoàn cơ sở' },
		{ id: 'huyen', label: 'Ban Thường vụ Đoàn cấp huyện và tương đương' },
		{ id: 'tinh', label: 'Ban Thường vụ Tỉnh đoàn, Thành đoàn' },
		{ id: 'trung-uong', label: 'Ban Chấp hành Trung ương Đoàn' }
	],
	rewardForms: [
		{ id: 'giay-khen', label: 'Giấy khen', levels: ['co-so', 'huyen', 'tinh'], offered: true },
		{ id: 'bang-khen', label: 'Bằng khen', levels: ['tinh', 'trung-uong'], offered: true },
		{
			id: 'doan-vien-xuat-sac',
			label: 'Danh hiệu "Đoàn viên xuất sắc"',
			levels: ['co-so', 'huyen'],
			offered: true
		},
		{
			id: 'thanh-nien-tien-tien',
			label: 'Danh hiệu "Thanh niên tiên tiến làm theo lời Bác"',
			levels: ['huyen', 'tinh', 'trung-uong'],
			offered: true
		},
		{
			id: 'tuoi-tre-dung-cam',
			label: 'Huy hiệu "Tuổi trẻ dũng cảm"',
			levels: ['trung-uong'],
			offered: true
		}
	],
	disciplineForms: [
		{
			id: 'khien-trach',
			label: 'Khiển trách',
			officeHoldersOnly: false,
			clearsOffice: false,
			endsMembership: false,
			offered: true
		},
		{
			id: 'canh-cao',
			label: 'Cảnh cáo',
			officeHoldersOnly: false,
			clearsOffice: false,
			endsMembership: false,
			offered: true
		},
		{
			id: 'cach-chuc',
			label: 'Cách chức',
			officeHoldersOnly: true,
			clearsOffice: true,
			endsMembership: false,
			offered: true
		},
		{
			id: 'khai-tru',
			label: 'Khai trừ',
			officeHoldersOnly: false,
			clearsOffice: true,
			endsMembership: true,
			offered: true
		}
	],
	removalReasons: [
		{
			id: 'bo-sinh-hoat',
			label:
				'Không tham gia sinh hoạt và không đóng đoàn phí 3 tháng trong năm mà không có lý do ' +
				'chính đáng',
			minMonthsMissed: 3,
			exemptsAwayInTouch: true,
			needsNote: false,
			offered: true
		},
		{
			id: 'khac',
			label: 'Lý do khác',
			minMonthsMissed: null,
			exemptsAwayInTouch: false,
			needsNote: true,
			offered: true
		}
	],
	duesCategories: [
		{
			id: 'khong-luong',
			label: 'Đoàn viên không hưởng lương',
			monthlyAmount: 2000,
			atLeast: false,
			quarterlyAllowed: true,
			offered: true
		},
		{
			id: 'co-luong',
			label: 'Đoàn viên hưởng lương',
			monthlyAmount: 5000,
			atLeast: false,
			quarterlyAllowed: true,
			offered: true
		},
		{
			id: 'nuoc-ngoai',
			label: 'Đoàn viên ở nước ngoài',
			monthlyAmount: 5000,
			atLeast: true,
			quarterlyAllowed: true,
			offered: true
		}
	],
	trainingProgrammes: [PROGRAMME_2023_2027]
});
