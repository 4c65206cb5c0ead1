import { describe, expect, it } from 'vitest';
import {
	HISTORY_KIND_LABELS,
	MARKERS_SINCE,
	addMonths,
	applyMemberPatch,
	createInputReader,
	formatMonth,
	memberFieldLabel,
	monthOf,
	monthsInclusive,
	normaliseDecisionNumber,
	parseMonth,
	quarterEnd,
	readDecision,
	sameValue
} from '$lib/domain';
import { member } from './operation-fixtures';

describe('months', () => {
	it('parse, format and count', () => {
		expect(parseMonth('3/2024')).toBe('2024-03');
		expect(parseMonth('03.2024')).toBe('2024-03');
		expect(parseMonth('2024-03')).toBe('2024-03');
		expect(parseMonth('13/2024')).toBeNull();
		expect(parseMonth('2024')).toBeNull();
		expect(formatMonth('2024-03')).toBe('03/2024');
		expect(formatMonth('x')).toBe('x');
		expect(monthOf('2024-03-15')).toBe('2024-03');
		expect(addMonths({ month: '2024-11', months: 3 })).toBe('2025-02');
		expect(addMonths({ month: '2024-01', months: -1 })).toBe('2023-12');
		expect(monthsInclusive({ from: '2024-01', to: '2024-03' })).toBe(3);
		expect(monthsInclusive({ from: '2024-04', to: '2024-03' })).toBe(0);
		expect(['2024-01', '2024-03', '2024-04', '2024-12'].map(quarterEnd)).toEqual([
			'2024-03',
			'2024-03',
			'2024-06',
			'2024-12'
		]);
	});
});

describe('applyMemberPatch', () => {
	it('sets and removes fields, records before and after, stamps markers with the revision', () => {
		const before = member({ _rev: '5-abc', phone: '0912345678' });
		const {
			member: after,
			effect,
			changed
		} = applyMemberPatch({
			member: before,
			patch: { phone: null, email: 'hoa@gmail.com', givenName: 'Hoa' },
			at: '2025-11-28T03:00:00.000Z',
			by: 'phobithu'
		});
		expect(changed).toEqual(['phone', 'email']);
		expect(after).not.toHaveProperty('phone');
		expect(after).toMatchObject({ email: 'hoa@gmail.com', _rev: '5-abc', updatedBy: 'phobithu' });
		expect(effect).toEqual({
			before: { phone: '0912345678', email: null },
			after: { phone: null, email: 'hoa@gmail.com' }
		});
		expect(after.fieldRevs).toEqual({
			phone: { rev: '5-abc', at: '2025-11-28T03:00:00.000Z', by: 'phobithu' },
			email: { rev: '5-abc', at: '2025-11-28T03:00:00.000Z', by: 'phobithu' }
		});
		expect(before).toHaveProperty('phone', '0912345678');
	});

	it('marks where markers begin on a document last written without them', () => {
		const old = member({ _rev: '4-old', fieldRevs: undefined });
		const { member: after } = applyMemberPatch({
			member: old,
			patch: { phone: '0987654321' },
			at: '2025-11-28T03:00:00.000Z',
			by: 'bithu'
		});
		expect(after.fieldRevs?.[MARKERS_SINCE]?.rev).toBe('4-old');
		const fresh = member({ _rev: undefined, fieldRevs: undefined });
		expect(
			applyMemberPatch({
				member: fresh,
				patch: { phone: '0987654321' },
				at: '2025-11-28T03:00:00.000Z',
				by: 'bithu'
			}).member.fieldRevs
		).toEqual({});
	});

	it('compares values as stored JSON', () => {
		expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
		expect(sameValue(undefined, null)).toBe(true);
		expect(sameValue({ a: undefined }, {})).toBe(true);
		expect(sameValue('1', 1)).toBe(false);
	});
});

describe('reading operation forms', () => {
	it('reads dates, months and numbers the Vietnamese way, one message per field', () => {
		const reader = createInputReader({ today: '2025-11-28' });
		expect(reader.date('a', '05/01/2024', 'Ngày A')).toBe('2024-01-05');
		expect(reader.date('b', '31/02/2024', 'Ngày B')).toBeUndefined();
		expect(reader.date('c', '2026-01-01', 'Ngày C')).toBeUndefined();
		expect(reader.date('d', '2026-01-01', 'Ngày D', { future: true })).toBe('2026-01-01');
		expect(reader.number('e', '2.000', 'Số tiền')).toBe(2000);
		expect(reader.number('f', '27,5', 'Điểm', { decimals: true })).toBe(27.5);
		expect(reader.number('g', '2,5', 'Số người')).toBeUndefined();
		expect(reader.month('h', '13/2024', 'Tháng')).toBeUndefined();
		expect(reader.flag('có')).toBe(true);
		expect(reader.errors).toEqual({
			b: 'Ngày B: không có ngày 31/02/2024, hãy kiểm tra ngày và tháng.',
			c: 'Ngày C không được sau hôm nay (28/11/2025).',
			g: 'Số người phải là một số nguyên.',
			h: 'Tháng: nhập theo dạng tháng/năm, ví dụ 03/2024.'
		});
	});

	it('reads a decision: optional when empty, complete once started', () => {
		const reader = createInputReader({ today: '2025-11-28' });
		expect(readDecision({ reader, input: {}, required: false })).toBeUndefined();
		expect(
			readDecision({ reader, input: { number: 'Số: 12 - QĐ/ĐTN' }, required: false })
		).toBeUndefined();
		expect(Object.keys(reader.errors)).toEqual([
			'decision.date',
			'decision.signer',
			'decision.issuer'
		]);
		expect(normaliseDecisionNumber('  số 05 -QĐ / ĐTN ')).toBe('05-QĐ/ĐTN');
	});

	it('labels state fields and history kinds', () => {
		expect(memberFieldLabel('duesPaidThrough')).toBe('Đoàn phí đã đóng đến tháng');
		expect(memberFieldLabel('phone')).toBe('Số điện thoại');
		expect(HISTORY_KIND_LABELS['dues-payment']).toBe('Đóng đoàn phí');
	});
});
