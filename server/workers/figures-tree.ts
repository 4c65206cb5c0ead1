import type { CouchClient } from '../couch/couch-client';
import { unitStatus, type UnitRecord } from '../couch/provision-service';

// The figures worker's copy of the unit tree, followed from the directory database's `_changes`
// (its own sequence, in memory): each catch-up says which units appeared, went, or changed place,
// name, kind or status — what decides which figures must be rebuilt and where old copies must go.

type Seq = string | number;

export interface TreeChange {
	before: UnitRecord | undefined;
	after: UnitRecord | undefined;
}

function shape(record: UnitRecord): string {
	return JSON.stringify([
		record.parentId,
		record.ancestors,
		record.name,
		record.kind,
		unitStatus(record)
	]);
}

export class FiguresTree {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #units = new Map<string, UnitRecord>();
	#children: Map<string, string[]> | undefined;
	#seq: Seq | undefined;

	constructor(options: { couch: CouchClient; db: string }) {
		this.#couch = options.couch;
		this.#db = options.db;
	}

	/** Whether the whole directory has been read once in this process. */
	get loaded(): boolean {
		return this.#seq !== undefined;
	}

	get(id: string): UnitRecord | undefined {
		return this.#units.get(id);
	}

	all(): UnitRecord[] {
		return [...this.#units.values()];
	}

	/** Units at the top of the tree (no parent, or a parent the directory does not list). */
	roots(): UnitRecord[] {
		return this.all().filter((unit) => !unit.parentId || !this.#units.has(unit.parentId));
	}

	/**
	 * Direct subordinates whose figures add into this unit's: active ones only (a merged unit's
	 * members moved to the unit it merged into, a dissolved unit keeps none on the rolls).
	 */
	children(id: string): string[] {
		if (!this.#children) {
			const map = new Map<string, string[]>();
			for (const unit of this.#units.values()) {
				if (!unit.parentId || unitStatus(unit) !== 'active') continue;
				const list = map.get(unit.parentId) ?? [];
				list.push(unit.id);
				map.set(unit.parentId, list);
			}
			for (const list of map.values()) list.sort();
			this.#children = map;
		}
		return this.#children.get(id) ?? [];
	}

	/** Ancestors the directory lists, the top first. */
	ancestors(record: UnitRecord): string[] {
		return record.ancestors.filter((id) => this.#units.has(id));
	}

	/** Reads the directory's changes; returns the units whose place in the tree changed. */
	async catchUp(): Promise<TreeChange[]> {
		const changes: TreeChange[] = [];
		const full = this.#seq === undefined;
		const seen = new Set<string>();
		let since: Seq = this.#seq ?? 0;
		for (;;) {
			const page = await this.#couch.json<{
				results: { id: string; deleted?: boolean; doc?: UnitRecord }[];
				last_seq: Seq;
			}>({
				path: `${encodeURIComponent(this.#db)}/_changes`,
				query: { since: String(since), include_docs: true, limit: 2000 },
				what: `${this.#db}/_changes`
			});
			for (const row of page.results) {
				if (!row.id.startsWith('unit:')) continue;
				const id = row.id.slice(5);
				seen.add(id);
				const before = this.#units.get(id);
				const after =
					!row.deleted && row.doc && row.doc.type === 'unit' && row.doc.db ? row.doc : undefined;
				if (after) this.#units.set(id, after);
				else this.#units.delete(id);
				if (!before && !after) continue;
				if (before && after && shape(before) === shape(after)) continue;
				changes.push({ before, after });
				this.#children = undefined;
			}
			since = page.last_seq;
			if (page.results.length < 2000) break;
		}
		if (full) {
			// A whole reading: units the directory no longer lists go.
			for (const [id, before] of this.#units) {
				if (seen.has(id)) continue;
				this.#units.delete(id);
				changes.push({ before, after: undefined });
				this.#children = undefined;
			}
		}
		this.#seq = since;
		return changes;
	}
}
