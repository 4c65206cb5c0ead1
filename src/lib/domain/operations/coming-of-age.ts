import { defineOperation } from './entry';
import { comingOfAgeDate, inStayExtensionWindow, maxStayDate } from '../age';
import { addDays, formatDate, isoDateParts, isoFromParts } from '../dates';
import type { MemberDoc } from '../member-schema';
import {
	activeRefusal,
	createInputReader,
	hasErrors,
	holdsOffice,
	planMemberChange,
	readDecision,
	rulesOf,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';
import type { CeremonyDate, UnionRules } from '../rules/table';

// Trưởng thành Đoàn (docs/domain.md §3). Past the coming-of-age birthday (30) a member leaves active
// membership at a ceremony, unless
//   - they hold an elected Union office (chức vụ Đoàn) or work full-time for the Union — exempt, with
//     no upper age (the charter's exception to "không quá 35");
//   - or the branch decided they stay on ("stays until"), never beyond the 35th birthday.
// Ages and ceremony dates come from the rules table.

/** Why a member past the coming-of-age birthday may stay active. */
export type ComingOfAgeExemption = 'elected-office' | 'full-time-staff' | 'stays-until';

export const COMING_OF_AGE_EXEMPTION_LABELS: Readonly<Record<ComingOfAgeExemption, string>> = {
	'elected-office': 'Đang giữ chức vụ Đoàn',
	'full-time-staff': 'Cán bộ Đoàn chuyên trách',
	'stays-until': 'Chi đoàn cho tiếp tục sinh hoạt'
};

type AgeFields = Pick<
	MemberDoc,
	'birthDate' | 'unionPosition' | 'fullTimeUnionStaff' | 'staysUntil' | 'status'
>;

/** The exemption in force on a day, if any: office first, then full-time staff, then a stay. */
export function comingOfAgeExemption(options: {
	member: AgeFields;
	on: string;
}): ComingOfAgeExemption | null {
	const { member, on } = options;
	if (holdsOffice(member)) return 'elected-office';
	if (member.fullTimeUnionStaff) return 'full-time-staff';
	if (member.staysUntil !== undefined && member.staysUntil >= on) return 'stays-until';
	return null;
}

/** The first usual ceremony date on or after a day. */
export function nextCeremonyDate(options: { from: string; rules?: UnionRules }): {
	date: string;
	ceremony: CeremonyDate;
} {
	const rules = rulesOf(options);
	const from = isoDateParts(options.from);
	if (from === null) throw new RangeError(`Ngày không hợp lệ: ${options.from}`);
	const sorted = [...rules.ceremonyDates].sort((a, b) => a.month - b.month || a.day - b.day);
	for (const year of [from.year, from.year + 1]) {
		for (const ceremony of sorted) {
			const date = isoFromParts({ year, month: ceremony.month, day: ceremony.day });
			if (date !== null && date >= options.from) return { date, ceremony };
		}
	}
	throw new RangeError('Quy định không có ngày lễ trưởng thành nào.');
}

/** The ceremony a date falls on, when it is one of the usual dates. */
export function ceremonyOn(options: {
	date: string;
	rules?: UnionRules;
}): CeremonyDate | undefined {
	const parts = isoDateParts(options.date);
	if (parts === null) return undefined;
	return rulesOf(options).ceremonyDates.find((c) => c.month === parts.month && c.day === parts.day);
}

export type ComingOfAgeCategory = 'turns-this-year' | 'already-over';

export interface ComingOfAgeRow<M extends AgeFields> {
	member: M;
	category: ComingOfAgeCategory;
	/** The coming-of-age birthday (30th). */
	birthday: string;
	/** The last day a stay decision may reach (35th birthday). */
	maxStay: string;
	/** The exemption in force today, if any. */
	exemption: ComingOfAgeExemption | null;
	/** The birthday is within the warning window from today (and has not passed). */
	warn: boolean;
	/** Days from today to the birthday; negative once past. */
	daysToBirthday: number;
	/** Past the birthday with no exemption in force today: the ceremony is due. */
	due: boolean;
}

function daysBetween(from: string, to: string): number {
	const a = isoDateParts(from);
	const b = isoDateParts(to);
	if (a === null || b === null) return 0;
	return Math.round(
		(Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000
	);
}

/**
 * The coming-of-age list of a year: active members whose coming-of-age birthday falls in that
 * year, and those already past it before the year began, each with their exemption and whether to
 * warn. Sorted by birthday.
 */
export function comingOfAgeList<M extends AgeFields>(options: {
	members: readonly M[];
	year: number;
	today: string;
	rules?: UnionRules;
}): ComingOfAgeRow<M>[] {
	const rules = rulesOf(options);
	const { year, today } = options;
	const yearStart = `${String(year).padStart(4, '0')}-01-01`;
	const yearEnd = `${String(year).padStart(4, '0')}-12-31`;
	const warnUntil = addDays({ date: today, days: rules.comingOfAgeWarningDays });
	const rows: ComingOfAgeRow<M>[] = [];
	for (const member of options.members) {
		if (member.status !== 'active') continue;
		const birthday = comingOfAgeDate({ birthDate: member.birthDate, rules });
		if (birthday > yearEnd) continue;
		const maxStay = maxStayDate({ birthDate: member.birthDate, rules });
		const exemption = comingOfAgeExemption({ member, on: today });
		rows.push({
			member,
			category: birthday >= yearStart ? 'turns-this-year' : 'already-over',
			birthday,
			maxStay,
			exemption,
			warn: exemption === null && birthday >= today && birthday <= warnUntil,
			daysToBirthday: daysBetween(today, birthday),
			due: exemption === null && today > birthday
		});
	}
	return rows.sort((a, b) => a.birthday.localeCompare(b.birthday));
}

/** Active members whose coming-of-age birthday is within the warning window, not exempt. */
export function comingOfAgeWarnings<M extends AgeFields>(options: {
	members: readonly M[];
	today: string;
	rules?: UnionRules;
}): ComingOfAgeRow<M>[] {
	const today = isoDateParts(options.today);
	if (today === null) return [];
	const rules = rulesOf(options);
	const rows = [today.year, today.year + 1].flatMap((year) =>
		comingOfAgeList({ ...options, year, rules }).filter(
			(row) => row.category === 'turns-this-year' && row.warn
		)
	);
	return rows;
}

export interface ComingOfAgeInput {
	/** The ceremony day: the status takes effect on it. */
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

/**
 * One member comes of age at a ceremony. Refused before the coming-of-age birthday is past (or,
 * when the rules count by calendar year, before its year), and for an exempt member: an office
 * holder or full-time staff member leaves the office first; a stay decision in force is reversed
 * first.
 */
export function planComingOfAge(
	options: OperationContext & { member: MemberDoc; input: ComingOfAgeInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'ghi trưởng thành Đoàn' });
	if (refusal) errors.form = refusal;
	const on = reader.date('on', input.on, 'Ngày trưởng thành', { required: true });
	const decision = readDecision({ reader, input: input.decision, required: false });
	if (on && !errors.form) {
		const birthday = comingOfAgeDate({ birthDate: member.birthDate, rules });
		const early = rules.comingOfAgeByCalendarYear
			? on.slice(0, 4) < birthday.slice(0, 4)
			: on <= birthday;
		if (early) {
			errors.on = rules.comingOfAgeByCalendarYear
				? `Ngày trưởng thành: đoàn viên chưa đến năm tròn ${rules.comingOfAgeAge} tuổi ` +
					`(sinh nhật lần thứ ${rules.comingOfAgeAge} là ${formatDate(birthday)}).`
				: `Ngày trưởng thành phải sau ngày tròn ${rules.comingOfAgeAge} tuổi ` +
					`(${formatDate(birthday)}).`;
		}
		const exemption = comingOfAgeExemption({ member, on });
		if (exemption === 'elected-office') {
			errors.form =
				`Đoàn viên đang giữ chức vụ Đoàn (${member.unionPosition}) nên chưa trưởng thành; ` +
				'ghi thôi chức vụ trước nếu đúng là trưởng thành.';
		} else if (exemption === 'full-time-staff') {
			errors.form = 'Đoàn viên là cán bộ Đoàn chuyên trách nên chưa trưởng thành.';
		} else if (exemption === 'stays-until' && member.staysUntil) {
			errors.form =
				`Chi đoàn đã cho đoàn viên tiếp tục sinh hoạt đến ngày ${formatDate(member.staysUntil)}; ` +
				'hủy quyết định đó trước nếu đoàn viên trưởng thành sớm hơn.';
		}
	}
	if (hasErrors(errors) || !on) return { ok: false, errors };
	const ceremony = ceremonyOn({ date: on, rules });
	return planMemberChange({
		context: options,
		member,
		kind: 'coming-of-age',
		at: on,
		data: ceremony ? { ceremony: ceremony.label } : {},
		patch: { status: 'matured', statusSince: on, staysUntil: null },
		decision,
		note: reader.text('note', input.note, 'Ghi chú'),
		warnings: ceremony
			? []
			: [
					`Ngày ${formatDate(on)} không phải ngày lễ trưởng thành thường lệ; ngày gần nhất là ` +
						`${formatDate(nextCeremonyDate({ from: on, rules }).date)}.`
				]
	});
}

export interface StayExtensionInput {
	until?: InputValue;
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

/**
 * The branch lets a member stay on after the coming-of-age birthday until a day, never beyond the
 * 35th birthday. It may be decided ahead of the birthday; a later decision replaces an earlier one.
 */
export function planStayExtension(
	options: OperationContext & { member: MemberDoc; input: StayExtensionInput }
): OperationResult {
	const { member, input } = options;
	const rules = rulesOf(options);
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'cho tiếp tục sinh hoạt' });
	if (refusal) errors.form = refusal;
	const on = reader.date('on', input.on, 'Ngày chi đoàn quyết định', { required: true });
	const until = reader.date('until', input.until, 'Sinh hoạt đến ngày', {
		required: true,
		future: true
	});
	const decision = readDecision({ reader, input: input.decision, required: false });
	if (until) {
		const birthday = comingOfAgeDate({ birthDate: member.birthDate, rules });
		const last = maxStayDate({ birthDate: member.birthDate, rules });
		if (until <= birthday) {
			errors.until =
				`Sinh hoạt đến ngày phải sau ngày tròn ${rules.comingOfAgeAge} tuổi ` +
				`(${formatDate(birthday)}); trước đó đoàn viên vẫn sinh hoạt bình thường.`;
		} else if (until > last) {
			errors.until =
				`Sinh hoạt đến ngày không được quá ngày tròn ${rules.maxStayAge} tuổi ` +
				`(${formatDate(last)}).`;
		} else if (until < options.today) {
			errors.until = `Sinh hoạt đến ngày đã qua (hôm nay là ${formatDate(options.today)}).`;
		}
	}
	if (hasErrors(errors) || !on || !until) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'stay-extended',
		at: on,
		data: { until },
		patch: { staysUntil: until },
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const COMING_OF_AGE = defineOperation<ComingOfAgeInput>({
	slug: 'truong-thanh',
	title: 'Trưởng thành Đoàn',
	availability: {
		whileTransferring: false,
		when: ({ member, today }) => today > comingOfAgeDate({ birthDate: member.birthDate })
	},
	decision: { use: 'optional', kind: 'coming-of-age' },
	fields: () => [
		{ kind: 'date', name: 'on', label: 'Ngày trưởng thành (ngày lễ)' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planComingOfAge(options),
	bulk: { action: 'trưởng thành Đoàn' },
	print: { certificate: true }
});

export const STAY_EXTENSION = defineOperation<StayExtensionInput>({
	slug: 'tiep-tuc-sinh-hoat',
	title: 'Cho tiếp tục sinh hoạt Đoàn',
	availability: {
		whileTransferring: false,
		when: ({ member, today }) => inStayExtensionWindow({ birthDate: member.birthDate, today })
	},
	decision: { use: 'optional', kind: 'stay-extended' },
	fields: ({ rules }) => [
		{
			kind: 'date',
			name: 'until',
			label: 'Sinh hoạt đến ngày',
			hint: `Không quá ngày tròn ${rules.maxStayAge} tuổi.`
		},
		{ kind: 'date', name: 'on', label: 'Ngày chi đoàn quyết định' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planStayExtension(options)
});
