import { CROCKFORD_ALPHABET, UNIT_ID_PATTERN } from '../org/ids';

// The two codes of self-declaration (docs/decisions/0019-self-declarations.md), both in Crockford's
// base32 (no I, L, O, U: read aloud or retyped from paper without confusion):
//   - a join link's code, 10 characters (50 bits), in the link `/khai/<unitId>-<CODE>`: the unit id
//     says which database the server reads, the code which of the unit's links (and proves the link
//     was given out, not guessed). Rotating a link gives it a new code; the old link stops working.
//   - a receipt code, 12 characters (60 bits), shown as XXXX-XXXX-XXXX: generated on the member's
//     phone when she submits (so she has it while the declaration still waits for signal, and a
//     resend after a dropped answer is recognised, not duplicated); the server keeps only its hash.

export const JOIN_CODE_LENGTH = 10;
export const RECEIPT_CODE_LENGTH = 12;
const JOIN_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{10}$/;
const RECEIPT_PATTERN = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** `count` random Crockford characters from the platform's CSPRNG (browser, worker or Node). */
export function randomCode(count: number): string {
	const bytes = new Uint8Array(count);
	globalThis.crypto.getRandomValues(bytes);
	let out = '';
	// 256 is a multiple of 32: taking each byte modulo 32 is unbiased.
	for (const byte of bytes) out += CROCKFORD_ALPHABET.charAt(byte % 32);
	return out;
}

export function newJoinCode(): string {
	return randomCode(JOIN_CODE_LENGTH);
}

export function newReceiptCode(): string {
	return randomCode(RECEIPT_CODE_LENGTH);
}

/** What a person typed or a link carried, in canonical form: upper case, no spaces or dashes, and
 * the letters people confuse with digits read as those digits (O→0, I/L→1), as Crockford intends. */
function canonical(text: string): string {
	return text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** A receipt code as stored and looked up, or null when it cannot be one. */
export function parseReceiptCode(text: string): string | null {
	if (typeof text !== 'string' || text.length > 40) return null;
	const code = canonical(text);
	return RECEIPT_PATTERN.test(code) ? code : null;
}

/** XXXX-XXXX-XXXX, as the member writes it down. */
export function formatReceiptCode(code: string): string {
	return code.replace(/(.{4})(?=.)/g, '$1-');
}

export interface JoinLinkToken {
	unitId: string;
	code: string;
}

/** The last segment of a join link: `<unitId>-<CODE>`. */
export function formatJoinToken(token: JoinLinkToken): string {
	return `${token.unitId}-${token.code}`;
}

/** A join link's segment, or null when it cannot be one (unit ids hold no dash). */
export function parseJoinToken(text: string): JoinLinkToken | null {
	if (typeof text !== 'string' || text.length > 60) return null;
	const dash = text.indexOf('-');
	if (dash < 0) return null;
	const unitId = text.slice(0, dash).toLowerCase();
	const code = canonical(text.slice(dash + 1));
	if (!UNIT_ID_PATTERN.test(unitId) || !JOIN_CODE_PATTERN.test(code)) return null;
	return { unitId, code };
}

/** The path of a join link on this site. */
export function joinPath(token: JoinLinkToken): string {
	return `/khai/${formatJoinToken(token)}`;
}

/** The path where a member looks her declaration up; the code rides in the fragment, so it is
 * never sent to the server in a URL (nor kept in its request log or a Referer). */
export function receiptPath(code?: string): string {
	return code ? `/khai/bien-nhan#${formatReceiptCode(code)}` : '/khai/bien-nhan';
}
