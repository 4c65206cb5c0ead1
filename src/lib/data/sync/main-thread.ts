// Keeping a cheap phone's screen responsive while a first sync writes thousands of documents
// (docs/decisions/0027-sync-in-slices.md): PouchDB's IndexedDB adapter writes a whole `bulkDocs`
// in one task (a `put` per document, ~1 ms each on a phone 4× slower than a laptop), so the batch
// is sized from how long the previous one took, and the main thread is handed back between them.

/** Lets the browser paint and answer a tap before the next slice of work. */
export function yieldToMain(): Promise<void> {
	const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
	if (typeof scheduler?.yield === 'function') return scheduler.yield();
	return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * How many documents the next write takes: aims at `targetMs` per write, from the last write's
 * time per document, within [min, max]. A fast machine climbs to large batches (fewer
 * transactions, faster ingest); a slow phone stays small (short tasks).
 */
export class BatchSizer {
	readonly #targetMs: number;
	readonly #min: number;
	readonly #max: number;
	#size: number;

	constructor(options: { start: number; min: number; max: number; targetMs: number }) {
		this.#size = options.start;
		this.#min = options.min;
		this.#max = options.max;
		this.#targetMs = options.targetMs;
	}

	get size(): number {
		return this.#size;
	}

	/** Records that `count` documents took `ms` to write. */
	took(options: { count: number; ms: number }): void {
		if (options.count < this.#min || options.ms <= 0) return;
		const perDoc = options.ms / options.count;
		const next = Math.round(this.#targetMs / perDoc);
		// Grows by half at most per step (one quick batch on an idle moment proves little); shrinks
		// at once (a long task is what it is there to avoid).
		const capped = Math.min(next, Math.ceil(this.#size * 1.5));
		this.#size = Math.max(this.#min, Math.min(this.#max, capped));
	}
}

/**
 * The slices of a write into PouchDB: about 60 ms each on the main thread (the browser's "long
 * task" is 50 ms; a slice also pays IndexedDB's own time, so its measure overstates the main
 * thread's share; ADR 0027).
 */
export const POUCH_WRITE_SLICE = { start: 100, min: 20, max: 500, targetMs: 60 };

/**
 * Writes documents the server sent (`new_edits: false`) in slices sized by `sizer`, the main thread
 * handed back before each: PouchDB's IndexedDB adapter writes a whole `bulkDocs` in one task.
 */
export async function writeServerDocsInSlices(options: {
	local: PouchDB.Database;
	docs: { _id: string; _rev: string }[];
	sizer: BatchSizer;
}): Promise<void> {
	const { local, docs, sizer } = options;
	for (let i = 0; i < docs.length; ) {
		const slice = docs.slice(i, i + sizer.size);
		await yieldToMain();
		const started = performance.now();
		await local.bulkDocs(slice as PouchDB.Core.PutDocument<object>[], { new_edits: false });
		sizer.took({ count: slice.length, ms: performance.now() - started });
		i += slice.length;
	}
}
