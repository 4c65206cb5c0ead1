// The floors under the read model's ingest in this browser (bench/read-model-bench.ts): what the
// parts of an ingest cost when done with nothing around them, on the same PouchDB data — reading
// every stored body of PouchDB's idb stores, folding them into the app's rows (rows.ts), and
// writing those rows with IndexedDB alone (no Dexie, no search index), one record per row with the
// read model's indexes, against the same rows packed a hundred to a record. Issue #17 asks for
// 10,000 members with history per second; these say which storage shape can reach it at all.
import { historyForRow, memberForRow, toHistoryRow, toMemberRow } from '$lib/data/read-model/rows';
import { localDbName } from '$lib/data/store/pouch';

export interface IngestFloors {
	docs: number;
	members: number;
	/** `getAll` of every unit database's `by-sequence` store. */
	readMs: number;
	/** Those bodies into member and history rows. */
	foldMs: number;
	/** Every row its own record, the read model's indexes, 500 rows a transaction. */
	rowPerRecordMs: number;
	/** Of which the main thread's `put` calls (the rows' structured copy). */
	rowPerRecordPutMs: number;
	/** The member rows alone, one record each. */
	membersOnlyMs: number;
	/** The same rows, 100 to a record (an array), 5 records a transaction. */
	packedMs: number;
}

const FLOOR_DB = 'doanvu-bench-floor';
const PER_TRANSACTION = 500;
const PACK = 100;

function request<T>(req: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

async function freshDb(): Promise<IDBDatabase> {
	await request(indexedDB.deleteDatabase(FLOOR_DB));
	const open = indexedDB.open(FLOOR_DB, 1);
	open.onupgradeneeded = () => {
		const db = open.result;
		// The read model's version 6 indexes (store/device-db.ts).
		const members = db.createObjectStore('members', { keyPath: 'id' });
		for (const index of ['db', 'branchId', 'birthDate', 'hasConflict']) {
			members.createIndex(index, index);
		}
		const history = db.createObjectStore('history', { keyPath: 'id' });
		history.createIndex('[db+kind]', ['db', 'kind']);
		history.createIndex('bulkId', 'bulkId');
		db.createObjectStore('packs', { keyPath: 'id' });
	};
	return request(open);
}

/** Writes `rows` (store, value) `PER_TRANSACTION` to a transaction; the time and the puts' time. */
async function writeAll(rows: [string, unknown][]): Promise<{ ms: number; putMs: number }> {
	const db = await freshDb();
	const started = performance.now();
	let putMs = 0;
	for (let from = 0; from < rows.length; from += PER_TRANSACTION) {
		const stores = [...new Set(rows.slice(from, from + PER_TRANSACTION).map(([s]) => s))];
		const tx = db.transaction(stores, 'readwrite');
		const putFrom = performance.now();
		for (const [store, value] of rows.slice(from, from + PER_TRANSACTION)) {
			tx.objectStore(store).put(value);
		}
		putMs += performance.now() - putFrom;
		await new Promise((resolve, reject) => {
			tx.oncomplete = resolve;
			tx.onerror = () => reject(tx.error);
		});
	}
	const ms = performance.now() - started;
	db.close();
	return { ms, putMs };
}

export async function ingestFloors(options: { dbs: string[] }): Promise<IngestFloors> {
	const readFrom = performance.now();
	const bodies: Record<string, unknown>[] = [];
	for (const name of options.dbs) {
		const idb = await request(indexedDB.open(`_pouch_${localDbName(name)}`));
		const store = idb.transaction('by-sequence', 'readonly').objectStore('by-sequence');
		bodies.push(...((await request(store.getAll())) as Record<string, unknown>[]));
		idb.close();
	}
	const readMs = performance.now() - readFrom;

	const foldFrom = performance.now();
	const members: [string, unknown][] = [];
	const history: [string, unknown][] = [];
	for (const body of bodies) {
		const key = String(body._doc_id_rev);
		const split = key.lastIndexOf(':');
		const doc: Record<string, unknown> = { ...body, _id: key.substring(0, split - 1) };
		delete doc._doc_id_rev;
		if (doc.type === 'member') members.push(['members', toMemberRow(memberForRow(doc), 'db')]);
		else if (doc.type === 'history') {
			history.push(['history', toHistoryRow(historyForRow(doc), 'db')]);
		}
	}
	const foldMs = performance.now() - foldFrom;

	const each = await writeAll([...members, ...history]);
	const membersOnly = await writeAll(members);
	const packs: [string, unknown][] = [];
	for (const rows of [members, history]) {
		for (let from = 0; from < rows.length; from += PACK) {
			const slice = rows.slice(from, from + PACK).map(([, row]) => row);
			packs.push(['packs', { id: `${packs.length}`, rows: slice }]);
		}
	}
	// Five packs a transaction: the same 500 rows a transaction as above.
	const packedFrom = performance.now();
	const db = await freshDb();
	for (let from = 0; from < packs.length; from += PER_TRANSACTION / PACK) {
		const tx = db.transaction('packs', 'readwrite');
		for (const [, value] of packs.slice(from, from + PER_TRANSACTION / PACK)) {
			tx.objectStore('packs').put(value);
		}
		await new Promise((resolve, reject) => {
			tx.oncomplete = resolve;
			tx.onerror = () => reject(tx.error);
		});
	}
	const packedMs = performance.now() - packedFrom;
	db.close();
	await request(indexedDB.deleteDatabase(FLOOR_DB));
	return {
		docs: bodies.length,
		members: members.length,
		readMs,
		foldMs,
		rowPerRecordMs: each.ms,
		rowPerRecordPutMs: each.putMs,
		membersOnlyMs: membersOnly.ms,
		packedMs
	};
}
