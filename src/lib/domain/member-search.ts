import { normalisePhone } from './phone';
import { fullName, type NameParts } from './names';
import { fold, foldWords } from './text';
import { memoText } from './text-memo';

/** What search needs of a member: a MemberDoc or a read-model row both fit. */
export interface SearchableMember extends NameParts {
	otherName?: string;
	citizenId?: string;
	phone?: string;
	cardNumber?: string;
}

/**
 * Folded words of every name part and the other name, without repeats: the entries of a
 * multi-entry IndexedDB index, queried with startsWith so "tra" finds "Trang" and "Trà".
 */
export function memberNameWords(member: SearchableMember): string[] {
	const parts = [member.familyName, member.middleName, member.givenName, member.otherName ?? ''];
	return [...new Set(parts.flatMap(namePartWords))];
}

// The words of one name part are shared by every member with that part: folded once.
const namePartWords = memoText((part: string): readonly string[] => foldWords(part));

/** The query as names are compared: folded words joined by single spaces. */
export function normaliseSearchQuery(query: string): string {
	return foldWords(query).join(' ');
}

const SEPARATORS = /[\s.\-()]/g;

function compact(query: string): string {
	return query.trim().replace(SEPARATORS, '');
}

/** Twelve digits, spaces and dots allowed: "025 203 001 234". */
export function looksLikeCitizenId(query: string): boolean {
	return /^\d{12}$/.test(compact(query));
}

/** A Vietnamese phone number in any usual writing ("0912 345 678", "+84 912 345 678"). */
export function looksLikePhone(query: string): boolean {
	return normalisePhone(query) !== null;
}

/**
 * Something a Union card number could be: one token of letters, digits and dashes or slashes with
 * at least three digits. Card numbers have no national format, so this is deliberately loose.
 */
export function looksLikeCardNumber(query: string): boolean {
	const token = query.trim();
	return /^[\p{L}\d/-]{3,24}$/u.test(token) && (token.match(/\d/g)?.length ?? 0) >= 3;
}

export interface SearchQuery {
	/** Normalised name text ('' when the query has no words). */
	text: string;
	words: string[];
	/** Twelve digits when the query is a citizen id. */
	citizenId: string | null;
	/** Stored form (0xxxxxxxxx) when the query is a phone number. */
	phone: string | null;
	/** Digits only, when the query is a number of three digits or more (a partial id or phone). */
	digits: string | null;
	/** The query as a card number, folded, when it could be one. */
	cardNumber: string | null;
}

/** Reads a search box: which indexes the query can be looked up in. */
export function parseSearchQuery(query: string): SearchQuery {
	const packed = compact(query);
	return {
		text: normaliseSearchQuery(query),
		words: foldWords(query),
		citizenId: looksLikeCitizenId(query) ? packed : null,
		phone: normalisePhone(query),
		digits: /^\+?\d{3,}$/.test(packed) ? packed.replace('+', '') : null,
		cardNumber: looksLikeCardNumber(query) ? fold(query) : null
	};
}

export type MatchRank = 0 | 1 | 2 | 3;

function rankNumber(member: SearchableMember, query: SearchQuery): MatchRank | null {
	const numbers = [member.citizenId, member.phone].filter((n): n is string => !!n);
	const card = member.cardNumber ? fold(member.cardNumber) : '';
	const exact =
		(query.citizenId !== null && member.citizenId === query.citizenId) ||
		(query.phone !== null && member.phone === query.phone) ||
		(query.cardNumber !== null && card === query.cardNumber);
	if (exact) return 0;
	const digits = query.digits;
	const partial = query.phone ?? digits;
	if (partial && numbers.some((n) => n.startsWith(partial))) return 2;
	if (query.cardNumber && card.startsWith(query.cardNumber)) return 2;
	if (digits && digits.length >= 4 && numbers.some((n) => n.includes(digits))) return 3;
	if (query.cardNumber && query.cardNumber.length >= 4 && card.includes(query.cardNumber)) return 3;
	return null;
}

/**
 * How well a member matches what was typed in the search box: 0 the full name exactly, 1 the
 * given name starts with it, 2 a word of the name starts with it (or every typed word starts a
 * word of the name: "nguyen trang"), 3 the name contains it; null when it does not match.
 * Diacritics and case are ignored. Citizen ids, phone numbers and card numbers match too:
 * 0 exactly, 2 by prefix, 3 contained.
 */
export function rankMemberMatch(options: {
	member: SearchableMember;
	query: string;
}): MatchRank | null {
	const { member } = options;
	const query = parseSearchQuery(options.query);
	if (query.text === '' && query.digits === null) return null;

	const numberRank =
		query.digits !== null || query.cardNumber !== null ? rankNumber(member, query) : null;
	if (numberRank !== null || query.digits !== null) return numberRank;

	const q = query.text;
	const full = normaliseSearchQuery(fullName(member));
	if (full === q) return 0;
	if (normaliseSearchQuery(member.givenName).startsWith(q)) return 1;
	const words = memberNameWords(member);
	const everyWordStarts = query.words.every((qw) => words.some((w) => w.startsWith(qw)));
	if (full.startsWith(q) || everyWordStarts) return 2;
	const other = normaliseSearchQuery(member.otherName ?? '');
	if (full.includes(q) || (other !== '' && other.includes(q))) return 3;
	return null;
}
