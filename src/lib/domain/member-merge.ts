import {
	MEMBER_FIELD_KEYS,
	MEMBER_STATE_KEYS,
	type FieldRev,
	type MemberDoc
} from './member-schema';
import {
	MARKERS_SINCE,
	memberFieldLabel,
	sameValue,
	type MemberPatchKey
} from './operations/shared';

// Concurrent edits of one member (docs/decisions/0006-conflict-policy.md): two devices edit the
// same member offline; CouchDB keeps both revisions as conflicting leaves. This merge never loses an
// edit silently: a field changed on one side only is taken from that side; a field changed
// differently on both sides is a conflict the secretary resolves.
//
// Which side changed a field is read from the per-field markers (`fieldRevs`), not from the common
// ancestor's body — the device compacts automatically, so old bodies are gone. A marker names the
// revision the editor's change was written on top of. A leaf changed field f after the common
// ancestor A exactly when its marker for f names A or a later revision of its own history (the
// revision ids of a leaf's history survive compaction: `get(id, { revs: true, open_revs })`).
//
// A leaf whose field is unmarked has not changed it since markers began, so it still holds the
// ancestor's value: any other leaf with another value changed it. When no leaf is known to hold
// the ancestor's value (no common ancestor, markers missing: written by a version 1 app, or begun
// after the ancestor), differing values are conflicts.
//
// Deterministic and symmetric: leaves are ordered by CouchDB's winner rule before anything else,
// so every device computes the same result from the same leaves, in whatever order it got them.

/** One conflicting leaf revision and its history. */
export interface MergeLeaf {
	doc: MemberDoc;
	/** Revision ids of the leaf, newest first, starting with `doc._rev`. */
	revisions: readonly string[];
}

/** A value one side holds, with who set it and when. */
export interface MergeSide {
	rev: string;
	value: unknown;
	at: string;
	by: string;
}

export interface AutoMergedField {
	field: MemberPatchKey;
	label: string;
	/** The side whose change was taken. */
	from: MergeSide;
}

export interface FieldConflict {
	field: MemberPatchKey;
	label: string;
	/** The distinct values set since the common ancestor, the winning leaf's first. */
	sides: MergeSide[];
}

export interface MemberMergeResult {
	/** CouchDB's winning leaf: the merge is written on top of it. */
	winnerRev: string;
	/** The other leaves, to delete in the same write as the merge. */
	losingRevs: string[];
	/** The newest revision every leaf descends from, or null. */
	ancestorRev: string | null;
	/**
	 * The winner with every automatic merge applied (conflicting fields still hold the winner's
	 * value), `_rev` the winner's. Write it only when `conflicts` is empty; otherwise keep the leaves
	 * until the secretary has chosen (resolveMemberConflicts), so nothing is lost meanwhile.
	 */
	merged: MemberDoc;
	autoMerged: AutoMergedField[];
	conflicts: FieldConflict[];
}

/** Fields the merge compares: what users edit, what operations keep, and the provenance. */
export const MERGED_FIELDS: readonly MemberPatchKey[] = [
	...MEMBER_FIELD_KEYS,
	...MEMBER_STATE_KEYS,
	'provenance'
];

/** PouchDB's `_revisions` ({ start: 3, ids: ['c', 'b', 'a'] }) as ['3-c', '2-b', '1-a']. */
export function revisionList(revisions: { start: number; ids: readonly string[] }): string[] {
	return revisions.ids.map((id, index) => `${revisions.start - index}-${id}`);
}

function generation(rev: string): number {
	return Number(rev.slice(0, rev.indexOf('-')));
}

/**
 * CouchDB's order of leaves: the longer history wins, then the greater revision id as text. Negative
 * when `a` wins.
 */
export function compareRevs(a: string, b: string): number {
	const byGeneration = generation(b) - generation(a);
	if (byGeneration !== 0) return byGeneration;
	return a > b ? -1 : a < b ? 1 : 0;
}

/** The newest revision in every leaf's history. */
export function commonAncestor(leaves: readonly MergeLeaf[]): string | null {
	const [first, ...rest] = leaves;
	if (first === undefined) return null;
	const others = rest.map((leaf) => new Set(leaf.revisions));
	return first.revisions.find((rev) => others.every((set) => set.has(rev))) ?? null;
}

type Change = 'changed' | 'unchanged' | 'unknown';

/** Whether a leaf changed a field after the ancestor, as its markers tell. */
function changeOf(leaf: MergeLeaf, field: string, ancestor: string | null): Change {
	const markers = leaf.doc.fieldRevs;
	if (ancestor === null || markers === undefined) return 'unknown';
	const ancestorIndex = leaf.revisions.indexOf(ancestor);
	const since = markers[MARKERS_SINCE];
	// Markers that began after the ancestor cannot vouch for what happened before them.
	if (since !== undefined && leaf.revisions.indexOf(since.rev) < ancestorIndex) return 'unknown';
	const marker = markers[field];
	if (marker === undefined) return 'unchanged';
	const markerIndex = leaf.revisions.indexOf(marker.rev);
	if (markerIndex === -1) return 'unknown';
	return markerIndex <= ancestorIndex ? 'changed' : 'unchanged';
}

function valueOf(doc: MemberDoc, field: string): unknown {
	return (doc as Record<string, unknown>)[field] ?? null;
}

function sideOf(leaf: MergeLeaf, field: string): MergeSide {
	const marker = leaf.doc.fieldRevs?.[field];
	return {
		rev: leaf.doc._rev ?? '',
		value: valueOf(leaf.doc, field),
		at: marker?.at ?? leaf.doc.updatedAt,
		by: marker?.by ?? leaf.doc.updatedBy
	};
}

/** One side per distinct value, in leaf order (the winner's first). */
function distinctSides(leaves: readonly MergeLeaf[], field: string): MergeSide[] {
	const sides: MergeSide[] = [];
	for (const leaf of leaves) {
		const value = valueOf(leaf.doc, field);
		if (!sides.some((side) => sameValue(side.value, value))) sides.push(sideOf(leaf, field));
	}
	return sides;
}

function setField(doc: Record<string, unknown>, field: string, value: unknown): void {
	if (value === null || value === undefined) delete doc[field];
	else doc[field] = value;
}

/**
 * Merges the conflicting leaves of one member (two or more). `at`/`by`: the merging device's user,
 * to whom the merged revision is attributed.
 */
export function mergeMemberLeaves(options: {
	leaves: readonly MergeLeaf[];
	at: string;
	by: string;
}): MemberMergeResult {
	const leaves = [...options.leaves].sort((a, b) =>
		compareRevs(a.doc._rev ?? '', b.doc._rev ?? '')
	);
	const winner = leaves[0];
	if (winner === undefined || leaves.length < 2) {
		throw new RangeError('Cần ít nhất hai phiên bản xung đột để hợp nhất.');
	}
	if (leaves.some((leaf) => leaf.doc._id !== winner.doc._id)) {
		throw new RangeError('Chỉ hợp nhất các phiên bản của cùng một hồ sơ.');
	}
	const winnerRev = winner.doc._rev ?? '';
	const ancestor = commonAncestor(leaves);
	const merged: Record<string, unknown> = { ...winner.doc };
	const fieldRevs: Record<string, FieldRev> = { ...(winner.doc.fieldRevs ?? {}) };
	const autoMerged: AutoMergedField[] = [];
	const conflicts: FieldConflict[] = [];

	for (const field of MERGED_FIELDS) {
		const first = valueOf(winner.doc, field);
		if (leaves.every((leaf) => sameValue(valueOf(leaf.doc, field), first))) continue;
		const label = memberFieldLabel(field);
		const unchanged = leaves.filter((leaf) => changeOf(leaf, field, ancestor) === 'unchanged');
		const bases = distinctSides(unchanged, field);
		const base = bases.length === 1 ? bases[0] : undefined;
		// With the ancestor's value known, every other value is an edit; otherwise all values are.
		const edits = distinctSides(leaves, field).filter(
			(side) => base === undefined || !sameValue(side.value, base.value)
		);
		const only = edits[0];
		if (base !== undefined && edits.length === 1 && only !== undefined) {
			autoMerged.push({ field, label, from: only });
			if (only.rev !== winnerRev) {
				setField(merged, field, only.value);
				fieldRevs[field] = { rev: winnerRev, at: only.at, by: only.by };
			}
			continue;
		}
		conflicts.push({ field, label, sides: edits });
	}
	merged.fieldRevs = fieldRevs;
	merged.updatedAt = options.at;
	merged.updatedBy = options.by;
	return {
		winnerRev,
		losingRevs: leaves.slice(1).map((leaf) => leaf.doc._rev ?? ''),
		ancestorRev: ancestor,
		merged: merged as MemberDoc,
		autoMerged,
		conflicts
	};
}

export type ConflictResolution = { ok: true; member: MemberDoc } | { ok: false; missing: string[] };

/**
 * The member once the secretary has chosen a side (by revision) for every conflict: the merge with
 * the chosen values, each marked as changed on top of the winner by her, now.
 */
export function resolveMemberConflicts(options: {
	result: MemberMergeResult;
	/** Field → the `rev` of the chosen side. */
	choices: Readonly<Partial<Record<string, string>>>;
	at: string;
	by: string;
}): ConflictResolution {
	const { result, choices } = options;
	const missing: string[] = [];
	const member: Record<string, unknown> = { ...result.merged };
	const fieldRevs: Record<string, FieldRev> = { ...(result.merged.fieldRevs ?? {}) };
	for (const conflict of result.conflicts) {
		const chosen = conflict.sides.find((side) => side.rev === choices[conflict.field]);
		if (chosen === undefined) {
			missing.push(conflict.label);
			continue;
		}
		setField(member, conflict.field, chosen.value);
		fieldRevs[conflict.field] = { rev: result.winnerRev, at: options.at, by: options.by };
	}
	if (missing.length > 0) return { ok: false, missing };
	member.fieldRevs = fieldRevs;
	member.updatedAt = options.at;
	member.updatedBy = options.by;
	return { ok: true, member: member as MemberDoc };
}
