// Closed lists the forms offer, with the labels users see. Stored values are ASCII slugs so that
// a relabelling never rewrites records.

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];
export const GENDER_LABELS: Readonly<Record<Gender, string>> = { male: 'Nam', female: 'Nữ' };

export const OCCUPATIONS = [
	'hoc-sinh',
	'sinh-vien',
	'cong-nhan',
	'can-bo',
	'luc-luong-vu-trang',
	'nong-dan',
	'lao-dong-tu-do',
	'khac'
] as const;
export type Occupation = (typeof OCCUPATIONS)[number];
export const OCCUPATION_LABELS: Readonly<Record<Occupation, string>> = {
	'hoc-sinh': 'Học sinh',
	'sinh-vien': 'Sinh viên',
	'cong-nhan': 'Công nhân',
	'can-bo': 'Cán bộ, công chức, viên chức',
	'luc-luong-vu-trang': 'Lực lượng vũ trang',
	'nong-dan': 'Nông dân',
	'lao-dong-tu-do': 'Lao động tự do',
	khac: 'Khác'
};

export const POLITICAL_THEORY_LEVELS = ['so-cap', 'trung-cap', 'cao-cap', 'cu-nhan'] as const;
export type PoliticalTheoryLevel = (typeof POLITICAL_THEORY_LEVELS)[number];
export const POLITICAL_THEORY_LABELS: Readonly<Record<PoliticalTheoryLevel, string>> = {
	'so-cap': 'Sơ cấp',
	'trung-cap': 'Trung cấp',
	'cao-cap': 'Cao cấp',
	'cu-nhan': 'Cử nhân'
};

/** Giáo dục phổ thông as the forms offer it: the grade completed over the 12-year system. */
export const GENERAL_EDUCATION_VALUES = Array.from({ length: 12 }, (_, i) => `${i + 1}/12`);

// Older records (the northern 10-year system, before 1990) write grades over 10, e.g. "10/10".
const GENERAL_EDUCATION = /^(\d{1,2})\s*\/\s*(10|12)$/;

/** "12/12", "9 / 12" → "9/12"; null when it is not a grade over 10 or 12. */
export function normaliseGeneralEducation(value: string): string | null {
	const match = GENERAL_EDUCATION.exec(value.trim());
	if (!match) return null;
	const grade = Number(match[1]);
	const system = Number(match[2]);
	if (grade < 1 || grade > system) return null;
	return `${grade}/${system}`;
}

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
	return typeof value === 'string' && (list as readonly string[]).includes(value);
}

export function genderLabel(value: string): string {
	return isOneOf(GENDERS, value) ? GENDER_LABELS[value] : value;
}

export function occupationLabel(value: string): string {
	return isOneOf(OCCUPATIONS, value) ? OCCUPATION_LABELS[value] : value;
}

export function politicalTheoryLabel(value: string): string {
	return isOneOf(POLITICAL_THEORY_LEVELS, value) ? POLITICAL_THEORY_LABELS[value] : value;
}

/** What a history entry records (docs/design.md §2: every operation on a member is its own document). */
export const HISTORY_KINDS = [
	'admission',
	'branch-move',
	'transfer-requested',
	'transfer-out',
	'transfer-rejected',
	'transfer-in',
	'coming-of-age',
	'stay-extended',
	'removal',
	'discipline',
	'reward',
	'rating',
	'training-registration',
	'training-score',
	'dues-payment',
	'death',
	'profile-edit',
	'reversal',
	'declaration-approved',
	'imported'
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];
export const HISTORY_KIND_LABELS: Readonly<Record<HistoryKind, string>> = {
	admission: 'Kết nạp đoàn viên',
	'branch-move': 'Chuyển chi đoàn',
	'transfer-requested': 'Đề nghị chuyển sinh hoạt',
	'transfer-out': 'Đã chuyển sinh hoạt đi',
	'transfer-rejected': 'Đơn vị nhận từ chối chuyển sinh hoạt',
	'transfer-in': 'Nhận chuyển sinh hoạt đến',
	'coming-of-age': 'Trưởng thành Đoàn',
	'stay-extended': 'Tiếp tục sinh hoạt Đoàn',
	removal: 'Xóa tên',
	discipline: 'Kỷ luật',
	reward: 'Khen thưởng',
	rating: 'Đánh giá, xếp loại',
	'training-registration': 'Đăng ký chương trình rèn luyện',
	'training-score': 'Chấm điểm chương trình rèn luyện',
	'dues-payment': 'Đóng đoàn phí',
	death: 'Từ trần',
	'profile-edit': 'Sửa thông tin hồ sơ',
	reversal: 'Hủy bỏ nghiệp vụ',
	'declaration-approved': 'Duyệt thông tin tự khai',
	imported: 'Nhập từ tệp danh sách'
};

export function historyKindLabel(value: string): string {
	return isOneOf(HISTORY_KINDS, value) ? HISTORY_KIND_LABELS[value] : value;
}

/** The three steps of the annual rating: the member, the branch, then the superior. */
export const RATING_STAGES = ['self', 'branch', 'superior'] as const;
export type RatingStage = (typeof RATING_STAGES)[number];
export const RATING_STAGE_LABELS: Readonly<Record<RatingStage, string>> = {
	self: 'Đoàn viên tự đánh giá',
	branch: 'Chi đoàn đánh giá',
	superior: 'Đoàn cấp trên xếp loại'
};

/** Kinds of administrative document, as abbreviated in their number ("12-QĐ/ĐTN"). */
export const DOCUMENT_TYPES = ['QĐ', 'KH', 'HD', 'TB', 'CV', 'BC'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export const DOCUMENT_TYPE_LABELS: Readonly<Record<DocumentType, string>> = {
	QĐ: 'Quyết định',
	KH: 'Kế hoạch',
	HD: 'Hướng dẫn',
	TB: 'Thông báo',
	CV: 'Công văn',
	BC: 'Báo cáo'
};
