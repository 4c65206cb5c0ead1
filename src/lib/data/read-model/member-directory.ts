import type { HistoryPack, MemberPack, MemberRow } from '$lib/data/store/device-db';

// The in-memory map of the read model's packs (ADR 0026, third addendum): which member pack holds
// each member's row, which history pack holds its entries, and the few fields queries filter on
// across packs (branch, birth date, conflict; bulk act → history packs). Built once by walking
// every pack (member-store.ts), then kept by the one writer of packs (member-pack-writer.ts) as it
// writes. It locates rows; the rows themselves are always read from IndexedDB, so a watched query
// still sees exactly what is committed.

/**
 * Members per member pack. IndexedDB's cost is per record, so packed rows write many times faster;
 * but a search's page of 50 rows reads up to 50 member packs whole: packs of 100 rows made the
 * search's p95 ~620 ms at 15,000 members (bench, load 12). Ten keeps the records 10× fewer while a
 * page reads 500 rows at most.
 */
export const PACK_MEMBERS = 10;
/**
 * Members whose entries share a history pack. History is read a unit at a time (lists of a kind,
 * bulk acts) or a member at a time (the profile), never for a page of search, so its packs are big:
 * a first sync's history pages, which come after the members, rewrite few records.
 */
export const HISTORY_PACK_MEMBERS = 100;

export interface MemberFacts {
	db: string;
	branchId: string;
	birthDate: string;
	hasConflict: 0 | 1;
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

/** Which pack of one kind holds each member's rows, and each pack's members. */
export class Placement {
	readonly #at = new Map<string, string>();
	readonly #packs = new Map<string, { db: string; owners: Set<string> }>();
	readonly #ofDb = new Map<string, Set<string>>();
	readonly #size: number;

	constructor(size: number) {
		this.#size = size;
	}

	at(memberId: string): string | undefined {
		return this.#at.get(memberId);
	}

	/** Whether a row found in `key` is the member's own (not a stray copy, see note). */
	owns(key: string, memberId: string): boolean {
		const at = this.#at.get(memberId);
		return at === undefined || at === key;
	}

	dbOf(key: string): string | undefined {
		return this.#packs.get(key)?.db;
	}

	/** The members `key` holds. */
	ownersOf(key: string): string[] {
		return [...(this.#packs.get(key)?.owners ?? [])];
	}

	keysOf(db: string): string[] {
		return [...(this.#ofDb.get(db) ?? [])];
	}

	dbs(): string[] {
		return [...this.#ofDb.keys()];
	}

	/**
	 * Takes in what pack `key` holds now (written, or read back); returns the members it held before
	 * and no longer does.
	 */
	note(options: { key: string; db: string; owners: Iterable<string> }): string[] {
		const { key, db } = options;
		const before = this.#packs.get(key)?.owners ?? new Set<string>();
		const owners = new Set<string>();
		for (const id of options.owners) {
			const at = this.#at.get(id);
			// Two tabs folding the same new member at once may each put it in a pack: the first
			// one known keeps it; the other copy is ignored by reads and dropped at its next write.
			if (at !== undefined && at !== key) continue;
			this.#at.set(id, key);
			owners.add(id);
		}
		const left: string[] = [];
		for (const id of before) {
			if (owners.has(id)) continue;
			if (this.#at.get(id) === key) this.#at.delete(id);
			left.push(id);
		}
		this.#packs.set(key, { db, owners });
		let ofDb = this.#ofDb.get(db);
		if (!ofDb) this.#ofDb.set(db, (ofDb = new Set()));
		ofDb.add(key);
		return left;
	}

	/** Forgets pack `key`; returns the members it held. */
	forget(key: string): string[] {
		const pack = this.#packs.get(key);
		if (!pack) return [];
		const left = this.note({ key, db: pack.db, owners: [] });
		this.#packs.delete(key);
		this.#ofDb.get(pack.db)?.delete(key);
		return left;
	}

	/** Where the new members of one write go: the database's last pack while it has room. */
	placer(db: string): PackPlacer {
		let last: string | undefined;
		let top = 0;
		for (const key of this.#ofDb.get(db) ?? []) {
			const n = packNumber(key);
			if (last === undefined || n > top) {
				last = key;
				top = n;
			}
		}
		return new PackPlacer({
			db,
			size: this.#size,
			last,
			top,
			room: last === undefined ? 0 : this.#size - (this.#packs.get(last)?.owners.size ?? 0)
		});
	}
}

export class MemberDirectory {
	readonly members = new Placement(PACK_MEMBERS);
	readonly history = new Placement(HISTORY_PACK_MEMBERS);
	readonly #facts = new Map<string, MemberFacts>();
	/** History pack key → its bulk acts, and bulk act → history pack keys. */
	readonly #bulkIdsOf = new Map<string, Set<string>>();
	readonly #bulkPacks = new Map<string, Set<string>>();

	/** Takes in a member pack as written (or read back); returns the ids whose row it held. */
	noteMembers(pack: MemberPack): string[] {
		const left = this.members.note({
			key: pack.key,
			db: pack.db,
			owners: pack.members.map((row) => row.id)
		});
		for (const id of left) if (this.members.at(id) === undefined) this.#facts.delete(id);
		for (const row of pack.members) {
			if (this.members.at(row.id) === pack.key) this.#facts.set(row.id, factsOf(row));
		}
		return left;
	}

	forgetMembers(key: string): string[] {
		const left = this.members.forget(key);
		for (const id of left) if (this.members.at(id) === undefined) this.#facts.delete(id);
		return left;
	}

	noteHistory(pack: HistoryPack): void {
		this.history.note({
			key: pack.key,
			db: pack.db,
			owners: new Set(pack.history.map((row) => row.memberId))
		});
		this.#unlinkBulk(pack.key);
		const ids = new Set<string>();
		for (const row of pack.history) {
			if (!row.bulkId || !this.history.owns(pack.key, row.memberId)) continue;
			ids.add(row.bulkId);
			let packs = this.#bulkPacks.get(row.bulkId);
			if (!packs) this.#bulkPacks.set(row.bulkId, (packs = new Set()));
			packs.add(pack.key);
		}
		this.#bulkIdsOf.set(pack.key, ids);
	}

	forgetHistory(key: string): void {
		this.history.forget(key);
		this.#unlinkBulk(key);
		this.#bulkIdsOf.delete(key);
	}

	#unlinkBulk(key: string): void {
		for (const bulkId of this.#bulkIdsOf.get(key) ?? []) {
			const packs = this.#bulkPacks.get(bulkId);
			packs?.delete(key);
			if (packs?.size === 0) this.#bulkPacks.delete(bulkId);
		}
	}

	/** Forgets every pack of `db`; returns the member ids whose row was there. */
	forgetDb(db: string): string[] {
		const gone: string[] = [];
		for (const key of this.members.keysOf(db)) gone.push(...this.forgetMembers(key));
		for (const key of this.history.keysOf(db)) this.forgetHistory(key);
		return gone;
	}

	forgetAll(): void {
		for (const db of new Set([...this.members.dbs(), ...this.history.dbs()])) this.forgetDb(db);
	}

	/** Members whose facts pass `keep`: id and member pack key. */
	select(keep: (facts: MemberFacts) => boolean): { id: string; pack: string }[] {
		const found: { id: string; pack: string }[] = [];
		for (const [id, facts] of this.#facts) {
			const pack = this.members.at(id);
			if (pack !== undefined && keep(facts)) found.push({ id, pack });
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
	readonly #size: number;
	#key: string | undefined;
	#top: number;
	#room: number;

	constructor(options: {
		db: string;
		size: number;
		last: string | undefined;
		top: number;
		room: number;
	}) {
		this.#db = options.db;
		this.#size = options.size;
		this.#key = options.last;
		this.#top = options.top;
		this.#room = options.room;
	}

	next(): string {
		if (this.#key === undefined || this.#room <= 0) {
			this.#top++;
			this.#key = packKey({ db: this.#db, n: this.#top });
			this.#room = this.#size;
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
