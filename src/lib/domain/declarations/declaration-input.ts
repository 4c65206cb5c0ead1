import * as v from 'valibot';
import { validateMemberInput, type MemberFieldErrors } from '../member-input';
import type { MembershipRules } from '../rules/table';
import type { DeclaredFields } from './declaration-schema';
import { DECLARED_FIELD_KEYS } from './declared-fields';

// The boundary of a member's own declaration, shared by her phone (the form answers before she
// sends) and the server (which trusts nothing the phone says): the raw fields as sent — only the
// declared fields, each a bounded string or a boolean — then the member form's own rules.

/** Longest text a declared field may hold: addresses are the long ones. */
export const DECLARED_TEXT_MAX = 300;

const DeclaredValue = v.union(
	[
		v.pipe(
			v.string(),
			v.maxLength(DECLARED_TEXT_MAX, `Mỗi ô không quá ${DECLARED_TEXT_MAX} ký tự.`)
		),
		v.boolean()
	],
	'Giá trị phải là chữ hoặc đúng/sai.'
);

/** The raw fields of a declaration as sent: known keys only, bounded values. */
export const DeclarationInputSchema = v.strictObject(
	Object.fromEntries(DECLARED_FIELD_KEYS.map((key) => [key, v.optional(DeclaredValue)])) as Record<
		(typeof DECLARED_FIELD_KEYS)[number],
		v.OptionalSchema<typeof DeclaredValue, undefined>
	>,
	'Bản khai có trường không thuộc hồ sơ đoàn viên.'
);
export type DeclarationInput = v.InferOutput<typeof DeclarationInputSchema>;

// Control characters (NUL, bell, escape…) and the marks that reverse or isolate the direction of
// text: nothing a member types into a one-line field, and what an attacker would use to make a
// declaration read differently on the secretary's screen or break an export. The member form's
// rules check names but not free text such as addresses, so every declared field is checked here —
// on the phone as she types and again on the server.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
export const INVISIBLE_CHARACTER_MESSAGE =
	'Ô này có ký tự điều khiển hoặc ký tự ẩn không hợp lệ. Hãy gõ lại nội dung.';

export type DeclarationInputResult =
	{ ok: true; value: DeclaredFields } | { ok: false; errors: MemberFieldErrors };

/**
 * A declaration's fields checked by the member form's rules (a new record: ethnicity, religion and
 * education answered, never defaulted), normalised as the unit's form would store them.
 */
export function validateDeclarationInput(options: {
	input: DeclarationInput;
	/** Vietnam's date today (dates.ts todayIso). */
	today: string;
	rules?: MembershipRules;
}): DeclarationInputResult {
	const invisible: MemberFieldErrors = {};
	for (const [key, value] of Object.entries(options.input)) {
		if (typeof value === 'string' && INVISIBLE.test(value)) {
			invisible[key as keyof MemberFieldErrors] = INVISIBLE_CHARACTER_MESSAGE;
		}
	}
	if (Object.keys(invisible).length > 0) return { ok: false, errors: invisible };
	const result = validateMemberInput({
		input: { ...options.input, status: 'active', branchId: '' },
		today: options.today,
		rules: options.rules,
		newRecord: true
	});
	if (!result.ok) return result;
	const { status: _status, branchId: _branch, ...declared } = result.value;
	return { ok: true, value: declared };
}
