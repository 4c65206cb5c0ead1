// Revisions the read model already holds before PouchDB does (ADR 0029): a pinned unit's first
// sync is folded straight from the stream, and its documents reach PouchDB later
// (sync/local-fill.ts). The fill notes each document here just before writing it; the indexer,
// meeting that write among PouchDB's changes, does not fold it again when its winner is still that
// revision without conflicts. In memory only: after a reload they are folded again (same rows).

const noted = new Map<string, Map<string, string>>();

export function noteFolded(options: { db: string; docs: { _id: string; _rev: string }[] }): void {
	let revs = noted.get(options.db);
	if (!revs) noted.set(options.db, (revs = new Map()));
	for (const doc of options.docs) revs.set(doc._id, doc._rev);
}

/**
 * True if `rev` of `id` was noted (the read model holds it). The note is consumed either way: a
 * document shows up once among the changes, at its latest revision.
 */
export function takeFolded(options: { db: string; id: string; rev: string }): boolean {
	const revs = noted.get(options.db);
	if (!revs) return false;
	const held = revs.get(options.id);
	if (held === undefined) return false;
	revs.delete(options.id);
	if (revs.size === 0) noted.delete(options.db);
	return held === options.rev;
}

/** Forgets every note of `db` (its read model is being rebuilt). */
export function forgetFolded(db: string): void {
	noted.delete(db);
}
