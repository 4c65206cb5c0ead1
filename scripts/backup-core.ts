import {
	createReadStream,
	createWriteStream,
	mkdirSync,
	readFileSync,
	readdirSync,
	writeFileSync
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { CouchClient, parseCouchUrl, type SecurityObject } from '../server/couch/couch-client';
import { loadConfig } from '../server/config';
import { dbNames, type DbNames } from '../server/couch/db-names';
import { startEmbeddedStore } from '../server/store/embedded-store';

// Backup and restore of everything the server owns, through the CouchDB HTTP API as admin, so one
// format serves the embedded store and Apache CouchDB alike (docs/deploy.md "Backups"):
//
//   <dir>/manifest.json        which databases, their role, document counts and `_security`
//   <dir>/<file>.ndjson.gz     one document per line: the winning revision with its revision
//                              history (`_revisions`) and attachments inline, deleted ones left out
//
// Restoring writes with `new_edits: false`, so every document keeps its revision id: a phone that
// synced before the backup finds the same revisions afterwards and sends only what it has newer.
// `_local` documents (replication checkpoints) are not backed up: a device without its checkpoint
// simply compares revisions again.

export const BACKUP_FORMAT = 'doanvu-backup-1';

/** The server's own databases are restored under the target's prefix, found again by their role. */
type Role = keyof DbNames | 'unit' | 'users';

interface ManifestEntry {
	role: Role;
	db: string;
	file: string;
	docs: number;
	security: SecurityObject | null;
}

export interface Manifest {
	format: typeof BACKUP_FORMAT;
	createdAt: string;
	prefix: string;
	databases: ManifestEntry[];
}

const PAGE = 200;

export interface StoreHandle {
	couch: CouchClient;
	prefix: string;
	close(): Promise<void>;
}

/**
 * The store the server is configured for, from the same environment (`.env.example`): Apache
 * CouchDB when COUCHDB_URL is set, otherwise the embedded store in DATA_DIR, which this process
 * opens itself — the server must be stopped (LevelDB allows one process at a time).
 */
export async function openConfiguredStore(): Promise<StoreHandle> {
	const config = loadConfig();
	if (config.couchdbUrl) {
		const couch = new CouchClient(
			parseCouchUrl({
				url: config.couchdbUrl,
				user: config.couchdbUser,
				password: config.couchdbPassword
			})
		);
		return { couch, prefix: config.dbPrefix, close: async () => {} };
	}
	const store = await startEmbeddedStore({
		dataDir: config.dataDir,
		store: config.store,
		process: config.storeProcess
	});
	const couch = new CouchClient(
		parseCouchUrl({ url: store.url, user: store.admin.user, password: store.admin.password })
	);
	return { couch, prefix: config.dbPrefix, close: () => store.close() };
}

async function ok<T>(couch: CouchClient, path: string, body?: unknown): Promise<T> {
	return couch.json<T>({ method: body === undefined ? 'GET' : 'POST', path, body });
}

/** Every database the server owns: its own five and the unit databases its directory lists. */
async function ownedDatabases(couch: CouchClient, prefix: string) {
	const names = dbNames(prefix);
	const list: { role: Role; db: string }[] = (Object.keys(names) as (keyof DbNames)[]).map(
		(role) => ({ role, db: names[role] })
	);
	const units = await couch.allDocs<{ db?: string }>({
		db: names.directory,
		startkey: 'unit:',
		endkey: 'unit:\ufff0',
		includeDocs: true
	});
	const unitDbs = new Set(units.flatMap((row) => (row.doc?.db ? [row.doc.db] : [])));
	for (const db of [...unitDbs].sort()) list.push({ role: 'unit', db });
	return { names, list };
}

/** Winning revisions of `ids`, with history and inline attachments. */
async function fetchDocs(couch: CouchClient, db: string, ids: string[]): Promise<unknown[]> {
	if (ids.length === 0) return [];
	const res = await couch.json<{
		results: { docs: { ok?: Record<string, unknown>; error?: unknown }[] }[];
	}>({
		method: 'POST',
		path: `${encodeURIComponent(db)}/_bulk_get`,
		query: { revs: true, attachments: true },
		body: { docs: ids.map((id) => ({ id })) }
	});
	const docs: unknown[] = [];
	for (const result of res.results) {
		for (const entry of result.docs) {
			if (entry.ok && !entry.ok._deleted) docs.push(entry.ok);
			else if (entry.error) throw new Error(`${db}: ${JSON.stringify(entry.error)}`);
		}
	}
	return docs;
}

/**
 * Writes a database's documents to `path`, a page at a time: the country's registry (millions of
 * claims) never sits in memory. Returns how many were written.
 */
async function dumpDatabase(options: {
	couch: CouchClient;
	db: string;
	path: string;
	only?: (id: string) => boolean;
}): Promise<number> {
	const { couch, db } = options;
	const gzip = createGzip();
	const done = finished(gzip.pipe(createWriteStream(options.path)));
	let count = 0;
	let startkey: string | undefined;
	try {
		for (;;) {
			const page = await couch.json<{ rows: { id: string }[] }>({
				path: `${encodeURIComponent(db)}/_all_docs`,
				query: {
					limit: PAGE + 1,
					...(startkey !== undefined ? { startkey: JSON.stringify(startkey) } : {})
				}
			});
			const rows = page.rows.slice(0, PAGE);
			const ids = rows.map((row) => row.id).filter((id) => options.only?.(id) ?? true);
			for (const doc of await fetchDocs(couch, db, ids)) {
				if (!gzip.write(JSON.stringify(doc) + '\n')) await once(gzip, 'drain');
				count++;
			}
			const next = page.rows[PAGE];
			if (!next) break;
			startkey = next.id;
		}
	} finally {
		gzip.end();
		await done;
	}
	return count;
}

function fileFor(index: number, db: string): string {
	return `${String(index).padStart(5, '0')}-${db.replace(/[^a-z0-9_-]/g, '_')}.ndjson.gz`;
}

export async function backupStore(options: {
	couch: CouchClient;
	prefix: string;
	out: string;
}): Promise<Manifest> {
	const { couch, prefix, out } = options;
	mkdirSync(out, { recursive: true });
	const { names, list } = await ownedDatabases(couch, prefix);
	const databases: ManifestEntry[] = [];
	const save = async (
		entry: Omit<ManifestEntry, 'file' | 'docs'>,
		only?: (id: string) => boolean
	) => {
		const file = fileFor(databases.length, entry.db);
		const docs = await dumpDatabase({ couch, db: entry.db, path: join(out, file), only });
		databases.push({ ...entry, file, docs });
	};
	for (const { role, db } of list) {
		// A unit record whose database is gone (a unit being reorganised) has nothing to save.
		if (!(await couch.databaseExists(db))) continue;
		const security = await ok<SecurityObject>(couch, `${encodeURIComponent(db)}/_security`);
		await save({ role, db, security });
	}
	// The CouchDB users of the server's accounts (password hashes and roles): without them nobody
	// could sign in after a restore. Other users of a shared CouchDB are not the server's.
	const accounts = await couch.allDocs({
		db: names.accounts,
		startkey: 'account:',
		endkey: 'account:\ufff0'
	});
	const users = new Set(
		accounts.map((row) => `org.couchdb.user:${row.id.slice('account:'.length)}`)
	);
	await save({ role: 'users', db: '_users', security: null }, (id) => users.has(id));

	const manifest: Manifest = {
		format: BACKUP_FORMAT,
		createdAt: new Date().toISOString(),
		prefix,
		databases
	};
	writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, '\t') + '\n');
	return manifest;
}

export function readManifest(dir: string): Manifest {
	const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
	if (manifest.format !== BACKUP_FORMAT) {
		throw new Error(
			`${dir}: không phải bản sao lưu Doanvu (định dạng ${String(manifest.format)}).`
		);
	}
	const files = new Set(readdirSync(dir));
	for (const entry of manifest.databases) {
		if (!files.has(entry.file)) throw new Error(`${dir}: thiếu tệp ${entry.file}.`);
	}
	return manifest;
}

type RestoredDoc = { _id: string; _rev?: string; _revisions?: unknown } & Record<string, unknown>;

/**
 * CouchDB users are written as ordinary edits over whatever `_users` holds (the hash fields are kept
 * as they are: CouchDB only hashes a `password` field). Replayed with `new_edits: false`, a user
 * deleted after the backup would stay deleted — its tombstone descends from the saved revision.
 */
async function asUserEdits(couch: CouchClient, docs: RestoredDoc[]): Promise<RestoredDoc[]> {
	const current = await couch.allDocs({ db: '_users', keys: docs.map((doc) => doc._id) });
	const revs = new Map(
		current.flatMap((row) => (row.value && !row.value.deleted ? [[row.id, row.value.rev]] : []))
	);
	return docs.map((doc) => {
		const { _rev: _saved, _revisions: _history, ...rest } = doc;
		const rev = revs.get(doc._id);
		return rev ? { ...rest, _rev: rev } : rest;
	});
}

async function writeBatch(options: {
	couch: CouchClient;
	db: string;
	users: boolean;
	batch: RestoredDoc[];
}): Promise<number> {
	const { couch, db, users } = options;
	const batch = users ? await asUserEdits(couch, options.batch) : options.batch;
	const results = await couch.json<{ id: string; error?: string; reason?: string }[]>({
		method: 'POST',
		path: `${encodeURIComponent(db)}/_bulk_docs`,
		body: users ? { docs: batch } : { docs: batch, new_edits: false }
	});
	const failed = results.filter((row) => row.error);
	const first = failed[0];
	if (first) {
		throw new Error(
			`${db}: ${failed.length} tài liệu không ghi được (${first.id}: ${first.reason}).`
		);
	}
	return batch.length;
}

/** Documents other than design documents; undefined when the database does not exist. */
async function userDocCount(couch: CouchClient, db: string): Promise<number | undefined> {
	const res = await couch.request<{ doc_count?: number }>({ path: encodeURIComponent(db) });
	if (res.status === 404) return undefined;
	const design = await couch.json<{ rows: unknown[] }>({
		path: `${encodeURIComponent(db)}/_all_docs`,
		query: { startkey: JSON.stringify('_design/'), endkey: JSON.stringify('_design0') }
	});
	return (res.body.doc_count ?? 0) - design.rows.length;
}

/**
 * Restores into an empty store: refuses as soon as one of the target databases holds anything but
 * design documents, so a restore can never be mixed into a live country. Start the server on the
 * store only after the restore (it then re-applies design documents and access lists).
 */
export async function restoreStore(options: {
	couch: CouchClient;
	prefix: string;
	from: string;
}): Promise<{ databases: number; docs: number }> {
	const { couch, prefix, from } = options;
	const manifest = readManifest(from);
	const names = dbNames(prefix);
	const target = (entry: ManifestEntry) =>
		entry.role === 'unit' || entry.role === 'users' ? entry.db : names[entry.role];
	for (const entry of manifest.databases) {
		if (entry.role === 'users') continue;
		const count = await userDocCount(couch, target(entry));
		if (count !== undefined && count > 0) {
			throw new Error(
				`Cơ sở dữ liệu ${target(entry)} đã có ${count} tài liệu: chỉ khôi phục vào kho trống.`
			);
		}
	}
	let docs = 0;
	for (const entry of manifest.databases) {
		const db = target(entry);
		const exists = await couch.request({ method: 'HEAD', path: encodeURIComponent(db) });
		if (exists.status === 404) {
			await couch.json({ method: 'PUT', path: encodeURIComponent(db), what: `PUT /${db}` });
		}
		if (entry.security) {
			await couch.json({
				method: 'PUT',
				path: `${encodeURIComponent(db)}/_security`,
				body: entry.security
			});
		}
		const lines = createInterface({
			input: createReadStream(join(from, entry.file)).pipe(createGunzip()),
			crlfDelay: Infinity
		});
		let batch: RestoredDoc[] = [];
		for await (const line of lines) {
			if (!line) continue;
			batch.push(JSON.parse(line) as RestoredDoc);
			if (batch.length === PAGE) {
				docs += await writeBatch({ couch, db, users: entry.role === 'users', batch });
				batch = [];
			}
		}
		if (batch.length > 0)
			docs += await writeBatch({ couch, db, users: entry.role === 'users', batch });
	}
	return { databases: manifest.databases.length, docs };
}
