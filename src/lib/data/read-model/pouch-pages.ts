import { localDb, localDbName } from '$lib/data/store/pouch';
import { yieldToMain } from '$lib/data/sync/main-thread';

// Pages of a unit database's changes, for the indexer. PouchDB's own `changes()` over its idb
// adapter reads every document with one IndexedDB request, then its revision tree with another,
// then builds and copies a change object through several layers of callbacks and promises: about
// 0.3 ms a document on this machine, most of the read model's ingest time. Here the same answer is
// read from the same IndexedDB stores with one `getAll` of the page's bodies and one `get` per
// document's revision tree, all in one read-only transaction, and nothing copied twice.
//
// This reads PouchDB's idb adapter's stored format (schema version 5, unchanged since PouchDB 6):
// `by-sequence` holds each stored revision's body keyed by its update sequence, with
// `_doc_id_rev` = `<id>::<rev>`; `document-store` holds each document's revision tree
// (`data`, JSON), `winningRev`, `deletedOrLocal` and its latest `seq`. Where that is not what is
// found (another adapter, as in Node's tests, or stores this code does not know), the page is read
// through PouchDB's `changes()` as before, with the same answer.

/** One document of a page: its winning revision, or its deletion. */
export interface PageChange {
	id: string;
	deleted?: boolean;
	doc?: { _id: string; _rev: string; _conflicts?: string[]; [key: string]: unknown };
}

export interface ChangesPage {
	results: PageChange[];
	/** The sequence to read the next page from. */
	lastSeq: number | string;
	/** False once the page reached the end of the database. */
	more: boolean;
}

const BY_SEQ = 'by-sequence';
const GETS_AT_ONCE = 100;
/** Revision trees read at once by readAllMetadata (one task deserialises them). */
const METADATA_AT_ONCE = 1000;
/** The longest stretch readAllMetadata keeps the thread (measured: shorter on a slower phone). */
const SLICE_MS = 10;
const DOC_STORE = 'document-store';

interface StoredMetadata {
	id: string;
	data: string;
	winningRev: string;
	deletedOrLocal: string;
	seq: number;
}

type RevNode = [string, { deleted?: boolean }, RevNode[]];

interface StoredBody {
	_doc_id_rev: string;
	[key: string]: unknown;
}

const connections = new Map<string, Promise<IDBDatabase | null>>();

function request<T>(req: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

/** A second connection to the PouchDB database's IndexedDB, or null when it cannot be read here. */
function connection(db: string): Promise<IDBDatabase | null> {
	let open = connections.get(db);
	if (!open) {
		open = (async () => {
			const local = localDb(db);
			const adapter = (local as unknown as { adapter?: string }).adapter;
			if (adapter !== 'idb' || typeof indexedDB === 'undefined') return null;
			// PouchDB creates and upgrades its database on first use: opened after it, never before
			// (opening a missing database would create an empty one).
			await local.info();
			const idb = await request(indexedDB.open(`_pouch_${localDbName(db)}`));
			// Let a wipe or an upgrade of PouchDB's database through: the next page opens it again.
			idb.onversionchange = () => {
				idb.close();
				connections.delete(db);
			};
			const stores = idb.objectStoreNames;
			if (!stores.contains(BY_SEQ) || !stores.contains(DOC_STORE)) {
				idb.close();
				return null;
			}
			const index = idb.transaction(BY_SEQ, 'readonly').objectStore(BY_SEQ).indexNames;
			if (!index.contains('_doc_id_rev')) {
				idb.close();
				return null;
			}
			return idb;
		})().catch(() => null);
		connections.set(db, open);
	}
	return open;
}

/**
 * Whether a stored revision tree (JSON) certainly has one leaf, told without parsing it. Every
 * leaf is written `["<hash>",{<status or deleted>},[]]`, so each one puts a `[]]` in the text;
 * nothing else in it does but a document id that holds those characters, which only makes the
 * count larger. So one occurrence means one leaf: the winner, with no conflict.
 */
export function hasOneLeaf(data: string): boolean {
	const first = data.indexOf('[]]');
	return first >= 0 && data.indexOf('[]]', first + 3) < 0;
}

/** Revisions of leaves that are not deleted and are not the winner: PouchDB's `_conflicts`. */
export function conflictsOf(metadata: StoredMetadata): string[] {
	// Nearly every document: one leaf, so nothing to parse (JSON.parse of every tree was a good
	// part of a first ingest's metadata read).
	if (hasOneLeaf(metadata.data)) return [];
	const tree = (JSON.parse(metadata.data) as { rev_tree: { pos: number; ids: RevNode }[] })
		.rev_tree;
	// One path with one leaf (no branch) is the common case: no conflict, nothing to walk.
	const conflicts: string[] = [];
	const toVisit: { pos: number; node: RevNode }[] = tree.map((t) => ({ pos: t.pos, node: t.ids }));
	let visit;
	while ((visit = toVisit.pop())) {
		const [hash, opts, children] = visit.node;
		if (children.length) {
			for (const child of children) toVisit.push({ pos: visit.pos + 1, node: child });
			continue;
		}
		const rev = `${visit.pos}-${hash}`;
		if (rev !== metadata.winningRev && !opts.deleted) conflicts.push(rev);
	}
	return conflicts;
}

function decodeBody(body: StoredBody): NonNullable<PageChange['doc']> {
	const key = body._doc_id_rev;
	const split = key.lastIndexOf(':');
	const { _doc_id_rev: _k, ...doc } = body;
	const decoded = doc as NonNullable<PageChange['doc']>;
	decoded._id = key.substring(0, split - 1);
	decoded._rev = key.substring(split + 1);
	// As PouchDB's changes() shows attachments without their data.
	const attachments = decoded._attachments as Record<string, { stub?: boolean }> | undefined;
	if (attachments) for (const name of Object.keys(attachments)) attachments[name]!.stub = true;
	return decoded;
}

/**
 * What a first ingest needs of every document's revision tree, read in bulk before its pages:
 * `document-store` has no index on `seq`, so a page's trees would otherwise be one `get` each
 * (on a phone 4× slower, ~1 ms a request: most of a first ingest's main-thread time). Keyed by the
 * document's latest sequence: its winning revision, null when deleted, or the winner with its
 * conflicts. Valid for the sequences up to `upTo`; a later one (written meanwhile) is read as an
 * incremental page is. Entries are taken out as their pages use them.
 */
export interface BulkMetadata {
	bySeq: Map<number, string | null | { rev: string; conflicts: string[] }>;
	upTo: number;
}

/** Every document's revision tree, in bulk, for a first ingest; null where stores cannot be read. */
export async function readAllMetadata(db: string): Promise<BulkMetadata | null> {
	const idb = await connection(db);
	if (!idb) return null;
	const chunkAfter = (after: string | undefined) =>
		request(
			idb
				.transaction(DOC_STORE, 'readonly')
				.objectStore(DOC_STORE)
				.getAll(after === undefined ? null : IDBKeyRange.lowerBound(after, true), METADATA_AT_ONCE)
		) as Promise<StoredMetadata[]>;
	try {
		// The last sequence written before the trees are read: a document written while they are
		// read (in several transactions) has a later one, and its page reads it with a `get`.
		const last = await request(
			idb.transaction(BY_SEQ, 'readonly').objectStore(BY_SEQ).openCursor(null, 'prev')
		);
		const bulk: BulkMetadata = { bySeq: new Map(), upTo: Number(last?.key ?? 0) };
		let next: Promise<StoredMetadata[]> | null = chunkAfter(undefined);
		while (next) {
			const chunk: StoredMetadata[] = await next;
			// The next chunk is read while this one is gone through.
			next = chunk.length < METADATA_AT_ONCE ? null : chunkAfter(chunk[chunk.length - 1]!.id);
			next?.catch(() => undefined);
			let sliceStart = performance.now();
			for (const [i, metadata] of chunk.entries()) {
				if ((i & 63) === 63 && performance.now() - sliceStart > SLICE_MS) {
					await yieldToMain();
					sliceStart = performance.now();
				}
				if (metadata.seq > bulk.upTo) continue;
				if (metadata.deletedOrLocal === '1') {
					bulk.bySeq.set(metadata.seq, null);
					continue;
				}
				const conflicts = conflictsOf(metadata);
				bulk.bySeq.set(
					metadata.seq,
					conflicts.length ? { rev: metadata.winningRev, conflicts } : metadata.winningRev
				);
			}
		}
		return bulk;
	} catch (error) {
		if ((error as { name?: string }).name !== 'InvalidStateError') throw error;
		connections.delete(db);
		return null;
	}
}

/** A page's change from the bulk metadata, or undefined when this body needs its own `get`. */
function fromBulk(
	bulk: BulkMetadata,
	key: number,
	doc: NonNullable<PageChange['doc']>
): PageChange | null | undefined {
	if (key > bulk.upTo) return undefined;
	if (!bulk.bySeq.has(key)) return null; // a later revision of this document comes later
	const known = bulk.bySeq.get(key)!;
	bulk.bySeq.delete(key);
	if (known === null) return { id: doc._id, deleted: true };
	const winner = typeof known === 'string' ? known : known.rev;
	// The winner stored at an earlier sequence than the latest (a losing revision arrived last):
	// read as an incremental page reads it.
	if (winner !== doc._rev) return undefined;
	if (typeof known !== 'string') doc._conflicts = known.conflicts;
	return { id: doc._id, doc };
}

async function readDirect(
	idb: IDBDatabase,
	options: { since: number; limit: number; bulk?: PromiseLike<BulkMetadata | null> }
): Promise<ChangesPage> {
	let tx: IDBTransaction | null = idb.transaction([BY_SEQ, DOC_STORE], 'readonly');
	const range = IDBKeyRange.lowerBound(options.since, true);
	const bySeq = tx.objectStore(BY_SEQ);
	const [keys, bodies] = await Promise.all([
		request(bySeq.getAllKeys(range, options.limit)),
		request(bySeq.getAll(range, options.limit) as IDBRequest<StoredBody[]>)
	]);
	// A first ingest's revision trees are read while its first pages' bodies are (the page waits
	// for them here); awaiting them ends this transaction, so the few `get`s left open another.
	const bulk = options.bulk ? await options.bulk : null;
	if (options.bulk) tx = null;
	let lookups: { docStore: IDBObjectStore; winners: IDBIndex } | null = null;
	const lookup = () => {
		if (!lookups) {
			tx ??= idb.transaction([BY_SEQ, DOC_STORE], 'readonly');
			lookups = {
				docStore: tx.objectStore(DOC_STORE),
				winners: tx.objectStore(BY_SEQ).index('_doc_id_rev')
			};
		}
		return lookups;
	};
	const read = async (body: StoredBody, i: number): Promise<PageChange | null> => {
		const doc = decodeBody(body);
		const known = bulk ? fromBulk(bulk, keys[i] as number, doc) : undefined;
		if (known !== undefined) return known;
		const { docStore, winners } = lookup();
		const metadata = (await request(docStore.get(doc._id))) as StoredMetadata | undefined;
		// A later revision of this document comes later in the feed: it is read there.
		if (!metadata || metadata.seq !== keys[i]) return null;
		if (metadata.deletedOrLocal === '1') return { id: doc._id, deleted: true };
		const winner =
			metadata.winningRev === doc._rev
				? doc
				: decodeBody(
						(await request(winners.get(`${doc._id}::${metadata.winningRev}`))) as StoredBody
					);
		const conflicts = conflictsOf(metadata);
		if (conflicts.length) winner._conflicts = conflicts;
		return { id: doc._id, doc: winner };
	};
	// Each document's revision tree is one `get`; issuing a page's worth at once is one long task
	// on a slow phone (~25 µs a request here, 4× that there), so they go GETS_AT_ONCE at a time,
	// the thread free while IndexedDB answers (the transaction stays open: requests are pending).
	// With bulk metadata (a first ingest) nearly every body is answered from memory, no request.
	const changes: (PageChange | null)[] = [];
	for (let from = 0; from < bodies.length; from += GETS_AT_ONCE) {
		const slice = bodies.slice(from, from + GETS_AT_ONCE);
		changes.push(...(await Promise.all(slice.map((body, i) => read(body, from + i)))));
	}
	return {
		results: changes.filter((change): change is PageChange => change !== null),
		lastSeq: (keys[keys.length - 1] as number | undefined) ?? options.since,
		more: keys.length === options.limit
	};
}

/**
 * The documents changed after `since`, a page of at most `limit` update sequences; `bulk` (from
 * readAllMetadata) answers most of a first ingest's revision trees from memory.
 */
export async function readChangesPage(options: {
	db: string;
	since: number | string;
	limit: number;
	bulk?: BulkMetadata | PromiseLike<BulkMetadata | null> | null;
}): Promise<ChangesPage> {
	const { db, since, limit } = options;
	const idb = typeof since === 'number' ? await connection(db) : null;
	if (idb && typeof since === 'number') {
		try {
			const bulk = options.bulk ? Promise.resolve(options.bulk) : undefined;
			return await readDirect(idb, { since, limit, ...(bulk ? { bulk } : {}) });
		} catch (error) {
			// Closed under us (a wipe, an upgrade): PouchDB's own reader says what is the matter.
			if ((error as { name?: string }).name !== 'InvalidStateError') throw error;
			connections.delete(db);
		}
	}
	const res = await localDb(db).changes({ since, limit, include_docs: true, conflicts: true });
	return {
		results: res.results.map((change) => ({
			id: change.id,
			deleted: change.deleted,
			doc: change.doc as PageChange['doc']
		})),
		lastSeq: res.last_seq,
		more: res.results.length === limit
	};
}
