// Where the sync engine stands with one unit database, kept as `_local` documents in the device's
// own PouchDB: they never replicate, they vanish with the database (sign-out, unpin), and each
// direction has its own document so the two never race on one revision.
//
// - pull: the server's update sequence up to which every change is on the device, and the phase:
//   'snapshot' while the first sync streams documents (resumed from `since` after an interruption),
//   'live' once it is complete.
// - push: the device's own update sequence up to which every local change is on the server.

export const PULL_CHECKPOINT_ID = '_local/doanvu-sync-pull';
export const PUSH_CHECKPOINT_ID = '_local/doanvu-sync-push';

export interface PullCheckpoint {
	since: string | number;
	phase: 'snapshot' | 'live';
	/** The server's document count when the first sync started (its progress bar). */
	total?: number;
	/** When the first sync completed (ISO). */
	completedAt?: string;
}

export interface PushCheckpoint {
	since: string | number;
}

interface Stored<T> {
	_id: string;
	_rev?: string;
	value: T;
}

/** One `_local` document, written through in order (never two writes in flight). */
export class LocalCheckpoint<T> {
	readonly #db: PouchDB.Database;
	readonly #id: string;
	#rev: string | undefined;
	#value: T | undefined;
	#writing: Promise<void> = Promise.resolve();

	constructor(options: { db: PouchDB.Database; id: string }) {
		this.#db = options.db;
		this.#id = options.id;
	}

	async load(): Promise<T | undefined> {
		try {
			const doc = (await this.#db.get(this.#id)) as unknown as Stored<T>;
			this.#rev = doc._rev;
			this.#value = doc.value;
		} catch (error) {
			if ((error as { status?: number }).status !== 404) throw error;
			this.#rev = undefined;
			this.#value = undefined;
		}
		return this.#value;
	}

	get value(): T | undefined {
		return this.#value;
	}

	save(value: T): Promise<void> {
		this.#value = value;
		const write = this.#writing.then(async () => {
			const doc: Stored<T> = { _id: this.#id, value };
			if (this.#rev) doc._rev = this.#rev;
			try {
				this.#rev = (await this.#db.put(doc)).rev;
			} catch (error) {
				if ((error as { status?: number }).status !== 409) throw error;
				// Written by an earlier engine on this device (a restart): take its revision and retry.
				const current = (await this.#db.get(this.#id)) as unknown as Stored<T>;
				this.#rev = (await this.#db.put({ ...doc, _rev: current._rev })).rev;
			}
		});
		this.#writing = write.catch(() => undefined);
		return write;
	}
}
