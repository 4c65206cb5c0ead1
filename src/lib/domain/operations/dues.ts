import { defineOperation } from './entry';
import { formatDate, formatMoney } from '../dates';
import { isOnRolls, memberStatusLabel } from '../member-statuses';
import type { MemberDoc } from '../member-schema';
import {
	addMonths,
	formatMonth,
	monthOf,
	monthsInclusive,
	parseMonth,
	quarterEnd
} from '../months';
import {
	createInputReader,
	hasErrors,
	planMemberChange,
	rulesOf,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';
import type { UnionRules } from '../rules/table';
import { findDuesCategory } from '../rules/lookups';

// Đoàn phí (docs/domain.md §3): monthly, at the rate of the member's category (2.000đ without a salary,
// 5.000đ salaried, at least 5.000đ abroad — configurable). The member document keeps the month paid
// up to; each payment is an entry covering consecutive months from the one after it. Paying ahead
// is allowed only to the end of the current quarter, with the committee's leave, for categories
// that allow quarterly payment.

export interface DuesPaymentInput {
	categoryId?: InputValue;
	/** First month paid: only asked when no payment was ever recorded (members from before the app). */
	from?: InputValue;
	through?: InputValue;
	amount?: InputValue;
	paidOn?: InputValue;
	/** The committee allowed paying ahead (đóng theo quý). */
	advanceApproved?: InputValue;
}

export const DUES_FIELD_LABELS = {
	categoryId: 'Mức đoàn phí',
	from: 'Đóng từ tháng',
	through: 'Đóng đến tháng',
	amount: 'Số tiền',
	paidOn: 'Ngày đóng'
} as const;

/** The amount due for a number of months in a category (the minimum where it is "at least"). */
export function duesAmount(options: {
	categoryId: string;
	months: number;
	rules?: UnionRules;
}): number {
	const category = findDuesCategory(options);
	if (category === undefined) throw new RangeError(`Không có mức đoàn phí ${options.categoryId}.`);
	return category.monthlyAmount * options.months;
}

/** Where a member stands with dues on a day: months owed up to the current month and their amount. */
export function duesStanding(options: {
	member: Pick<MemberDoc, 'duesPaidThrough' | 'duesCategory'>;
	today: string;
	rules?: UnionRules;
}): { paidThrough: string | null; owedMonths: number; owedAmount: number | null } {
	const { member } = options;
	const current = monthOf(options.today);
	if (member.duesPaidThrough === undefined) {
		return { paidThrough: null, owedMonths: 0, owedAmount: null };
	}
	const owedMonths = monthsInclusive({
		from: addMonths({ month: member.duesPaidThrough, months: 1 }),
		to: current
	});
	const category = member.duesCategory
		? findDuesCategory({ categoryId: member.duesCategory, rules: options.rules })
		: undefined;
	return {
		paidThrough: member.duesPaidThrough,
		owedMonths,
		owedAmount: category ? category.monthlyAmount * owedMonths : null
	};
}

export function planDuesPayment(
	options: OperationContext & { member: MemberDoc; input: DuesPaymentInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const labels = DUES_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	if (!isOnRolls(member.status)) {
		errors.form = `Không thể ghi đoàn phí: đoàn viên đang ở trạng thái "${memberStatusLabel(member.status)}".`;
	}
	const categoryId =
		reader.text('categoryId', input.categoryId, labels.categoryId) || member.duesCategory || '';
	const category = findDuesCategory({ categoryId, rules });
	if (categoryId === '') errors.categoryId = `${labels.categoryId} không được để trống.`;
	else if (category === undefined || !category.offered) {
		errors.categoryId = `${labels.categoryId}: chọn một mức trong danh sách.`;
	}

	let from: string | undefined;
	if (member.duesPaidThrough !== undefined) {
		from = addMonths({ month: member.duesPaidThrough, months: 1 });
		const typed = reader.month('from', input.from, labels.from);
		if (typed !== undefined && typed !== from) {
			errors.from =
				`${labels.from}: đoàn viên đã đóng đến tháng ${formatMonth(member.duesPaidThrough)}, ` +
				`lần này phải đóng tiếp từ tháng ${formatMonth(from)}.`;
		}
	} else {
		from = reader.month('from', input.from, labels.from, { required: true });
	}
	const through = reader.month('through', input.through, labels.through, { required: true });
	const amount = reader.number('amount', input.amount, labels.amount, { required: true, min: 0 });
	const paidOn = reader.date('paidOn', input.paidOn, labels.paidOn, { required: true });

	let months = 0;
	if (from !== undefined && through !== undefined) {
		months = monthsInclusive({ from, to: through });
		if (months === 0) {
			errors.through = `${labels.through} không được trước tháng ${formatMonth(from)}.`;
		}
		const current = monthOf(options.today);
		if (through > current && category) {
			const limit = quarterEnd(current);
			if (!category.quarterlyAllowed) {
				errors.through = `${labels.through}: mức "${category.label}" không đóng trước được.`;
			} else if (through > limit) {
				errors.through = `${labels.through}: chỉ đóng trước đến hết quý này (tháng ${formatMonth(limit)}).`;
			} else if (!reader.flag(input.advanceApproved)) {
				errors.advanceApproved =
					'Đóng trước (theo quý) cần Ban Chấp hành đồng ý: đánh dấu ô "Ban Chấp hành đã đồng ý".';
			}
		}
	}
	if (category && months > 0 && amount !== undefined) {
		const expected = category.monthlyAmount * months;
		if (category.atLeast ? amount < expected : amount !== expected) {
			errors.amount =
				`${labels.amount}: ${months} tháng mức "${category.label}" là ` +
				`${category.atLeast ? 'ít nhất ' : ''}${formatMoney(expected)} (đang ghi ${formatMoney(amount)}).`;
		}
	}
	if (hasErrors(errors) || !category || !from || !through || amount === undefined || !paidOn) {
		return { ok: false, errors };
	}
	return planMemberChange({
		context: options,
		member,
		kind: 'dues-payment',
		at: paidOn,
		data: { categoryId: category.id, from, through, months, amount },
		patch: { duesPaidThrough: through, duesCategory: category.id }
	});
}

/** What the chosen months cost, as a hint under the amount (the planner checks the amount). */
function duesHint(member: MemberDoc, values: Readonly<Record<string, string | boolean>>) {
	const category = String(values.categoryId ?? '');
	const from = member.duesPaidThrough
		? addMonths({ month: member.duesPaidThrough, months: 1 })
		: parseMonth(String(values.from ?? ''));
	const through = parseMonth(String(values.through ?? ''));
	if (!category || !from || !through) return undefined;
	const months = monthsInclusive({ from, to: through });
	if (months < 1) return undefined;
	try {
		return `${months} tháng: ${formatMoney(duesAmount({ categoryId: category, months }))}.`;
	} catch {
		return undefined;
	}
}

export const DUES_PAYMENT = defineOperation<DuesPaymentInput>({
	slug: 'doan-phi',
	title: 'Đóng đoàn phí',
	availability: { whileTransferring: true },
	decision: { use: 'none', kind: 'dues-payment' },
	fields: ({ member, values, rules }) => [
		{
			kind: 'select',
			name: 'categoryId',
			label: 'Mức đoàn phí',
			placeholder: '— Chọn mức —',
			options: rules.duesCategories
				.filter((c) => c.offered)
				.map((c) => ({
					value: c.id,
					label: `${c.label}: ${c.atLeast ? 'ít nhất ' : ''}${formatMoney(c.monthlyAmount)}/tháng`
				}))
		},
		...(member.duesPaidThrough
			? []
			: [{ kind: 'month', name: 'from', label: 'Đóng từ tháng' } as const]),
		{
			kind: 'month',
			name: 'through',
			label: 'Đóng đến tháng',
			hint: member.duesPaidThrough
				? `Đã đóng đến tháng ${formatMonth(member.duesPaidThrough)}; lần này đóng tiếp từ tháng ${formatMonth(addMonths({ month: member.duesPaidThrough, months: 1 }))}.`
				: undefined
		},
		{ kind: 'number', name: 'amount', label: 'Số tiền (đồng)', hint: duesHint(member, values) },
		{ kind: 'date', name: 'paidOn', label: 'Ngày đóng' },
		{
			kind: 'checkbox',
			name: 'advanceApproved',
			label: 'Ban Chấp hành đã đồng ý cho đóng trước (theo quý)'
		}
	],
	defaults: ({ member, today }) => ({
		categoryId: member.duesCategory ?? '',
		from: member.duesPaidThrough ? '' : formatMonth(monthOf(today)),
		through: formatMonth(monthOf(today)),
		amount: '',
		paidOn: formatDate(today),
		advanceApproved: false
	}),
	plan: (options) => planDuesPayment(options)
});
