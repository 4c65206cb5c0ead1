import type { CouchClient } from '../couch/couch-client';
import type { FiguresDoc } from '../../src/lib/domain/figures';

// Where the figures worker writes: each `figures:<unit>` document into the unit's own database and
// every ancestor's. A copy is written only when its content changed (timestamps and revision left
// out of the comparison), so an idle tree costs nothing and the worker's own writes never wake it
// (they are admin writes that do not go through the proxy, so nothing records them in
// `doanvu_dbupdates` either). What was last written is remembered (revision and content), so an
// unchanged copy costs no request at all; a copy changed by someone else (a restore, another
// process) is read again on the conflict.

type Stored = FiguresDoc & { _rev?: string; _deleted?: boolean };

/** The content that matters: every field but the revision and the timestamps. */
export function figuresContent(doc: Partial<FiguresDoc>): string {
	const {
		_rev: _r,
		computedAt: _c,
		createdAt: _ca,
		updatedAt: _u,
		...rest
	} = doc as Partial<FiguresDoc> & { _rev?: string };
	return JSON.stringify(sortKeys(rest));
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value as Record<string, unknown>)
				.filter(([, item]) => item !== undefined)
				.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
				.map(([key, item]) => [key, sortKeys(item)])
		);
	}
	return value;
}

export interface WriteOutcome {
	written: number;
	deleted: number;
}

export class FiguresStore {
	readonly #couch: CouchClient;
	/** `<db>|<id>` → what this process last wrote or read there. */
	readonly #known = new Map<string, { rev: string; content: string; createdAt: string }>();

	constructor(options: { couch: CouchClient }) {
		this.#couch = options.couch;
	}

	/** Another process may have written meanwhile (the lease lapsed): what is remembered goes. */
	forget(): void {
		this.#known.clear();
	}

	/** Every figures document a database holds (a top unit's holds its whole tree's). */
	async readAll(db: string): Promise<FiguresDoc[]> {
		const docs: FiguresDoc[] = [];
		let startkey = 'figures:';
		for (;;) {
			const rows = await this.#couch.allDocs<Stored>({
				db,
				startkey,
				endkey: 'figures:\ufff0',
				limit: 501,
				includeDocs: true
			});
			for (const row of rows.slice(0, 500)) {
				if (!row.doc || row.doc.type !== 'figures') continue;
				this.#remember(db, row.doc);
				docs.push(row.doc);
			}
			if (rows.length <= 500) return docs;
			startkey = rows[500]!.id;
		}
	}

	/** The figures documents of these ids in one database (missing ones left out). */
	async read(db: string, ids: string[]): Promise<FiguresDoc[]> {
		if (ids.length === 0) return [];
		const rows = await this.#couch.allDocs<Stored>({ db, keys: ids, includeDocs: true });
		const docs: FiguresDoc[] = [];
		for (const row of rows) {
			if (!row.doc || row.doc.type !== 'figures') continue;
			this.#remember(db, row.doc);
			docs.push(row.doc);
		}
		return docs;
	}

	/**
	 * Writes these documents into one database where their content changed, and deletes the
	 * `figures:` documents of `remove` (units no longer beneath this database's unit).
	 */
	async write(options: {
		db: string;
		docs: FiguresDoc[];
		remove?: string[];
	}): Promise<WriteOutcome> {
		const { db } = options;
		const remove = options.remove ?? [];
		const pending = options.docs.filter(
			(doc) => this.#known.get(`${db}|${doc._id}`)?.content !== figuresContent(doc)
		);
		if (pending.length === 0 && remove.length === 0) return { written: 0, deleted: 0 };
		// What is not remembered is read first: a copy already right is not written again.
		const unknown = [...pending.map((doc) => doc._id), ...remove].filter(
			(id) => !this.#known.has(`${db}|${id}`)
		);
		if (unknown.length > 0) await this.#readRevs(db, unknown);
		let written = 0;
		let deleted = 0;
		for (let attempt = 0; attempt < 3; attempt++) {
			const batch: Stored[] = [];
			for (const doc of pending) {
				const known = this.#known.get(`${db}|${doc._id}`);
				if (known?.content === figuresContent(doc)) continue;
				batch.push({
					...doc,
					...(known ? { _rev: known.rev, createdAt: known.createdAt } : {})
				});
			}
			for (const id of remove) {
				const known = this.#known.get(`${db}|${id}`);
				if (known) batch.push({ _id: id, _rev: known.rev, _deleted: true } as Stored);
			}
			if (batch.length === 0) break;
			const results = await this.#couch.bulkDocs({ db, docs: batch });
			const conflicted: string[] = [];
			results.forEach((result, index) => {
				const doc = batch[index]!;
				if (result.ok && result.rev) {
					if (doc._deleted) {
						this.#known.delete(`${db}|${doc._id}`);
						deleted++;
					} else {
						this.#remember(db, { ...doc, _rev: result.rev });
						written++;
					}
				} else if (result.error === 'conflict') conflicted.push(doc._id);
				else throw new Error(`figures: ${db}/${doc._id}: ${result.error} (${result.reason})`);
			});
			if (conflicted.length === 0) break;
			for (const id of conflicted) this.#known.delete(`${db}|${id}`);
			await this.#readRevs(db, conflicted);
		}
		return { written, deleted };
	}

	async #readRevs(db: string, ids: string[]): Promise<void> {
		const rows = await this.#couch.allDocs<Stored>({ db, keys: ids, includeDocs: true });
		for (const row of rows) {
			if (row.doc && !row.value?.deleted) this.#remember(db, row.doc);
		}
	}

	#remember(db: string, doc: Stored): void {
		if (!doc._rev) return;
		if (this.#known.size > 200_000) this.#known.clear();
		this.#known.set(`${db}|${doc._id}`, {
			rev: doc._rev,
			content: figuresContent(doc),
			createdAt: doc.createdAt
		});
	}
}
