import { noteFolded } from '$lib/data/read-model/folded-revs';
import { ingestStreamed } from '$lib/data/read-model/stream-ingest';
import { markLocalComplete, markLocalIncomplete, syncLocalDb } from '$lib/data/store/pouch';
import {
	dropStash,
	readStash,
	stashKeysOf,
	stashedIdsOf,
	type StashedDoc
} from '$lib/data/store/snapshot-stash';
import { knownRevsOf } from './known-revs';
import { BatchSizer, POUCH_WRITE_SLICE, writeServerDocsInSlices } from './main-thread';

// A pinned unit's first sync goes into the read model first and into PouchDB afterwards (ADR
// 0029). The stream's batches are folded into the read model and kept in the snapshot stash in one
// transaction (the sink below); the fill then writes them into the unit's PouchDB: in the
// background, one unit at a time and only while no first sync is streaming, or at once when
// anything reads or writes that PouchDB (store/pouch.ts asks for it: an edit, a profile's history,
// a conflict merge must find the documents there).

/** A first sync's way into the read model and the stash (pull.ts Puller, `sink`). */
export interface SnapshotSink {
	/** The ids waiting in the stash (what an earlier run of this first sync stashed). */
	stashedIds(): Promise<Set<string>>;
	/** Folds `docs` into the read model and stashes them, in one transaction. */
	take(docs: StashedDoc[]): Promise<void>;
}

/**
 * One batch into the read model at a time, device-wide: the streams of several units fold in turn
 * (the phone has one main thread) and their commits do not pile up (see pull.ts, #batchSize).
 */
let taking: Promise<void> = Promise.resolve();

export function snapshotSink(db: string): SnapshotSink {
	return {
		stashedIds: () => stashedIdsOf(db),
		take: (docs) => {
			const turn = taking.then(() => {
				// Before the write: from now on a read of this PouchDB first waits for the fill.
				markLocalIncomplete(db);
				return ingestStreamed({ db, docs });
			});
			taking = turn.catch(() => undefined);
			return turn;
		}
	};
}

/** In the background, how long to wait while a first sync is still streaming. */
const BUSY_WAIT_MS = 500;

/** First syncs streaming now, per database: the background fill waits for none (pull.ts). */
const streaming = new Map<string, number>();

export function streamStarted(db: string): () => void {
	streaming.set(db, (streaming.get(db) ?? 0) + 1);
	let ended = false;
	return () => {
		if (ended) return;
		ended = true;
		const left = (streaming.get(db) ?? 1) - 1;
		if (left > 0) streaming.set(db, left);
		else streaming.delete(db);
	};
}

/** One unit database's fill: one drain at a time, which an urgent request speeds up. */
class LocalFill {
	readonly #db: string;
	readonly #sizer = new BatchSizer(POUCH_WRITE_SLICE);
	#running: Promise<void> | null = null;
	#urgent = false;

	constructor(db: string) {
		this.#db = db;
	}

	/** Drains the stash; `urgent` stops waiting for quiet moments (this drain and any running). */
	run(options: { urgent: boolean; signal?: AbortSignal }): Promise<void> {
		if (options.urgent) this.#urgent = true;
		if (!this.#running) {
			this.#running = this.#drain(options.signal).finally(() => {
				this.#running = null;
				this.#urgent = false;
			});
		}
		return this.#running;
	}

	async #quiet(signal?: AbortSignal): Promise<boolean> {
		while (!this.#urgent && streaming.size > 0) {
			if (signal?.aborted) return false;
			await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
		}
		return !signal?.aborted || this.#urgent;
	}

	async #drain(signal?: AbortSignal): Promise<void> {
		const db = this.#db;
		for (;;) {
			const keys = await stashKeysOf(db);
			if (keys.length === 0) return;
			for (const key of keys) {
				if (!(await this.#quiet(signal))) return;
				await this.#write(await readStash(key));
				// Dropped only once PouchDB holds them: a crash in between writes them again, which
				// PouchDB takes as nothing new (the same revisions).
				await dropStash(key);
			}
			// An urgent drain does not chase a stream still stashing (whenLocalFilled).
			if (this.#urgent && streaming.has(db)) return;
		}
	}

	async #write(docs: StashedDoc[]): Promise<void> {
		// The server sent them (the push never sends them back) and the read model holds them (the
		// indexer does not fold them again): both known before they land.
		const known = knownRevsOf(this.#db);
		for (const doc of docs) known.add(doc._id, doc._rev);
		noteFolded({ db: this.#db, docs });
		await writeServerDocsInSlices({ local: syncLocalDb(this.#db), docs, sizer: this.#sizer });
	}
}

const fills = new Map<string, LocalFill>();

function fillOf(db: string): LocalFill {
	let fill = fills.get(db);
	if (!fill) fills.set(db, (fill = new LocalFill(db)));
	return fill;
}

/** Background fills, one unit at a time device-wide. */
let queue: Promise<void> = Promise.resolve();

/** Fills `db`'s PouchDB from the stash when the device is quiet; stops with `signal`. */
export function fillInBackground(options: { db: string; signal: AbortSignal }): Promise<void> {
	const turn = queue.then(() =>
		options.signal.aborted ? undefined : fillOf(options.db).run({ urgent: false, signal: options.signal })
	);
	queue = turn.catch(() => undefined);
	return turn;
}

/**
 * Resolves once `db`'s PouchDB holds everything the stash held for it (store/pouch.ts, before a
 * read or write of that PouchDB). While its first sync still streams, what arrives later waits
 * for the next call.
 */
export async function whenLocalFilled(db: string): Promise<void> {
	const fill = fillOf(db);
	// While its first sync streams, what has arrived is written and the read goes ahead (more
	// comes, as it would into PouchDB); otherwise until nothing waits.
	for (;;) {
		await fill.run({ urgent: true });
		if (streaming.has(db) || (await stashKeysOf(db)).length === 0) break;
	}
	if (!streaming.has(db)) markLocalComplete(db);
}
