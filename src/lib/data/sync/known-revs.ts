/** Revisions the server is known to hold, so the push never sends them back. */
export class KnownRevs {
	#map = new Map<string, Set<string>>();
	#size = 0;

	add(id: string, rev: string): void {
		let revs = this.#map.get(id);
		if (!revs) this.#map.set(id, (revs = new Set()));
		if (!revs.has(rev)) {
			revs.add(rev);
			this.#size++;
		}
		// A bound on memory; forgetting only costs a `_revs_diff` later.
		if (this.#size > 200_000) this.clear();
	}

	/** True if known; the entry is consumed (each pulled revision shows up once in local changes). */
	take(id: string, rev: string): boolean {
		const revs = this.#map.get(id);
		if (!revs?.delete(rev)) return false;
		this.#size--;
		if (revs.size === 0) this.#map.delete(id);
		return true;
	}

	clear(): void {
		this.#map.clear();
		this.#size = 0;
	}
}

const byDb = new Map<string, KnownRevs>();

/**
 * The known revisions of one unit database, shared by its sync runs and by the local fill
 * (local-fill.ts), which writes documents the server sent into PouchDB after the fact.
 */
export function knownRevsOf(db: string): KnownRevs {
	let known = byDb.get(db);
	if (!known) byDb.set(db, (known = new KnownRevs()));
	return known;
}
