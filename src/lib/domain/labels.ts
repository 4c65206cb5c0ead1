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
