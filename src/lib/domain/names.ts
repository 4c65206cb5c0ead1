import { toNfc } from './text';
import { memoText } from './text-memo';

/** The three parts of a Vietnamese name, kept separately in the record. */
export interface NameParts {
	/** Họ, e.g. "Nguyễn". */
	familyName: string;
	/** Tên đệm, e.g. "Thị Thu"; may be empty. */
	middleName: string;
	/** Tên, e.g. "Trang". */
	givenName: string;
}

/** "Nguyễn Thị Thu Trang": họ, tên đệm, tên, NFC, empty parts skipped. */
export function fullName(parts: NameParts): string {
	return [parts.familyName, parts.middleName, parts.givenName]
		.map(toNfc)
		.filter((part) => part.length > 0)
		.join(' ');
}

/** "NGUYỄN THỊ THU TRANG", as forms and decisions print it. */
export function formalName(parts: NameParts): string {
	return fullName(parts).toLocaleUpperCase('vi').normalize('NFC');
}

let collator: Intl.Collator | undefined;

function viCollator(): Intl.Collator {
	collator ??= new Intl.Collator('vi');
	return collator;
}

/** List order: tên, then tên đệm, then họ, each with Vietnamese collation. */
export function compareMemberNames(a: NameParts, b: NameParts): number {
	const c = viCollator();
	return (
		c.compare(a.givenName, b.givenName) ||
		c.compare(a.middleName, b.middleName) ||
		c.compare(a.familyName, b.familyName)
	);
}

// ---------------------------------------------------------------------------------------------
// Sort keys. IndexedDB orders string keys by UTF-16 code units, so the key spells out, as code
// units, the collation elements ICU's Vietnamese tailoring (CLDR `vi`) compares:
//   primary   — letters of the Vietnamese alphabet (ă â after a, đ after d, ê after e, ô ơ after o,
//               ư after u), with spaces and punctuation before digits and digits before letters;
//   secondary — for each letter a "common" weight followed by its tone marks, ordered as CLDR `vi`
//               orders them: huyền < hỏi < ngã < sắc < nặng (ICU compares secondaries forwards);
//   tertiary  — case, lower before upper.
// A level ends with LEVEL_END, which sorts before every weight, so "An" ends its primaries before
// "Anh" reaches its "h", exactly as ICU stops at the shorter string.
//
// Known gaps with ICU, none of which occur in names typed in Vietnamese: letters outside the
// Vietnamese and English alphabets (ß, ø, Cyrillic, Han…) sort after z by code point; combining
// marks other than the common Latin ones are ranked by code point; control characters are weighed
// as unknown characters rather than ignored.

const PART_END = '\u0001';
const LEVEL_END = '\u0002';
const WEIGHT_BASE = 0x20;

// Spaces and punctuation in the order ICU 78 (CLDR vi, non-ignorable) gives them.
const PUNCTUATION_ORDER =
	' \u00a0_-\u2013\u2014,;:!?.\'\u2018\u2019"\u201c\u201d()[]{}@*/\\&#%`^+<=>|~$\u02bc';
const PRIMARY_ORDER = PUNCTUATION_ORDER + '0123456789' + 'aăâbcdđeêfghijklmnoôơpqrstuưvwxyz';

const PRIMARY_WEIGHT = new Map<string, string>(
	Array.from(PRIMARY_ORDER, (ch, index) => [ch, String.fromCharCode(WEIGHT_BASE + index)])
);
// Unknown characters go after every known one, in code point order.
const UNKNOWN_PRIMARY_BASE = WEIGHT_BASE + PRIMARY_ORDER.length + 1;

// In Vietnamese, breve, circumflex and horn make new letters (primary), not accents.
const LETTER_MODIFIERS: Record<string, Record<string, string>> = {
	a: { '\u0306': 'ă', '\u0302': 'â' },
	e: { '\u0302': 'ê' },
	o: { '\u0302': 'ô', '\u031b': 'ơ' },
	u: { '\u031b': 'ư' }
};

const SECONDARY_COMMON = String.fromCharCode(WEIGHT_BASE);
// Combining marks in ICU's secondary order for `vi`: the five tones first (after four rare marks),
// then the usual accents of other Latin alphabets.
const MARK_ORDER = [
	0x0332, 0x0313, 0x0314, 0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x0306, 0x0302, 0x030c, 0x030a,
	0x0342, 0x0308, 0x030b, 0x0307, 0x0338, 0x0327, 0x0328, 0x0304
];
const MARK_WEIGHT = new Map<string, string>(
	MARK_ORDER.map((cp, index) => [String.fromCodePoint(cp), String.fromCharCode(0x21 + index)])
);
const UNKNOWN_MARK_BASE = 0x21 + MARK_ORDER.length;

const TERTIARY_LOWER = String.fromCharCode(WEIGHT_BASE);
const TERTIARY_UPPER = String.fromCharCode(WEIGHT_BASE + 1);

// Ignorable in ICU: they must not change the key.
const IGNORABLE = /[\p{Cf}\u034f]/u;
const MARK = /\p{M}/u;

interface Element {
	letter: string;
	upper: boolean;
	marks: string;
}

function primaryWeight(letter: string): string {
	const known = PRIMARY_WEIGHT.get(letter);
	if (known !== undefined) return known;
	const cp = letter.codePointAt(0) ?? 0;
	return String.fromCharCode(Math.min(0xffff, UNKNOWN_PRIMARY_BASE + cp));
}

function markWeight(mark: string): string {
	const known = MARK_WEIGHT.get(mark);
	if (known !== undefined) return known;
	const cp = mark.codePointAt(0) ?? 0;
	return String.fromCharCode(UNKNOWN_MARK_BASE + cp);
}

function collationElements(text: string): Element[] {
	const elements: Element[] = [];
	for (const ch of text.normalize('NFD')) {
		if (IGNORABLE.test(ch)) continue;
		const current = elements[elements.length - 1];
		if (MARK.test(ch)) {
			// A mark with nothing before it has nothing to modify; ICU weighs it alone, so do we.
			if (current === undefined) {
				elements.push({ letter: '', upper: false, marks: markWeight(ch) });
				continue;
			}
			const modified = LETTER_MODIFIERS[current.letter]?.[ch];
			if (modified !== undefined) current.letter = modified;
			else current.marks += markWeight(ch);
			continue;
		}
		const lower = ch.toLocaleLowerCase('vi');
		elements.push({ letter: lower, upper: lower !== ch, marks: '' });
	}
	return elements;
}

/**
 * A string whose code-unit order is Vietnamese collation order (`Intl.Collator('vi')`) for one
 * piece of text: letters first, then tones, then case.
 */
export const vietnameseSortKey = memoText(computeSortKey);

function computeSortKey(text: string): string {
	const elements = collationElements(text);
	let primary = '';
	let secondary = '';
	let tertiary = '';
	for (const element of elements) {
		if (element.letter !== '') primary += primaryWeight(element.letter);
		secondary += (element.letter !== '' ? SECONDARY_COMMON : '') + element.marks;
		tertiary += element.upper ? TERTIARY_UPPER : TERTIARY_LOWER;
	}
	return primary + LEVEL_END + secondary + LEVEL_END + tertiary;
}

/**
 * The member list's IndexedDB sort key: orders exactly like compareMemberNames (tên, tên đệm, họ)
 * under plain `<` comparison.
 */
export function memberSortKey(member: NameParts): string {
	return [member.givenName, member.middleName, member.familyName]
		.map(vietnameseSortKey)
		.join(PART_END);
}
