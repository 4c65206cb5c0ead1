import { isUnitDb } from '../couch/db-names';
import type { DbUpdates } from '../couch/db-updates';
import type { LeasedLoop } from './leased-loop';
import type { Seq, WatcherRecords } from './watcher-records';

// Which unit databases a leased worker reads in a round (the unit watcher, the reminders' post
// office): those `doanvu_dbupdates` recorded since the worker's own checkpoint, those this process
// just wrote to (nudged), and those whose reading failed last time. They are read four at a time,
// the lease renewed between batches; the checkpoint moves only once all were read, so a crash
// anywhere reads them again.

export class ChangedDbs {
	readonly #updates: DbUpdates;
	readonly #records: WatcherRecords;
	readonly #checkpointId: string;
	readonly #nudged = new Set<string>();
	/** Databases whose reading failed: read again at the next round. */
	readonly #retry = new Set<string>();
	#since: Seq | undefined;
	/** More changed databases are listed than one round reads. */
	#behind = false;

	constructor(options: { updates: DbUpdates; records: WatcherRecords; checkpointId: string }) {
		this.#updates = options.updates;
		this.#records = options.records;
		this.#checkpointId = options.checkpointId;
	}

	nudge(db: string): void {
		this.#nudged.add(db);
	}

	retry(db: string): void {
		this.#retry.add(db);
	}

	/** Work for the next round at once: nudged databases, or a page of updates left unread. */
	get pending(): boolean {
		return this.#nudged.size > 0 || this.#behind;
	}

	/** Without the lease: the process holding it learns of these from `doanvu_dbupdates`. */
	drop(): void {
		this.#nudged.clear();
		this.#behind = false;
	}

	/** The lease lapsed: another process may have moved the checkpoint, read it again. */
	forget(): void {
		this.#since = undefined;
	}

	/**
	 * One round: `visit` each due database. False when it ended early — the lease lost (what was
	 * left is read at the next round) or `halted()` — with the checkpoint where it was.
	 */
	async round(options: {
		loop: LeasedLoop;
		visit: (db: string) => Promise<void>;
		halted?: () => boolean;
	}): Promise<boolean> {
		const { loop, visit, halted = () => false } = options;
		const since = (this.#since ??=
			(await this.#records.getLocal<{ seq?: Seq }>(this.#checkpointId))?.seq ?? 0);
		const { dbs, lastSeq, more } = await this.#updates.changedSince({ since });
		for (const db of [...this.#nudged, ...this.#retry]) dbs.add(db);
		this.#nudged.clear();
		this.#retry.clear();
		const due = [...dbs].filter((db) => isUnitDb(db));
		for (let i = 0; i < due.length && loop.running; i += 4) {
			if (i > 0 && !(await loop.holdLease())) {
				for (const db of due.slice(i)) this.#retry.add(db);
				return false;
			}
			await Promise.all(due.slice(i, i + 4).map((db) => visit(db)));
			if (halted()) return false;
		}
		if (String(lastSeq) !== String(since)) {
			await this.#records.checkpoint(this.#checkpointId, { seq: lastSeq });
			this.#since = lastSeq;
		}
		this.#behind = more;
		return true;
	}
}
