import type { CouchClient } from './couch-client';

// Which unit databases changed (docs/architecture.md, "How workers learn which databases changed"):
// the embedded store has no `_db_updates`, so the /couch proxy and the server's own writers record
// each unit database they write to as one `db:<name>` document in the admin-only `doanvu_dbupdates`
// database, at most once a second per database. Workers follow that database's `_changes` feed to
// know where to look, then each changed database's own `_changes` from their checkpoint. Best effort
// by design: a lost touch only delays a worker until its next sweep.

type Seq = string | number;

export class DbUpdates {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #minIntervalMs: number;
	readonly #touched = new Map<string, number>();
	readonly #revs = new Map<string, string>();
	readonly #trailing = new Map<string, NodeJS.Timeout>();
	#closed = false;

	constructor(options: { couch: CouchClient; db: string; minIntervalMs?: number }) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#minIntervalMs = options.minIntervalMs ?? 1000;
	}

	get db(): string {
		return this.#db;
	}

	/**
	 * Records that `db` was written to; never throws, never waits for CouchDB. A write within the
	 * interval is recorded at its end: a worker that caught up after the first record still learns
	 * of the last write within a second.
	 */
	touch(db: string): void {
		if (this.#closed) return;
		const now = Date.now();
		const last = this.#touched.get(db) ?? 0;
		if (now - last < this.#minIntervalMs) {
			if (!this.#trailing.has(db)) {
				const timer = setTimeout(
					() => {
						this.#trailing.delete(db);
						this.touch(db);
					},
					last + this.#minIntervalMs - now
				);
				timer.unref();
				this.#trailing.set(db, timer);
			}
			return;
		}
		if (this.#touched.size > 50_000) this.#touched.clear();
		this.#touched.set(db, now);
		this.#write(db, now).catch(() => {
			// Best effort (see above).
		});
	}

	/** Stops recording (the server is closing): pending end-of-interval records are dropped. */
	close(): void {
		this.#closed = true;
		for (const timer of this.#trailing.values()) clearTimeout(timer);
		this.#trailing.clear();
	}

	async #write(db: string, now: number): Promise<void> {
		const id = `db:${db}`;
		const path = `${encodeURIComponent(this.#db)}/${encodeURIComponent(id)}`;
		for (let attempt = 0; attempt < 2; attempt++) {
			let rev = this.#revs.get(db);
			if (rev === undefined || attempt > 0) {
				rev = (await this.#couch.getDoc<{ _id: string; _rev?: string }>({ db: this.#db, id }))
					?._rev;
			}
			const res = await this.#couch.request<{ rev?: string }>({
				method: 'PUT',
				path,
				body: {
					_id: id,
					...(rev ? { _rev: rev } : {}),
					type: 'dbupdate',
					db,
					at: new Date(now).toISOString()
				}
			});
			if (res.status === 201 || res.status === 202) {
				if (this.#revs.size > 50_000) this.#revs.clear();
				if (res.body.rev) this.#revs.set(db, res.body.rev);
				return;
			}
			// 409: another process touched it meanwhile, which is just as good — but our cached
			// revision is stale, so read it once more for the next time.
			if (res.status !== 409) return;
		}
	}

	/** Databases touched since `since` (one row per database, however often it was written). */
	async changedSince(options: {
		since: Seq;
		limit?: number;
	}): Promise<{ dbs: Set<string>; lastSeq: Seq; more: boolean }> {
		const limit = options.limit ?? 2000;
		const page = await this.#couch.json<{ results: { id: string }[]; last_seq: Seq }>({
			path: `${encodeURIComponent(this.#db)}/_changes`,
			query: { since: String(options.since), limit },
			what: `${this.#db}/_changes`
		});
		const dbs = new Set(
			page.results.filter((row) => row.id.startsWith('db:')).map((row) => row.id.slice(3))
		);
		return { dbs, lastSeq: page.last_seq, more: page.results.length >= limit };
	}
}
