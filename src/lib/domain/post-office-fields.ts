import * as v from 'valibot';
import { ULID_PATTERN, UNIT_ID_PATTERN } from './org/ids';

// The fields every post-office document shares (reminders, ADR 0018; mail, ADR 0021): the sent
// document, the delivered copy, the recipient's receipt and the sender's status all carry a type, a
// version, the database's unit and who wrote them when. One definition, so the two families stay in
// step; each schema keeps its own fields and messages.

export const UnitIdSchema = v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.'));
export const TimestampSchema = v.pipe(
	v.string(),
	v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.')
);
export const LoginSchema = v.pipe(v.string(), v.minLength(1, 'Thiếu tên tài khoản.'));

/** A ULID, refused with the family's own words ("Mã thư…", "Mã đôn đốc…"). */
export function ulidSchema(message: string) {
	return v.pipe(v.string(), v.regex(ULID_PATTERN, message));
}

/** A document's head: its id (by pattern), revision, type and version. */
export function postDocHead<TType extends string, TVersion extends number>(options: {
	idPattern: RegExp;
	idMessage?: string;
	type: TType;
	version: TVersion;
}) {
	return {
		_id: v.pipe(v.string(), v.regex(options.idPattern, options.idMessage)),
		_rev: v.optional(v.string()),
		type: v.literal(options.type),
		v: v.literal(options.version)
	};
}

/** Who wrote the document and when, first and last. */
export const STAMP_ENTRIES = {
	createdAt: TimestampSchema,
	createdBy: LoginSchema,
	updatedAt: TimestampSchema,
	updatedBy: LoginSchema
};
