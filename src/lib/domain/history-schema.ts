import * as v from 'valibot';
import { isIsoDate } from './dates';
import { HISTORY_KINDS, RATING_STAGES, type HistoryKind } from './labels';
import { MEMBER_FIELD_KEYS, MEMBER_ID_PATTERN, MEMBER_STATE_KEYS } from './member-schema';
import { ULID_PATTERN, UNIT_ID_PATTERN } from './org/ids';
import { isIsoMonth } from './months';
import { upgradeVersionedDoc, type Upgrades } from './versioned-doc';

// A history entry: one immutable document per operation on a member (docs/design.md §2), written in the
// unit database next to the member. Entries are never edited: a mistake is undone by a new entry of
// kind "reversal" naming the one it reverses, so the timeline keeps both. `v` is the schema version,
// upgraded by upgradeHistoryDoc exactly like member documents.
//
// Ids: `history:<member ULID>:<key>`. The key is a fresh ULID for what a device records, or a key
// derived from the source's ULID for what follows from it (`<transfer>-out`, `<entry>-reversal`),
// so a retried worker step or a second tap writes the same document instead of a duplicate
// (docs/decisions/0003-ids.md).

export const HISTORY_SCHEMA_VERSION = 1 as const;

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
/** `history:` + the member's ULID + ':' + a ULID, optionally followed by derived steps. */
export const HISTORY_ID_PATTERN = new RegExp(`^history:${ULID}:${ULID}(?:-[a-z]+)*$`);

const IsoDate = v.pipe(
	v.string(),
	v.check((value: string) => isIsoDate(value), 'Ngày phải là một ngày có thật, dạng YYYY-MM-DD.')
);
const IsoMonth = v.pipe(
	v.string(),
	v.check((value: string) => isIsoMonth(value), 'Tháng phải có dạng YYYY-MM.')
);
const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const RequiredText = v.pipe(v.string(), v.trim(), v.nonEmpty('Không được để trống.'));
const OptionalText = v.optional(v.string());
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Year = v.pipe(v.number(), v.integer(), v.minValue(1900), v.maxValue(9999));
const Ulid = v.pipe(v.string(), v.regex(ULID_PATTERN, 'Phải là một ULID.'));
const UnitId = v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.'));
const MemberId = v.custom<`member:${string}`>(
	(input) => typeof input === 'string' && MEMBER_ID_PATTERN.test(input),
	'Mã hồ sơ phải có dạng member:<ULID>.'
);
const HistoryId = v.custom<`history:${string}`>(
	(input) => typeof input === 'string' && HISTORY_ID_PATTERN.test(input),
	'Mã mục lịch sử phải có dạng history:<ULID đoàn viên>:<ULID>.'
);

/** The decision behind an operation, as printed on it ("Số: 12-QĐ/ĐTN"). */
export const DecisionSchema = v.strictObject({
	number: RequiredText,
	date: IsoDate,
	signer: RequiredText,
	/** "Bí thư", "Phó Bí thư"… */
	signerTitle: OptionalText,
	/** The issuing body: "Ban Chấp hành Đoàn xã Thanh Sơn". */
	issuer: RequiredText
});

const PATCH_KEYS = new Set<string>([...MEMBER_FIELD_KEYS, ...MEMBER_STATE_KEYS, 'provenance']);
const MemberPatchRecord = v.pipe(
	v.record(v.string(), v.unknown()),
	v.check(
		(patch) => Object.keys(patch).every((key) => PATCH_KEYS.has(key)),
		'Chỉ ghi các trường của hồ sơ đoàn viên.'
	)
);

/**
 * What the entry changed on the member: each field's value before and after (null: no value).
 * A reversal puts `before` back, and only while the member still holds `after`.
 */
export const EffectSchema = v.strictObject({
	before: MemberPatchRecord,
	after: MemberPatchRecord
});

const Ballot = v.pipe(
	v.strictObject({ present: Count, inFavour: Count }),
	v.check((b) => b.inFavour <= b.present, 'Số phiếu tán thành không được lớn hơn số có mặt.')
);

/** The payload of each kind. Labels are copied in so old entries read right under any rules. */
const HISTORY_DATA = {
	admission: v.strictObject({
		applicationDate: IsoDate,
		charterCourseDate: IsoDate,
		sponsor: v.strictObject({
			kind: v.picklist(['member', 'organisation']),
			name: RequiredText,
			memberId: v.optional(MemberId),
			since: v.optional(IsoDate)
		}),
		vote: v.strictObject({ on: IsoDate, present: Count, inFavour: Count }),
		/** False when the national citizen-id registry could not be asked (offline). */
		registryChecked: v.boolean()
	}),
	'branch-move': v.strictObject({ fromBranchId: OptionalText, toBranchId: RequiredText }),
	'transfer-requested': v.strictObject({
		transferId: Ulid,
		toUnitId: UnitId,
		toUnitName: RequiredText,
		reason: OptionalText,
		assessment: RequiredText,
		duesPaidThrough: v.optional(IsoMonth)
	}),
	'transfer-out': v.strictObject({
		transferId: Ulid,
		toUnitId: UnitId,
		toUnitName: RequiredText
	}),
	'transfer-rejected': v.strictObject({
		transferId: Ulid,
		toUnitId: UnitId,
		toUnitName: RequiredText,
		reason: RequiredText
	}),
	'transfer-in': v.strictObject({
		transferId: Ulid,
		fromUnitId: UnitId,
		fromUnitName: RequiredText,
		branchId: RequiredText
	}),
	'coming-of-age': v.strictObject({ ceremony: OptionalText }),
	'stay-extended': v.strictObject({ until: IsoDate }),
	removal: v.strictObject({
		reasonId: RequiredText,
		reasonLabel: RequiredText,
		monthsMissed: v.nullable(Count)
	}),
	discipline: v.strictObject({
		formId: RequiredText,
		formLabel: RequiredText,
		reason: RequiredText,
		ballot: Ballot
	}),
	reward: v.strictObject({
		formId: RequiredText,
		formLabel: RequiredText,
		levelId: RequiredText,
		levelLabel: RequiredText,
		achievement: RequiredText
	}),
	rating: v.strictObject({
		year: Year,
		stage: v.picklist(RATING_STAGES),
		scaleId: RequiredText,
		gradeId: RequiredText,
		gradeLabel: RequiredText
	}),
	'training-registration': v.strictObject({
		programmeId: RequiredText,
		year: Year,
		contentIds: v.pipe(v.array(v.string()), v.minLength(1))
	}),
	'training-score': v.strictObject({
		programmeId: RequiredText,
		year: Year,
		scores: v.record(v.string(), v.pipe(v.number(), v.minValue(0))),
		total: v.pipe(v.number(), v.minValue(0)),
		bandId: RequiredText,
		bandLabel: RequiredText
	}),
	'dues-payment': v.strictObject({
		categoryId: RequiredText,
		from: IsoMonth,
		through: IsoMonth,
		months: v.pipe(Count, v.minValue(1)),
		amount: Count
	}),
	death: v.strictObject({}),
	'profile-edit': v.strictObject({ fields: v.pipe(v.array(v.string()), v.minLength(1)) }),
	reversal: v.strictObject({ reversedKind: v.picklist(HISTORY_KINDS), reason: RequiredText }),
	// A member's own declaration approved by the unit (docs/decisions/0019-self-declarations.md):
	// which declaration and revision, whether the record was created from it, which fields it set.
	'declaration-approved': v.strictObject({
		declarationId: v.pipe(v.string(), v.regex(/^declaration:[0-9A-HJKMNP-TV-Z]{26}$/)),
		revision: v.pipe(v.number(), v.integer(), v.minValue(1)),
		created: v.boolean(),
		fields: v.array(v.string())
	}),
	// A member created or updated from a unit's spreadsheet (docs/spreadsheets.md): the file, the
	// sheet row, whether the record was created by it, and which fields it wrote.
	imported: v.strictObject({
		fileName: v.pipe(v.string(), v.trim(), v.nonEmpty('Không được để trống.'), v.maxLength(255)),
		rowNumber: v.pipe(v.number(), v.integer(), v.minValue(1)),
		created: v.boolean(),
		fields: v.array(v.string())
	})
} satisfies Record<HistoryKind, v.GenericSchema>;

const commonEntries = {
	_id: HistoryId,
	_rev: OptionalText,
	type: v.literal('history'),
	v: v.literal(HISTORY_SCHEMA_VERSION),
	unitId: UnitId,
	memberId: MemberId,
	/** The day the operation took effect (decision date, ceremony, payment…). */
	at: IsoDate,
	/** Version of the rules table the operation was checked against. */
	rulesVersion: v.pipe(v.number(), v.integer(), v.minValue(1)),
	decision: v.optional(DecisionSchema),
	effect: v.optional(EffectSchema),
	/** The entry this one reverses (kind "reversal" only). */
	reverses: v.optional(HistoryId),
	/** The bulk act the entry belongs to: undoing the act reverses every entry carrying it. */
	bulkId: v.optional(Ulid),
	note: OptionalText,
	createdAt: Timestamp,
	createdBy: RequiredText,
	updatedAt: Timestamp,
	updatedBy: RequiredText
};

function variantOf<K extends HistoryKind>(kind: K) {
	return v.strictObject({ ...commonEntries, kind: v.literal(kind), data: HISTORY_DATA[kind] });
}

export const HistoryDocSchema = v.pipe(
	v.variant('kind', [
		variantOf('admission'),
		variantOf('branch-move'),
		variantOf('transfer-requested'),
		variantOf('transfer-out'),
		variantOf('transfer-rejected'),
		variantOf('transfer-in'),
		variantOf('coming-of-age'),
		variantOf('stay-extended'),
		variantOf('removal'),
		variantOf('discipline'),
		variantOf('reward'),
		variantOf('rating'),
		variantOf('training-registration'),
		variantOf('training-score'),
		variantOf('dues-payment'),
		variantOf('death'),
		variantOf('profile-edit'),
		variantOf('reversal'),
		variantOf('declaration-approved'),
		variantOf('imported')
	]),
	v.check(
		(doc) => (doc.kind === 'reversal') === (doc.reverses !== undefined),
		'Chỉ mục "hủy bỏ" ghi "reverses", và phải ghi.'
	),
	v.check(
		(doc) => doc._id.startsWith(`history:${doc.memberId.slice('member:'.length)}:`),
		'Mã mục lịch sử phải chứa mã của đoàn viên.'
	)
);

export type HistoryDoc = v.InferOutput<typeof HistoryDocSchema>;
export type HistoryOf<K extends HistoryKind> = Extract<HistoryDoc, { kind: K }>;
export type HistoryData<K extends HistoryKind> = HistoryOf<K>['data'];
export type Decision = v.InferOutput<typeof DecisionSchema>;
export type Effect = v.InferOutput<typeof EffectSchema>;

// ---------------------------------------------------------------------------------------------
// Ids

function memberUlid(memberId: string): string {
	const ulid = memberId.startsWith('member:') ? memberId.slice('member:'.length) : memberId;
	if (!ULID_PATTERN.test(ulid)) throw new RangeError(`Mã đoàn viên không hợp lệ: ${memberId}`);
	return ulid;
}

/** `history:<member ULID>:<key>` for an entry recorded on a device (key: a fresh ULID). */
export function historyId(options: { memberId: string; key: string }): `history:${string}` {
	if (!/^[0-9A-HJKMNP-TV-Z]{26}(?:-[a-z]+)*$/.test(options.key)) {
		throw new RangeError(`Khóa mục lịch sử không hợp lệ: ${options.key}`);
	}
	return `history:${memberUlid(options.memberId)}:${options.key}`;
}

/** The key of a history id (the part after the member's ULID). */
export function historyKey(id: string): string {
	return id.split(':')[2] ?? '';
}

/**
 * The id of an entry that follows from another (a transfer's outcome, a reversal): the source's key
 * plus a step. Deterministic, so writing it twice writes the same document.
 */
export function derivedHistoryId(options: {
	memberId: string;
	sourceKey: string;
	step: string;
}): `history:${string}` {
	if (!/^[a-z]+$/.test(options.step)) throw new RangeError(`Bước không hợp lệ: ${options.step}`);
	return historyId({ memberId: options.memberId, key: `${options.sourceKey}-${options.step}` });
}

// ---------------------------------------------------------------------------------------------
// Loading

/** A history document that cannot be loaded; the message is Vietnamese and names the document. */
export class HistoryDocError extends Error {
	readonly docId: string | undefined;
	readonly issues: readonly string[];

	constructor(options: { message: string; docId?: string; issues?: readonly string[] }) {
		super(options.message);
		this.name = 'HistoryDocError';
		this.docId = options.docId;
		this.issues = options.issues ?? [];
	}
}

/**
 * UPGRADES[n] turns a version-n entry into a version-(n + 1) one; add a step and bump
 * HISTORY_SCHEMA_VERSION when the shape changes, and never edit a released step.
 */
const UPGRADES: Upgrades = {};

/** Loads a stored history entry of any known version as the current HistoryDoc, or throws. */
export function upgradeHistoryDoc(doc: unknown): HistoryDoc {
	return upgradeVersionedDoc({
		doc,
		type: 'history',
		version: HISTORY_SCHEMA_VERSION,
		upgrades: UPGRADES,
		schema: HistoryDocSchema,
		noun: 'Mục lịch sử',
		fail: (options) => new HistoryDocError(options)
	});
}

// ---------------------------------------------------------------------------------------------
// Reading a member's history

/** Entries in timeline order: by effective date, then by creation. */
export function sortHistory<T extends HistoryDoc>(entries: readonly T[]): T[] {
	return [...entries].sort(
		(a, b) =>
			a.at.localeCompare(b.at) ||
			a.createdAt.localeCompare(b.createdAt) ||
			a._id.localeCompare(b._id)
	);
}

/** Ids of the entries some reversal in `entries` has undone. */
export function reversedIds(entries: readonly HistoryDoc[]): Set<string> {
	const ids = new Set<string>();
	for (const entry of entries) if (entry.reverses !== undefined) ids.add(entry.reverses);
	return ids;
}

/** The entries still in force: neither reversed nor reversals themselves. */
export function entriesInForce(entries: readonly HistoryDoc[]): HistoryDoc[] {
	const reversed = reversedIds(entries);
	return entries.filter((entry) => entry.kind !== 'reversal' && !reversed.has(entry._id));
}

/** The entries in force of one kind, typed. */
export function entriesOfKind<K extends HistoryKind>(options: {
	entries: readonly HistoryDoc[];
	kind: K;
}): HistoryOf<K>[] {
	return entriesInForce(options.entries).filter(
		(entry): entry is HistoryOf<K> => entry.kind === options.kind
	);
}
