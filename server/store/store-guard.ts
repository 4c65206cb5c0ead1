import { isDeviceLocalDocId } from '../proxy/local-docs';

// Defence in depth inside the embedded store (express-pouchdb), behind the proxy's allowlist: the
// store keeps each database's access list as the local document `_local/_security`, and PouchDB
// writes are not checked against it for `_local` ids. So whoever reaches the store with a user's
// session — not the server admin, not the store's own internal calls (which carry no user) — may
// only touch the `_local` ids devices use (local-docs.ts), however the request spells them: a
// document route, `_bulk_docs`, `_bulk_get` or `_all_docs?keys`. Apache CouchDB needs none of this:
// its `_security` is not a document.

interface UserCtx {
	name?: string | null;
	roles?: string[];
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

const FORBIDDEN = {
	status: 403,
	name: 'forbidden',
	error: 'forbidden',
	message: 'Tài liệu cục bộ này chỉ máy chủ được đọc hoặc ghi.',
	reason: 'Tài liệu cục bộ này chỉ máy chủ được đọc hoặc ghi.'
};

function userOf(options: unknown): UserCtx | undefined {
	if (!options || typeof options !== 'object') return undefined;
	return (options as { userCtx?: UserCtx }).userCtx;
}

function isUser(userCtx: UserCtx | undefined): boolean {
	return userCtx !== undefined && !(userCtx.roles ?? []).includes('_admin');
}

function refusedId(id: unknown): boolean {
	return typeof id === 'string' && id.startsWith('_local/') && !isDeviceLocalDocId(id);
}

function idOf(doc: unknown): unknown {
	return doc && typeof doc === 'object' ? (doc as { _id?: unknown })._id : doc;
}

/** Refuses the call: through its callback when it has one, else as a rejected promise. */
function refuse(args: unknown[]): unknown {
	const error = Object.assign(new Error(FORBIDDEN.message), FORBIDDEN);
	const callback = args.findLast((arg) => typeof arg === 'function') as
		((error: unknown) => void) | undefined;
	if (callback) {
		callback(error);
		return undefined;
	}
	return Promise.reject(error);
}

/** express-pouchdb database wrapper (`app.dbWrapper.registerWrapper`). */
export function guardLocalDocs(_name: string, db: PouchDB.Database, next: () => void): void {
	const target = db as unknown as Record<string, Method>;
	const wrap = (name: string, refused: (args: unknown[]) => boolean) => {
		const original = target[name];
		if (typeof original !== 'function') return;
		target[name] = function (this: unknown, ...args: unknown[]) {
			if (refused(args)) return refuse(args);
			return original.apply(this, args);
		};
	};
	const optionsAt = (args: unknown[], index: number) =>
		args.slice(index).find((arg) => arg && typeof arg === 'object');

	wrap('get', (args) => isUser(userOf(args[1])) && refusedId(args[0]));
	wrap('put', (args) => isUser(userOf(args[1])) && refusedId(idOf(args[0])));
	wrap('remove', (args) => isUser(userOf(optionsAt(args, 1))) && refusedId(idOf(args[0])));
	wrap('bulkDocs', (args) => {
		if (!isUser(userOf(args[1]))) return false;
		const body = args[0];
		const docs = Array.isArray(body) ? body : (body as { docs?: unknown } | null)?.docs;
		return Array.isArray(docs) && docs.some((doc) => refusedId(idOf(doc)));
	});
	// express-pouchdb passes the request body as bulkGet's options, without a user: the server
	// itself never asks for `_local` documents this way, so nobody may.
	wrap('bulkGet', (args) => {
		const docs = (args[0] as { docs?: unknown } | null)?.docs;
		return Array.isArray(docs) && docs.some((doc) => refusedId((doc as { id?: unknown })?.id));
	});
	wrap('allDocs', (args) => {
		const options = args[0] as { keys?: unknown; key?: unknown } | null;
		if (!isUser(userOf(options))) return false;
		const keys = Array.isArray(options?.keys) ? options.keys : [options?.key];
		return keys.some(refusedId);
	});
	next();
}
