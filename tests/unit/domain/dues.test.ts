import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	duesAmount,
	duesStanding,
	planDuesPayment,
	type DuesPaymentInput,
	type MemberDoc
} from '$lib/domain';
import { context, errorsOf, member, planOf } from './operation-fixtures';

// Today 28/11/2025: the current quarter ends with 12/2025.
const pay = (input: DuesPaymentInput, who: MemberDoc = member({ duesPaidThrough: '2025-08' })) =>
	planDuesPayment({ ...context(), member: who, input: { paidOn: '28/11/2025', ...input } });

describe('dues rates', () => {
	it('are 2.000đ without a salary, 5.000đ salaried, at least 5.000đ abroad, per month', () => {
		expect(
			DEFAULT_UNION_RULES.duesCategories.map((c) => [c.id, c.monthlyAmount, c.atLeast])
		).toEqual([
			['khong-luong', 2000, false],
			['co-luong', 5000, false],
			['nuoc-ngoai', 5000, true]
		]);
		expect(duesAmount({ categoryId: 'co-luong', months: 3 })).toBe(15000);
	});
});

describe('planDuesPayment', () => {
	it('continues from the month after the last one paid, at the member category rate', () => {
		const plan = planOf(pay({ through: '11/2025', amount: '6.000' }));
		expect(plan.member).toMatchObject({ duesPaidThrough: '2025-11', duesCategory: 'khong-luong' });
		expect(plan.entries[0]).toMatchObject({
			kind: 'dues-payment',
			at: '2025-11-28',
			data: {
				categoryId: 'khong-luong',
				from: '2025-09',
				through: '2025-11',
				months: 3,
				amount: 6000
			},
			effect: { before: { duesPaidThrough: '2025-08' }, after: { duesPaidThrough: '2025-11' } }
		});
	});

	it('asks the first month when nothing was recorded before', () => {
		const fresh = member({ duesPaidThrough: undefined, duesCategory: undefined });
		const errors = errorsOf(pay({ through: '11/2025', amount: '2000' }, fresh));
		expect(errors.from).toBe('Đóng từ tháng không được để trống.');
		expect(errors.categoryId).toBe('Mức đoàn phí không được để trống.');
		const plan = planOf(
			pay({ categoryId: 'co-luong', from: '11/2025', through: '11/2025', amount: '5000' }, fresh)
		);
		expect(plan.member).toMatchObject({ duesPaidThrough: '2025-11', duesCategory: 'co-luong' });
	});

	it('refuses a gap or an overlap with what is paid', () => {
		expect(errorsOf(pay({ from: '10/2025', through: '11/2025', amount: '4000' })).from).toBe(
			'Đóng từ tháng: đoàn viên đã đóng đến tháng 08/2025, lần này phải đóng tiếp từ tháng 09/2025.'
		);
		expect(errorsOf(pay({ through: '07/2025', amount: '0' })).through).toBe(
			'Đóng đến tháng không được trước tháng 09/2025.'
		);
	});

	it('needs the exact amount, or at least the amount abroad', () => {
		expect(errorsOf(pay({ through: '11/2025', amount: '5000' })).amount).toBe(
			'Số tiền: 3 tháng mức "Đoàn viên không hưởng lương" là 6.000đ (đang ghi 5.000đ).'
		);
		expect(pay({ categoryId: 'nuoc-ngoai', through: '11/2025', amount: '20000' }).ok).toBe(true);
		expect(
			errorsOf(pay({ categoryId: 'nuoc-ngoai', through: '11/2025', amount: '14000' })).amount
		).toContain('là ít nhất 15.000đ');
	});

	it('pays ahead only to the end of the quarter and with the committee’s leave', () => {
		expect(errorsOf(pay({ through: '12/2025', amount: '8000' })).advanceApproved).toContain(
			'cần Ban Chấp hành đồng ý'
		);
		expect(pay({ through: '12/2025', amount: '8000', advanceApproved: true }).ok).toBe(true);
		expect(
			errorsOf(pay({ through: '01/2026', amount: '10000', advanceApproved: true })).through
		).toBe('Đóng đến tháng: chỉ đóng trước đến hết quý này (tháng 12/2025).');
		const monthly = {
			...DEFAULT_UNION_RULES,
			version: 3,
			duesCategories: DEFAULT_UNION_RULES.duesCategories.map((c) => ({
				...c,
				quarterlyAllowed: false
			}))
		};
		const result = planDuesPayment({
			...context({ rules: monthly }),
			member: member({ duesPaidThrough: '2025-08' }),
			input: { through: '12/2025', amount: '8000', advanceApproved: true, paidOn: '28/11/2025' }
		});
		expect(errorsOf(result).through).toContain('không đóng trước được');
	});

	it('refuses a member off the rolls', () => {
		expect(
			errorsOf(
				pay(
					{ through: '11/2025', amount: '6000' },
					member({ status: 'removed', duesPaidThrough: '2025-08' })
				)
			).form
		).toContain('"Xóa tên"');
	});
});

describe('duesStanding', () => {
	it('counts the months owed up to the current month and their amount', () => {
		expect(
			duesStanding({ member: member({ duesPaidThrough: '2025-08' }), today: '2025-11-28' })
		).toEqual({
			paidThrough: '2025-08',
			owedMonths: 3,
			owedAmount: 6000
		});
		expect(
			duesStanding({ member: member({ duesPaidThrough: '2025-12' }), today: '2025-11-28' })
				.owedMonths
		).toBe(0);
		expect(
			duesStanding({ member: member({ duesPaidThrough: undefined }), today: '2025-11-28' })
		).toEqual({
			paidThrough: null,
			owedMonths: 0,
			owedAmount: null
		});
	});
});
