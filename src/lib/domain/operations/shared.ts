import { formatDate, parseDateDetailed } from '../dates';
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
import { formatMonth, parseMonth } from '../months';
import { DEFAULT_UNION_RULES, type UnionRules } from '../rules/table';
import { toNfc } from '../text';

// What every member operation shares: the context it runs in, how it reads a form (every faulty
// field reported at once, in Vietnamese, starting with the field's name), how it changes the
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

/**
 * Problems keyed by input field ('reasonId', 'decision.number'…); 'form' holds what is wrong with
 * the operation as a whole, such as a member whose status does not allow it.
 */
export type OperationErrors = Partial<Record<string, string>>;

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
// Reading a form

export type InputValue = string | number | boolean | null | undefined;

export interface InputReader {
	errors: OperationErrors;
	fail(key: string, message: string): void;
	text(key: string, value: InputValue, label: string, opts?: { required?: boolean }): string;
	/** A date typed dd/mm/yyyy or ISO; never after today unless `future`. */
	date(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean; future?: boolean }
	): string | undefined;
	/** A month typed mm/yyyy or YYYY-MM. */
	month(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean }
	): string | undefined;
	/** A number, whole unless `decimals`, within bounds. */
	number(
		key: string,
		value: InputValue,
		label: string,
		opts?: { required?: boolean; min?: number; max?: number; decimals?: boolean }
	): number | undefined;
	flag(value: InputValue): boolean;
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes', 'có', 'co', 'x']);

/** A form reader that collects one Vietnamese message per faulty field. */
export function createInputReader(options: { today: string }): InputReader {
	const errors: OperationErrors = {};
	const fail = (key: string, message: string) => {
		if (errors[key] === undefined) errors[key] = message;
	};
	const raw = (value: InputValue): string =>
		value === null || value === undefined ? '' : toNfc(String(value));
	return {
		errors,
		fail,
		text(key, value, label, opts = {}) {
			const text = raw(value);
			if (text === '' && opts.required) fail(key, `${label} không được để trống.`);
			return text;
		},
		date(key, value, label, opts = {}) {
			const typed = raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			const parsed = parseDateDetailed(typed);
			if (!parsed.ok) {
				fail(
					key,
					parsed.reason === 'nonexistent'
						? `${label}: không có ngày ${typed}, hãy kiểm tra ngày và tháng.`
						: `${label}: nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2024.`
				);
				return undefined;
			}
			if (!opts.future && parsed.iso > options.today) {
				fail(key, `${label} không được sau hôm nay (${formatDate(options.today)}).`);
				return undefined;
			}
			return parsed.iso;
		},
		month(key, value, label, opts = {}) {
			const typed = raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			const month = parseMonth(typed);
			if (month === null) {
				fail(key, `${label}: nhập theo dạng tháng/năm, ví dụ ${formatMonth('2024-03')}.`);
				return undefined;
			}
			return month;
		},
		number(key, value, label, opts = {}) {
			const typed = typeof value === 'number' ? String(value) : raw(value);
			if (typed === '') {
				if (opts.required) fail(key, `${label} không được để trống.`);
				return undefined;
			}
			// Vietnamese writes decimals with a comma and may group thousands with dots: "2.000".
			const normalised = opts.decimals
				? typed.replace(',', '.')
				: typed.replace(/[.\s](?=\d{3}(?:\D|$))/g, '');
			const n = Number(normalised);
			if (!Number.isFinite(n) || (!opts.decimals && !Number.isInteger(n))) {
				fail(key, `${label} phải là ${opts.decimals ? 'một số' : 'một số nguyên'}.`);
				return undefined;
			}
			if (opts.min !== undefined && n < opts.min) {
				fail(key, `${label} phải từ ${opts.min} trở lên.`);
				return undefined;
			}
			if (opts.max !== undefined && n > opts.max) {
				fail(key, `${label} không được quá ${opts.max}.`);
				return undefined;
			}
			return n;
		},
		flag(value) {
			return typeof value === 'boolean' ? value : TRUE_WORDS.has(raw(value).toLowerCase());
		}
	};
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** The decision part of a form: number, date, signer, signer's title, issuing body. */
export interface DecisionInput {
	number?: InputValue;
	date?: InputValue;
	signer?: InputValue;
	signerTitle?: InputValue;
	issuer?: InputValue;
}

export const DECISION_FIELD_LABELS = {
	'decision.number': 'Số quyết định',
	'decision.date': 'Ngày quyết định',
	'decision.signer': 'Người ký quyết định',
	'decision.signerTitle': 'Chức vụ người ký',
	'decision.issuer': 'Cơ quan ban hành quyết định'
} as const;

/** "Số: 12 - QĐ/ĐTN" → "12-QĐ/ĐTN": the label and stray spaces dropped. */
export function normaliseDecisionNumber(text: string): string {
	return toNfc(text)
		.replace(/^số\s*:?\s*/i, '')
		.replace(/\s*([-/])\s*/g, '$1');
}

/**
 * Reads the decision of a form. When it is optional and left empty: undefined. Once any part is
 * filled, number, date, signer and issuer are all needed.
 */
export function readDecision(options: {
	reader: InputReader;
	input: DecisionInput | undefined;
	required: boolean;
}): Decision | undefined {
	const { reader, input = {}, required } = options;
	const parts = [input.number, input.date, input.signer, input.signerTitle, input.issuer];
	const filled = parts.some((part) => part !== undefined && part !== null && String(part).trim());
	if (!required && !filled) return undefined;
	const labels = DECISION_FIELD_LABELS;
	const number = normaliseDecisionNumber(
		reader.text('decision.number', input.number, labels['decision.number'], { required: true })
	);
	const date = reader.date('decision.date', input.date, labels['decision.date'], {
		required: true
	});
	const signer = reader.text('decision.signer', input.signer, labels['decision.signer'], {
		required: true
	});
	const signerTitle = reader.text(
		'decision.signerTitle',
		input.signerTitle,
		labels['decision.signerTitle']
	);
	const issuer = reader.text('decision.issuer', input.issuer, labels['decision.issuer'], {
		required: true
	});
	if (number === '' || date === undefined || signer === '' || issuer === '') return undefined;
	return { number, date, signer, issuer, ...(signerTitle ? { signerTitle } : {}) };
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
