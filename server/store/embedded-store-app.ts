import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { devNull } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import expressPouchdb from 'express-pouchdb';
import * as v from 'valibot';
import type { StoreKind } from '../config';
import { keepDeletedDatabasesDeleted } from './database-lifecycle';
import { guardLocalDocs } from './store-guard';

// The embedded CouchDB-compatible store (express-pouchdb) for `npm start` without COUCHDB_URL. It
// listens on its own loopback port and the server talks to it over HTTP only, exactly as to Apache
// CouchDB (docs/decisions/0002-server-framework.md). Admin party is ended at once: a database
// without `_security` is public on this store, and so would be every endpoint without an admin.
// This module runs the store in the process that imports it; embedded-store.ts decides which
// process that is (a child of its own by default, docs/decisions/0013-embedded-store-process.md).

export interface EmbeddedStore {
	url: string;
	admin: { user: string; password: string };
	close(): Promise<void>;
}

const SecretsSchema = v.object({
	couchAdmin: v.object({
		user: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_-]{2,40}$/)),
		password: v.pipe(v.string(), v.minLength(16))
	})
});

type Secrets = v.InferOutput<typeof SecretsSchema>;

type PouchCtor = PouchDB.Static & { __dbCacheMap?: Map<string, PouchDB.Database> };

export async function startStoreInThisProcess(options: {
	dataDir: string;
	store: StoreKind;
}): Promise<EmbeddedStore> {
	const memory = options.store === 'memory';
	const dataDir = resolve(options.dataDir);
	const secrets = memory ? newSecrets() : loadOrCreateSecrets(dataDir);
	const PouchDB = memory ? await memoryPouch() : await levelPouch(dataDir);

	// Before the app is built: its routes capture express-pouchdb's delete at that moment.
	keepDeletedDatabasesDeleted();
	const couchApp = expressPouchdb(PouchDB, {
		mode: 'fullCouchDB',
		inMemoryConfig: memory,
		configPath: memory ? undefined : join(dataDir, 'couch-config.json'),
		logPath: memory ? devNull : join(dataDir, 'couch.log'),
		// Off: the request log (document ids and logins from URLs), the Fauxton UI, and the
		// replicator daemon — nothing here replicates server-side, and its process-wide state clashes
		// when tests start two stores in one process; and `disk_size` in database info, which walks
		// the database's directory on every info request (~5 % of the store's CPU under load, ADR
		// 0013) for a figure nothing reads (the capacity bench measures the directory itself).
		overrideMode: {
			exclude: ['routes/http-log', 'routes/fauxton', 'replicator', 'routes/replicate', 'disk-size']
		}
	});
	couchApp.dbWrapper.registerWrapper(keepReplicatedRevisions);
	// Registered last, so it runs first: the access list (`_local/_security`) is out of every
	// user's reach before any other wrapper sees the call (store-guard.ts).
	couchApp.dbWrapper.registerWrapper(guardLocalDocs);
	const app = express();
	app.disable('x-powered-by');
	app.use(couchApp);

	const server = app.listen(0, '127.0.0.1');
	await new Promise<void>((resolveListen, reject) => {
		server.once('listening', resolveListen);
		server.once('error', reject);
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}/`;

	const close = async () => {
		await new Promise<void>((resolveClose) => {
			server.close(() => resolveClose());
			server.closeAllConnections();
		});
		const cached = [...(PouchDB.__dbCacheMap?.values() ?? [])];
		PouchDB.__dbCacheMap?.clear();
		// Closed, never destroyed, even in memory: every PouchDB.defaults() class shares the base
		// class's events, so destroying `doanvu_directory` here would tell every other store in the
		// process (tests run several) that its own `doanvu_directory` is gone. A closed memory
		// database is only kept until the process ends.
		await Promise.allSettled(cached.map((db) => db.close()));
	};

	try {
		await endAdminParty({ url, admin: secrets.couchAdmin });
	} catch (error) {
		await close();
		throw error;
	}
	if (!memory) {
		// express-pouchdb writes its config (with the admin's password hash) world-readable.
		for (const file of ['couch-config.json', 'couch.log']) {
			const path = join(dataDir, file);
			if (existsSync(path)) chmodSync(path, 0o600);
		}
	}
	return { url, admin: secrets.couchAdmin, close };
}

async function memoryPouch(): Promise<PouchCtor> {
	const { default: PouchDB } = await import('pouchdb-core');
	const { default: memoryAdapter } = await import('pouchdb-adapter-memory');
	const { default: mapreduce } = await import('pouchdb-mapreduce');
	const { default: replication } = await import('pouchdb-replication');
	// pouchdb-core is one shared class in the process (the tests' own PouchDB uses it too), and its
	// plugins refuse to be installed twice.
	const adapters = (PouchDB as unknown as { adapters: Record<string, unknown> }).adapters;
	if (!adapters.memory) PouchDB.plugin(memoryAdapter);
	if (!('query' in PouchDB.prototype)) PouchDB.plugin(mapreduce);
	if (!('replicate' in PouchDB.prototype)) PouchDB.plugin(replication);
	// Memory databases are shared by name across the process: a random prefix isolates each store
	// (tests start several servers in one process).
	return PouchDB.defaults({
		adapter: 'memory',
		prefix: `mem${randomBytes(6).toString('hex')}_`
	} as PouchDB.Configuration.DatabaseConfiguration) as PouchCtor;
}

async function levelPouch(dataDir: string): Promise<PouchCtor> {
	const dbDir = join(dataDir, 'db');
	mkdirSync(dbDir, { recursive: true });
	// The Node build of PouchDB (LevelDB); loaded only here so the memory store needs no native code.
	const { default: PouchDB } = await import('pouchdb');
	return PouchDB.defaults({
		prefix: `${dbDir}/`
	} as PouchDB.Configuration.DatabaseConfiguration) as PouchCtor;
}

/**
 * Works around a bug in pouchdb-validation (used by express-pouchdb): before running
 * validate_doc_update it overwrites each incoming document's `_revisions` with the stored document's.
 * A replicated write (`new_edits: false`) of a document that already exists then loses its revision
 * history and is silently dropped — a phone's offline edit would never reach the server. Registered
 * last, this wrapper runs first and pins each document's own `_revisions`, which is also what
 * CouchDB hands to validate_doc_update.
 */
function keepReplicatedRevisions(_name: string, db: PouchDB.Database, next: () => void): void {
	type Method = (this: unknown, ...args: unknown[]) => unknown;
	const target = db as unknown as Record<'bulkDocs' | 'put', Method>;
	const pin = (doc: unknown) => {
		if (!doc || typeof doc !== 'object' || !('_revisions' in doc)) return;
		const revisions = (doc as { _revisions: unknown })._revisions;
		Object.defineProperty(doc, '_revisions', {
			get: () => revisions,
			set: () => {},
			enumerable: true,
			configurable: true
		});
	};
	const bulkDocs = target.bulkDocs;
	target.bulkDocs = function (docs: unknown, ...rest: unknown[]) {
		const list = Array.isArray(docs) ? docs : (docs as { docs?: unknown[] } | null)?.docs;
		for (const doc of list ?? []) pin(doc);
		return bulkDocs.call(this, docs, ...rest);
	};
	const put = target.put;
	target.put = function (doc: unknown, ...rest: unknown[]) {
		pin(doc);
		return put.call(this, doc, ...rest);
	};
	next();
}

function newSecrets(): Secrets {
	return {
		couchAdmin: { user: 'doanvu_server', password: randomBytes(24).toString('base64url') }
	};
}

function loadOrCreateSecrets(dataDir: string): Secrets {
	mkdirSync(dataDir, { recursive: true });
	const file = join(dataDir, 'secrets.json');
	if (existsSync(file)) {
		const parsed = v.safeParse(SecretsSchema, JSON.parse(readFileSync(file, 'utf8')));
		if (!parsed.success) {
			throw new Error(`Tệp ${file} không hợp lệ: hãy khôi phục bản sao lưu của tệp này.`);
		}
		return parsed.output;
	}
	const secrets = newSecrets();
	// 'wx': two processes starting at once must not overwrite each other's secret.
	writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
	return secrets;
}

async function endAdminParty(options: {
	url: string;
	admin: { user: string; password: string };
}): Promise<void> {
	const basic = `Basic ${Buffer.from(`${options.admin.user}:${options.admin.password}`).toString('base64')}`;
	const isAdmin = async () => {
		const res = await fetch(new URL('_session', options.url), {
			headers: { authorization: basic, accept: 'application/json' }
		});
		if (res.status !== 200) return false;
		const body = (await res.json()) as { userCtx?: { roles?: string[] } };
		return body.userCtx?.roles?.includes('_admin') ?? false;
	};
	if (await isAdmin()) {
		// Admin party is over only when an anonymous caller is refused.
		const anonymous = await fetch(new URL('_config/admins', options.url));
		if (anonymous.status === 401 || anonymous.status === 403) return;
	}
	// No admin yet (first start, or a store whose config was lost): create ours.
	const res = await fetch(new URL(`_config/admins/${options.admin.user}`, options.url), {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(options.admin.password)
	});
	if (res.status !== 200 || !(await isAdmin())) {
		throw new Error(
			'Kho dữ liệu nhúng đã có quản trị viên khác với DATA_DIR/secrets.json; không thể khởi động.'
		);
	}
}
