import type { CouchClient } from '../couch/couch-client';

// The unit watcher's own records, as `_local` documents of the admin-only registry database: its
// state (the generation, and whether every unit database was swept in it) and its checkpoints
// (where it is in `doanvu_dbupdates` and in each unit database), with the revisions last seen.

export type Seq = string | number;

export interface WatcherState {
	generation: number;
	/** Every unit database has been swept in this generation. */
	swept: boolean;
}

const STATE_ID = '_local/watcher';

class TooManyConflicts extends Error {}

export class WatcherRecords {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #revs = new Map<string, string>();
	/** Where this process is in each unit database (its checkpoints, as last written). */
	readonly #seqs = new Map<string, { seq?: Seq; generation?: number }>();

	constructor(options: { couch: CouchClient; db: string }) {
		this.#couch = options.couch;
		this.#db = options.db;
	}

	/** Another process may have moved the checkpoints: what this one remembers goes. */
	forget(): void {
		this.#revs.clear();
		this.#seqs.clear();
	}

	/** The unit database's checkpoint as this process last wrote it, if it did. */
	knownSeq(db: string): { seq?: Seq; generation?: number } | undefined {
		return this.#seqs.get(db);
	}

	async readState(): Promise<WatcherState & { rev?: string }> {
		const state = await this.getLocal<Partial<WatcherState>>(STATE_ID);
		return {
			generation: state?.generation ?? 1,
			swept: state?.swept ?? false,
			...(state?._rev ? { rev: state._rev } : {})
		};
	}

	/** Writes the state if nobody changed it since `rev` was read: its new revision, or undefined. */
	async putState(state: WatcherState, rev: string | undefined): Promise<string | undefined> {
		const res = await this.#couch.request<{ rev?: string }>({
			method: 'PUT',
			path: `${encodeURIComponent(this.#db)}/_local/${encodeURIComponent(STATE_ID.slice(7))}`,
			body: { _id: STATE_ID, ...(rev ? { _rev: rev } : {}), ...state, at: new Date().toISOString() }
		});
		if (res.status === 409) return undefined;
		if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
			throw new Error(`watcher: saving its state answered ${res.status}`);
		}
		return res.body?.rev ?? '';
	}

	async getLocal<T>(id: string): Promise<(T & { _rev?: string }) | undefined> {
		const doc = await this.#couch.getDoc<{ _id: string; _rev?: string } & T>({
			db: this.#db,
			id
		});
		if (doc?._rev) this.#revs.set(id, doc._rev);
		return doc;
	}

	/**
	 * A checkpoint: losing the race for it to another watcher (whose lease began while this one's
	 * tick ran long) is no error — the databases are read again, which changes nothing.
	 */
	async checkpoint(id: string, body: { seq: Seq; generation?: number }): Promise<void> {
		if (id.startsWith('_local/watch:')) {
			if (this.#seqs.size > 50_000) this.#seqs.clear();
			this.#seqs.set(id.slice('_local/watch:'.length), body);
		}
		await this.#putLocal(id, body).catch((error) => {
			if (!(error instanceof TooManyConflicts)) throw error;
		});
	}

	async #putLocal(id: string, body: object): Promise<void> {
		const path = `${encodeURIComponent(this.#db)}/_local/${encodeURIComponent(id.slice(7))}`;
		for (let attempt = 0; attempt < 3; attempt++) {
			if (attempt > 0 || !this.#revs.has(id)) await this.getLocal(id);
			const rev = this.#revs.get(id);
			const res = await this.#couch.request<{ rev?: string }>({
				method: 'PUT',
				path,
				body: { _id: id, ...(rev ? { _rev: rev } : {}), ...body, at: new Date().toISOString() }
			});
			if (res.status === 201 || res.status === 200 || res.status === 202) {
				if (this.#revs.size > 50_000) this.#revs.clear();
				if (res.body?.rev) this.#revs.set(id, res.body.rev);
				return;
			}
			if (res.status !== 409) throw new Error(`watcher: saving ${id} answered ${res.status}`);
		}
		throw new TooManyConflicts(`watcher: saving ${id}: too many conflicts`);
	}
}
