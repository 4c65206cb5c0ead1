// Phone numbers on their own: the member search (folded into the read model, which boots with the
// sign-in page) needs them, and member-input.ts would bring the form validation and valibot along.

/** Stored phone numbers: 10-digit mobiles (03, 05, 07, 08, 09) or 11-digit landlines (02x). */
export const PHONE_PATTERN = /^(?:0[35789]\d{8}|02\d{9})$/;

/**
 * A Vietnamese phone number as stored: '0912345678' (mobile, 10 digits) or '02103123456'
 * (landline, 11 digits since 2017). Accepts spaces, dots, dashes, brackets and the +84 / 0084 / 84
 * forms. Null when it is not a Vietnamese number.
 */
export function normalisePhone(input: string): string | null {
	let digits = input.replace(/[\s.\-()]/g, '');
	const international = /^(?:\+84|0084|84(?=\d{9,10}$))(.*)$/.exec(digits);
	// People often keep the trunk 0 after the country code: "+84 0912…".
	if (international) digits = '0' + (international[1] ?? '').replace(/^0/, '');
	return PHONE_PATTERN.test(digits) ? digits : null;
}
