import { randomBytes } from 'node:crypto';
import {
	createDoanvuServer,
	type DoanvuServer,
	type ServerOptions
} from '../../server/site/doanvu-server';
import type { AccountRole } from '../../server/accounts/account-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { SessionInfo } from '../../server/accounts/session-controller';
import type { UnitKindId } from '../../src/lib/domain/unit-kinds';
import PouchDB from './pouchdb-node';
import { sessionCookieOf } from './session-cookie';

// The real server, in-process on a random port with the memory store — or, when COUCHDB_URL is set,
// against that Apache CouchDB, each test server isolated by its own database prefix and cleaned up on
// close. Nothing here reaches around the HTTP API except the services the server itself exposes.

export interface TestServer extends DoanvuServer {
	/** fetch() against the server, optionally with a device cookie. */
	request(path: string, init?: RequestInit & { cookie?: string }): Promise<Response>;
	/** Signs in through POST /api/session; returns the `dv_session=…` cookie pair. */
	signIn(options: {
		login: string;
		password: string;
	}): Promise<{ cookie: string; session: SessionInfo }>;
	/** A unit and one account in it, with a known password. */
	createUnitWithAccount(options: {
		kind?: UnitKindId;
		parentId?: string;
		role?: AccountRole;
		name?: string;
	}): Promise<{ unit: UnitRecord; login: string; password: string }>;
	/** Another account in an existing unit. */
	createAccountIn(options: {
		unitId: string;
		role: AccountRole;
	}): Promise<{ login: string; password: string }>;
	/** A PouchDB talking to /couch/<db> through the proxy with a device cookie. */
	remoteDb(options: { db: string; cookie: string }): PouchDB.Database;
	/** Stops the server; against a shared CouchDB its databases are removed unless kept. */
	close(options?: { keepData?: boolean }): Promise<void>;
}

export function uniqueLogin(prefix = 'u'): string {
	return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** Workers at test speed: jobs picked up within tens of milliseconds, leases lost within a second. */
export const TEST_WORKERS = {
	enabled: true,
	pollMs: 25,
	leaseMs: 800,
	maxAttempts: 3,
	batchSize: 50,
	forwardMinMs: 25,
	forwardMaxMs: 250
};

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
	const external = Boolean(process.env.COUCHDB_URL);
	const server = await createDoanvuServer({
		port: 0,
		host: '127.0.0.1',
		store: 'memory',
		log: false,
		...(external ? { dbPrefix: `t${randomBytes(4).toString('hex')}_` } : {}),
		// Real PBKDF2, fewer rounds: tests create and sign in hundreds of accounts.
		passwordIterations: 2000,
		...options,
		workers: { ...TEST_WORKERS, ...options.workers }
	});
	const createdLogins: string[] = [];

	const request: TestServer['request'] = (path, init = {}) => {
		const { cookie, ...rest } = init;
		const headers = new Headers(rest.headers);
		if (cookie) headers.set('cookie', cookie);
		return fetch(`${server.url}${path}`, { ...rest, headers });
	};

	const createAccountIn: TestServer['createAccountIn'] = async ({ unitId, role }) => {
		const login = uniqueLogin(role.slice(0, 3));
		const password = `mk-${randomBytes(6).toString('hex')}`;
		await server.accounts.createAccount({
			login,
			password,
			fullName: 'Nguyễn Thị Thử',
			unitId,
			role,
			mustChangePassword: false,
			createdBy: 'test'
		});
		createdLogins.push(login);
		return { login, password };
	};

	return {
		...server,
		request,
		async signIn({ login, password }) {
			const res = await request('/api/session', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ login, password })
			});
			const cookie = await sessionCookieOf(res);
			return { cookie, session: (await res.json()) as SessionInfo };
		},
		async createUnitWithAccount({ kind = 'doan-xa', parentId, role = 'secretary', name }) {
			const unit = await server.provision.createUnit({
				name: name ?? `Đoàn xã Thử ${randomBytes(2).toString('hex')}`,
				kind,
				parentId,
				createdBy: 'test'
			});
			return { unit, ...(await createAccountIn({ unitId: unit.id, role })) };
		},
		createAccountIn,
		remoteDb({ db, cookie }) {
			return new PouchDB(`${server.url}/couch/${db}`, {
				// The shared test PouchDB defaults to the memory adapter, which would take a URL for a name.
				adapter: 'http',
				skip_setup: true,
				fetch: (url: string | Request, init?: RequestInit) => {
					const headers = new Headers(init?.headers);
					headers.set('cookie', cookie);
					return fetch(url, { ...init, headers });
				}
			} as PouchDB.Configuration.RemoteDatabaseConfiguration);
		},
		async close(closeOptions = {}) {
			if (external && !closeOptions.keepData)
				await cleanUpServerData({ server, logins: createdLogins });
			await server.close();
		}
	};
}

/** Removes what a test server (or the bench's) created in a shared CouchDB. */
export async function cleanUpServerData(options: {
	server: DoanvuServer;
	logins: string[];
}): Promise<void> {
	const { couch, provision } = options.server;
	const units = await provision.listUnits().catch(() => []);
	for (const unit of units) await couch.deleteDatabase(unit.db).catch(() => false);
	const accounts = await couch
		.allDocs<{ login: string }>({
			db: provision.names.accounts,
			startkey: 'account:',
			endkey: 'account:\ufff0'
		})
		.catch(() => []);
	const logins = new Set([...options.logins, ...accounts.map((row) => row.id.slice(8))]);
	for (const login of logins) {
		const id = `org.couchdb.user:${login}`;
		const user = await couch.getDoc({ db: '_users', id }).catch(() => undefined);
		if (user?._rev) {
			await couch.request({
				method: 'DELETE',
				path: `_users/${encodeURIComponent(id)}`,
				query: { rev: user._rev }
			});
		}
	}
	await couch.deleteDatabase(provision.names.directory).catch(() => false);
	await couch.deleteDatabase(provision.names.accounts).catch(() => false);
	await couch.deleteDatabase(provision.names.audit).catch(() => false);
	await couch.deleteDatabase(provision.names.dbUpdates).catch(() => false);
	await couch.deleteDatabase(provision.names.registry).catch(() => false);
	await couch.deleteDatabase(provision.names.declarations).catch(() => false);
	await couch.deleteDatabase(provision.names.files).catch(() => false);
}
