// Months are stored as ISO 'YYYY-MM' (dues are paid "up to a month", transfers happen "in a
// month"): they sort as text like ISO dates. Users read them as '03/2024'.

const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const TYPED_MONTH = /^(\d{1,2})[/.-](\d{4})$/;

export interface MonthParts {
	year: number;
	month: number;
}

export function isoMonthParts(iso: string): MonthParts | null {
	const match = ISO_MONTH.exec(iso);
	if (!match) return null;
	const parts = { year: Number(match[1]), month: Number(match[2]) };
	return parts.year >= 1 && parts.month >= 1 && parts.month <= 12 ? parts : null;
}

export function isIsoMonth(value: unknown): value is string {
	return typeof value === 'string' && isoMonthParts(value) !== null;
}

function isoMonth(parts: MonthParts): string {
	return `${String(parts.year).padStart(4, '0')}-${String(parts.month).padStart(2, '0')}`;
}

/** The month of an ISO date: '2024-03-15' → '2024-03'. */
export function monthOf(isoDate: string): string {
	return isoDate.slice(0, 7);
}

/** '03/2024', '3/2024', '2024-03' → '2024-03'; null for anything else. */
export function parseMonth(input: string): string | null {
	const text = input.trim();
	if (isIsoMonth(text)) return text;
	const match = TYPED_MONTH.exec(text);
	if (!match) return null;
	const parts = { month: Number(match[1]), year: Number(match[2]) };
	return parts.month >= 1 && parts.month <= 12 && parts.year >= 1 ? isoMonth(parts) : null;
}

/** '2024-03' → '03/2024'. Text that is not an ISO month comes back unchanged. */
export function formatMonth(iso: string): string {
	const parts = isoMonthParts(iso);
	if (parts === null) return iso;
	return `${String(parts.month).padStart(2, '0')}/${parts.year}`;
}

/** The month `months` months after (or before, when negative) an ISO month. */
export function addMonths(options: { month: string; months: number }): string {
	const parts = isoMonthParts(options.month);
	if (parts === null) throw new RangeError(`Tháng không hợp lệ: ${options.month}`);
	const index = parts.year * 12 + (parts.month - 1) + options.months;
	return isoMonth({ year: Math.floor(index / 12), month: (index % 12) + 1 });
}

/** Months from `from` to `to`, both included: 2024-01 → 2024-03 is 3; 0 when `to` is before. */
export function monthsInclusive(options: { from: string; to: string }): number {
	const from = isoMonthParts(options.from);
	const to = isoMonthParts(options.to);
	if (from === null || to === null) throw new RangeError('Tháng không hợp lệ.');
	const count = to.year * 12 + to.month - (from.year * 12 + from.month) + 1;
	return Math.max(0, count);
}

/** The last month of the quarter a month is in: '2024-05' → '2024-06'. */
export function quarterEnd(month: string): string {
	const parts = isoMonthParts(month);
	if (parts === null) throw new RangeError(`Tháng không hợp lệ: ${month}`);
	return isoMonth({ year: parts.year, month: Math.ceil(parts.month / 3) * 3 });
}
