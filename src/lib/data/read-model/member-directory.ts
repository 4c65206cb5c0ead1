import type { HistoryRow, MemberPack, MemberRow } from '$lib/data/store/device-db';

// The in-memory map of the read model's member packs (ADR 0026, third addendum): which pack holds
// each member (and its history), and the few fields queries filter on across packs (branch, birth
// date, conflict, bulk act). Built once by walking every pack (member-store.ts), then kept by the
// one writer of packs as it writes. It locates rows; the rows themselves are always read from
// IndexedDB, so a watched query still sees exactly what is committed.

/** Members per pack: IndexedDB's cost is per record, so ~100 rows a record write 10–30× faster. */
export const PACK_MEMBERS = 100;

export interface MemberFacts {
	db: string;
	branchId: string;
	birthDate: string;
	hasConflict: 0 | 1;
}

interface PackFacts {
	db: string;
	/** Members placed in this pack: with a row, or only with history so far. */
	owners: Set<string>;
	bulkIds: Set<string>;
}

/** `member:<ulid>` for a history entry's id `history:<ulid>:<key>` (history-schema.ts). */
export function memberIdOfHistory(id: string): string | null {
	if (!id.startsWith('history:')) return null;
	const end = id.indexOf(':', 8);
	return end < 0 ? null : `member:${id.slice(8, end)}`;
}

export function packKey(options: { db: string; n: number }): string {
	return `${options.db}|${String(options.n).padStart(6, '0')}`;
}

function packNumber(key: string): number {
	return Number.parseInt(key.slice(key.lastIndexOf('|') + 1), 10) || 0;
}

export class MemberDirectory {
	/** Member id → the key of the pack that holds its row and history. */
	readonly #packOf = new Map<string, string>();
	readonly #facts = new Map<string, MemberFacts>();
	readonly #packs = new Map<string, PackFacts>();
	/** Per database, its pack keys. */
	readonly #packsOfDb = new Map<string, Set<string>>();
	readonly #bulkPacks = new Map<string, Set<string>>();

	packOf(memberId: string): string | undefined {
		return this.#packOf.get(memberId);
	}

	/** Whether a row found in `pack` is the member's own (not a stray copy, see notePack). */
	owns(pack: string, memberId: string): boolean {
		const at = this.#packOf.get(memberId);
		return at === undefined || at === pack;
	}

	/** Takes in a pack as written (or read back): replaces what was known of it. */
	notePack(pack: MemberPack): void {
		this.forgetPack(pack.key);
		const facts: PackFacts = { db: pack.db, owners: new Set(), bulkIds: new Set() };
		this.#packs.set(pack.key, facts);
		let ofDb = this.#packsOfDb.get(pack.db);
		if (!ofDb) this.#packsOfDb.set(pack.db, (ofDb = new Set()));
		ofDb.add(pack.key);
		const own = (memberId: string): boolean => {
			const at = this.#packOf.get(memberId);
			// Two tabs folding the same new member at once may each put it in a pack: the first
			// one known keeps it; the other copy is ignored by reads and dropped at its next write.
			if (at !== undefined && at !== pack.key) return false;
			this.#packOf.set(memberId, pack.key);
			facts.owners.add(memberId);
			return true;
		};
		for (const row of pack.members) {
			if (own(row.id)) this.#facts.set(row.id, factsOf(row));
		}
		for (const row of pack.history) {
			if (!own(row.memberId)) continue;
			if (row.bulkId) {
				facts.bulkIds.add(row.bulkId);
				let packs = this.#bulkPacks.get(row.bulkId);
				if (!packs) this.#bulkPacks.set(row.bulkId, (packs = new Set()));
				packs.add(pack.key);
			}
		}
	}

	forgetPack(key: string): void {
		const facts = this.#packs.get(key);
		if (!facts) return;
		this.#packs.delete(key);
		this.#packsOfDb.get(facts.db)?.delete(key);
		for (const id of facts.owners) {
			if (this.#packOf.get(id) === key) {
				this.#packOf.delete(id);
				this.#facts.delete(id);
			}
		}
		for (const bulkId of facts.bulkIds) {
			const packs = this.#bulkPacks.get(bulkId);
			packs?.delete(key);
			if (packs?.size === 0) this.#bulkPacks.delete(bulkId);
		}
	}

	/** Forgets every pack of `db`; returns the member ids that had a row there. */
	forgetDb(db: string): string[] {
		const gone: string[] = [];
		for (const key of [...(this.#packsOfDb.get(db) ?? [])]) {
			for (const id of this.#packs.get(key)?.owners ?? []) {
				if (this.#facts.has(id) && this.#packOf.get(id) === key) gone.push(id);
			}
			this.forgetPack(key);
		}
		this.#packsOfDb.delete(db);
		return gone;
	}

	forgetAll(): void {
		for (const key of [...this.#packs.keys()]) this.forgetPack(key);
	}

	/** The member ids whose row is in `key`'s pack (for the writes another tab made). */
	membersOf(key: string): string[] {
		return [...(this.#packs.get(key)?.owners ?? [])].filter(
			(id) => this.#facts.has(id) && this.#packOf.get(id) === key
		);
	}

	/** The database whose pack `key` is (undefined for a pack not known). */
	dbOfPack(key: string): string | undefined {
		return this.#packs.get(key)?.db;
	}

	packsOfDb(db: string): string[] {
		return [...(this.#packsOfDb.get(db) ?? [])];
	}

	/** The pack a new member of `db` goes to: the last one while it has room (see PackPlacer). */
	placer(db: string): PackPlacer {
		let last: string | undefined;
		let top = 0;
		for (const key of this.#packsOfDb.get(db) ?? []) {
			const n = packNumber(key);
			if (last === undefined || n > top) {
				last = key;
				top = n;
			}
		}
		return new PackPlacer({
			db,
			last,
			top,
			room: last === undefined ? 0 : PACK_MEMBERS - (this.#packs.get(last)?.owners.size ?? 0)
		});
	}

	/** Members whose facts pass `keep`: id and pack key. */
	select(keep: (facts: MemberFacts) => boolean): { id: string; pack: string }[] {
		const found: { id: string; pack: string }[] = [];
		for (const [id, facts] of this.#facts) {
			if (keep(facts)) found.push({ id, pack: this.#packOf.get(id)! });
		}
		return found;
	}

	countOf(dbs: readonly string[]): number {
		const wanted = new Set(dbs);
		let count = 0;
		for (const facts of this.#facts.values()) if (wanted.has(facts.db)) count++;
		return count;
	}

	packsOfBulk(bulkId: string): string[] {
		return [...(this.#bulkPacks.get(bulkId) ?? [])];
	}
}

/** Places the new members of one write: fills the last pack of the database, then new ones. */
export class PackPlacer {
	readonly #db: string;
	#key: string | undefined;
	#top: number;
	#room: number;

	constructor(options: { db: string; last: string | undefined; top: number; room: number }) {
		this.#db = options.db;
		this.#key = options.last;
		this.#top = options.top;
		this.#room = options.room;
	}

	next(): string {
		if (this.#key === undefined || this.#room <= 0) {
			this.#top++;
			this.#key = packKey({ db: this.#db, n: this.#top });
			this.#room = PACK_MEMBERS;
		}
		this.#room--;
		return this.#key;
	}
}

function factsOf(row: MemberRow): MemberFacts {
	return {
		db: row.db,
		branchId: row.branchId,
		birthDate: row.birthDate,
		hasConflict: row.hasConflict
	};
}

/** The rows of a pack that are its own (see MemberDirectory.owns). */
export function ownMembers(dir: MemberDirectory, pack: MemberPack): MemberRow[] {
	return pack.members.filter((row) => dir.owns(pack.key, row.id));
}

export function ownHistory(dir: MemberDirectory, pack: MemberPack): HistoryRow[] {
	return pack.history.filter((row) => dir.owns(pack.key, row.memberId));
}
