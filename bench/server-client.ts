import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreKind } from '../server/config';
import { parseCouchUrl } from '../server/couch/couch-client';
import type { DbDigest } from './digest';
import { sessionCookieOf } from '../tests/support/session-cookie';
import type { ServerCommand } from './server-process';

// The bench's handle on the server process (bench/server-process.ts).

/** Where the bench's server keeps its data: the embedded store, or an Apache CouchDB 3. */
export type BenchStore =
	| { kind: StoreKind }
	| { kind: 'couchdb'; url: string; user: string | undefined; password: string | undefined };

/** `--couchdb=http://admin:password@host:5984` (credentials in the URL, or COUCHDB_USER/_PASSWORD). */
export function couchdbStore(url: string): BenchStore {
	const target = parseCouchUrl({
		url,
		user: process.env.COUCHDB_USER,
		password: process.env.COUCHDB_PASSWORD
	});
	return {
		kind: 'couchdb',
		url: target.baseUrl.href,
		user: target.user,
		password: target.password
	};
}

export const storeLabel = (store: BenchStore): string =>
	store.kind === 'couchdb' ? 'Apache CouchDB' : `embedded (${store.kind})`;

/** A command's options, as the server process takes them. */
type Args<Op extends ServerCommand['op']> = Omit<Extract<ServerCommand, { op: Op }>, 'op'>;

export interface BenchServer {
	url: string;
	port: number;
	createUnit(options: Args<'createUnit'>): Promise<{ id: string; db: string; login: string }>;
	/** `active`: the members whose status is active, the roster's default list. */
	seed(
		options: Args<'seed'>
	): Promise<{ members: number; active: number; history: number; branches: number }>;
	editMembers(options: Args<'editMembers'>): Promise<string[]>;
	state(db: string): Promise<DbDigest>;
	payload(
		db: string
	): Promise<{ docs: number; raw: number; gzip: number; brotli4: number; brotli11: number }>;
	createDevices(options: { login: string; count: number }): Promise<string[]>;
	/** Nudges the figures worker for these databases and waits for one whole cycle. */
	figures(options: { dbs: string[] }): Promise<{ read: number; computed: number; written: number }>;
	/** Writes documents into a database as the server's admin (what only the server writes). */
	putDocs(options: Args<'putDocs'>): Promise<number>;
	/** Signs in through POST /api/session (directly, not over the emulated link). */
	signIn(options: { login: string; password: string }): Promise<string>;
	close(): Promise<void>;
}

export async function startBenchServer(options: {
	store: BenchStore;
	buildDir?: string;
}): Promise<BenchServer> {
	const child: ChildProcess = fork(fileURLToPath(new URL('./server-process.ts', import.meta.url)), {
		execArgv: ['--import', 'tsx', '--max-old-space-size=6144'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	let next = 0;
	const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	child.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
		const entry = waiting.get(message.id);
		if (!entry) return;
		waiting.delete(message.id);
		if (message.ok) entry.resolve(message.result);
		else entry.reject(new Error(message.error));
	});
	child.on('exit', (code) => {
		for (const entry of waiting.values())
			entry.reject(new Error(`server process exited (${code})`));
		waiting.clear();
	});
	const call = <T>(op: string, extra: Record<string, unknown> = {}): Promise<T> =>
		new Promise<T>((resolve, reject) => {
			const id = ++next;
			waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
			child.send({ id, op, ...extra });
		});
	const { url, port } = await call<{ url: string; port: number }>('start', {
		store: options.store,
		buildDir: options.buildDir
	});
	return {
		url,
		port,
		createUnit: (o) => call('createUnit', o),
		seed: (o) => call('seed', o),
		editMembers: (o) => call('editMembers', o),
		state: (db) => call('state', { db }),
		payload: (db) => call('payload', { db }),
		createDevices: (o) => call('createDevices', o),
		figures: (o) => call('figures', o),
		putDocs: (o) => call('putDocs', o),
		async signIn({ login, password }) {
			const res = await fetch(`${url}/api/session`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ login, password })
			});
			return sessionCookieOf(res);
		},
		async close() {
			await call('close').catch(() => undefined);
			await new Promise<void>((resolve) => {
				if (child.exitCode !== null) resolve();
				else child.once('exit', () => resolve());
			});
		}
	};
}
