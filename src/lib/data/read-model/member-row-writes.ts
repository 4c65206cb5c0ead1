import type { MemberRow } from '$lib/data/store/device-db';

// Who keeps something derived from the read model's member rows in memory (the search index) must
// hear of every write to them, whoever makes it. Since version 7 (ADR 0026, third addendum) the
// rows live in packs that one module writes (member-pack-writer.ts): it tells of this tab's writes as
// it makes them, row by row, and of other tabs' writes once it has read their packs again.

/**
 * Rows that may have changed, or `all` when which ones is unknown (packs rebuilt). With `rows`, the
 * write says what each row becomes (undefined: deleted), so a listener need not read them back;
 * without, they are to be read again (a write of this tab that was rolled back).
 */
export type MemberRowWrite = { ids: string[]; rows?: (MemberRow | undefined)[] } | { all: true };

type Listener = (write: MemberRowWrite) => void;

const listeners = new Set<Listener>();

/** Calls `listener` for every write to the member rows; returns the function that stops it. */
export function onMemberRowWrites(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

/** Told by member-pack-writer.ts, the one writer of the member rows (and member-store.ts of other tabs'). */
export function tellMemberRowWrites(write: MemberRowWrite): void {
	if ('ids' in write && write.ids.length === 0) return;
	for (const listener of listeners) listener(write);
}
