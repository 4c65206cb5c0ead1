import type { MemberDoc } from '$lib/domain/member-schema';
import { planMemberImport } from '$lib/domain/spreadsheets/member-import-plan';
import type {
	ExistingMember,
	ImportPreview,
	ImportRowClass
} from '$lib/domain/spreadsheets/member-import-types';
import {
	addToPackedPlan,
	emptyPackedPlan,
	type PackedImportPlan
} from './member-import-packed-plan';

// The import flow's choices as immutable values (member-import-flow.svelte.ts replaces them whole,
// so a change is one assignment the screen sees): which rows are skipped, which classes chosen.

/** Classes that can be written: the others are listed with their reason, never imported. */
export type WritableClass = Extract<ImportRowClass, 'new' | 'update'>;

export function toggled<T>(set: ReadonlySet<T>, value: T, on: boolean): ReadonlySet<T> {
	const next = new Set(set);
	if (on) next.add(value);
	else next.delete(value);
	return next;
}

export function emptySet<T>(values: readonly T[] = []): ReadonlySet<T> {
	return new Set(values);
}

/** The rows to write: of a chosen class, not skipped (row numbers, in sheet order). */
export function chosenRowNumbers(options: {
	preview: ImportPreview | null;
	classes: ReadonlySet<WritableClass>;
	skipped: ReadonlySet<number>;
}): { rows: number[]; counts: Record<WritableClass, number> } {
	const rows: number[] = [];
	const counts = { new: 0, update: 0 };
	for (const row of options.preview?.rows ?? []) {
		if (row.class !== 'new' && row.class !== 'update') continue;
		if (!options.classes.has(row.class) || options.skipped.has(row.rowNumber)) continue;
		rows.push(row.rowNumber);
		counts[row.class] += 1;
	}
	return { rows, counts };
}

/** The loaded documents of the unit's members, by id (the planner updates on top of them). */
export function loadedMembers(existing: readonly ExistingMember[]): ReadonlyMap<string, MemberDoc> {
	const map = new Map<string, MemberDoc>();
	for (const member of existing) if (member.doc) map.set(member.id, member.doc);
	return map;
}

export function nowIso(): string {
	return new Date().toISOString();
}

/** Targets two or more columns claim (only the first is read). */
export function repeatedTargets(mapping: readonly (string | null)[]): string[] {
	const seen = new Set<string>();
	const twice = new Set<string>();
	for (const target of mapping) {
		if (target === null) continue;
		if (seen.has(target)) twice.add(target);
		seen.add(target);
	}
	return [...twice];
}

/** Rows planned between two yields to the screen (a slice stays well under a 100 ms task). */
const PLAN_SLICE = 250;

/**
 * planMemberImport over the preview a slice of rows at a time, yielding to the screen between
 * slices, each slice's documents packed as soon as it is planned (member-import-packed-plan.ts: the
 * write then holds strings, not ~10,000 document objects). The slices partition the rows, so each
 * slice's report lists exactly its own rows (created, updated, unchanged, skipped): joined, they are
 * the whole report, and the rules stay the planner's alone.
 */
export async function planInSlices(
	options: Parameters<typeof planMemberImport>[0] & {
		onProgress?: (planned: number, total: number) => void;
		signal?: AbortSignal;
		/** Rows per slice (and per packed chunk); tests make it small. */
		slice?: number;
	}
): Promise<{ ok: true; plan: PackedImportPlan } | { ok: false; message: string }> {
	const { preview, onProgress, signal, slice = PLAN_SLICE, ...rest } = options;
	const total = preview.rows.length;
	let packed: PackedImportPlan | null = null;
	for (let start = 0; start < total || packed === null; start += slice) {
		if (signal?.aborted) throw new DOMException('Đã hủy.', 'AbortError');
		const result = planMemberImport({
			...rest,
			preview: { ...preview, rows: preview.rows.slice(start, start + slice) }
		});
		if (!result.ok) return result;
		packed ??= emptyPackedPlan(result.plan);
		addToPackedPlan(packed, result.plan);
		onProgress?.(Math.min(total, start + slice), total);
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
	return { ok: true, plan: packed };
}
