import { describe, expect, it } from 'vitest';
import {
	CITIZEN_ID_PROVINCES,
	checkCitizenId,
	citizenIdCenturyDigit,
	citizenIdProvince,
	decodeCitizenId
} from '$lib/domain';

const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

describe('province codes', () => {
	it('lists the 63 pre-2025 provinces from 001 Hà Nội to 096 Cà Mau', () => {
		const entries = Object.entries(CITIZEN_ID_PROVINCES);
		expect(entries).toHaveLength(63);
		expect(CITIZEN_ID_PROVINCES['001']).toBe('Hà Nội');
		expect(CITIZEN_ID_PROVINCES['025']).toBe('Phú Thọ');
		expect(CITIZEN_ID_PROVINCES['079']).toBe('Thành phố Hồ Chí Minh');
		expect(CITIZEN_ID_PROVINCES['096']).toBe('Cà Mau');
		expect(entries.every(([code]) => /^0\d\d$/.test(code))).toBe(true);
		expect(new Set(entries.map(([, name]) => name)).size).toBe(63);
	});

	it('names the province of birth registration from the first three digits', () => {
		expect(citizenIdProvince('025203001234')).toBe('Phú Thọ');
		expect(citizenIdProvince('001195012345')).toBe('Hà Nội');
		expect(citizenIdProvince('003203001234')).toBeNull();
		expect(citizenIdProvince('02520300123')).toBeNull();
	});
});

describe('decodeCitizenId', () => {
	it('reads sex and century from digit 4 and the year from digits 5–6', () => {
		expect(decodeCitizenId('025303001234')).toEqual({
			provinceCode: '025',
			provinceName: 'Phú Thọ',
			gender: 'female',
			centuryStart: 2000,
			yearDigits: '03'
		});
		expect(decodeCitizenId('001099001234')?.centuryStart).toBe(1900);
		expect(decodeCitizenId('001400001234')?.centuryStart).toBe(2100);
		expect(decodeCitizenId('abc')).toBeNull();
	});

	it('gives the digit 4 a person should carry', () => {
		expect(citizenIdCenturyDigit({ gender: 'male', birthYear: 1999 })).toBe('0');
		expect(citizenIdCenturyDigit({ gender: 'female', birthYear: 1999 })).toBe('1');
		expect(citizenIdCenturyDigit({ gender: 'male', birthYear: 2003 })).toBe('2');
		expect(citizenIdCenturyDigit({ gender: 'female', birthYear: 2008 })).toBe('3');
		expect(citizenIdCenturyDigit({ gender: 'female', birthYear: 2100 })).toBe('5');
	});
});

describe('checkCitizenId', () => {
	it('accepts ids consistent with the record, leading zeros included', () => {
		expect(
			checkCitizenId({ citizenId: '025203001234', gender: 'male', birthDate: '2003-05-01' })
		).toEqual([]);
		expect(
			checkCitizenId({ citizenId: '025303001234', gender: 'female', birthDate: '2003-05-01' })
		).toEqual([]);
		expect(
			checkCitizenId({ citizenId: '001099001234', gender: 'male', birthDate: '1999-12-31' })
		).toEqual([]);
		expect(
			checkCitizenId({ citizenId: '001195012345', gender: 'female', birthDate: '1995-01-01' })
		).toEqual([]);
		expect(
			checkCitizenId({ citizenId: '025400001234', gender: 'male', birthDate: '2100-01-01' })
		).toEqual([]);
	});

	it('says how many digits were typed when the length is wrong', () => {
		const short = checkCitizenId({
			citizenId: '02520300123',
			gender: 'male',
			birthDate: '2003-05-01'
		});
		expect(short).toEqual([
			{ code: 'length', message: 'Số CCCD phải có đúng 12 chữ số (đang có 11).' }
		]);
		const long = checkCitizenId({ citizenId: '0252030012345' });
		expect(long[0]?.message).toBe('Số CCCD phải có đúng 12 chữ số (đang có 13).');
	});

	it('names the characters that are not digits', () => {
		const problems = checkCitizenId({ citizenId: '02520300123A' });
		expect(codes(problems)).toEqual(['non-digit']);
		expect(problems[0]?.message).toBe('Số CCCD chỉ gồm chữ số (đang có "A").');
		const both = checkCitizenId({ citizenId: '025-203-00' });
		expect(codes(both)).toEqual(['non-digit', 'length']);
		expect(both[1]?.message).toContain('(đang có 10)');
	});

	it('rejects a province code that is not in the list', () => {
		const problems = checkCitizenId({
			citizenId: '003203001234',
			gender: 'male',
			birthDate: '2003-01-01'
		});
		expect(codes(problems)).toEqual(['province']);
		expect(problems[0]?.message).toContain('"003"');
		expect(problems[0]?.message).toMatch(/^Số CCCD/);
	});

	it('rejects a sex digit that contradicts the record', () => {
		const problems = checkCitizenId({
			citizenId: '025203001234',
			gender: 'female',
			birthDate: '2003-01-01'
		});
		expect(codes(problems)).toEqual(['sex']);
		expect(problems[0]?.message).toBe(
			'Số CCCD không khớp giới tính: chữ số thứ 4 là "2" (Nam) nhưng hồ sơ ghi Nữ.'
		);
	});

	it('rejects a century digit that contradicts the birth year', () => {
		const problems = checkCitizenId({
			citizenId: '025003001234',
			gender: 'male',
			birthDate: '2003-01-01'
		});
		expect(codes(problems)).toEqual(['century']);
		expect(problems[0]?.message).toContain('1900–1999');
		expect(problems[0]?.message).toContain('2003');
		const future = checkCitizenId({
			citizenId: '025703001234',
			gender: 'female',
			birthDate: '2003-01-01'
		});
		expect(codes(future)).toEqual(['century']);
	});

	it('rejects year digits that are not the last two digits of the birth year', () => {
		const problems = checkCitizenId({
			citizenId: '025204001234',
			gender: 'male',
			birthDate: '2003-01-01'
		});
		expect(codes(problems)).toEqual(['year']);
		expect(problems[0]?.message).toBe(
			'Số CCCD không khớp năm sinh: chữ số thứ 5–6 là "04" nhưng năm sinh là 2003 (phải là "03").'
		);
	});

	it('reports every contradiction at once', () => {
		const problems = checkCitizenId({
			citizenId: '099105001234',
			gender: 'male',
			birthDate: '2003-01-01'
		});
		expect(codes(problems)).toEqual(['province', 'sex', 'century', 'year']);
	});

	it('checks only what it can when the record has no sex or birth date yet', () => {
		expect(checkCitizenId({ citizenId: '025303001234' })).toEqual([]);
		expect(codes(checkCitizenId({ citizenId: '025303001234', gender: 'male' }))).toEqual(['sex']);
	});
});
