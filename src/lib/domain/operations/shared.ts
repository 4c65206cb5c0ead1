import {
	HISTORY_SCHEMA_VERSION,
	historyId,
	type Decision,
	type Effect,
	type HistoryData,
	type HistoryDoc,
	type HistoryOf
} from '../history-schema';
import type { HistoryKind } from '../labels';
import { MEMBER_FIELD_LABELS } from '../member-input';
import { memberStatusLabel } from '../member-statuses';
import {
	MEMBER_SCHEMA_VERSION,
	type FieldRev,
	type MemberDoc,
	type MemberFieldKey,
	type MemberStateKey
} from '../member-schema';
import { DEFAULT_UNION_RULES, type UnionRules } from '../rules/table';
import type { OperationErrors } from './input-reader';

// What every member operation shares: the context it runs in, how it reads a form
// (input-reader.ts, re-exported here), how it changes the
// member (a patch, stamped for the merge) and how it builds its history entries. An operation is a
// pure function `planX(options)` returning either the errors or a plan that the data layer writes.

/** Who acts, in which unit. */
export interface OperationActor {
	login: string;
	unitId: string;
}

/** The world an operation runs in. Passing it in keeps the operations pure and testable. */
export interface OperationContext {
	/** Today on the device, ISO: no date of an operation may be after it. */
	today: string;
	/** Now, as an ISO timestamp, for createdAt/updatedAt. */
	now: string;
	actor: OperationActor;
	/** A fresh ULID each call (src/lib/data/ids.ts on the device). */
	newUlid: () => string;
	/** The rules table in force; the shipped defaults when absent. */
	rules?: UnionRules;
	/** Set when the operation is one member's part of a bulk act (bulk.ts). */
	bulkId?: string;
}

export interface OperationPlan {
	/** New history documents to write; they never change afterwards. */
	entries: HistoryDoc[];
	/** The member as it will be (same `_rev`, to be put on top of it); null when unchanged. */
	member: MemberDoc | null;
	/** Things the user should know that do not stop the operation. */
	warnings: string[];
}

export type OperationResult =
	{ ok: true; plan: OperationPlan } | { ok: false; errors: OperationErrors };

export function rulesOf(context: { rules?: UnionRules }): UnionRules {
	return context.rules ?? DEFAULT_UNION_RULES;
}

// ---------------------------------------------------------------------------------------------
// Values

function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(
			Object.keys(value)
				.filter((key) => (value as Record<string, unknown>)[key] !== undefined)
				.sort()
				.map((key) => [key, canonical((value as Record<string, unknown>)[key])])
		);
	}
	return value ?? null;
}

/** Equal as stored JSON: key order ignored, and a missing value equals null. */
export function sameValue(a: unknown, b: unknown): boolean {
	return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

// ---------------------------------------------------------------------------------------------
// Member patches

/** Labels of the state fields the operations keep (member-schema.ts, version 2). */
export const MEMBER_STATE_LABELS = {
	statusSince: 'Ngày bắt đầu trạng thái',
	staysUntil: 'Sinh hoạt đến ngày',
	fullTimeUnionStaff: 'Cán bộ Đoàn chuyên trách',
	duesCategory: 'Mức đoàn phí',
	duesPaidThrough: 'Đoàn phí đã đóng đến tháng',
	transfer: 'Chuyển sinh hoạt',
	provenance: 'Nguồn và người duyệt hồ sơ'
} as const;

/** What users call a member field, form fields and state fields alike. */
export function memberFieldLabel(key: string): string {
	return (
		(MEMBER_FIELD_LABELS as Record<string, string>)[key] ??
		(MEMBER_STATE_LABELS as Record<string, string>)[key] ??
		key
	);
}

/** Key of `fieldRevs` naming the revision from which the document carries markers. */
export const MARKERS_SINCE = '*';

/** The member fields an operation may change (and the merge compares). */
export type MemberPatchKey = MemberFieldKey | MemberStateKey | 'provenance';

/** Fields an operation sets; null removes a field (stored JSON has no undefined). */
export type MemberPatch = { [K in MemberPatchKey]?: MemberDoc[K] | null };

/**
 * The member after a patch: changed fields set or removed, `updatedAt`/`updatedBy` set, and each
 * changed field stamped in `fieldRevs` with the revision it was changed on top of (the `_rev` the
 * device holds) — the marker the conflict merge reads (member-merge.ts). `effect` holds each changed
 * field's value before and after, for the history entry and for a later reversal.
 */
export function applyMemberPatch(options: {
	member: MemberDoc;
	patch: MemberPatch;
	at: string;
	by: string;
}): { member: MemberDoc; effect: Effect; changed: MemberPatchKey[] } {
	const { member, patch, at, by } = options;
	const next: Record<string, unknown> = { ...member };
	const before: Record<string, unknown> = {};
	const after: Record<string, unknown> = {};
	const changed: MemberPatchKey[] = [];
	for (const key of Object.keys(patch) as MemberPatchKey[]) {
		const value = patch[key] ?? null;
		const current = (member as Record<string, unknown>)[key] ?? null;
		if (sameValue(current, value)) continue;
		if (value === null) delete next[key];
		else next[key] = value;
		before[key] = current;
		after[key] = value;
		changed.push(key);
	}
	// A document without a revision is new: nothing to mark, but an empty `fieldRevs` still says
	// that the writer keeps markers. A stored document without `fieldRevs` was last written by an
	// app that kept none (version 1): MARKERS_SINCE records from which revision markers exist, so
	// the merge knows that earlier unmarked changes are unknown rather than absent.
	const fieldRevs: Record<string, FieldRev> = { ...(member.fieldRevs ?? {}) };
	if (member._rev !== undefined) {
		if (member.fieldRevs === undefined) fieldRevs[MARKERS_SINCE] = { rev: member._rev, at, by };
		for (const key of changed) fieldRevs[key] = { rev: member._rev, at, by };
	}
	next.fieldRevs = fieldRevs;
	next.v = MEMBER_SCHEMA_VERSION;
	next.updatedAt = at;
	next.updatedBy = by;
	return { member: next as MemberDoc, effect: { before, after }, changed };
}

// ---------------------------------------------------------------------------------------------
// Status

/**
 * Why an operation cannot be done on this member, or null when the member is active. `action` is
 * the verb phrase: "xóa tên", "chuyển sinh hoạt"…
 */
export function activeRefusal(options: { member: MemberDoc; action: string }): string | null {
	const { member, action } = options;
	if (member.status === 'active') return null;
	if (member.status === 'transferring') {
		const to = member.transfer ? ` đến ${member.transfer.toUnitName}` : '';
		return (
			`Không thể ${action}: đoàn viên đang chuyển sinh hoạt${to}, chờ đơn vị nhận trả lời ` +
			'(nhận hoặc từ chối).'
		);
	}
	return (
		`Không thể ${action}: đoàn viên đang ở trạng thái "${memberStatusLabel(member.status)}", ` +
		'chỉ làm được với đoàn viên đang sinh hoạt.'
	);
}

/** True for a member holding a Union office (chức vụ Đoàn). */
export function holdsOffice(member: Pick<MemberDoc, 'unionPosition'>): boolean {
	return (member.unionPosition ?? '').trim() !== '';
}

// ---------------------------------------------------------------------------------------------
// History entries

/** A history entry of one kind, with the bookkeeping every entry carries. */
export function buildEntry<K extends HistoryKind>(options: {
	context: OperationContext;
	member: Pick<MemberDoc, '_id' | 'unitId'>;
	kind: K;
	at: string;
	data: HistoryData<K>;
	/** The full id, for derived entries; a fresh ULID key otherwise. */
	id?: `history:${string}`;
	decision?: Decision;
	effect?: Effect;
	reverses?: `history:${string}`;
	note?: string;
}): HistoryOf<K> {
	const { context, member } = options;
	const entry: Record<string, unknown> = {
		_id: options.id ?? historyId({ memberId: member._id, key: context.newUlid() }),
		type: 'history',
		v: HISTORY_SCHEMA_VERSION,
		unitId: member.unitId,
		memberId: member._id,
		kind: options.kind,
		at: options.at,
		rulesVersion: rulesOf(context).version,
		data: options.data,
		createdAt: context.now,
		createdBy: context.actor.login,
		updatedAt: context.now,
		updatedBy: context.actor.login
	};
	if (options.decision) entry.decision = options.decision;
	if (options.effect && Object.keys(options.effect.after).length > 0) entry.effect = options.effect;
	if (options.reverses) entry.reverses = options.reverses;
	if (options.note) entry.note = options.note;
	if (context.bulkId) entry.bulkId = context.bulkId;
	return entry as HistoryOf<K>;
}

/**
 * The usual shape of an operation on an existing member: apply the patch, record one entry with
 * its effect. The entry's date is `at`.
 */
export function planMemberChange<K extends HistoryKind>(options: {
	context: OperationContext;
	member: MemberDoc;
	kind: K;
	at: string;
	data: HistoryData<K>;
	patch: MemberPatch;
	decision?: Decision;
	note?: string;
	warnings?: string[];
}): OperationResult {
	const { context, member } = options;
	const applied = applyMemberPatch({
		member,
		patch: options.patch,
		at: context.now,
		by: context.actor.login
	});
	const entry = buildEntry({
		context,
		member,
		kind: options.kind,
		at: options.at,
		data: options.data,
		decision: options.decision,
		effect: applied.effect,
		note: options.note
	});
	return {
		ok: true,
		plan: {
			entries: [entry],
			member: applied.changed.length > 0 ? applied.member : null,
			warnings: options.warnings ?? []
		}
	};
}

export function hasErrors(errors: OperationErrors): boolean {
	return Object.keys(errors).length > 0;
}

// Planners import the reader with the rest of what they share.
export * from './input-reader';
