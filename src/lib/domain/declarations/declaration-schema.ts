import * as v from 'valibot';
import { MEMBER_ID_PATTERN, MemberFieldsSchema } from '../member-schema';
import { ULID_PATTERN, UNIT_ID_PATTERN } from '../org/ids';
import { ConsentRecordSchema } from './consent';

// Members' own declarations (issue #14, docs/decisions/0019-self-declarations.md). Three document
// types in the unit's database, each with one writer, so no two writers ever edit one document:
//   - `join-link:<scope>` (type `join-link`): a link the unit gives out (poster, QR), for the unit
//     (`join-link:unit`) or one of its chi đoàn (`join-link:<branch id without "branch:">`). Written
//     by the unit's own secretary or deputy, never deleted (disabled instead); rotating it gives it a
//     new code.
//   - `declaration:<ulid>` (type `declaration`): what the member declared, her consent, and her own
//     acts (corrections, withdrawal). Written only by the server, on her behalf, from the public API.
//   - `declaration-review:<ulid>` (type `declaration-review`, the same ULID): the unit's decision —
//     approved, rejected or correction requested — with who, when, why, and which revision of the
//     declaration it read. Written only by the unit's own secretary or deputy.
// What the member sees is derived from both (declaration-status.ts). Version 1 of all three.

export const DECLARATION_SCHEMA_VERSION = 1 as const;

// The declared fields' list lives in declared-fields.ts (no schema there: the member's public page
// imports it without the member schema's code).
export { DECLARED_FIELD_KEYS, type DeclaredFieldKey } from './declared-fields';

/** The declared fields as stored: the member schema's own rules for each (normalised already). */
export const DeclaredFieldsSchema = v.strictObject(
	v.omit(MemberFieldsSchema, ['status', 'branchId']).entries
);
export type DeclaredFields = v.InferOutput<typeof DeclaredFieldsSchema>;

const UnitId = v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.'));
const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const Login = v.pipe(v.string(), v.minLength(1, 'Thiếu tên tài khoản.'));
const BranchId = v.pipe(
	v.string(),
	v.regex(/^branch:[A-Za-z0-9-]{1,80}$/, 'Mã chi đoàn không hợp lệ.')
);
const Revision = v.pipe(v.number(), v.integer(), v.minValue(1));

export const JOIN_LINK_ID_PATTERN = /^join-link:(unit|[A-Za-z0-9-]{1,80})$/;
export const DECLARATION_ID_PATTERN = /^declaration:[0-9A-HJKMNP-TV-Z]{26}$/;
export const DECLARATION_REVIEW_ID_PATTERN = /^declaration-review:[0-9A-HJKMNP-TV-Z]{26}$/;

/** The id of a unit's join link (no branch) or a chi đoàn's. */
export function joinLinkId(branchId?: string): string {
	return branchId ? `join-link:${branchId.replace(/^branch:/, '')}` : 'join-link:unit';
}

export function declarationReviewId(declarationId: string): string {
	return `declaration-review:${declarationId.replace(/^declaration:/, '')}`;
}

export const JoinLinkDocSchema = v.object({
	_id: v.pipe(v.string(), v.regex(JOIN_LINK_ID_PATTERN, 'Mã đường dẫn khai báo không hợp lệ.')),
	_rev: v.optional(v.string()),
	type: v.literal('join-link'),
	v: v.literal(DECLARATION_SCHEMA_VERSION),
	unitId: UnitId,
	/** The chi đoàn declarations through this link go to; none: the unit decides. */
	branchId: v.optional(BranchId),
	/** 10 Crockford characters (codes.ts); a new one on every rotation. */
	code: v.pipe(v.string(), v.regex(/^[0-9A-HJKMNP-TV-Z]{10}$/, 'Mã đường dẫn không hợp lệ.')),
	enabled: v.boolean(),
	rotatedAt: v.optional(Timestamp),
	createdAt: Timestamp,
	createdBy: Login,
	updatedAt: Timestamp,
	updatedBy: Login
});
export type JoinLinkDoc = v.InferOutput<typeof JoinLinkDocSchema>;

/** What the member did last: submitted (revision 1), corrected (2, 3…), or withdrew. */
export const DECLARATION_MEMBER_STATES = ['submitted', 'withdrawn'] as const;

export const DeclarationDocSchema = v.object({
	_id: v.pipe(v.string(), v.regex(DECLARATION_ID_PATTERN, 'Mã bản khai không hợp lệ.')),
	_rev: v.optional(v.string()),
	type: v.literal('declaration'),
	v: v.literal(DECLARATION_SCHEMA_VERSION),
	unitId: UnitId,
	branchId: v.optional(BranchId),
	/** The link it came through (`join-link:…`), as it was then. */
	joinLinkId: v.pipe(v.string(), v.regex(JOIN_LINK_ID_PATTERN)),
	fields: DeclaredFieldsSchema,
	consent: ConsentRecordSchema,
	/** 1 when submitted; each correction by the member adds one. */
	revision: Revision,
	state: v.picklist(DECLARATION_MEMBER_STATES),
	submittedAt: Timestamp,
	correctedAt: v.optional(Timestamp),
	withdrawnAt: v.optional(Timestamp),
	createdAt: Timestamp,
	createdBy: Login,
	updatedAt: Timestamp,
	updatedBy: Login
});
export type DeclarationDoc = v.InferOutput<typeof DeclarationDocSchema>;

export const REVIEW_DECISIONS = ['approved', 'rejected', 'correction-requested'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const REVIEW_REASON_MAX = 500;

export const DeclarationReviewDocSchema = v.object({
	_id: v.pipe(
		v.string(),
		v.regex(DECLARATION_REVIEW_ID_PATTERN, 'Mã duyệt bản khai không hợp lệ.')
	),
	_rev: v.optional(v.string()),
	type: v.literal('declaration-review'),
	v: v.literal(DECLARATION_SCHEMA_VERSION),
	unitId: UnitId,
	declarationId: v.pipe(v.string(), v.regex(DECLARATION_ID_PATTERN)),
	decision: v.picklist(REVIEW_DECISIONS),
	/** The declaration's revision the unit read when it decided. */
	revision: Revision,
	/** Required for a rejection or a correction request: the member sees it. */
	reason: v.optional(v.pipe(v.string(), v.maxLength(REVIEW_REASON_MAX))),
	/** The member record an approval created or updated. */
	memberId: v.optional(v.pipe(v.string(), v.regex(MEMBER_ID_PATTERN))),
	decidedAt: Timestamp,
	decidedBy: Login,
	createdAt: Timestamp,
	createdBy: Login,
	updatedAt: Timestamp,
	updatedBy: Login
});
export type DeclarationReviewDoc = v.InferOutput<typeof DeclarationReviewDocSchema>;

export function isDeclarationUlid(value: unknown): value is string {
	return typeof value === 'string' && ULID_PATTERN.test(value);
}
