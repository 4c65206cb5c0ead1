import type { CouchRemote } from '$lib/data/online/couch-http';
import { longpollSlots, sleep, snapshotSlots, POLL_MS } from './connection-slots';
import type { KnownRevs } from './known-revs';
import { LocalCheckpoint, PULL_CHECKPOINT_ID, type PullCheckpoint } from './checkpoints';
import {
	BatchSizer,
	POUCH_WRITE_SLICE,
	writeServerDocsInSlices,
	yieldToMain
} from './main-thread';
import { streamStarted, type SnapshotSink } from './local-fill';

// The pull half of the sync engine (docs/decisions/0008-sync-protocol.md), standard CouchDB
// endpoints only:
//
// - First sync ('snapshot'): ONE streamed `_changes?style=all_docs&include_docs=true` request, its
//   rows written locally as they arrive (`new_edits: false`), the cursor saved after every batch so
//   an interrupted first sync resumes where it stopped. A body from that feed carries no revision
//   history, so it is written only for a document the device does not have at all, with a single
//   leaf; documents the device already holds, and documents with several leaves (conflicts), are
//   fetched with their ancestry through `_bulk_get?revs=true`.
// - Afterwards ('live'): `_changes` without bodies from the cursor, the revisions the device lacks
//   (local `revsDiff`), then one `_bulk_get?revs=true&latest=true`: two round trips whatever the
//   size of the database, and a longpoll while nothing happens.
//
// A pinned unit's first sync (ADR 0029) goes, with a `sink`, into the read model and the snapshot
// stash instead of PouchDB: the list is searchable once the stream is in, and local-fill.ts writes
// PouchDB afterwards. Rows that need their history (conflicts, documents already here or already
// stashed) take the usual way into PouchDB.
//
// Writes go to PouchDB in slices sized from the time the last one took (main-thread.ts), the main
// thread handed back between them: PouchDB's IndexedDB adapter writes a whole `bulkDocs` in one
// task, 500 documents were 400–700 ms on a cheap phone (docs/decisions/0027-sync-in-slices.md).

export interface ChangeRow {
	seq: string | number;
	id: string;
	changes: { rev: string }[];
	deleted?: boolean;
	doc?: PouchDoc;
}

type PouchDoc = { _id: string; _rev: string; _deleted?: boolean; [key: string]: unknown };

interface BulkGetAnswer {
	results: {
		id: string;
		docs: ({ ok: PouchDoc } | { error: { id: string; rev: string; error: string; reason: string } })[];
	}[];
}

/** Rows parsed but not yet written beyond which reading pauses (memory on a phone). */
const SNAPSHOT_HIGH_WATER = 4000;
const LIVE_PAGE = 1000;
/** A first sync into the read model (ADR 0029): rows per transaction, the first and the next ones. */
const SINK_FIRST_BATCH = 200;
const SINK_BATCH = 1000;
const BULK_GET_CHUNK = 500;

/**
 * A first sync's progress: records received from the stream (they arrive with its bytes, so this
 * moves during the download) and written to the device, of the server's document count (0 until
 * known). The bar built on it is in device-engine.svelte.ts.
 */
export interface PullProgress {
	received: number;
	done: number;
	total: number;
}

export class Puller {
	readonly #db: string;
	readonly #local: PouchDB.Database;
	readonly #remote: CouchRemote;
	readonly #known: KnownRevs;
	readonly #checkpoint: LocalCheckpoint<PullCheckpoint>;
	readonly #slices = new BatchSizer(POUCH_WRITE_SLICE);
	readonly #sink: SnapshotSink | undefined;
	/** Rows this puller put into the read model (ADR 0029). */
	#taken = 0;

	constructor(options: {
		/** The unit database's name. */
		db: string;
		local: PouchDB.Database;
		remote: CouchRemote;
		known: KnownRevs;
		/** Where a first sync's documents go instead of PouchDB (ADR 0029). */
		sink?: SnapshotSink;
	}) {
		this.#db = options.db;
		this.#local = options.local;
		this.#remote = options.remote;
		this.#known = options.known;
		this.#sink = options.sink;
		this.#checkpoint = new LocalCheckpoint({ db: options.local, id: PULL_CHECKPOINT_ID });
	}

	/** Where the pull stands; a device that already holds documents but no cursor starts 'live'. */
	async state(): Promise<PullCheckpoint> {
		const saved = this.#checkpoint.value ?? (await this.#checkpoint.load());
		if (saved) return saved;
		const info = await this.#local.info();
		const fresh: PullCheckpoint = { since: 0, phase: info.doc_count > 0 ? 'live' : 'snapshot' };
		// Saved before any document is written: a crash in the first batch still resumes a snapshot.
		await this.#checkpoint.save(fresh);
		return fresh;
	}

	/**
	 * Brings the device up to the server's current state. Calls `onProgress` during a first sync and
	 * `onWritten` with each batch of documents written.
	 */
	async catchUp(options: {
		signal: AbortSignal;
		onProgress?: (progress: PullProgress) => void;
		onWritten?: (count: number) => void;
	}): Promise<{ pulled: number; firstSync: boolean }> {
		const state = await this.state();
		if (state.phase === 'snapshot') {
			// The snapshot ends at the server's sequence when the stream ended; anything later comes
			// through the live feed, so no further round trip is spent here.
			const pulled = await this.#snapshot({ ...options, since: state.since });
			return { pulled, firstSync: true };
		}
		let pulled = 0;
		for (;;) {
			const since = this.#checkpoint.value?.since ?? 0;
			const page = await this.#remote.json<{ results: ChangeRow[]; last_seq: string | number }>({
				path: '_changes',
				query: { style: 'all_docs', since, limit: LIVE_PAGE },
				signal: options.signal
			});
			const written = await this.apply({ rows: page.results, signal: options.signal });
			pulled += written;
			if (page.results.length > 0 || page.last_seq !== since) {
				await this.#checkpoint.save({ ...this.#checkpoint.value!, since: page.last_seq });
			}
			if (written > 0) options.onWritten?.(written);
			if (page.results.length < LIVE_PAGE) break;
		}
		return { pulled, firstSync: false };
	}

	/**
	 * Waits until the server has changes after the cursor (a longpoll if a turn is free, otherwise a
	 * plain poll after POLL_MS), then applies them.
	 */
	async waitAndApply(options: {
		signal: AbortSignal;
		onStart?: () => void;
		onWritten?: (count: number) => void;
	}): Promise<number> {
		const long = longpollSlots.tryAcquire();
		let page: { results: ChangeRow[]; last_seq: string | number };
		const since = this.#checkpoint.value?.since ?? 0;
		try {
			if (!long) await sleep(POLL_MS, options.signal);
			page = await this.#remote.json({
				path: '_changes',
				query: long
					? { style: 'all_docs', since, limit: LIVE_PAGE, feed: 'longpoll', heartbeat: 10_000 }
					: { style: 'all_docs', since, limit: LIVE_PAGE },
				signal: options.signal
			});
		} finally {
			if (long) longpollSlots.release();
		}
		if (page.results.length === 0) {
			if (page.last_seq !== since) {
				await this.#checkpoint.save({ ...this.#checkpoint.value!, since: page.last_seq });
			}
			return 0;
		}
		options.onStart?.();
		const written = await this.apply({ rows: page.results, signal: options.signal });
		await this.#checkpoint.save({ ...this.#checkpoint.value!, since: page.last_seq });
		if (written > 0) options.onWritten?.(written);
		// More than a page waiting: catch up the rest the usual way.
		if (page.results.length >= LIVE_PAGE) {
			return written + (await this.catchUp({ signal: options.signal, onWritten: options.onWritten })).pulled;
		}
		return written;
	}

	/** Fetches, with their ancestry, the revisions of `rows` the device lacks, and writes them. */
	async apply(options: { rows: ChangeRow[]; signal: AbortSignal }): Promise<number> {
		if (options.rows.length === 0) return 0;
		const wanted: Record<string, string[]> = {};
		for (const row of options.rows) {
			const revs = (wanted[row.id] ??= []);
			for (const change of row.changes) revs.push(change.rev);
		}
		const diff = await this.#local.revsDiff(wanted);
		const missing: { id: string; rev: string }[] = [];
		for (const [id, entry] of Object.entries(diff)) {
			for (const rev of entry.missing ?? []) missing.push({ id, rev });
		}
		return this.#fetchAndWrite({ missing, signal: options.signal });
	}

	async #fetchAndWrite(options: {
		missing: { id: string; rev: string }[];
		signal: AbortSignal;
	}): Promise<number> {
		let written = 0;
		for (let i = 0; i < options.missing.length; i += BULK_GET_CHUNK) {
			const chunk = options.missing.slice(i, i + BULK_GET_CHUNK);
			const answer = await this.#remote.json<BulkGetAnswer>({
				path: '_bulk_get',
				query: { revs: true, latest: true },
				body: { docs: chunk },
				signal: options.signal
			});
			const docs: PouchDoc[] = [];
			for (const result of answer.results) {
				for (const entry of result.docs) {
					if ('ok' in entry) docs.push(entry.ok);
				}
			}
			written += await this.#write(docs);
		}
		return written;
	}

	async #write(docs: PouchDoc[]): Promise<number> {
		if (docs.length === 0) return 0;
		// Known before they land, so a push pass reading local changes meanwhile skips them.
		for (const doc of docs) this.#known.add(doc._id, doc._rev);
		await writeServerDocsInSlices({ local: this.#local, docs, sizer: this.#slices });
		return docs.length;
	}

	/**
	 * Rows taken from the stream's queue at once. Into PouchDB: a slice sized by time. Into the read
	 * model (ADR 0029): one transaction per batch, and few of them, because every commit to the member
	 * rows makes each watched screen's query start over (Dexie's live queries drop a result a write
	 * overlapped): commits every few tens of milliseconds kept a search from ever answering. A small
	 * first batch puts the first rows on screen early.
	 */
	#batchSize(): number {
		if (!this.#sink) return this.#slices.size;
		return this.#taken === 0 ? SINK_FIRST_BATCH : SINK_BATCH;
	}

	/** Into the read model and the stash (ADR 0029); the fold hands the thread back as it goes. */
	async #take(docs: PouchDoc[]): Promise<number> {
		if (docs.length === 0) return 0;
		await yieldToMain();
		await this.#sink!.take(docs);
		this.#taken += docs.length;
		return docs.length;
	}

	async #snapshot(options: {
		since: string | number;
		signal: AbortSignal;
		onProgress?: (progress: PullProgress) => void;
		onWritten?: (count: number) => void;
	}): Promise<number> {
		const inner = new AbortController();
		const abort = () => inner.abort(options.signal.reason);
		options.signal.addEventListener('abort', abort, { once: true });
		const signal = inner.signal;

		const local = await this.#local.info();
		let done = local.doc_count;
		// A device that never held a document of this unit: no row of this run can be here already
		// (the feed names each document once), so the batches skip asking PouchDB.
		const checkLocal = Number(local.update_seq) !== 0;
		// What an earlier run of this first sync stashed (ADR 0029), read once.
		const stashed = this.#sink ? await this.#sink.stashedIds() : null;
		// What a resumed sync already holds counts as received.
		let received = done;
		// The total for the progress bar, asked in parallel (it costs no round trip of its own) and
		// kept with the cursor, so that resuming asks nothing but the rest of the stream.
		let total = this.#checkpoint.value?.total ?? 0;
		const report = () =>
			options.onProgress?.({
				received: total > 0 ? Math.min(received, total) : received,
				done: total > 0 ? Math.min(done, total) : done,
				total
			});
		// At once, before any byte: the bar shows the download has started.
		report();
		const info =
			total > 0
				? Promise.resolve()
				: this.#remote
						.json<{ doc_count: number }>({ signal })
						.then((answer) => {
							total = answer.doc_count;
							report();
						})
						.catch(() => undefined);

		const queue: ChangeRow[] = [];
		let ended = false;
		// Set by whoever waits: the writer for more rows, the reader for room in the queue.
		const waiting: { wake: (() => void) | null; drained: (() => void) | null } = {
			wake: null,
			drained: null
		};
		let written = 0;

		const writer = (async () => {
			for (;;) {
				const size = this.#batchSize();
				while (queue.length < size && !ended) {
					await new Promise<void>((resolve) => (waiting.wake = resolve));
				}
				if (queue.length === 0) return;
				const batch = queue.splice(0, size);
				if (waiting.drained && queue.length < SNAPSHOT_HIGH_WATER / 2) {
					const resume = waiting.drained;
					waiting.drained = null;
					resume();
				}
				const result = await this.#writeSnapshotBatch({
					batch,
					signal,
					total,
					checkLocal,
					stashed
				});
				written += result.written;
				done += result.added;
				report();
				if (result.written > 0) options.onWritten?.(result.written);
				if (result.failed) throw result.failed;
			}
		})();
		// A writer that fails (a history fetch cut off) stops the stream too.
		writer.catch(() => {
			inner.abort();
			waiting.drained?.();
		});

		let slot = false;
		// The background fill of other units waits while this one streams (local-fill.ts).
		const streamEnded = streamStarted(this.#db);
		try {
			await snapshotSlots.acquire(signal);
			slot = true;
			const rest = await this.#remote.stream({
				path: '_changes',
				query: { style: 'all_docs', include_docs: true, since: options.since },
				signal,
				onRows: (rows) => {
					queue.push(...(rows as ChangeRow[]));
					// Rows come as the stream's bytes arrive: the bar moves during the download.
					received += (rows as ChangeRow[]).filter((row) => !row.deleted).length;
					report();
					waiting.wake?.();
					if (queue.length >= SNAPSHOT_HIGH_WATER) {
						return new Promise<void>((resolve) => (waiting.drained = resolve));
					}
				}
			});
			snapshotSlots.release();
			slot = false;
			ended = true;
			waiting.wake?.();
			await writer;
			await info;
			await this.#checkpoint.save({
				since: rest.last_seq as string | number,
				phase: 'live',
				completedAt: new Date().toISOString()
			});
			received = done = Math.max(done, total);
			report();
			return written;
		} catch (error) {
			ended = true;
			waiting.wake?.();
			// The rows that fully arrived are written and the cursor saved before giving up.
			await writer.catch(() => undefined);
			throw error;
		} finally {
			streamEnded();
			if (slot) snapshotSlots.release();
			options.signal.removeEventListener('abort', abort);
		}
	}

	/**
	 * Writes one batch of snapshot rows and advances the cursor past the last row fully written. A
	 * failure to fetch the documents that need their history stops the cursor before the first of
	 * them, and is returned rather than thrown (the rows before it are safely written).
	 */
	async #writeSnapshotBatch(options: {
		batch: ChangeRow[];
		signal: AbortSignal;
		total: number;
		/** Whether PouchDB may already hold some of the batch. */
		checkLocal: boolean;
		/** Ids stashed by an earlier run of this first sync (ADR 0029). */
		stashed: ReadonlySet<string> | null;
	}): Promise<{ written: number; added: number; failed?: unknown }> {
		const { batch } = options;
		const held = new Set<string>();
		if (options.checkLocal) {
			const present = await this.#local.allDocs({ keys: batch.map((row) => row.id) });
			for (const row of present.rows) {
				if (!('error' in row)) held.add(row.key);
			}
		}
		// Stashed by an earlier run of this first sync: a newer revision needs its ancestry.
		if (options.stashed?.size) {
			for (const row of batch) if (options.stashed.has(row.id)) held.add(row.id);
		}
		const direct: PouchDoc[] = [];
		const viaHistory: ChangeRow[] = [];
		let added = 0;
		for (const row of batch) {
			const single = row.changes.length === 1 ? row.changes[0]!.rev : null;
			if (!held.has(row.id) && single && row.doc && row.doc._rev === single) {
				direct.push(row.doc);
				if (!row.doc._deleted) added++;
			} else viaHistory.push(row);
		}
		let written = this.#sink ? await this.#take(direct) : await this.#write(direct);
		let lastSafe = batch.length - 1;
		let failed: unknown;
		if (viaHistory.length > 0) {
			try {
				written += await this.apply({ rows: viaHistory, signal: options.signal });
			} catch (error) {
				failed = error;
				lastSafe = batch.indexOf(viaHistory[0]!) - 1;
			}
		}
		if (lastSafe >= 0) {
			await this.#checkpoint.save({
				since: batch[lastSafe]!.seq,
				phase: 'snapshot',
				...(options.total > 0 ? { total: options.total } : {})
			});
		}
		return { written, added, failed };
	}
}
