import { describe, expect, it } from 'vitest';
import {
	addDays,
	formatDate,
	formatDateTime,
	formatLongDate,
	formatMoney,
	formatNumber,
	parseDate,
	parseDateDetailed,
	todayIso
} from '$lib/domain';

describe('parseDate', () => {
	it.each([
		['05/01/2003', '2003-01-05'],
		['5/1/2003', '2003-01-05'],
		['05-01-2003', '2003-01-05'],
		['05.01.2003', '2003-01-05'],
		['2003-01-05', '2003-01-05'],
		['  31/12/1999 ', '1999-12-31']
	])('reads "%s" as %s', (input, iso) => {
		expect(parseDate(input)).toBe(iso);
	});

	it('reads the day first, as Vietnamese users write it', () => {
		expect(parseDate('02/03/2004')).toBe('2004-03-02');
	});

	it('accepts 29/02 only in leap years (1900 was not one, 2000 was)', () => {
		expect(parseDate('29/02/2000')).toBe('2000-02-29');
		expect(parseDate('29/02/2024')).toBe('2024-02-29');
		expect(parseDate('29/02/2001')).toBeNull();
		expect(parseDate('29/02/1900')).toBeNull();
	});

	it.each(['31/02/2000', '30/02/2000', '31/04/2020', '00/01/2020', '01/13/2020', '32/01/2020'])(
		'rejects the day that does not exist: %s',
		(input) => {
			expect(parseDate(input)).toBeNull();
			expect(parseDateDetailed(input)).toEqual({ ok: false, reason: 'nonexistent' });
		}
	);

	it.each(['', 'abc', '05/01/03', '2003/01/05', '05 01 2003', '5/1', '2003-01-05T00:00:00Z'])(
		'rejects what is not a date: "%s"',
		(input) => {
			expect(parseDate(input)).toBeNull();
			expect(parseDateDetailed(input)).toEqual({ ok: false, reason: 'format' });
		}
	);
});

describe('formatting', () => {
	it('shows dates as dd/mm/yyyy', () => {
		expect(formatDate('2023-01-05')).toBe('05/01/2023');
		expect(formatDate('1999-12-31')).toBe('31/12/1999');
		expect(formatDate('không phải ngày')).toBe('không phải ngày');
	});

	it('writes the heading date of a decision, place first', () => {
		expect(formatLongDate({ place: 'Phú Thọ', date: '2023-01-05' })).toBe(
			'Phú Thọ, ngày 05 tháng 01 năm 2023'
		);
		expect(formatLongDate({ date: '2023-02-09' })).toBe('ngày 09 tháng 02 năm 2023');
	});

	it('pads only days below 10 and months 1–2, as administrative documents do', () => {
		expect(formatLongDate({ place: 'Việt Trì', date: '2024-03-15' })).toBe(
			'Việt Trì, ngày 15 tháng 3 năm 2024'
		);
		expect(formatLongDate({ date: '2024-12-22' })).toBe('ngày 22 tháng 12 năm 2024');
	});

	it('shows a timestamp in Vietnam’s time on a 24-hour clock, whatever the machine’s zone', () => {
		expect(formatDateTime('2023-01-05T07:07:00.000Z')).toBe('05/01/2023 14:07');
		// 17:05 UTC on 30 December is already 00:05 on the 31st in Vietnam.
		expect(formatDateTime('2023-12-30T17:05:00.000Z')).toBe('31/12/2023 00:05');
	});

	it('groups thousands with dots and uses a comma for decimals', () => {
		expect(formatNumber(15873)).toBe('15.873');
		expect(formatNumber(75281)).toBe('75.281');
		expect(formatNumber(5300000)).toBe('5.300.000');
		expect(formatNumber(999)).toBe('999');
		expect(formatNumber(61.3)).toBe('61,3');
		expect(formatNumber(0)).toBe('0');
		expect(formatNumber(-1382)).toBe('-1.382');
		expect(formatNumber(2.345, { fractionDigits: 1 })).toBe('2,3');
	});

	it('writes money in đồng', () => {
		expect(formatMoney(2000)).toBe('2.000đ');
		expect(formatMoney(5000)).toBe('5.000đ');
		expect(formatMoney(1_500_000)).toBe('1.500.000đ');
	});
});

describe('calendar helpers', () => {
	it('gives Vietnam’s date of a moment, a day ahead of UTC from 17:00 UTC', () => {
		expect(todayIso(new Date('2024-02-29T16:59:00.000Z'))).toBe('2024-02-29');
		expect(todayIso(new Date('2024-02-29T17:00:00.000Z'))).toBe('2024-03-01');
		expect(todayIso(new Date('2024-12-31T17:00:00.000Z'))).toBe('2025-01-01');
		expect(todayIso(new Date('2024-12-31T16:59:59.999Z'))).toBe('2024-12-31');
	});

	it('adds days across months, years and leap days', () => {
		expect(addDays({ date: '2023-02-28', days: 1 })).toBe('2023-03-01');
		expect(addDays({ date: '2024-02-28', days: 1 })).toBe('2024-02-29');
		expect(addDays({ date: '2023-12-31', days: 1 })).toBe('2024-01-01');
		expect(addDays({ date: '2023-01-01', days: -1 })).toBe('2022-12-31');
	});
});
