import PouchDB from 'pouchdb-browser';
import { wiped } from './wiped-dbs';

export { allowLocalDbs } from './wiped-dbs';

// One local PouchDB per synced unit database: the device's replicated truth (docs/design.md §3).
const locals = new Map<string, PouchDB.Database>();

export class WipedDatabaseError extends Error {
	constructor(db: string) {
		super(`Dữ liệu đơn vị ${db} đã bị xóa khỏi máy này.`);
	}
}

export function localDbName(db: string): string {
	return `doanvu-${db}`;
}

let connectionsKept = false;

/**
 * PouchDB's idb adapter listens for `abort` on the whole IndexedDB connection and treats any abort
 * that reaches it as a "global failure": it closes the connection for good, so every later read or
 * write of that database fails ("The database connection is closing") until the page is reloaded —
 * the `indexed_db_went_bad` field apps report from full phones. A transaction refused for quota is
 * not that: IndexedDB rolled it back, the connection is sound, and PouchDB already told the caller
 * through the transaction's own handler. Such an abort is therefore stopped at the transaction
 * (every handler on the transaction itself still runs), so that the app recovers, without a reload,
 * once space is freed (tests/e2e/storage-quota.test.ts).
 */
function keepConnectionsOnQuotaAbort(): void {
	const prototype = globalThis.IDBDatabase?.prototype;
	if (connectionsKept || !prototype) return;
	connectionsKept = true;
	const open = prototype.transaction;
	prototype.transaction = function (
		this: IDBDatabase,
		...args: Parameters<IDBDatabase['transaction']>
	): IDBTransaction {
		const transaction = open.apply(this, args);
		transaction.addEventListener('abort', (event) => {
			if (transaction.error?.name === 'QuotaExceededError') event.stopPropagation();
		});
		return transaction;
	};
}

/** The unit's PouchDB itself, for the sync engine, which fills it (ADR 0029). */
export function syncLocalDb(db: string): PouchDB.Database {
	if (wiped.has(db)) throw new WipedDatabaseError(db);
	let local = locals.get(db);
	if (!local) {
		keepConnectionsOnQuotaAbort();
		local = new PouchDB(localDbName(db), { auto_compaction: true });
		locals.set(db, local);
	}
	return local;
}

// A pinned unit's first sync reaches PouchDB after the read model (ADR 0029): until its snapshot
// stash is written in (sync/local-fill.ts), a read or write of that PouchDB through localDb()
// first has the fill finish. Databases known to have nothing waiting skip the check.
const complete = new Set<string>();
const RAW = Symbol('raw PouchDB');
const guardedViews = new Map<string, PouchDB.Database>();
/** The methods that read or write documents; changes(), info() and revsDiff() pass straight. */
const DOCUMENT_METHODS = new Set([
	'get',
	'allDocs',
	'bulkGet',
	'put',
	'post',
	'bulkDocs',
	'remove',
	'query',
	'getAttachment',
	'putAttachment',
	'removeAttachment'
]);

export function markLocalIncomplete(db: string): void {
	complete.delete(db);
}

export function markLocalComplete(db: string): void {
	complete.add(db);
}

let fillModule: Promise<typeof import('$lib/data/sync/local-fill')> | null = null;

async function filled(db: string): Promise<void> {
	fillModule ??= import('$lib/data/sync/local-fill');
	await (await fillModule).whenLocalFilled(db);
}

/** The unit's PouchDB as the app reads and writes it (see above). */
export function localDb(db: string): PouchDB.Database {
	const local = syncLocalDb(db);
	let view = guardedViews.get(db);
	if (!view || (view as unknown as { [RAW]: PouchDB.Database })[RAW] !== local) {
		view = new Proxy(local, {
			get(target, property) {
				if (property === RAW) return target;
				const value = Reflect.get(target, property, target) as unknown;
				if (typeof value !== 'function') return value;
				const method = value as (...args: unknown[]) => unknown;
				if (typeof property === 'string' && DOCUMENT_METHODS.has(property)) {
					return (...args: unknown[]) =>
						complete.has(db)
							? method.apply(target, args)
							: filled(db).then(() => method.apply(target, args));
				}
				return method.bind(target);
			}
		});
		guardedViews.set(db, view);
	}
	return view;
}

export interface RemoteOptions {
	/** Origin of the Doanvu server; the page's own origin in the browser. */
	origin?: string;
	/** Extra headers (tests in Node pass the device cookie). */
	headers?: Record<string, string>;
}

export function remoteDb(db: string, options: RemoteOptions = {}): PouchDB.Database {
	const origin = options.origin ?? globalThis.location?.origin ?? '';
	const headers = options.headers;
	return new PouchDB(`${origin}/couch/${db}`, {
		adapter: 'http',
		// The proxy refuses database creation; PouchDB would otherwise try PUT /db on a 404.
		skip_setup: true,
		fetch: (url: string | Request, init?: RequestInit) => {
			const merged = new Headers(init?.headers);
			if (headers) for (const [k, v] of Object.entries(headers)) merged.set(k, v);
			return PouchDB.fetch(url, { ...init, headers: merged, credentials: 'same-origin' });
		}
	} as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

/** Closes and deletes every local database (sign-out, revoked device). */
export async function destroyLocalDbs(dbs: string[]): Promise<void> {
	for (const db of dbs) {
		if (wiped.has(db) && !locals.has(db)) continue;
		wiped.add(db);
		const local = locals.get(db) ?? new PouchDB(localDbName(db));
		locals.delete(db);
		guardedViews.delete(db);
		complete.delete(db);
		await local.destroy();
	}
}

export function openLocalDbs(): string[] {
	return [...locals.keys()];
}
