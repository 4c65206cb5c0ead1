import * as v from 'valibot';
import { MEMBER_ID_PATTERN } from './member-schema';
import { UNIT_ID_PATTERN } from './org/ids';

// A chi đoàn (branch) of a grassroots unit: a `branch:<id>` document in the unit's database
// (docs/decisions/0004-branches-as-documents.md). A branch is never deleted: members' history names
// it by id long after it merged into another or closed, so it stays with a status instead.
//
// Version 1 (the demo loader, before branches could be managed in the app) had only `name` and
// `kind: 'chi-doan'`. Version 2 adds the branch's own kind (where its members live, study or work),
// its secretary, the names it has had, and its status. upgradeBranchDoc reads both.

export const BRANCH_SCHEMA_VERSION = 2 as const;

/**
 * What a chi đoàn is organised around. Communes and wards organise by residence (thôn, xóm, tổ dân
 * phố, khu dân cư), schools by class, enterprises and agencies by workplace; a few are neither
 * (armed forces, a youth group of a cooperative…).
 */
export const BRANCH_KINDS = ['khu-dan-cu', 'lop-hoc', 'doanh-nghiep', 'co-quan', 'khac'] as const;

export type BranchKind = (typeof BRANCH_KINDS)[number];

export const BRANCH_KIND_LABELS: Readonly<Record<BranchKind, string>> = {
	'khu-dan-cu': 'Thôn, xóm, tổ dân phố, khu dân cư',
	'lop-hoc': 'Lớp học (trường học)',
	'doanh-nghiep': 'Doanh nghiệp',
	'co-quan': 'Cơ quan, đơn vị sự nghiệp',
	khac: 'Khác'
};

export function isBranchKind(value: unknown): value is BranchKind {
	return typeof value === 'string' && (BRANCH_KINDS as readonly string[]).includes(value);
}

export function branchKindLabel(kind: string): string {
	return isBranchKind(kind) ? BRANCH_KIND_LABELS[kind] : kind;
}

/** `active`; `merged` into another branch (`mergedInto`); `closed` (giải thể) once empty. */
export const BRANCH_STATUSES = ['active', 'merged', 'closed'] as const;
export type BranchStatus = (typeof BRANCH_STATUSES)[number];

export const BRANCH_STATUS_LABELS: Readonly<Record<BranchStatus, string>> = {
	active: 'Đang hoạt động',
	merged: 'Đã hợp nhất',
	closed: 'Đã giải thể'
};

/** The charter's floor: a chi đoàn has at least three members (shown as a warning, not enforced). */
export const BRANCH_MIN_MEMBERS = 3;

/** `branch:` then the owning unit's id at creation, then a suffix (docs/decisions/0003-ids.md). */
export const BRANCH_ID_PATTERN = /^branch:[a-z0-9][A-Za-z0-9-]{3,63}$/;

export const BRANCH_NAME_MAX = 120;

const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const RequiredText = v.pipe(v.string(), v.trim(), v.nonEmpty('Không được để trống.'));
const BranchId = v.custom<`branch:${string}`>(
	(input) => typeof input === 'string' && BRANCH_ID_PATTERN.test(input),
	'Mã chi đoàn phải có dạng branch:<mã>.'
);

/** One name the branch has had; the current one last, without `to`. */
export const BranchNameEntrySchema = v.strictObject({
	name: RequiredText,
	from: Timestamp,
	to: v.optional(Timestamp),
	by: RequiredText,
	/** The decision that renamed it, as typed ("Số 12-QĐ/ĐTN"). */
	decision: v.optional(v.string())
});
export type BranchNameEntry = v.InferOutput<typeof BranchNameEntrySchema>;

export const BranchSecretarySchema = v.strictObject({
	name: RequiredText,
	/** When the secretary is a member of this unit. */
	memberId: v.optional(
		v.custom<`member:${string}`>(
			(input) => typeof input === 'string' && MEMBER_ID_PATTERN.test(input),
			'Mã hồ sơ phải có dạng member:<ULID>.'
		)
	)
});
export type BranchSecretary = v.InferOutput<typeof BranchSecretarySchema>;

export const BranchDocSchema = v.strictObject({
	_id: BranchId,
	_rev: v.optional(v.string()),
	type: v.literal('branch'),
	v: v.literal(BRANCH_SCHEMA_VERSION),
	unitId: v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.')),
	name: v.pipe(RequiredText, v.maxLength(BRANCH_NAME_MAX)),
	kind: v.picklist(BRANCH_KINDS),
	secretary: v.optional(BranchSecretarySchema),
	nameHistory: v.pipe(v.array(BranchNameEntrySchema), v.minLength(1)),
	status: v.picklist(BRANCH_STATUSES),
	mergedInto: v.optional(BranchId),
	/** When it merged or closed, and on which decision. */
	endedAt: v.optional(Timestamp),
	endedBy: v.optional(v.string()),
	endDecision: v.optional(v.string()),
	createdAt: Timestamp,
	createdBy: RequiredText,
	updatedAt: Timestamp,
	updatedBy: RequiredText
});
export type BranchDoc = v.InferOutput<typeof BranchDocSchema> & { _id: `branch:${string}` };

export class BranchDocError extends Error {
	readonly docId?: string;
	constructor(options: { message: string; docId?: string }) {
		super(options.message);
		this.name = 'BranchDocError';
		this.docId = options.docId;
	}
}

const COUCH_META = new Set(['_conflicts', '_deleted', '_revisions', '_revs_info', '_attachments']);

/**
 * Reads a stored branch of any version as the current shape; throws BranchDocError (Vietnamese)
 * for what cannot be read. A version-1 document becomes an active branch of kind "khác" whose name
 * history starts when it was created.
 */
export function upgradeBranchDoc(doc: unknown): BranchDoc {
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
		throw new BranchDocError({ message: 'Chi đoàn không đọc được: không phải một đối tượng.' });
	}
	const raw = Object.fromEntries(Object.entries(doc).filter(([key]) => !COUCH_META.has(key)));
	const docId = typeof raw._id === 'string' ? raw._id : undefined;
	let current: Record<string, unknown> = raw;
	const stored = raw.v ?? 1;
	if (stored === 1) {
		const at = typeof raw.createdAt === 'string' ? raw.createdAt : String(raw.updatedAt ?? '');
		const by = typeof raw.createdBy === 'string' ? raw.createdBy : String(raw.updatedBy ?? '');
		current = {
			...raw,
			v: 2,
			kind: isBranchKind(raw.kind) ? raw.kind : 'khac',
			status: raw.closed ? 'closed' : 'active',
			nameHistory: [{ name: raw.name, from: at, by }]
		};
		delete current.closed;
	} else if (stored !== BRANCH_SCHEMA_VERSION) {
		throw new BranchDocError({
			message: `Chi đoàn ${docId ?? ''} được ghi bởi phiên bản mới hơn của ứng dụng (v${String(stored)}). Hãy cập nhật ứng dụng.`,
			docId
		});
	}
	const parsed = v.safeParse(BranchDocSchema, current);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
		throw new BranchDocError({
			message: `Chi đoàn ${docId ?? ''} không đọc được: ${path ? `${path}: ` : ''}${issue.message}`,
			docId
		});
	}
	return parsed.output as BranchDoc;
}

/** Whether members may be placed in the branch (it has neither merged nor closed). */
export function isOpenBranch(branch: Pick<BranchDoc, 'status'>): boolean {
	return branch.status === 'active';
}
