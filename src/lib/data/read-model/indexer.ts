import type { Table } from 'dexie';
import * as v from 'valibot';
import { TransferDocSchema } from '$lib/domain/operations/transfer';
import { localDb } from '$lib/data/store/pouch';
import { isStorageFullError } from '$lib/data/store/storage-full';
import { BatchSizer, yieldToMain as yieldToPage } from '$lib/data/sync/main-thread';
import { isRecordType } from './record-types';
import { readAllMetadata, readChangesPage, type PageChange } from './pouch-pages';
import { historyForRow, memberForRow, toHistoryRow, toMemberRow } from './rows';
import { warmMemberSearchIndex } from './search-index';
import { memberDirectory } from './member-store';
import { forgetMemberRowsOf, writeMemberRows } from './member-pack-writer';
import { takeFolded } from './folded-revs';
import { stashTable } from '$lib/data/store/snapshot-stash';
import {
	deviceDb,
	type BranchRow,
	type HistoryRow,
	type MemberRow,
	type RecordRow,
	type TransferRow,
	type UnitRow
} from '$lib/data/store/device-db';

// Feeds the Dexie read model from a unit database's PouchDB changes feed. The checkpoint is the last
// sequence folded in, so a reload or crash resumes where it stopped; rebuild.ts starts over.

// A page is one IndexedDB read and one transaction of the read model. Bigger pages cost less per
// document; the main thread's tasks stay short whatever the page's size, because the fold and the
// writes are cut into slices of about SLICE_MS (measured, so a phone 4× slower gets slices 4×
// smaller) with the thread handed back between them (issue #17: no indexer task over ~50 ms of CPU
// on the cheap-phone profile).
const BATCH = 500;
/**
 * Pages folded while a write ran that the next write takes, in one transaction; but never more
 * member rows than a page holds, so the list still fills a page at a time (a screen's read waits
 * for the write in progress). A first sync's history pages, after its members, are what merge.
 */
const MERGED_PAGES = 4;
const MERGED_MEMBERS = BATCH;
const SLICE_MS = 10;
/** How long the indexer waits before trying again after the phone's storage refused a batch. */
const FULL_RETRY_MS = 15_000;

type AnyDoc = PouchDB.Core.ExistingDocument<{ type?: string; [key: string]: unknown }> & {
	_conflicts?: string[];
	_deleted?: boolean;
};

export interface Batch {
	members: MemberRow[];
	branches: BranchRow[];
	units: UnitRow[];
	history: HistoryRow[];
	transfers: TransferRow[];
	records: RecordRow[];
	deleted: string[];
}

/** The read-model tables the indexer writes, in one transaction per batch. */
export const INDEXED_TABLES = () => [
	deviceDb.memberPacks,
	deviceDb.historyPacks,
	deviceDb.branches,
	deviceDb.units,
	deviceDb.transfers,
	deviceDb.records,
	deviceDb.checkpoints
];

/**
 * The tables a batch's transaction locks. A batch of history entries alone (most of a first
 * sync's second half) leaves the member packs out: the list's reads need not wait for it.
 */
function tablesFor(batch: Batch) {
	const historyOnly =
		batch.members.length === 0 &&
		batch.deleted.length === 0 &&
		batch.branches.length === 0 &&
		batch.units.length === 0 &&
		batch.transfers.length === 0 &&
		batch.records.length === 0;
	return historyOnly ? [deviceDb.historyPacks, deviceDb.checkpoints] : INDEXED_TABLES();
}

/** A batch with nothing in it yet. */
export function emptyBatch(): Batch {
	return { members: [], branches: [], units: [], history: [], transfers: [], records: [], deleted: [] };
}

/** Folds a page into rows, handing the thread back every SLICE_MS. */
export async function fold(db: string, results: PageChange[]): Promise<Batch> {
	const batch = emptyBatch();
	let sliceStart = performance.now();
	for (const [i, change] of results.entries()) {
		if ((i & 31) === 31 && performance.now() - sliceStart > SLICE_MS) {
			await yieldToPage();
			sliceStart = performance.now();
		}
		foldOne(db, change, batch);
	}
	return batch;
}

function foldOne(db: string, change: PageChange, batch: Batch): void {
	{
		const doc = change.doc as AnyDoc | undefined;
		// Written into PouchDB from the snapshot stash after the read model had it (ADR 0029).
		if (doc && takeFolded({ db, id: change.id, rev: doc._rev }) && !doc._conflicts?.length) {
			return;
		}
		if (change.deleted || !doc || doc._deleted) {
			batch.deleted.push(change.id);
			return;
		}
		if (doc.type === 'member') {
			try {
				const member = memberForRow(doc);
				batch.members.push(toMemberRow({ ...member, _conflicts: doc._conflicts }, db));
			} catch (error) {
				// A document this version cannot read stays in PouchDB untouched; it is not shown.
				console.warn('Bỏ qua hồ sơ không đọc được', change.id, error);
			}
		} else if (doc.type === 'history') {
			try {
				batch.history.push(toHistoryRow(historyForRow(doc), db));
			} catch (error) {
				console.warn('Bỏ qua mục lịch sử không đọc được', change.id, error);
			}
		} else if (doc.type === 'transfer') {
			const parsed = v.safeParse(TransferDocSchema, stripMeta(doc));
			if (parsed.success) {
				batch.transfers.push({
					id: parsed.output._id,
					db,
					state: parsed.output.state,
					requestedOn: parsed.output.requestedOn,
					offer: parsed.output
				});
			} else {
				console.warn('Bỏ qua đề nghị chuyển sinh hoạt không đọc được', change.id);
			}
		} else if (doc.type === 'branch') {
			batch.branches.push({
				id: doc._id,
				db,
				name: String(doc.name ?? ''),
				// A merged or closed chi đoàn (branch-schema.ts) takes no more members.
				closed: doc.closed || doc.status === 'merged' || doc.status === 'closed' ? 1 : 0
			});
		} else if (isRecordType(doc.type)) {
			const { _conflicts: _c, _revisions: _r, ...kept } = doc as AnyDoc & { _revisions?: unknown };
			batch.records.push({
				key: recordKey({ db, docId: doc._id }),
				db,
				docId: doc._id,
				type: doc.type,
				doc: kept as RecordRow['doc']
			});
		} else if (doc.type === 'unit') {
			batch.units.push({
				db,
				id: String(doc.unitId ?? ''),
				name: String(doc.name ?? ''),
				kind: String(doc.kind ?? ''),
				status: String(doc.status ?? 'active'),
				mergedInto: typeof doc.mergedInto === 'string' ? doc.mergedInto : undefined
			});
		}
	}
}

export function recordKey(options: { db: string; docId: string }): string {
	return `${options.db}|${options.docId}`;
}

// CouchDB adds these on request; the transfer schema is strict about its fields.
function stripMeta(doc: AnyDoc): Record<string, unknown> {
	const { _conflicts: _c, _deleted: _d, _revisions: _r, ...rest } = doc as AnyDoc & {
		_revisions?: unknown;
	};
	return rest;
}

/**
 * Sizes each bulkPut from the time the last one took to hand its rows to IndexedDB (the structured
 * copy of every row happens then, on the main thread). Never under 50 rows: below that Dexie
 * works out, row by row, every index key the write touches (for its live queries), which costs
 * more than the write.
 */
const putSizer = new BatchSizer({ start: 100, min: 50, max: 2000, targetMs: SLICE_MS });

/** Writes `rows` in slices sized by time, awaiting each (the thread is free meanwhile). */
async function putSliced<T>(table: Table<T>, rows: T[]): Promise<void> {
	for (let from = 0; from < rows.length; ) {
		const slice = rows.slice(from, from + putSizer.size);
		const started = performance.now();
		const written = table.bulkPut(slice);
		putSizer.took({ count: slice.length, ms: performance.now() - started });
		await written;
		from += slice.length;
	}
}

/**
 * Writes a folded batch in one transaction with the checkpoint `seq` (PouchDB's sequence folded up
 * to). A batch from a first sync's stream (`seq` null, ADR 0029) leaves the checkpoint where it is
 * (creating it at 0 if missing: the indexer must not start that database over) and writes the
 * stream's documents into the snapshot stash (`also`) in the same transaction.
 */
export async function apply(
	db: string,
	batch: Batch,
	seq: number | string | null,
	also?: () => Promise<void>
): Promise<void> {
	// Where each member's pack is: known before the transaction opens (awaiting anything but
	// IndexedDB inside it would end it).
	await memberDirectory();
	const tables =
		also ? [...INDEXED_TABLES(), stashTable()] : tablesFor(batch);
	await deviceDb.transaction('rw', tables, async () => {
		// Every write is asked for at once, not one after the other: each awaited request was one
		// more round trip to IndexedDB with the transaction idle, and a page's transaction is what
		// a first ingest waits on. IndexedDB carries out a transaction's requests in the order asked.
		const writes: Promise<unknown>[] = [];
		if (batch.deleted.length) {
			// A member moved to another unit leaves with its history (the transfer worker deletes
			// them in the sending unit); a split deletes what moved.
			writes.push(
				deviceDb.branches.bulkDelete(batch.deleted),
				deviceDb.transfers.bulkDelete(batch.deleted),
				deviceDb.records.bulkDelete(batch.deleted.map((docId) => recordKey({ db, docId })))
			);
		}
		// Members and history, packed: the few packs touched are read, changed and written here.
		writes.push(
			writeMemberRows({
				db,
				members: batch.members,
				history: batch.history,
				deleted: batch.deleted
			}),
			putSliced(deviceDb.branches, batch.branches),
			putSliced(deviceDb.units, batch.units),
			putSliced(deviceDb.transfers, batch.transfers),
			putSliced(deviceDb.records, batch.records),
			seq !== null
				? deviceDb.checkpoints.put({ db, seq })
				: // Created at 0 if missing: the indexer must not start this database over.
					deviceDb.checkpoints
						.get(db)
						.then((found) => (found ? undefined : deviceDb.checkpoints.put({ db, seq: 0 }))),
			also ? also() : Promise.resolve()
		);
		await Promise.all(writes);
	});
}

const EMPTY_PAGE = Promise.resolve({ results: [], lastSeq: 0, more: false });

/**
 * Folds every change since the checkpoint into the read model; returns the number of changes.
 * `onBatch` hears of each batch once it is committed (what the lists can already show).
 */
export async function catchUp(
	db: string,
	options: { onBatch?: (folded: number) => void } = {}
): Promise<number> {
	const checkpoint = await deviceDb.checkpoints.get(db);
	let since: number | string = checkpoint?.seq ?? 0;
	if (checkpoint === undefined) {
		// Starting over (a database forgotten and synced again): the tables that forgetting a
		// database does not clear must not keep rows of its previous copy.
		await memberDirectory();
		await deviceDb.transaction(
			'rw',
			[
				deviceDb.memberPacks,
				deviceDb.historyPacks,
				deviceDb.transfers,
				deviceDb.records,
				deviceDb.checkpoints
			],
			async () => {
				// A first sync's stream may have folded rows in meanwhile (ADR 0029): they stay.
				if (await deviceDb.checkpoints.get(db)) return;
				await forgetMemberRowsOf(db);
				await deviceDb.transfers.where('db').equals(db).delete();
				await deviceDb.records.where('db').equals(db).delete();
			}
		);
	}
	// The pages are read from PouchDB's database and folded while the read model's transaction
	// writes what was folded before (IndexedDB's own work happens off the main thread). One write
	// at a time, each in one transaction with its checkpoint, so a refused write (a full phone)
	// stops the ingest with the checkpoint at the last batch written. What was folded while a write
	// ran is written next, in one transaction (up to MERGED_PAGES pages, MERGED_MEMBERS member
	// rows): when IndexedDB is the slower part, as on a first sync, it never waits for a page to
	// be read, and a history pack that several pages add to is rewritten once rather than once a
	// page.
	// A first ingest reads every revision tree in bulk (pouch-pages.ts readAllMetadata) rather than
	// one request per document; the first page's bodies are read meanwhile.
	const bulk = since === 0 ? readAllMetadata(db) : null;
	// Its failure is the first page's (which waits for it).
	bulk?.catch(() => undefined);
	const folded: { batch: Batch; seq: number | string; changes: number }[] = [];
	let total = 0;
	let reading = true;
	let failed: { error: unknown } | null = null;
	// Wakes whichever side waits for the other (a page folded, a batch committed, a failure).
	let wake = () => {};
	let woken = new Promise<void>((resolve) => (wake = resolve));
	const signal = () => {
		const resolve = wake;
		woken = new Promise<void>((next) => (wake = next));
		resolve();
	};
	const writer = (async () => {
		for (;;) {
			if (failed) return;
			if (folded.length === 0) {
				if (!reading) return;
				await woken;
				continue;
			}
			const taken = [folded.shift()!];
			let members = taken[0]!.batch.members.length;
			while (
				taken.length < MERGED_PAGES &&
				folded.length &&
				members + folded[0]!.batch.members.length <= MERGED_MEMBERS
			) {
				members += folded[0]!.batch.members.length;
				taken.push(folded.shift()!);
			}
			const changes = taken.reduce((sum, page) => sum + page.changes, 0);
			await apply(db, mergeBatches(taken.map((page) => page.batch)), taken.at(-1)!.seq);
			if (changes) {
				total += changes;
				options.onBatch?.(changes);
			}
			signal();
		}
	})().catch((error: unknown) => {
		failed ??= { error };
		signal();
	});
	try {
		let next = readChangesPage({ db, since, limit: BATCH, bulk });
		for (;;) {
			const page = await next;
			if (failed) break;
			if (page.results.length === 0 && !page.more) break;
			since = page.lastSeq;
			next = page.more ? readChangesPage({ db, since, limit: BATCH, bulk }) : EMPTY_PAGE;
			// Read ahead: a failed write stops the loop before this read's result is used.
			next.catch(() => undefined);
			folded.push({ batch: await fold(db, page.results), seq: since, changes: page.results.length });
			signal();
			if (!page.more) break;
			// Folded pages wait for the writer, up to two transactions' worth: memory stays bounded.
			while (folded.length >= 2 * MERGED_PAGES && !failed) await woken;
			// Lets input and rendering in between pages: no task holds the page for more than one.
			await yieldToPage();
		}
	} catch (error) {
		failed ??= { error };
	} finally {
		reading = false;
		signal();
		await writer;
	}
	if (failed) throw failed.error;
	return total;
}

/**
 * Batches folded from consecutive pages, as one: a document in a later page replaces whatever an
 * earlier page said of it (a document edited while the ingest ran appears twice, or deleted then).
 */
export function mergeBatches(batches: Batch[]): Batch {
	if (batches.length === 1) return batches[0]!;
	const merged = emptyBatch();
	for (const batch of batches) {
		const later = new Set<string>(batch.deleted);
		for (const rows of [batch.members, batch.branches, batch.history, batch.transfers]) {
			for (const row of rows) later.add(row.id);
		}
		for (const row of batch.records) later.add(row.docId);
		if (later.size) {
			const earlier = (id: string) => !later.has(id);
			merged.members = merged.members.filter((row) => earlier(row.id));
			merged.branches = merged.branches.filter((row) => earlier(row.id));
			merged.history = merged.history.filter((row) => earlier(row.id));
			merged.transfers = merged.transfers.filter((row) => earlier(row.id));
			merged.records = merged.records.filter((row) => earlier(row.docId));
			merged.deleted = merged.deleted.filter(earlier);
		}
		// Units are keyed by database: the later row, put last, wins.
		for (const key of Object.keys(merged) as (keyof Batch)[]) {
			(merged[key] as unknown[]).push(...(batch[key] as unknown[]));
		}
	}
	return merged;
}

export interface IndexerHandle {
	stop(): void;
	/** Resolves when the read model holds everything PouchDB held when this was called. */
	idle(): Promise<void>;
}

/** Keeps the read model of one database current until stopped. */
export function startIndexer(db: string): IndexerHandle {
	// The search index follows the rows as they are written from now on: ready with the list.
	warmMemberSearchIndex();
	let running = Promise.resolve();
	let stopped = false;
	let scheduled = false;
	let retry: ReturnType<typeof setTimeout> | undefined;
	const schedule = () => {
		if (scheduled || stopped) return running;
		scheduled = true;
		// Serialised: two catch-ups in parallel could write an older checkpoint last.
		running = running
			.then(async () => {
				scheduled = false;
				if (!stopped) await catchUp(db);
			})
			.catch((error) => {
				console.error('Lỗi cập nhật bảng đọc', error);
				// A full phone: the batch's transaction was rolled back whole (rows and checkpoint
				// together), so trying again later resumes cleanly, without waiting for the next write.
				if (isStorageFullError(error) && !stopped) {
					clearTimeout(retry);
					retry = setTimeout(() => void schedule(), FULL_RETRY_MS);
				}
			});
		return running;
	};
	const feed = localDb(db)
		.changes({ since: 'now', live: true })
		.on('change', () => void schedule())
		.on('error', (error) => console.error('Lỗi theo dõi thay đổi', error));
	void schedule();
	return {
		stop() {
			stopped = true;
			clearTimeout(retry);
			feed.cancel();
		},
		idle: () => schedule().then(() => running)
	};
}
