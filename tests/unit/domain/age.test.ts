import { describe, expect, it } from 'vitest';
import {
	DEFAULT_RULES,
	ageBandRange,
	ageOn,
	anniversary,
	checkAdmissionAge,
	comingOfAgeDate,
	inStayExtensionWindow,
	isComingOfAgeDue,
	maxStayDate
} from '$lib/domain';

const admit = (birthDate: string, decisionDate: string) =>
	checkAdmissionAge({ birthDate, decisionDate, rules: DEFAULT_RULES });

describe('rules table', () => {
	it('has the charter defaults and a version', () => {
		expect(DEFAULT_RULES).toEqual({
			version: 1,
			admissionMinAge: 16,
			admissionMaxAge: 30,
			comingOfAgeAge: 30,
			maxStayAge: 35
		});
	});
});

describe('ageOn', () => {
	it('counts completed years, the birthday included', () => {
		expect(ageOn({ birthDate: '2008-01-05', on: '2023-01-04' })).toBe(14);
		expect(ageOn({ birthDate: '2008-01-05', on: '2023-01-05' })).toBe(15);
		expect(ageOn({ birthDate: '2008-01-05', on: '2023-12-31' })).toBe(15);
	});

	it('has someone born on 29/02 complete a year on 28/02 in common years', () => {
		expect(anniversary({ birthDate: '2008-02-29', years: 15 })).toBe('2023-02-28');
		expect(ageOn({ birthDate: '2008-02-29', on: '2023-02-27' })).toBe(14);
		expect(ageOn({ birthDate: '2008-02-29', on: '2023-02-28' })).toBe(15);
		expect(ageOn({ birthDate: '2008-02-29', on: '2024-02-28' })).toBe(15);
		expect(ageOn({ birthDate: '2008-02-29', on: '2024-02-29' })).toBe(16);
	});
});

describe('admission age: from 15 years and one day, up to the 30th birthday', () => {
	// Born 05/01/2008: 15 years on 05/01/2023, "15 years + 1 day" on 06/01/2023.
	it('refuses the day before 15 years + 1 day (the 15th birthday itself)', () => {
		const problem = admit('2008-01-05', '2023-01-05');
		expect(problem?.code).toBe('too-young');
		expect(problem?.message).toBe(
			'Chưa đủ tuổi kết nạp: ngày 05/01/2023 mới 15 tuổi, ' +
				'phải từ đủ 15 tuổi và 1 ngày (từ ngày 06/01/2023).'
		);
		expect(problem?.earliest).toBe('2023-01-06');
	});

	it('admits on the day of 15 years + 1 day and after', () => {
		expect(admit('2008-01-05', '2023-01-06')).toBeNull();
		expect(admit('2008-01-05', '2023-01-07')).toBeNull();
	});

	it('refuses a 14-year-old', () => {
		expect(admit('2008-01-05', '2022-06-01')?.message).toContain('mới 14 tuổi');
	});

	it('admits on the 30th birthday, not the day after nor on the 31st birthday', () => {
		expect(admit('1995-06-10', '2025-06-09')).toBeNull();
		expect(admit('1995-06-10', '2025-06-10')).toBeNull();
		const dayAfter = admit('1995-06-10', '2025-06-11');
		expect(dayAfter?.code).toBe('too-old');
		expect(dayAfter?.message).toBe(
			'Quá tuổi kết nạp: ngày 11/06/2025 đã quá 30 tuổi, chỉ kết nạp đến hết ngày 10/06/2025.'
		);
		expect(admit('1995-06-10', '2026-06-10')?.code).toBe('too-old');
	});

	it('handles births on 29/02', () => {
		// 15th birthday falls in a common year: 28/02/2023, so the first day is 01/03/2023.
		expect(admit('2008-02-29', '2023-02-28')?.code).toBe('too-young');
		expect(admit('2008-02-29', '2023-03-01')).toBeNull();
		// 15th birthday in a leap year.
		expect(admit('2004-02-29', '2019-02-28')?.code).toBe('too-young');
		expect(admit('2004-02-29', '2019-03-01')).toBeNull();
		// 30th birthday in a common year: admitted through 28/02.
		expect(admit('1996-02-29', '2026-02-28')).toBeNull();
		expect(admit('1996-02-29', '2026-03-01')?.code).toBe('too-old');
	});

	it('follows a changed rules table', () => {
		const rules = { ...DEFAULT_RULES, version: 2, admissionMinAge: 18, admissionMaxAge: 28 };
		expect(
			checkAdmissionAge({ birthDate: '2008-01-05', decisionDate: '2025-01-05', rules })?.code
		).toBe('too-young');
		expect(
			checkAdmissionAge({ birthDate: '2008-01-05', decisionDate: '2025-01-06', rules })
		).toBeNull();
		expect(
			checkAdmissionAge({ birthDate: '1995-06-10', decisionDate: '2023-06-11', rules })?.code
		).toBe('too-old');
	});
});

describe('coming of age', () => {
	it('is due the day after the 30th birthday, and staying ends at the 35th', () => {
		expect(comingOfAgeDate({ birthDate: '1995-06-10' })).toBe('2025-06-10');
		expect(isComingOfAgeDue({ birthDate: '1995-06-10', on: '2025-06-10' })).toBe(false);
		expect(isComingOfAgeDue({ birthDate: '1995-06-10', on: '2025-06-11' })).toBe(true);
		expect(maxStayDate({ birthDate: '1995-06-10' })).toBe('2030-06-10');
	});
});

describe('the stay-extension window', () => {
	it('opens a year before the 30th birthday and closes after the 35th', () => {
		const window = (today: string) => inStayExtensionWindow({ birthDate: '1996-06-15', today });
		expect(window('2025-06-14')).toBe(false);
		expect(window('2025-06-15')).toBe(true);
		expect(window('2031-06-15')).toBe(true);
		expect(window('2031-06-16')).toBe(false);
	});
});

describe('age bands of the member lists', () => {
	it('bounds birth dates for each band on a given day', () => {
		const today = '2026-01-10';
		expect(ageBandRange('under-18', today)).toEqual(['2008-01-10', '9999-12-31']);
		expect(ageBandRange('18-24', today)).toEqual(['2001-01-10', '2008-01-10']);
		expect(ageBandRange('25-30', today)).toEqual(['1995-01-10', '2001-01-10']);
		expect(ageBandRange('over-30', today)).toEqual(['0000-01-01', '1995-01-10']);
		expect(ageBandRange('', today)).toBeNull();
	});
});
