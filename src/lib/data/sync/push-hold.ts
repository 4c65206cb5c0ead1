// Holding a unit database's uploads while a many-document write is under way (the members import,
// src/lib/data/commands/member-import.ts): the import is all-or-nothing, and what reached the
// server halfway could not be taken back there (history entries are never deleted). The sync keeps
// pulling; pushes wait and go as soon as the hold is released (unit-sync.ts re-arms its timer).

const held = new Map<string, number>();

/** Holds `db`'s pushes until the returned function is called (holds nest). */
export function holdPush(db: string): () => void {
	held.set(db, (held.get(db) ?? 0) + 1);
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const count = (held.get(db) ?? 1) - 1;
		if (count > 0) held.set(db, count);
		else held.delete(db);
	};
}

export function isPushHeld(db: string): boolean {
	return held.has(db);
}
