import type { MembershipRules, RatingScale, TrainingProgramme, UnionRules } from './table';

// The rules table as the app ships it (its shape: table.ts). The central level's own table
// replaces it as data (`parseUnionRules`); items here are retired, never deleted.

/** The ages alone: version 1 of the table, kept unchanged in DEFAULT_UNION_RULES. */
export const DEFAULT_RULES: Readonly<MembershipRules> = Object.freeze({
	version: 1,
	admissionMinAge: 16,
	admissionMaxAge: 30,
	comingOfAgeAge: 30,
	maxStayAge: 35
});

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
