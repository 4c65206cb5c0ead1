// Vietnamese text arrives in two Unicode forms (precomposed from most keyboards, combining marks
// from some Telex/VNI setups and from copy-paste out of PDFs). We store NFC, compare folded forms.

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const WHITESPACE = /\s+/g;
// Apostrophes inside names (H'Hen, K'Ho) are part of the word, not a separator between words.
const APOSTROPHES = /['\u2018\u2019\u02bc`]/g;
const WORD_STARTS_AFTER = new Set([' ', '-', "'", '\u2018', '\u2019', '\u02bc', '`']);
const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u;

/** NFC, trimmed, inner whitespace collapsed to one space. */
export function toNfc(s: string): string {
	return s.normalize('NFC').replace(WHITESPACE, ' ').trim();
}

/**
 * The form used for searching and matching: lower case, no tone or vowel marks, đ → d, single
 * spaces. 'Hoà' and 'hòa', 'Thuỷ' and 'thủy', precomposed and combining input all fold equal.
 * Idempotent: folding a folded string changes nothing.
 */
export function fold(s: string): string {
	return (
		s
			.toLowerCase()
			.normalize('NFD')
			.replace(COMBINING_MARKS, '')
			// NFD does not decompose đ; legacy keyboards sometimes type the look-alike eth (Ð/ð) for it.
			.replace(/[đðĐÐ]/g, 'd')
			.replace(WHITESPACE, ' ')
			.trim()
	);
}

/** The folded words of a text, split at spaces and punctuation (hyphens, dots, commas). */
export function foldWords(s: string): string[] {
	return fold(s)
		.replace(APOSTROPHES, '')
		.split(WORD_SEPARATORS)
		.filter((word) => word.length > 0);
}

/** "nguyễn  thị" → "Nguyễn Thị": every word, even after a hyphen or apostrophe, starts capital. */
export function titleCaseName(s: string): string {
	const lower = toNfc(s).toLocaleLowerCase('vi');
	let result = '';
	let startOfWord = true;
	for (const ch of lower) {
		result += startOfWord ? ch.toLocaleUpperCase('vi') : ch;
		startOfWord = WORD_STARTS_AFTER.has(ch);
	}
	return result;
}

/** Lower-cases the first letter, for putting a full sentence after a field name and a colon. */
export function lowerFirst(s: string): string {
	const first = s.charAt(0);
	return first.toLocaleLowerCase('vi') + s.slice(1);
}
