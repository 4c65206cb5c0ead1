import { addDays, formatDate, isLeapYear, isoDateParts } from './dates';
import { DEFAULT_RULES, type MembershipRules } from './rules/table';

function requireParts(iso: string, what: string) {
	const parts = isoDateParts(iso);
	if (parts === null) throw new RangeError(`${what} không phải ngày hợp lệ: "${iso}".`);
	return parts;
}

/**
 * The day on which someone born on `birthDate` completes `years` full years. Someone born on
 * 29/02 completes a year on 28/02 in common years: the Civil Code (Bộ luật Dân sự 2015, art. 148)
 * ends a period counted in years on the last day of the month when the matching day does not exist.
 */
export function anniversary(options: { birthDate: string; years: number }): string {
	const birth = requireParts(options.birthDate, 'Ngày sinh');
	const year = birth.year + options.years;
	const day = birth.month === 2 && birth.day === 29 && !isLeapYear(year) ? 28 : birth.day;
	const pad = (n: number, width: number) => String(n).padStart(width, '0');
	return `${pad(year, 4)}-${pad(birth.month, 2)}-${pad(day, 2)}`;
}

/** Completed years on a date (the birthday itself counts); negative before birth. */
export function ageOn(options: { birthDate: string; on: string }): number {
	const birth = requireParts(options.birthDate, 'Ngày sinh');
	const on = requireParts(options.on, 'Ngày tính tuổi');
	const years = on.year - birth.year;
	return options.on < anniversary({ birthDate: options.birthDate, years }) ? years - 1 : years;
}

/** "Quá N tuổi": strictly after the Nth birthday (N full years and at least one more day). */
export function isPastAge(options: { birthDate: string; on: string; years: number }): boolean {
	return options.on > anniversary({ birthDate: options.birthDate, years: options.years });
}

export interface AdmissionAgeProblem {
	code: 'too-young' | 'too-old';
	/** A Vietnamese sentence, ready to show (after the field name in a form). */
	message: string;
	/** First day the candidate can be admitted. */
	earliest: string;
	/** Last day the candidate can be admitted. */
	latest: string;
}

/** First and last day someone can be admitted under the rules. */
export function admissionWindow(options: { birthDate: string; rules?: MembershipRules }): {
	earliest: string;
	latest: string;
} {
	const rules = options.rules ?? DEFAULT_RULES;
	const lastTooYoung = anniversary({
		birthDate: options.birthDate,
		years: rules.admissionMinAge - 1
	});
	return {
		earliest: addDays({ date: lastTooYoung, days: 1 }),
		latest: anniversary({ birthDate: options.birthDate, years: rules.admissionMaxAge })
	};
}

/** Null when the age on the decision date is within the admission range, else what is wrong. */
export function checkAdmissionAge(options: {
	birthDate: string;
	decisionDate: string;
	rules?: MembershipRules;
}): AdmissionAgeProblem | null {
	const rules = options.rules ?? DEFAULT_RULES;
	const { earliest, latest } = admissionWindow(options);
	const on = options.decisionDate;
	requireParts(on, 'Ngày xét kết nạp');
	if (on < earliest) {
		const age = ageOn({ birthDate: options.birthDate, on });
		return {
			code: 'too-young',
			message:
				`Chưa đủ tuổi kết nạp: ngày ${formatDate(on)} mới ${Math.max(age, 0)} tuổi, phải từ đủ ` +
				`${rules.admissionMinAge - 1} tuổi và 1 ngày (từ ngày ${formatDate(earliest)}).`,
			earliest,
			latest
		};
	}
	if (on > latest) {
		return {
			code: 'too-old',
			message:
				`Quá tuổi kết nạp: ngày ${formatDate(on)} đã quá ${rules.admissionMaxAge} tuổi, chỉ ` +
				`kết nạp đến hết ngày ${formatDate(latest)}.`,
			earliest,
			latest
		};
	}
	return null;
}

/** The birthday after which a member comes of age (trưởng thành Đoàn). */
export function comingOfAgeDate(options: { birthDate: string; rules?: MembershipRules }): string {
	const rules = options.rules ?? DEFAULT_RULES;
	return anniversary({ birthDate: options.birthDate, years: rules.comingOfAgeAge });
}

/** True once a member is past the coming-of-age birthday. */
export function isComingOfAgeDue(options: {
	birthDate: string;
	on: string;
	rules?: MembershipRules;
}): boolean {
	return options.on > comingOfAgeDate(options);
}

/** The last day a member may stay on after coming of age (branch decision, "không quá 35"). */
export function maxStayDate(options: { birthDate: string; rules?: MembershipRules }): string {
	const rules = options.rules ?? DEFAULT_RULES;
	return anniversary({ birthDate: options.birthDate, years: rules.maxStayAge });
}

/**
 * When a stay past the coming-of-age birthday (tiếp tục sinh hoạt) may be decided: from a year
 * before that birthday, since branches decide ahead, until the last day a stay may reach.
 */
export function inStayExtensionWindow(options: {
	birthDate: string;
	today: string;
	rules?: MembershipRules;
}): boolean {
	const birthday = comingOfAgeDate(options);
	const from = `${Number(birthday.slice(0, 4)) - 1}${birthday.slice(4)}`;
	return options.today >= from && options.today <= maxStayDate(options);
}

// ---------------------------------------------------------------------------------------------
// Age bands of the member lists' filter

export type AgeBand = '' | 'under-18' | '18-24' | '25-30' | 'over-30';

function isoYearsBefore(today: string, years: number): string {
	const [y, m, d] = today.split('-');
	return `${Number(y) - years}-${m}-${d}`;
}

/** Birth-date bounds (ISO, inclusive lower / exclusive upper) for an age band on `today`. */
export function ageBandRange(band: AgeBand, today: string): [string, string] | null {
	switch (band) {
		case 'under-18':
			return [isoYearsBefore(today, 18), '9999-12-31'];
		case '18-24':
			return [isoYearsBefore(today, 25), isoYearsBefore(today, 18)];
		case '25-30':
			return [isoYearsBefore(today, 31), isoYearsBefore(today, 25)];
		case 'over-30':
			return ['0000-01-01', isoYearsBefore(today, 31)];
		default:
			return null;
	}
}
