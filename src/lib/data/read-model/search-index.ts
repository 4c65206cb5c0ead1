import { normaliseSearchQuery } from '$lib/domain/member-search';
import { onMemberRowWrites, type MemberRowWrite } from './member-row-writes';
import { getMemberRows, walkMemberRows } from './member-store';
import type { MemberRow } from '$lib/data/store/device-db';

// Name search over tens of thousands of members cannot ask IndexedDB: a one-letter query matches a
// third of them, and reading those rows back is most of a second. So what search and the list's
// filters look at (IndexedMember: names folded, sort key, status, branch, birth date; not the
// whole row) is kept here, in memory, in name order; a search walks it and reads only its page's
// ~50 rows from IndexedDB by id. Every write to the member rows (this tab's or another's, see
// member-row-writes.ts) is folded in as it is made, from the rows written when this tab wrote them,
// else by reading those rows again, so the index is never staler than the table and is ready
// when the list is: the indexer's first sync builds it batch by batch, and a device that opens with
// a filled read model builds it once, in the background, when its indexer starts
// (warmMemberSearchIndex), not on the first keystroke.

/** A member row with what search, lists and filters look at. */
export interface IndexedMember {
	id: string;
	db: string;
	sortKey: string;
	status: string;
	branchId: string;
	minority: 0 | 1;
	birthDate: string;
	nameWords: string[];
	/** The full name as rankMemberMatch compares it (folded words, single spaces). */
	full: string;
	/** The given name, likewise. */
	given: string;
	/** The numbers a member is looked up by (absent when empty): no IndexedDB index since v6. */
	citizenId?: string;
	phone?: string;
	cardNumber?: string;
}

/** A number to look members up by: whole (`equals`) or its first digits (`startsWith`). */
export interface NumberLookup {
	citizenId?: string;
	phone?: string;
	cardNumber?: string;
	match: 'equals' | 'startsWith';
}

/** Which members a list or search keeps besides their database (the screen's filters). */
export type KeepMember = (member: IndexedMember) => boolean;

export interface IndexPage {
	/** The page's members, as fresh as the index: their rows are read by id. */
	ids: string[];
	total: number;
}

/** Up to this many members a patch splices into the ordered lists at once (see patch). */
const SPLICE_AT_MOST = 16;

function toIndexed(row: MemberRow): IndexedMember {
	const member: IndexedMember = {
		id: row.id,
		db: row.db,
		sortKey: row.sortKey,
		status: row.status,
		branchId: row.branchId,
		minority: row.minority,
		birthDate: row.birthDate,
		nameWords: row.nameWords,
		full: normaliseSearchQuery(row.fullName),
		given: normaliseSearchQuery(row.givenName)
	};
	if (row.citizenId) member.citizenId = row.citizenId;
	if (row.phone) member.phone = row.phone;
	if (row.cardNumber) member.cardNumber = row.cardNumber;
	return member;
}

function numberMatches(value: string | undefined, wanted: string | undefined, whole: boolean) {
	if (!value || !wanted) return false;
	return whole ? value === wanted : value.startsWith(wanted);
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The order of the [db+sortKey] index within one database: name, then id. */
function compareMembers(a: IndexedMember, b: IndexedMember): number {
	return compareText(a.sortKey, b.sortKey) || compareText(a.id, b.id);
}

function firstLetters(member: IndexedMember): Set<string> {
	return new Set(member.nameWords.map((word) => word[0] ?? ''));
}

/** Where `member` is or would go in a list ordered by compareMembers. */
function position(list: IndexedMember[], member: IndexedMember): number {
	let low = 0;
	let high = list.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (compareMembers(list[mid]!, member) < 0) low = mid + 1;
		else high = mid;
	}
	return low;
}

/**
 * `list` without the members in `gone`, with `added` (in order) merged in. Each added member's
 * place is found by binary search and the runs of the list between them are copied whole
 * (natively): a sync's page of a few hundred members costs a copy of the list, not a comparison
 * per member of it — at 75,000 members, the difference between a millisecond and tens per page.
 */
function merged(
	list: IndexedMember[],
	gone: Set<IndexedMember>,
	added: IndexedMember[]
): IndexedMember[] {
	const kept = gone.size ? list.filter((member) => !gone.has(member)) : list;
	if (added.length === 0) return kept;
	// Many members at once (merged batches, a build): one walk of both lists, no binary searches,
	// and no call with one argument per piece (an engine caps a call's arguments).
	if (added.length > kept.length / 16) return mergedWalk(kept, added);
	const pieces: (IndexedMember | IndexedMember[])[] = [];
	let from = 0;
	for (const member of added) {
		const at = position(kept, member);
		if (at > from) pieces.push(kept.slice(from, at));
		pieces.push(member);
		from = Math.max(from, at);
	}
	if (from < kept.length) pieces.push(kept.slice(from));
	return ([] as IndexedMember[]).concat(...pieces);
}

/** Two lists ordered by compareMembers as one (`added` before its equal in `kept`, if any). */
function mergedWalk(kept: IndexedMember[], added: IndexedMember[]): IndexedMember[] {
	const out = new Array<IndexedMember>(kept.length + added.length);
	let i = 0;
	let j = 0;
	let k = 0;
	while (i < kept.length && j < added.length) {
		out[k++] = compareMembers(added[j]!, kept[i]!) <= 0 ? added[j++]! : kept[i++]!;
	}
	while (i < kept.length) out[k++] = kept[i++]!;
	while (j < added.length) out[k++] = added[j++]!;
	return out;
}

/**
 * Keeps a list's first `take` members, and past them any that tie with the last one kept on the
 * name: those are then ordered by something other than the walk's order, and one of them may
 * belong on the page.
 */
function keepFirst(list: IndexedMember[], member: IndexedMember, take: number): void {
	const last = list[list.length - 1];
	if (list.length < take || (last !== undefined && last.sortKey === member.sortKey)) {
		list.push(member);
	}
}

/**
 * The name word IndexedDB's *nameWords index would have met the member under first, when the old
 * search walked it from `pivot`: members with the same name came back in that order.
 */
function firstWordFrom(member: IndexedMember, pivot: string): string {
	let first: string | undefined;
	for (const word of member.nameWords) {
		if (word.startsWith(pivot) && (first === undefined || word < first)) first = word;
	}
	return first ?? '';
}

/** Each query word starts a word of the name: "ng tr" finds Nguyễn Thị Trang. */
function wordsMatch(member: IndexedMember, words: string[]): boolean {
	return words.every((w) => member.nameWords.some((n) => n.startsWith(w)));
}

/** The query word the old search looked up in IndexedDB (the longest, the first of equals). */
function pivotOf(words: string[]): string {
	return [...words].sort((a, b) => b.length - a.length)[0] ?? '';
}

export class MemberSearchIndex {
	readonly #byId = new Map<string, IndexedMember>();
	/** Every member, by compareMembers. */
	#order: IndexedMember[] = [];
	/** By the first letter of each name word, in the same order: a name query walks one. */
	#byLetter = new Map<string, IndexedMember[]>();
	/** Taken in by patch, not yet in #order and #byLetter (by id). */
	#added = new Map<string, IndexedMember>();
	/** In #order and #byLetter, replaced or deleted since: to be taken out. */
	#gone = new Set<IndexedMember>();

	constructor(rows: MemberRow[]) {
		for (const row of rows) this.#byId.set(row.id, toIndexed(row));
		this.#reorder();
	}

	get size(): number {
		return this.#byId.size;
	}

	#reorder(): void {
		this.#order = [...this.#byId.values()].sort(compareMembers);
		this.#byLetter = new Map();
		for (const member of this.#order) {
			for (const letter of firstLetters(member)) {
				let list = this.#byLetter.get(letter);
				if (!list) this.#byLetter.set(letter, (list = []));
				list.push(member);
			}
		}
	}

	#lists(member: IndexedMember): IndexedMember[][] {
		const lists = [this.#order];
		for (const letter of firstLetters(member)) {
			let list = this.#byLetter.get(letter);
			if (!list) this.#byLetter.set(letter, (list = []));
			lists.push(list);
		}
		return lists;
	}

	/** Replaces the members `ids` with `rows` (undefined: the row is gone). */
	patch(ids: string[], rows: (MemberRow | undefined)[]): void {
		// A few members (an edit, a small sync) are spliced in at once: linear per member.
		if (ids.length <= SPLICE_AT_MOST && this.#added.size === 0 && this.#gone.size === 0) {
			ids.forEach((id, i) => {
				const old = this.#byId.get(id);
				if (old) {
					this.#byId.delete(id);
					for (const list of this.#lists(old)) list.splice(position(list, old), 1);
				}
				const row = rows[i];
				if (row) {
					const member = toIndexed(row);
					this.#byId.set(id, member);
					for (const list of this.#lists(member)) list.splice(position(list, member), 0, member);
				}
			});
			return;
		}
		// A batch is taken into #byId now and merged into the ordered lists later, many batches in
		// one pass (#settle): merging is a copy of every list, so merging each page of a first sync
		// as it came cost a copy per page — seconds of the main thread at 75,000 members.
		ids.forEach((id, i) => {
			const old = this.#byId.get(id);
			if (old) {
				this.#byId.delete(id);
				// Still waiting to be merged: it was never in the lists.
				if (this.#added.get(id) === old) this.#added.delete(id);
				else this.#gone.add(old);
			}
			const row = rows[i];
			// The last write of an id wins.
			if (row) {
				const member = toIndexed(row);
				this.#byId.set(id, member);
				this.#added.set(id, member);
			}
		});
	}

	/** Batches taken in but not yet merged into the ordered lists (see #settle). */
	get unmerged(): number {
		return this.#added.size + this.#gone.size;
	}

	/** Merges the batches taken in since the last merge into the ordered lists, in one pass. */
	settle(): void {
		if (this.#added.size === 0 && this.#gone.size === 0) return;
		const gone = this.#gone;
		const sorted = [...this.#added.values()].sort(compareMembers);
		this.#gone = new Set();
		this.#added = new Map();
		this.#order = merged(this.#order, gone, sorted);
		const byLetter = new Map<string, IndexedMember[]>();
		for (const member of sorted) {
			for (const letter of firstLetters(member)) {
				let list = byLetter.get(letter);
				if (!list) byLetter.set(letter, (list = []));
				list.push(member);
			}
		}
		const touched = new Set(byLetter.keys());
		for (const member of gone) for (const letter of firstLetters(member)) touched.add(letter);
		for (const letter of touched) {
			this.#byLetter.set(
				letter,
				merged(this.#byLetter.get(letter) ?? [], gone, byLetter.get(letter) ?? [])
			);
		}
	}

	/**
	 * The members of `dbs` that `keep` keeps, in name order; members with the same name in the
	 * order of their databases in `dbs`, then by id.
	 */
	list(options: { dbs: string[]; keep: KeepMember; offset: number; limit: number }): IndexPage {
		this.settle();
		const { keep, offset } = options;
		const take = offset + options.limit;
		const dbRank = new Map<string, number>();
		options.dbs.forEach((db, i) => {
			if (!dbRank.has(db)) dbRank.set(db, i);
		});
		const kept: IndexedMember[] = [];
		let total = 0;
		for (const member of this.#order) {
			if (!dbRank.has(member.db) || !keep(member)) continue;
			total++;
			keepFirst(kept, member, take);
		}
		kept.sort(
			(a, b) =>
				compareText(a.sortKey, b.sortKey) ||
				dbRank.get(a.db)! - dbRank.get(b.db)! ||
				compareText(a.id, b.id)
		);
		return { ids: kept.slice(offset, take).map((m) => m.id), total };
	}

	/**
	 * Members every one of whose query `words` starts a word of the name, ranked as
	 * rankMemberMatch ranks a name query they match: 0 the full name exactly, 1 the given name
	 * starts with the query, 2 the rest; each rank in name order.
	 */
	findByName(options: {
		dbs: string[];
		words: string[];
		keep: KeepMember;
		offset: number;
		limit: number;
	}): IndexPage {
		this.settle();
		const { words, keep, offset } = options;
		const take = offset + options.limit;
		const dbs = new Set(options.dbs);
		const pivot = pivotOf(words);
		const text = words.join(' ');
		const ranks: IndexedMember[][] = [[], [], []];
		let total = 0;
		for (const member of this.#byLetter.get(pivot[0] ?? '') ?? []) {
			if (!dbs.has(member.db) || !keep(member) || !wordsMatch(member, words)) continue;
			total++;
			const rank = member.full === text ? 0 : member.given.startsWith(text) ? 1 : 2;
			keepFirst(ranks[rank]!, member, take);
		}
		const ranked: IndexedMember[] = [];
		for (const list of ranks) {
			list.sort(
				(a, b) =>
					compareText(a.sortKey, b.sortKey) ||
					compareText(firstWordFrom(a, pivot), firstWordFrom(b, pivot)) ||
					compareText(a.id, b.id)
			);
			ranked.push(...list.slice(0, take - ranked.length));
			if (ranked.length >= take) break;
		}
		return { ids: ranked.slice(offset, take).map((m) => m.id), total };
	}

	/**
	 * Members (of any database) whose citizen id, phone or card number is or starts with the one
	 * given, in name order. A walk of every member: a few milliseconds at 75,000, and numbers are
	 * looked up far less often than rows are written (each IndexedDB index slowed every write).
	 */
	withNumber(lookup: NumberLookup): IndexedMember[] {
		this.settle();
		const whole = lookup.match === 'equals';
		return this.#order.filter(
			(m) =>
				numberMatches(m.citizenId, lookup.citizenId, whole) ||
				numberMatches(m.phone, lookup.phone, whole) ||
				numberMatches(m.cardNumber, lookup.cardNumber, whole)
		);
	}

	/**
	 * Every member a name query matches, in the order rankMemberMatch's ties keep (name, then the
	 * order IndexedDB's name-word index returned them in): for queries that rankMemberMatch also
	 * reads as numbers, which need the whole rows to rank (read by id: such matches are few).
	 */
	allByName(options: { dbs: string[]; words: string[]; keep: KeepMember }): IndexedMember[] {
		this.settle();
		const { words, keep } = options;
		const dbs = new Set(options.dbs);
		const pivot = pivotOf(words);
		const matches = (this.#byLetter.get(pivot[0] ?? '') ?? []).filter(
			(member) => dbs.has(member.db) && keep(member) && wordsMatch(member, words)
		);
		return matches.sort(
			(a, b) =>
				compareText(a.sortKey, b.sortKey) ||
				compareText(firstWordFrom(a, pivot), firstWordFrom(b, pivot)) ||
				compareText(a.id, b.id)
		);
	}
}

// --- Keeping it fresh ----------------------------------------------------------------------------

let index: MemberSearchIndex | null = null;
let refreshing: Promise<void> | null = null;
let rebuildWanted = false;
/** What was written since the index last took it in: the row, undefined when deleted, or READ. */
const READ = Symbol('read again');
let pending = new Map<string, MemberRow | undefined | typeof READ>();
/** Writes told so far, and how many of them the index reflects. */
let written = 0;
let applied = 0;
let builds = 0;
let catchUpTimer: ReturnType<typeof setTimeout> | undefined;

onMemberRowWrites((write: MemberRowWrite) => {
	written++;
	// Not built and not building: the build reads everything anyway.
	if (!index && !refreshing) return;
	if ('all' in write) rebuildWanted = true;
	else {
		write.ids.forEach((id, i) => pending.set(id, write.rows ? write.rows[i] : READ));
	}
	keepUp();
});

/**
 * Takes writes in soon after they are told, without waiting for a search: a first sync's batches
 * are then in the index by the time the list shows them, and a search right after the sync finds
 * nothing left to do.
 */
function keepUp(): void {
	if (catchUpTimer !== undefined) return;
	catchUpTimer = setTimeout(() => {
		catchUpTimer = undefined;
		memberSearchIndex().catch((error) => console.error('Lỗi cập nhật chỉ mục tìm kiếm', error));
	}, 0);
}

/**
 * Batches wait to be merged into the index's ordered lists (MemberSearchIndex.settle) until the
 * writes pause for SETTLE_QUIET_MS, or until they hold a quarter of the index (each merge copies
 * the lists, so a first sync merges a few times, not once per page); a search merges first.
 */
const SETTLE_QUIET_MS = 50;
let settleTimer: ReturnType<typeof setTimeout> | undefined;

function settleSoon(target: MemberSearchIndex): void {
	clearTimeout(settleTimer);
	settleTimer = undefined;
	if (target.unmerged === 0) return;
	if (target.unmerged >= Math.max(1000, target.size / 4)) {
		target.settle();
		return;
	}
	settleTimer = setTimeout(() => {
		settleTimer = undefined;
		target.settle();
	}, SETTLE_QUIET_MS);
}

/**
 * Every member row, a pack walk's chunk at a time (one transaction over 75,000 rows would hold up
 * every other); the same walk builds the packs' directory when it is not built (member-store.ts).
 */
async function build(): Promise<MemberSearchIndex> {
	const built = new MemberSearchIndex([]);
	// Only what search needs is kept: the rows themselves are let go chunk by chunk.
	await walkMemberRows((rows) =>
		built.patch(
			rows.map((row) => row.id),
			rows
		)
	);
	// One merge of every chunk: the index is ready when the build resolves.
	built.settle();
	return built;
}

async function refresh(): Promise<void> {
	const upTo = written;
	if (!index || rebuildWanted) {
		rebuildWanted = false;
		pending = new Map();
		try {
			index = await build();
			builds++;
		} catch (error) {
			rebuildWanted = true;
			throw error;
		}
	} else {
		const taken = pending;
		pending = new Map();
		const ids = [...taken.keys()];
		const reread = ids.filter((id) => taken.get(id) === READ);
		try {
			const read = new Map<string, MemberRow | undefined>();
			if (reread.length) {
				const rows = await getMemberRows(reread);
				reread.forEach((id, i) => read.set(id, rows[i]));
			}
			index.patch(
				ids,
				ids.map((id) => {
					const known = taken.get(id);
					return known === READ ? read.get(id) : known;
				})
			);
			settleSoon(index);
		} catch (error) {
			for (const id of ids) if (!pending.has(id)) pending.set(id, READ);
			throw error;
		}
	}
	applied = upTo;
}

/**
 * The index, holding every write told before this call: built on first use (a search while it
 * builds waits for it), then kept up to date as rows are written.
 */
export async function memberSearchIndex(): Promise<MemberSearchIndex> {
	const wanted = written;
	for (;;) {
		if (refreshing) {
			await refreshing;
			continue;
		}
		// A rebuild or rows asked for by writes after this call began can wait for the next one.
		if (index && applied >= wanted) return index;
		refreshing = refresh().finally(() => {
			refreshing = null;
		});
	}
}

/**
 * Builds the index now, in the background, if it is not built: called when an indexer starts, so
 * that the index is filled with the list rather than on the first search.
 */
export function warmMemberSearchIndex(): void {
	if (index || refreshing) return;
	memberSearchIndex().catch((error) => console.error('Lỗi dựng chỉ mục tìm kiếm', error));
}

/** How many times the index was built from scratch, and how many members it holds (for tests). */
export function memberSearchIndexStats(): { builds: number; members: number } {
	return { builds, members: index?.size ?? 0 };
}

/**
 * Whether a search now would be answered at once: `ready` when the index is built and holds every
 * write told so far (nothing to build or read first). For tests and the bench.
 */
export function searchIndexState(): { ready: boolean; members: number; builds: number } {
	return {
		ready:
			index !== null &&
			!refreshing &&
			!rebuildWanted &&
			applied >= written &&
			index.unmerged === 0,
		members: index?.size ?? 0,
		builds
	};
}

/**
 * An answer read from this index depends on the member rows though it reads none of them from
 * IndexedDB: a query that calls this first (before awaiting anything else) is run again by
 * watchQuery (watch.ts) after any write to the member rows, as if it had read them all.
 */
export { dependOnMemberRows } from './member-store';

/**
 * The member rows whose citizen id, phone or card number is (or starts with) the one given, in
 * name order, read by id and checked again on the rows themselves (the index may briefly hold a
 * write that is then rolled back). In a live query, call dependOnMemberRows() first.
 */
export async function membersWithNumber(lookup: NumberLookup): Promise<MemberRow[]> {
	const whole = lookup.match === 'equals';
	const found = (await memberSearchIndex()).withNumber(lookup);
	const rows = await pageRows(found.map((member) => member.id));
	return rows.filter(
		(row) =>
			numberMatches(row.citizenId, lookup.citizenId, whole) ||
			numberMatches(row.phone, lookup.phone, whole) ||
			numberMatches(row.cardNumber, lookup.cardNumber, whole)
	);
}

/** The rows of a page found in the index, in its order (a row deleted meanwhile is left out). */
export async function pageRows(ids: string[]): Promise<MemberRow[]> {
	const rows = await getMemberRows(ids);
	return rows.filter((row): row is MemberRow => row !== undefined);
}
