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

export function localDb(db: string): PouchDB.Database {
	if (wiped.has(db)) throw new WipedDatabaseError(db);
	let local = locals.get(db);
	if (!local) {
		local = new PouchDB(localDbName(db), { auto_compaction: true });
		locals.set(db, local);
	}
	return local;
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
		await local.destroy();
	}
}

export function openLocalDbs(): string[] {
	return [...locals.keys()];
}
