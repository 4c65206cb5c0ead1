import { foldWords } from '../../src/lib/domain/text';
import { vietnameseSortKey } from '../../src/lib/domain/names';
import type { CouchClient } from '../couch/couch-client';
import { unitStatus, type UnitRecord, type UnitStatus } from '../couch/provision-service';

// The unit directory in memory: every unit's name, kind, status and place in the tree, for the unit
// picker (search by folded name) and for the tree views (children, ancestor paths). It follows the
// directory database's `_changes` feed, so keeping it fresh costs one small request per second at
// most, and thousands of units are searched in a few milliseconds. It holds no member data: the
// directory database has none.

export interface DirectoryEntry {
	id: string;
	name: string;
	kind: string;
	status: UnitStatus;
	/** Ancestor names from the top down, joined by " › ". */
	path: string;
	mergedInto?: string;
	/** Set when the query matched a name the unit had before (e.g. a commune merged in 2025). */
	formerName?: string;
}

interface Indexed {
	record: UnitRecord;
	/** Folded words of the current name, joined by single spaces. */
	haystack: string;
	/** The same for each earlier name. */
	former: { name: string; haystack: string }[];
	sortKey: string;
}

type Seq = string | number;

export class DirectoryIndex {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #maxAgeMs: number;
	readonly #units = new Map<string, Indexed>();
	#children = new Map<string, Set<string>>();
	#childrenStale = true;
	#seq: Seq = 0;
	#refreshedAt = 0;
	#pending: Promise<void> | undefined;

	constructor(options: { couch: CouchClient; db: string; maxAgeMs?: number }) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#maxAgeMs = options.maxAgeMs ?? 1000;
	}

	/** Catches up with the directory unless it did so less than `maxAgeMs` ago. */
	async fresh(): Promise<void> {
		if (Date.now() - this.#refreshedAt < this.#maxAgeMs) return;
		await this.refresh();
	}

	/** Catches up with the directory now (after a change this process made). */
	refresh(): Promise<void> {
		// One catch-up at a time; callers arriving meanwhile wait for it and then run their own, so a
		// change made just before the call is always seen.
		const run = (this.#pending ?? Promise.resolve()).then(() => this.#catchUp());
		this.#pending = run.finally(() => {
			if (this.#pending === run) this.#pending = undefined;
		});
		return run;
	}

	async #catchUp(): Promise<void> {
		const started = Date.now();
		for (;;) {
			const page = await this.#couch.json<{
				results: { id: string; deleted?: boolean; doc?: UnitRecord }[];
				last_seq: Seq;
			}>({
				path: `${encodeURIComponent(this.#db)}/_changes`,
				query: { since: String(this.#seq), include_docs: true, limit: 2000 }
			});
			for (const change of page.results) {
				if (!change.id.startsWith('unit:')) continue;
				if (change.deleted || !change.doc || change.doc.type !== 'unit') {
					this.#units.delete(change.id.slice(5));
				} else {
					this.#units.set(change.doc.id, index(change.doc));
				}
				this.#childrenStale = true;
			}
			this.#seq = page.last_seq;
			if (page.results.length < 2000) break;
		}
		this.#refreshedAt = started;
	}

	get(id: string): UnitRecord | undefined {
		return this.#units.get(id)?.record;
	}

	get size(): number {
		return this.#units.size;
	}

	/** Direct subordinates, in Vietnamese name order. */
	children(id: string): UnitRecord[] {
		if (this.#childrenStale) {
			this.#children = new Map();
			for (const { record } of this.#units.values()) {
				if (!record.parentId) continue;
				const set = this.#children.get(record.parentId) ?? new Set<string>();
				set.add(record.id);
				this.#children.set(record.parentId, set);
			}
			this.#childrenStale = false;
		}
		return [...(this.#children.get(id) ?? [])]
			.flatMap((childId) => {
				const entry = this.#units.get(childId);
				return entry ? [entry] : [];
			})
			.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
			.map((entry) => entry.record);
	}

	path(record: Pick<UnitRecord, 'ancestors'>): string {
		return record.ancestors.map((id) => this.#units.get(id)?.record.name ?? id).join(' › ');
	}

	/**
	 * Units whose folded name contains every folded word of the query. Ranked as docs/domain.md §5 asks:
	 * the exact name, then the query as whole words ("số 12" before "số 1012"), then every word the
	 * start of a word of the name, then anywhere; former names after current ones; active units
	 * before merged and dissolved ones.
	 */
	search(options: { q: string; limit: number }): DirectoryEntry[] {
		const words = foldWords(options.q);
		if (words.length === 0) return [];
		const phrase = words.join(' ');
		const hits: { entry: Indexed; rank: number; formerName?: string }[] = [];
		for (const entry of this.#units.values()) {
			let rank: number | undefined;
			let formerName: string | undefined;
			const current = rankName(entry.haystack, words, phrase);
			if (current !== undefined) {
				rank = current;
			} else {
				for (const name of entry.former) {
					const former = rankName(name.haystack, words, phrase);
					if (former !== undefined && (rank === undefined || former + 4 < rank)) {
						rank = former + 4;
						formerName = name.name;
					}
				}
			}
			if (rank === undefined) continue;
			if (unitStatus(entry.record) !== 'active') rank += 10;
			hits.push({ entry, rank, ...(formerName ? { formerName } : {}) });
		}
		hits.sort(
			(a, b) =>
				a.rank - b.rank ||
				(a.entry.sortKey < b.entry.sortKey ? -1 : a.entry.sortKey > b.entry.sortKey ? 1 : 0)
		);
		return hits.slice(0, options.limit).map(({ entry, formerName }) => {
			const { record } = entry;
			return {
				id: record.id,
				name: record.name,
				kind: record.kind,
				status: unitStatus(record),
				path: this.path(record),
				...(record.mergedInto ? { mergedInto: record.mergedInto } : {}),
				...(formerName ? { formerName } : {})
			};
		});
	}
}

/** 0 exact, 1 whole words, 2 word starts, 3 anywhere; undefined when some word is missing. */
function rankName(haystack: string, words: string[], phrase: string): number | undefined {
	if (!words.every((word) => haystack.includes(word))) return undefined;
	if (haystack === phrase) return 0;
	if (` ${haystack} `.includes(` ${phrase} `)) return 1;
	const nameWords = haystack.split(' ');
	if (words.every((word) => nameWords.some((nameWord) => nameWord.startsWith(word)))) return 2;
	return 3;
}

function index(record: UnitRecord): Indexed {
	const formerNames = [
		...new Set(
			(record.nameHistory ?? []).map((entry) => entry.name).filter((n) => n !== record.name)
		)
	];
	return {
		record,
		haystack: foldWords(record.name).join(' '),
		former: formerNames.map((name) => ({ name, haystack: foldWords(name).join(' ') })),
		sortKey: vietnameseSortKey(record.name)
	};
}
