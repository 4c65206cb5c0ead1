import { createRequire } from 'node:module';
import { endingLongpoll, isLongpoll } from './longpoll-end';

// A deleted database stays deleted on the embedded store, as on Apache CouchDB.
//
// express-pouchdb answers a request that names a database in two turns: it asks pouchdb-all-dbs
// whether the database exists, then opens it (`new PouchDB(name)`) in its global create/delete
// queue. A request that passed the first turn while the server was deleting the database opened it
// again in the second, empty, and listed it anew: a worker's read or write landing during an
// organisation import's roll-back brought the rolled-back unit's database back
// (tests/integration/store-deleted-database.test.ts). CouchDB answers such a request 404.
//
// So opening and deleting share one queue of ours, and opening checks again, in that queue, that the
// database still exists before it creates a PouchDB for it. Creating a database on purpose
// (`PUT /db`) is express-pouchdb's own path and is untouched.
//
// Both replacements must be installed before express-pouchdb builds its app: its routes capture
// `deleteDB` when they are loaded (at `expressPouchdb(...)`), whereas `utils.setDBOnReq` is looked up
// on each call. The shapes below are express-pouchdb 4.2's (lib/create-or-delete-dbs.js,
// lib/utils.js); the test above fails if an upgrade changes them.

type Db = { destroy(options?: unknown): Promise<unknown> };
type Pouch = {
	new (name: string): Db;
	destroy(name: string, options?: unknown): Promise<unknown>;
	allDbs(): Promise<string[]>;
	__dbCacheMap?: Map<string, Db>;
};
type Req = { PouchDB: Pouch; db?: Db; path: string; query: Record<string, unknown> };
type Res = { once(event: 'close', listener: () => void): void };
type Wrapper = { wrap(name: string, db: Db): Promise<unknown> };

interface Lifecycle {
	getOrCreateDB(PouchDB: Pouch, name: string): Promise<Db>;
	deleteDB(PouchDB: Pouch, name: string, options: unknown): Promise<unknown>;
	__deletedStayDeleted?: boolean;
}

interface Utils {
	setDBOnReq(name: string, wrapper: Wrapper, req: Req, res: Res, next: () => void): void;
	sendJSON(res: Res, status: number, body: unknown): void;
	sendError(res: Res, error: unknown): void;
}

/** How long a deletion waits for the requests already using the database. */
const DRAIN_TIMEOUT_MS = 30_000;

const require = createRequire(import.meta.url);

let queue: Promise<unknown> = Promise.resolve();

/** Runs `task` after every open and delete queued before it; a failure does not stop the queue. */
function inTurn<T>(task: () => Promise<T> | T): Promise<T> {
	const run = queue.then(task);
	queue = run.catch(() => undefined);
	return run;
}

/**
 * The requests using each database, so that a deletion lets them finish first: a read on a LevelDB
 * database destroyed under it never answers, and on the memory store it fails with a 400.
 */
class Users {
	#counts = new Map<Db, number>();
	#drained = new Map<Db, () => void>();

	enter(db: Db): () => void {
		this.#counts.set(db, (this.#counts.get(db) ?? 0) + 1);
		let left = false;
		return () => {
			if (left) return;
			left = true;
			const count = (this.#counts.get(db) ?? 1) - 1;
			if (count > 0) {
				this.#counts.set(db, count);
				return;
			}
			this.#counts.delete(db);
			this.#drained.get(db)?.();
		};
	}

	drained(db: Db): Promise<void> {
		if (!this.#counts.has(db)) return Promise.resolve();
		return new Promise<void>((resolve) => {
			const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
			timer.unref();
			function done() {
				clearTimeout(timer);
				resolve();
			}
			this.#drained.set(db, () => {
				this.#drained.delete(db);
				done();
			});
		});
	}
}

const users = new Users();
/** Names being deleted: opening one answers 404 at once, as the deletion has begun. */
const deleting = new Set<string>();

function cacheOf(PouchDB: Pouch): Map<string, Db> {
	PouchDB.__dbCacheMap ??= new Map();
	return PouchDB.__dbCacheMap;
}

/** The open database, or undefined when it does not exist (any more). */
function openExisting(PouchDB: Pouch, name: string): Promise<Db | undefined> {
	return inTurn(async () => {
		if (deleting.has(name)) return undefined;
		const cache = cacheOf(PouchDB);
		const cached = cache.get(name);
		if (cached) return cached;
		// In the queue: a deletion queued before this open has finished, and pouchdb-all-dbs has
		// dropped the name (it queues the removal before `destroy` resolves).
		if (!(await PouchDB.allDbs()).includes(name)) return undefined;
		const db = new PouchDB(name);
		cache.set(name, db);
		return db;
	});
}

async function deleteDatabase(PouchDB: Pouch, name: string, options: unknown): Promise<unknown> {
	const db = await inTurn(() => {
		deleting.add(name);
		const cache = cacheOf(PouchDB);
		const cached = cache.get(name);
		cache.delete(name);
		return cached;
	});
	try {
		if (!db) return await PouchDB.destroy(name, options);
		await users.drained(db);
		return await db.destroy(options);
	} finally {
		deleting.delete(name);
	}
}

/**
 * A changes feed that waits for changes is not waited for: destroying the database ends it (PouchDB
 * cancels its feeds), whereas waiting for it would hold the deletion for the feed's whole timeout.
 */
function waitsForChanges(req: Req): boolean {
	const feed = req.query.feed;
	return (
		/\/_changes$/.test(req.path) &&
		(feed === 'longpoll' || feed === 'continuous' || feed === 'eventsource')
	);
}

export function keepDeletedDatabasesDeleted(): void {
	const lifecycle = require('express-pouchdb/lib/create-or-delete-dbs') as Lifecycle;
	if (lifecycle.__deletedStayDeleted) return;
	const utils = require('express-pouchdb/lib/utils') as Utils;
	const cleanFilename = require('express-pouchdb/lib/clean-filename') as (name: string) => string;

	lifecycle.deleteDB = deleteDatabase;
	// The replicator (off here, embedded-store-app.ts) is the only other user of getOrCreateDB.
	lifecycle.getOrCreateDB = async (PouchDB, name) => {
		const db = await openExisting(PouchDB, name);
		if (!db) throw Object.assign(new Error('no_db_file'), { status: 404, name: 'not_found' });
		return db;
	};
	utils.setDBOnReq = (rawName, wrapper, req, res, next) => {
		const name = cleanFilename(rawName);
		const notFound = () => utils.sendJSON(res, 404, { error: 'not_found', reason: 'no_db_file' });
		openExisting(req.PouchDB, name).then(
			(db) => {
				if (!db) return notFound();
				const leave = waitsForChanges(req) ? () => {} : users.enter(db);
				res.once('close', leave);
				wrapper.wrap(name, db).then(
					() => {
						// Deleted meanwhile (a feed is not counted above): answer as CouchDB would.
						if (cacheOf(req.PouchDB).get(name) !== db) {
							leave();
							return notFound();
						}
						// A longpoll ends at its timeout or with the database, as on CouchDB.
						req.db =
							waitsForChanges(req) && isLongpoll(req)
								? endingLongpoll(db as never, req, res as never)
								: db;
						next();
					},
					(error: unknown) => {
						leave();
						utils.sendError(res, error);
					}
				);
			},
			(error: unknown) => utils.sendError(res, error)
		);
	};
	lifecycle.__deletedStayDeleted = true;
}
