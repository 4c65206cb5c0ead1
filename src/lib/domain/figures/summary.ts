import { comingOfAgeDate } from '../age';
import { isEthnicMinority } from '../ethnic-groups';
import { normaliseGeneralEducation } from '../labels';
import { isOnRolls, MEMBER_STATUSES, type MemberStatus } from '../member-statuses';
import { DEFAULT_RULES, type MembershipRules } from '../rules/table';
import { declarationStatus, type DeclarationState } from '../declarations/declaration-status';

// A unit's figures (docs/figures.md): counts only, never a name or a record, so a superior may hold
// its whole subtree's figures on a phone. Every leaf is a count and every map adds key by key, so a
// parent's totals are the sum of its children's plus its own members (`addSummaries`), whatever the
// depth; and a summary of an older shape still adds (a missing key counts 0).

/** Age bands of the figures (on Vietnam's today). */
export const SUMMARY_AGE_BANDS = ['under-16', '16-18', '19-24', '25-30', 'over-30'] as const;
export type SummaryAgeBand = (typeof SUMMARY_AGE_BANDS)[number];

/** How many years of coming of age ahead the figures count (this year included). */
export const COMING_OF_AGE_YEARS = 5;

export interface Summary {
	/** Members on the rolls: active, or transferring (still counted until the receiver accepts). */
	onRolls: number;
	byStatus: Partial<Record<MemberStatus, number>>;
	/** Members on the rolls by where the record came from: entered by the unit, declared by the member. */
	bySource: { unit: number; self: number; selfApproved: number };
	byGender: { male: number; female: number };
	/** Members on the rolls from an ethnic minority (not Kinh, not foreign). */
	minority: number;
	/** By ethnic group code (ethnic-groups.ts). */
	byEthnicity: Record<string, number>;
	byAgeBand: Partial<Record<SummaryAgeBand, number>>;
	/** By religion as recorded ("Không" for none). */
	byReligion: Record<string, number>;
	partyMembers: number;
	/** By general education ("12/12", "9/12"…, "" when not recorded). */
	byEducation: Record<string, number>;
	/** The year's rating results (the last stage given to each member: superior, branch, self). */
	ratings: Record<string, number>;
	/** The year's training programme: registered members and scores by band label. */
	training: { registered: number; scored: number; byBand: Record<string, number> };
	/** Members on the rolls whose coming-of-age birthday falls in the year. */
	comingOfAge: number;
	/**
	 * The same for this year and the next ones ('YYYY' → members), so a superior sees the waves of
	 * coming of age ahead (optional: figures written before it have none).
	 */
	comingOfAgeByYear?: Record<string, number>;
	/** Members on the rolls with dues paid through the current month or later. */
	duesPaidUp: number;
	/**
	 * The members' own declarations (ADR 0019) by where each stands (declaration-status.ts), all of
	 * them whatever their age: optional, figures written before declarations existed have none.
	 */
	declarations?: DeclarationCounts;
	/** What happened in the year, from the history entries in force. */
	year: {
		admissions: number;
		transfersIn: number;
		transfersOut: number;
		removals: number;
		comingOfAge: number;
	};
}

/** Declarations by state; every state of `DeclarationState`, so a sum never misses one. */
export type DeclarationCounts = Record<DeclarationCountKey, number>;
export const DECLARATION_COUNT_KEYS = [
	'pending',
	'correctionRequested',
	'approved',
	'rejected',
	'withdrawn'
] as const;
export type DeclarationCountKey = (typeof DECLARATION_COUNT_KEYS)[number];

const COUNT_KEY_OF: Readonly<Record<DeclarationState, DeclarationCountKey>> = {
	pending: 'pending',
	'correction-requested': 'correctionRequested',
	approved: 'approved',
	rejected: 'rejected',
	withdrawn: 'withdrawn'
};

export function emptyDeclarationCounts(): DeclarationCounts {
	return { pending: 0, correctionRequested: 0, approved: 0, rejected: 0, withdrawn: 0 };
}

/** What the summary reads of a declaration (declaration-schema.ts, any version with these). */
export interface SummaryDeclaration {
	_id: string;
	state: string;
	revision: number;
}

/** What the summary reads of the unit's review of one (`declarationId` names the declaration). */
export interface SummaryDeclarationReview {
	declarationId: string;
	decision: string;
	revision: number;
}

/**
 * The unit's declarations by state, each derived from the member's document and the unit's review
 * exactly as the member and the queue see it (declarationStatus). A review whose declaration is not
 * (yet) there counts nothing: replication may bring one before the other.
 */
export function countDeclarations(
	declarations: readonly SummaryDeclaration[],
	reviews: readonly SummaryDeclarationReview[]
): DeclarationCounts {
	const counts = emptyDeclarationCounts();
	const reviewOf = new Map(reviews.map((review) => [review.declarationId, review]));
	for (const declaration of declarations) {
		if (declaration.state !== 'submitted' && declaration.state !== 'withdrawn') continue;
		const review = reviewOf.get(declaration._id);
		const status = declarationStatus(
			{ state: declaration.state, revision: declaration.revision },
			review &&
				(review.decision === 'approved' ||
					review.decision === 'rejected' ||
					review.decision === 'correction-requested')
				? { decision: review.decision, revision: review.revision }
				: null
		);
		counts[COUNT_KEY_OF[status.state]]++;
	}
	return counts;
}

export function emptySummary(): Summary {
	return {
		onRolls: 0,
		byStatus: {},
		bySource: { unit: 0, self: 0, selfApproved: 0 },
		byGender: { male: 0, female: 0 },
		minority: 0,
		byEthnicity: {},
		byAgeBand: {},
		byReligion: {},
		partyMembers: 0,
		byEducation: {},
		ratings: {},
		training: { registered: 0, scored: 0, byBand: {} },
		comingOfAge: 0,
		comingOfAgeByYear: {},
		duesPaidUp: 0,
		year: { admissions: 0, transfersIn: 0, transfersOut: 0, removals: 0, comingOfAge: 0 }
	};
}

type Counts = { [key: string]: number | Counts | undefined };

function addInto(target: Counts, source: Counts): void {
	for (const [key, value] of Object.entries(source)) {
		if (typeof value === 'number') {
			const current = target[key];
			target[key] = (typeof current === 'number' ? current : 0) + value;
		} else if (value && typeof value === 'object') {
			const current = target[key];
			const inner: Counts = current && typeof current === 'object' ? current : {};
			target[key] = inner;
			addInto(inner, value);
		}
	}
}

/** The sum of summaries, key by key (a key missing on one side counts 0). */
export function addSummaries(summaries: readonly Summary[]): Summary {
	const total = emptySummary();
	for (const summary of summaries)
		addInto(total as unknown as Counts, summary as unknown as Counts);
	return total;
}

function bump(map: Record<string, number>, key: string, by = 1): void {
	map[key] = (map[key] ?? 0) + by;
}

/** What the summary reads of a member document (any schema version that has these fields). */
export interface SummaryMember {
	_id: string;
	status: string;
	gender?: string;
	birthDate?: string;
	ethnicCode?: string;
	religion?: string;
	partyMember?: boolean;
	generalEducation?: string;
	duesPaidThrough?: string;
	fullTimeUnionStaff?: boolean;
	provenance?: { source?: string; approvedAt?: string };
}

/** What the summary reads of a history entry in force (reversed entries already left out). */
export interface SummaryHistory {
	memberId: string;
	kind: string;
	/** The day the operation took effect (ISO date). */
	at: string;
	data?: Record<string, unknown>;
}

const RATING_STAGE_ORDER: Record<string, number> = { self: 0, branch: 1, superior: 2 };

function ageBand(birthDate: string, today: string): SummaryAgeBand {
	const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
	const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
	let age = ty - by;
	if (tm < bm || (tm === bm && td < bd)) age--;
	if (age < 16) return 'under-16';
	if (age <= 18) return '16-18';
	if (age <= 24) return '19-24';
	if (age <= 30) return '25-30';
	return 'over-30';
}

/**
 * One unit's own figures from its member documents and its history entries in force, on `today`
 * (Vietnam's date, ISO): counts of the members on the rolls, and the year's events.
 */
export function summariseUnit(options: {
	members: readonly SummaryMember[];
	history: readonly SummaryHistory[];
	today: string;
	rules?: MembershipRules;
	/** The unit's declarations and its reviews of them; given, the summary counts them. */
	declarations?: {
		declarations: readonly SummaryDeclaration[];
		reviews: readonly SummaryDeclarationReview[];
	};
}): Summary {
	const { today } = options;
	const rules = options.rules ?? DEFAULT_RULES;
	const year = today.slice(0, 4);
	const month = today.slice(0, 7);
	const summary = emptySummary();
	const onRolls = new Set<string>();
	for (const member of options.members) {
		const status = (MEMBER_STATUSES as readonly string[]).includes(member.status)
			? (member.status as MemberStatus)
			: null;
		if (!status) continue;
		summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
		if (!isOnRolls(status)) continue;
		onRolls.add(member._id);
		summary.onRolls++;
		if (member.provenance?.source === 'self') {
			summary.bySource.self++;
			if (member.provenance.approvedAt) summary.bySource.selfApproved++;
		} else summary.bySource.unit++;
		if (member.gender === 'male' || member.gender === 'female') summary.byGender[member.gender]++;
		if (member.ethnicCode) {
			bump(summary.byEthnicity, member.ethnicCode);
			if (isEthnicMinority(member.ethnicCode)) summary.minority++;
		}
		bump(summary.byReligion, member.religion?.trim() || 'Không');
		if (member.partyMember) summary.partyMembers++;
		bump(
			summary.byEducation,
			member.generalEducation ? (normaliseGeneralEducation(member.generalEducation) ?? '') : ''
		);
		if (member.birthDate) {
			const band = ageBand(member.birthDate, today);
			summary.byAgeBand[band] = (summary.byAgeBand[band] ?? 0) + 1;
			if (!member.fullTimeUnionStaff) {
				const comingYear = comingOfAgeDate({ birthDate: member.birthDate, rules }).slice(0, 4);
				if (comingYear === year) summary.comingOfAge++;
				if (comingYear >= year && Number(comingYear) < Number(year) + COMING_OF_AGE_YEARS)
					bump((summary.comingOfAgeByYear ??= {}), comingYear);
			}
		}
		if (member.duesPaidThrough && member.duesPaidThrough >= month) summary.duesPaidUp++;
	}
	// The year's rating of each member: the furthest stage reached (the superior's word is final).
	const ratings = new Map<string, { stage: number; grade: string }>();
	const registered = new Set<string>();
	const scored = new Map<string, string>();
	for (const entry of options.history) {
		const when = entry.at;
		const data = entry.data ?? {};
		switch (entry.kind) {
			case 'rating': {
				if (String(data.year) !== year || !onRolls.has(entry.memberId)) break;
				const stage = RATING_STAGE_ORDER[String(data.stage)] ?? 0;
				const previous = ratings.get(entry.memberId);
				if (!previous || stage >= previous.stage)
					ratings.set(entry.memberId, { stage, grade: String(data.gradeLabel ?? data.gradeId) });
				break;
			}
			case 'training-registration':
				if (String(data.year) === year && onRolls.has(entry.memberId))
					registered.add(entry.memberId);
				break;
			case 'training-score':
				if (String(data.year) === year && onRolls.has(entry.memberId))
					scored.set(entry.memberId, String(data.bandLabel ?? data.bandId));
				break;
			default:
				if (when.slice(0, 4) !== year) break;
				if (entry.kind === 'admission') summary.year.admissions++;
				else if (entry.kind === 'transfer-in') summary.year.transfersIn++;
				else if (entry.kind === 'transfer-out') summary.year.transfersOut++;
				else if (entry.kind === 'removal') summary.year.removals++;
				else if (entry.kind === 'coming-of-age') summary.year.comingOfAge++;
		}
	}
	for (const { grade } of ratings.values()) bump(summary.ratings, grade);
	summary.training.registered = registered.size;
	summary.training.scored = scored.size;
	for (const band of scored.values()) bump(summary.training.byBand, band);
	if (options.declarations) {
		summary.declarations = countDeclarations(
			options.declarations.declarations,
			options.declarations.reviews
		);
	}
	return summary;
}
