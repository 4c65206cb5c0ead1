import * as v from 'valibot';
import { isIsoDate } from './dates';
import { ETHNIC_CODES } from './ethnic-groups';
import { GENDERS, OCCUPATIONS, POLITICAL_THEORY_LEVELS, normaliseGeneralEducation } from './labels';
import { MEMBER_STATUSES } from './member-statuses';
import { isIsoMonth } from './months';
import { ULID_PATTERN, UNIT_ID_PATTERN } from './org/ids';
import { PHONE_PATTERN } from './phone';
import { upgradeVersionedDoc, type Upgrades } from './versioned-doc';

// The member document as stored in a unit database (docs/domain.md §2, docs/architecture.md). `v` is the
// schema version of this document type: a change of shape bumps it and adds a step to
// upgradeMemberDoc, so documents written by older app versions keep loading.
//
// Version 2 (the member operations) adds the current state the operations keep on the member —
// all optional, so a version 1 document becomes a version 2 one by its number alone:
// `statusSince`, `staysUntil`, `fullTimeUnionStaff`, `duesCategory`, `duesPaidThrough`,
// `transfer`, and `fieldRevs`, the per-field edit markers of docs/decisions/0006-conflict-policy.md.

export const MEMBER_SCHEMA_VERSION = 2 as const;

/** `member:` + a ULID (26 Crockford base32 characters). */
export const MEMBER_ID_PATTERN = /^member:[0-9A-HJKMNP-TV-Z]{26}$/;
// Defined in phone.ts, which the boot-time member search can import without the schemas.
export { PHONE_PATTERN };

const IsoDate = v.pipe(
	v.string(),
	v.check((value: string) => isIsoDate(value), 'Ngày phải là một ngày có thật, dạng YYYY-MM-DD.')
);
const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const RequiredText = v.pipe(v.string(), v.trim(), v.nonEmpty('Không được để trống.'));
const OptionalText = v.optional(v.string());
const OptionalDate = v.optional(IsoDate);

/** The fields a user edits (the member form); everything else in the document is bookkeeping. */
export const memberFieldsEntries = {
	familyName: RequiredText,
	middleName: v.string(),
	givenName: RequiredText,
	otherName: OptionalText,
	gender: v.picklist(GENDERS, 'Giới tính phải là male hoặc female.'),
	birthDate: IsoDate,
	citizenId: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, 'Số CCCD phải có 12 chữ số.'))),
	citizenIdIssuedOn: OptionalDate,
	citizenIdIssuedBy: OptionalText,
	ethnicCode: v.picklist(ETHNIC_CODES, 'Mã dân tộc không có trong danh mục.'),
	religion: v.optional(v.string(), 'Không'),
	nationality: v.optional(v.string(), 'Việt Nam'),
	hometown: OptionalText,
	permanentAddress: OptionalText,
	currentAddress: OptionalText,
	phone: v.optional(v.pipe(v.string(), v.regex(PHONE_PATTERN, 'Số điện thoại không hợp lệ.'))),
	email: v.optional(v.pipe(v.string(), v.email('Email không hợp lệ.'))),
	joinedOn: OptionalDate,
	joinedPlace: OptionalText,
	cardNumber: OptionalText,
	branchId: OptionalText,
	unionPosition: OptionalText,
	generalEducation: v.optional(
		v.pipe(
			v.string(),
			v.check((value) => normaliseGeneralEducation(value) === value, 'Dạng "9/12", "12/12".')
		)
	),
	professionalQualification: OptionalText,
	politicalTheory: v.optional(v.picklist(POLITICAL_THEORY_LEVELS)),
	itSkill: OptionalText,
	foreignLanguage: OptionalText,
	partyMember: v.boolean(),
	partyJoinedOn: OptionalDate,
	partyOfficialOn: OptionalDate,
	partySympathizer: v.optional(v.boolean()),
	occupation: v.optional(v.picklist(OCCUPATIONS)),
	status: v.picklist(MEMBER_STATUSES, 'Trạng thái không có trong danh mục.')
};

export const MemberProvenanceSchema = v.strictObject({
	/** 'self': declared by the member from a phone; 'unit': entered by the unit. */
	source: v.picklist(['unit', 'self']),
	approvedBy: OptionalText,
	approvedAt: v.optional(Timestamp)
});

export const MemberFieldsSchema = v.strictObject(memberFieldsEntries);

/**
 * Who last changed a field and on top of which revision (docs/decisions/0006-conflict-policy.md):
 * `rev` is the `_rev` the editor's device held when it wrote the change, so comparing it with the
 * revision histories of two conflicting leaves tells whether the change came after their common
 * ancestor — without the ancestor's body, which compaction removes.
 */
export const FieldRevSchema = v.strictObject({
	rev: v.pipe(v.string(), v.regex(/^\d+-[0-9a-z]+$/, 'Mã phiên bản phải có dạng <số>-<mã>.')),
	at: Timestamp,
	by: RequiredText
});

/** A pending (or, once accepted, the last) transfer to another unit. */
export const MemberTransferSchema = v.strictObject({
	/** The ULID of the transfer request: every document of the transfer derives its id from it. */
	id: v.pipe(v.string(), v.regex(ULID_PATTERN, 'Mã chuyển sinh hoạt phải là một ULID.')),
	toUnitId: v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.')),
	toUnitName: RequiredText,
	requestedOn: IsoDate
});

/** State the member operations keep on the member document (version 2). */
export const memberStateEntries = {
	/** The day the current status took effect (admission, coming of age, removal…). */
	statusSince: OptionalDate,
	/** A branch's decision lets the member stay on after coming of age, up to this day. */
	staysUntil: OptionalDate,
	/** Works full-time for the Union (cán bộ Đoàn chuyên trách): exempt from coming of age. */
	fullTimeUnionStaff: v.optional(v.boolean()),
	/** Id of the dues category in the rules table. */
	duesCategory: OptionalText,
	/** Dues paid up to and including this month ('YYYY-MM'). */
	duesPaidThrough: v.optional(
		v.pipe(
			v.string(),
			v.check((value: string) => isIsoMonth(value), 'Tháng phải có dạng YYYY-MM.')
		)
	),
	transfer: v.optional(MemberTransferSchema)
};

export const MemberStateSchema = v.strictObject(memberStateEntries);

export const MemberDocSchema = v.strictObject({
	_id: v.custom<`member:${string}`>(
		(input) => typeof input === 'string' && MEMBER_ID_PATTERN.test(input),
		'Mã hồ sơ phải có dạng member:<ULID>.'
	),
	_rev: OptionalText,
	type: v.literal('member'),
	v: v.literal(MEMBER_SCHEMA_VERSION),
	unitId: v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.')),
	...memberFieldsEntries,
	...memberStateEntries,
	fieldRevs: v.optional(v.record(v.string(), FieldRevSchema)),
	provenance: MemberProvenanceSchema,
	createdAt: Timestamp,
	createdBy: RequiredText,
	updatedAt: Timestamp,
	updatedBy: RequiredText
});

export type MemberDoc = v.InferOutput<typeof MemberDocSchema>;
export type MemberFields = v.InferOutput<typeof MemberFieldsSchema>;
export type MemberProvenance = v.InferOutput<typeof MemberProvenanceSchema>;
export type MemberFieldKey = keyof MemberFields;
export type MemberState = v.InferOutput<typeof MemberStateSchema>;
export type MemberStateKey = keyof MemberState;
export type MemberTransfer = v.InferOutput<typeof MemberTransferSchema>;
export type FieldRev = v.InferOutput<typeof FieldRevSchema>;

export const MEMBER_FIELD_KEYS = Object.keys(memberFieldsEntries) as MemberFieldKey[];
export const MEMBER_STATE_KEYS = Object.keys(memberStateEntries) as MemberStateKey[];

/** A member document that cannot be loaded; the message is Vietnamese and names the document. */
export class MemberDocError extends Error {
	readonly docId: string | undefined;
	readonly issues: readonly string[];

	constructor(options: { message: string; docId?: string; issues?: readonly string[] }) {
		super(options.message);
		this.name = 'MemberDocError';
		this.docId = options.docId;
		this.issues = options.issues ?? [];
	}
}

/**
 * UPGRADES[n] turns a version-n document into a version-(n + 1) one. When version 2 comes, add
 * `1: (doc) => ({ ...doc, v: 2, newField: … })` and bump MEMBER_SCHEMA_VERSION; never edit a step
 * once released, because documents written with it are already in the field.
 */
const UPGRADES: Upgrades = {
	// Version 2 only adds optional fields. A version 1 document has no `fieldRevs`, which the merge
	// reads as "edits not marked" and handles conservatively (member-merge.ts).
	1: (doc) => ({ ...doc, v: 2 })
};

/**
 * Loads a stored member document of any known version as the current MemberDoc. Throws a
 * MemberDocError for anything else: not an object, another type, a version this app does not know
 * (written by a newer app: update), or a document that breaks the schema.
 */
export function upgradeMemberDoc(doc: unknown): MemberDoc {
	return upgradeVersionedDoc({
		doc,
		type: 'member',
		version: MEMBER_SCHEMA_VERSION,
		upgrades: UPGRADES,
		schema: MemberDocSchema,
		noun: 'Hồ sơ đoàn viên',
		namesExpectedType: true,
		fail: (options) => new MemberDocError(options)
	});
}
