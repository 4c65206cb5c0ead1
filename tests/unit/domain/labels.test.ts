import { describe, expect, it } from 'vitest';
import {
	GENDER_LABELS,
	GENERAL_EDUCATION_VALUES,
	MEMBER_STATUSES,
	MEMBER_STATUS_LABELS,
	OCCUPATION_LABELS,
	POLITICAL_THEORY_LABELS,
	isOnRolls,
	memberStatusLabel,
	normaliseGeneralEducation,
	occupationLabel
} from '$lib/domain';

describe('labels users see', () => {
	it('names every member status in Vietnamese', () => {
		expect(MEMBER_STATUSES.map((s) => MEMBER_STATUS_LABELS[s])).toEqual([
			'Đang sinh hoạt',
			'Đang chuyển',
			'Đã chuyển đi',
			'Trưởng thành',
			'Xóa tên',
			'Khai trừ',
			'Từ trần'
		]);
		expect(memberStatusLabel('active')).toBe('Đang sinh hoạt');
		expect(memberStatusLabel('unknown')).toBe('unknown');
	});

	it('keeps members whose transfer is pending on the rolls', () => {
		expect(MEMBER_STATUSES.filter(isOnRolls)).toEqual(['active', 'transferring']);
	});

	it('names genders, occupations and political theory levels', () => {
		expect(GENDER_LABELS).toEqual({ male: 'Nam', female: 'Nữ' });
		expect(OCCUPATION_LABELS['can-bo']).toBe('Cán bộ, công chức, viên chức');
		expect(occupationLabel('luc-luong-vu-trang')).toBe('Lực lượng vũ trang');
		expect(Object.values(OCCUPATION_LABELS)).toEqual([
			'Học sinh',
			'Sinh viên',
			'Công nhân',
			'Cán bộ, công chức, viên chức',
			'Lực lượng vũ trang',
			'Nông dân',
			'Lao động tự do',
			'Khác'
		]);
		expect(Object.values(POLITICAL_THEORY_LABELS)).toEqual([
			'Sơ cấp',
			'Trung cấp',
			'Cao cấp',
			'Cử nhân'
		]);
	});

	it('offers general education as grade/12 and reads what users type', () => {
		expect(GENERAL_EDUCATION_VALUES).toHaveLength(12);
		expect(GENERAL_EDUCATION_VALUES).toContain('9/12');
		expect(GENERAL_EDUCATION_VALUES.at(-1)).toBe('12/12');
		expect(normaliseGeneralEducation(' 9 / 12 ')).toBe('9/12');
		expect(normaliseGeneralEducation('10/10')).toBe('10/10');
		expect(normaliseGeneralEducation('13/12')).toBeNull();
		expect(normaliseGeneralEducation('0/12')).toBeNull();
		expect(normaliseGeneralEducation('lớp 9')).toBeNull();
	});
});
