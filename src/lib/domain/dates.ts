// Dates are stored as ISO 'YYYY-MM-DD' strings: they sort as text, index in IndexedDB and carry no
// time zone, so a birth date never shifts by a day between devices. Users type and read dd/mm/yyyy.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const YEAR_FIRST = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

export function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(options: { year: number; month: number }): number {
	const { year, month } = options;
	if (month === 2) return isLeapYear(year) ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width = 2): string {
	return String(n).padStart(width, '0');
}

/** ISO from parts, or null when the day does not exist (31/04, 29/02 in a common year…). */
export function isoFromParts(options: { year: number; month: number; day: number }): string | null {
	const { year, month, day } = options;
	if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
	if (day > daysInMonth({ year, month })) return null;
	return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

export interface DateParts {
	year: number;
	month: number;
	day: number;
}

/** The parts of a valid ISO date, or null. */
export function isoDateParts(iso: string): DateParts | null {
	const match = ISO_DATE.exec(iso);
	if (!match) return null;
	const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
	return isoFromParts(parts) === null ? null : parts;
}

export function isIsoDate(value: unknown): value is string {
	return typeof value === 'string' && isoDateParts(value) !== null;
}

export type DateParseResult =
	| { ok: true; iso: string }
	/** 'format': not a date shape at all; 'nonexistent': shaped like a date, but no such day. */
	| { ok: false; reason: 'format' | 'nonexistent' };

/** Like parseDate, but says whether the input was not a date or a day that does not exist. */
export function parseDateDetailed(input: string): DateParseResult {
	const text = input.trim();
	let parts: DateParts | null = null;
	const dayFirst = DAY_FIRST.exec(text);
	if (dayFirst) {
		parts = { day: Number(dayFirst[1]), month: Number(dayFirst[2]), year: Number(dayFirst[3]) };
	} else {
		const yearFirst = YEAR_FIRST.exec(text);
		if (yearFirst) {
			parts = {
				year: Number(yearFirst[1]),
				month: Number(yearFirst[2]),
				day: Number(yearFirst[3])
			};
		}
	}
	if (parts === null) return { ok: false, reason: 'format' };
	const iso = isoFromParts(parts);
	return iso === null ? { ok: false, reason: 'nonexistent' } : { ok: true, iso };
}

/**
 * 'dd/mm/yyyy', 'd/m/yyyy', 'dd-mm-yyyy', 'dd.mm.yyyy' or 'yyyy-mm-dd' → ISO; null for anything
 * else, including days that do not exist (31/02/2000, 29/02/2001).
 */
export function parseDate(input: string): string | null {
	const result = parseDateDetailed(input);
	return result.ok ? result.iso : null;
}

/** '2023-01-05' → '05/01/2023'. Text that is not an ISO date comes back unchanged. */
export function formatDate(iso: string): string {
	const parts = isoDateParts(iso.slice(0, 10));
	if (parts === null) return iso;
	return `${pad(parts.day)}/${pad(parts.month)}/${pad(parts.year, 4)}`;
}

/**
 * 'Phú Thọ, ngày 05 tháng 01 năm 2023', as the heading of a decision. Following the rules for
 * administrative documents (Nghị định 30/2020/NĐ-CP), days below 10 and the months 1 and 2 take a
 * leading zero — so "tháng 01" cannot be altered into "tháng 11" — while March to December do not:
 * 'ngày 15 tháng 3 năm 2024'.
 */
export function formatLongDate(options: { place?: string; date: string }): string {
	const parts = isoDateParts(options.date.slice(0, 10));
	if (parts === null) return options.date;
	const month = parts.month <= 2 ? pad(parts.month) : String(parts.month);
	const text = `ngày ${pad(parts.day)} tháng ${month} năm ${parts.year}`;
	const place = options.place?.trim();
	return place ? `${place}, ${text}` : text;
}

// "Today" is Vietnam's date wherever the code runs: the server's machine runs in UTC, a phone may
// be set to another zone, and between 17:00 and 24:00 UTC Vietnam is already on the next day.
// Vietnam (Asia/Ho_Chi_Minh) is UTC+7 all year, without daylight saving, so a fixed offset is exact.
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The wall clock in Vietnam as UTC fields of a shifted Date (read with getUTC…). */
function vietnamClock(instant: Date): Date {
	return new Date(instant.getTime() + VIETNAM_OFFSET_MS);
}

/** '2023-01-05T07:07:00.000Z' → '05/01/2023 14:07', the time in Vietnam. */
export function formatDateTime(isoTimestamp: string): string {
	const instant = new Date(isoTimestamp);
	if (Number.isNaN(instant.getTime())) return isoTimestamp;
	const date = vietnamClock(instant);
	return (
		`${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCFullYear(), 4)} ` +
		`${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
	);
}

/** Vietnam's calendar date at an instant (now by default), as ISO. */
export function todayIso(now: Date = new Date()): string {
	const date = vietnamClock(now);
	return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The ISO date `days` days after (or before, when negative) an ISO date. */
export function addDays(options: { date: string; days: number }): string {
	const parts = isoDateParts(options.date);
	if (parts === null) throw new RangeError(`Ngày không hợp lệ: ${options.date}`);
	// setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
	const utc = new Date(0);
	utc.setUTCFullYear(parts.year, parts.month - 1, parts.day + options.days);
	return `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
}

function groupThousands(digits: string): string {
	return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/**
 * Vietnamese number format: '.' between thousands, ',' before decimals: 15873 → '15.873',
 * 61.3 → '61,3'. At most `fractionDigits` decimals (default 2), trailing zeros dropped.
 */
export function formatNumber(n: number, options: { fractionDigits?: number } = {}): string {
	if (!Number.isFinite(n)) return String(n);
	const fixed = Math.abs(n).toFixed(options.fractionDigits ?? 2);
	const [whole = '0', fraction = ''] = fixed.split('.');
	const decimals = fraction.replace(/0+$/, '');
	const negative = n < 0 && /[1-9]/.test(fixed);
	return (negative ? '-' : '') + groupThousands(whole) + (decimals ? `,${decimals}` : '');
}

/** Whole đồng: 2000 → '2.000đ'. */
export function formatMoney(n: number): string {
	return `${formatNumber(Math.round(n), { fractionDigits: 0 })}đ`;
}
