import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../scripts/backup-core';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { memberDoc, type TestMember } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { sessionCookieOf } from '../support/session-cookie';
import { startTestServer, type TestServer } from '../support/test-server';

// npm run backup / npm run restore (scripts/backup-core.ts, docs/deploy.md), run as the commands an
// operator types, each in its own process: a server's data is backed up, restored into an empty
// store, and a fresh server on that store lets the same secretary sign in and sync the same members
// with the same revisions — what a province would notice after losing its machine. On the embedded
// store the backup reads the stopped server's DATA_DIR and the restore fills a new one, on which a
// new server process starts (LevelDB admits one process at a time, as in production). Against
// Apache CouchDB (COUCHDB_URL) the first server's databases and users are removed after the backup
// and the restore brings them back under the same prefix.

const dirs: string[] = [];
const servers: TestServer[] = [];
const processes: ServerProcess[] = [];

function tempDir(name: string): string {
	const dir = mkdtempSync(join(tmpdir(), `doanvu-${name}-`));
	dirs.push(dir);
	return dir;
}

afterAll(async () => {
	for (const server of servers) await server.close().catch(() => {});
	for (const child of processes) await child.stop().catch(() => {});
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runScript(script: string, args: string[], env: Record<string, string | undefined>) {
	const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
		env: { ...process.env, LOG: 'off', ...env },
		encoding: 'utf8',
		timeout: 60_000
	});
	return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function signIn(url: string, login: string, password: string) {
	const res = await fetch(`${url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ login, password })
	});
	const cookie = await sessionCookieOf(res);
	return { cookie, session: (await res.json()) as SessionInfo };
}

function remoteDb(url: string, db: string, cookie: string): PouchDB.Database {
	return new PouchDB(`${url}/couch/${db}`, {
		adapter: 'http',
		skip_setup: true,
		fetch: (target: string | Request, init?: RequestInit) => {
			const headers = new Headers(init?.headers);
			headers.set('cookie', cookie);
			return fetch(target, { ...init, headers });
		}
	} as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

/** What a device holds after a first sync: every member's id, winning revision and name. */
async function pullAll(url: string, db: string, cookie: string) {
	const local = new PouchDB(`restore-${randomBytes(4).toString('hex')}`);
	await local.replicate.from(remoteDb(url, db, cookie));
	const rows = await local.allDocs({
		include_docs: true,
		startkey: 'member:',
		endkey: 'member:\ufff0'
	});
	const members = rows.rows.map((row) => ({
		id: row.id,
		rev: row.value.rev,
		givenName: (row.doc as unknown as TestMember).givenName
	}));
	await local.destroy();
	return members;
}

describe('backup and restore', () => {
	const credentials = { login: '', password: '' };
	it('a fresh server on a restored store signs the same secretary in and syncs the same members', async () => {
		const external = Boolean(process.env.COUCHDB_URL);
		const firstData = tempDir('data-a');
		let first: TestServer | ServerProcess;
		const login = `sao${randomBytes(4).toString('hex')}`;
		const password = `Mk-${randomBytes(8).toString('hex')}`;
		if (external) {
			const server = await startTestServer();
			servers.push(server);
			const made = await server.createUnitWithAccount({});
			first = server;
			Object.assign(credentials, { login: made.login, password: made.password });
		} else {
			// The embedded store's server in a process of its own, set up as a new province would be.
			first = await startServerProcess({ dataDir: firstData, port: await freePort() });
			processes.push(first);
			const res = await fetch(`${first.url}/api/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					unitName: 'Đoàn xã Sao Lưu',
					unitKind: 'doan-xa',
					login,
					fullName: 'Nguyễn Văn Sao',
					password
				})
			});
			expect(res.status, await res.clone().text()).toBeLessThan(300);
			Object.assign(credentials, { login, password });
		}
		const { cookie, session } = await signIn(first.url, credentials.login, credentials.password);
		const unitId = session.unit.id;
		const db = session.unit.db;
		const remote = remoteDb(first.url, db, cookie);
		const docs = Array.from({ length: 120 }, (_, i) =>
			memberDoc({ unitId, login: credentials.login, givenName: `Hoa${i}` })
		);
		const written = await remote.bulkDocs(docs);
		expect(written.every((row) => 'ok' in row && row.ok)).toBe(true);
		// History: every tenth member edited twice.
		for (const [i, doc] of docs.entries()) {
			if (i % 10 !== 0) continue;
			let current = await remote.get<TestMember>(doc._id);
			for (const name of ['Lan', 'Mai']) {
				const res = await remote.put({ ...current, givenName: `${name}${i}` });
				current = { ...current, _rev: res.rev, givenName: `${name}${i}` };
			}
		}
		const before = await pullAll(first.url, db, cookie);
		expect(before).toHaveLength(120);

		// The backup: of the running CouchDB, or of the embedded store once its server has stopped.
		const out = tempDir('backup');
		if (!external) await (first as ServerProcess).stop();
		const prefix = external ? (first as TestServer).config.dbPrefix : '';
		const source = external
			? { DOANVU_DB_PREFIX: prefix }
			: { DATA_DIR: firstData, DOANVU_STORE: 'leveldb', DOANVU_DB_PREFIX: '', COUCHDB_URL: '' };
		const backedUp = runScript('scripts/backup.ts', ['--out', out], source);
		expect(backedUp.status, backedUp.stderr).toBe(0);
		expect(backedUp.stdout).toMatch(/Đã sao lưu/);
		const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
		const saved = manifest.databases.find((entry) => entry.db === db);
		expect(saved?.docs).toBeGreaterThanOrEqual(121);
		expect(saved?.security).toBeTruthy();
		expect(manifest.databases.find((entry) => entry.role === 'users')?.docs).toBe(1);

		if (external) {
			await (first as TestServer).close();
			servers.splice(servers.indexOf(first as TestServer), 1);
		}
		const secondData = tempDir('data-b');
		const target = external
			? { DOANVU_DB_PREFIX: prefix }
			: { DATA_DIR: secondData, DOANVU_STORE: 'leveldb', DOANVU_DB_PREFIX: '', COUCHDB_URL: '' };
		const restored = runScript('scripts/restore.ts', ['--from', out], target);
		expect(restored.status, restored.stderr).toBe(0);
		expect(restored.stdout).toMatch(/Đã khôi phục/);
		// A second restore into the same store is refused: it is no longer empty.
		const again = runScript('scripts/restore.ts', ['--from', out], target);
		expect(again.status).toBe(1);
		expect(again.stderr).toMatch(/chỉ khôi phục vào kho trống/);

		let url: string;
		if (external) {
			const second = await startTestServer({ dbPrefix: prefix });
			servers.push(second);
			url = second.url;
		} else {
			const second = await startServerProcess({ dataDir: secondData, port: await freePort() });
			processes.push(second);
			url = second.url;
		}

		const signedIn = await signIn(url, credentials.login, credentials.password);
		expect(signedIn.session.unit.db).toBe(db);
		const after = await pullAll(url, db, signedIn.cookie);
		expect(after).toEqual(before);
		expect(after.find((row) => row.id === docs[10]?._id)?.givenName).toBe('Mai10');

		// The secretary keeps working on the restored database, under its validation as before.
		const next = remoteDb(url, db, signedIn.cookie);
		const added = await next.put(memberDoc({ unitId, login: credentials.login, givenName: 'Sau' }));
		expect(added.ok).toBe(true);
		await expect(
			next.put({ ...memberDoc({ unitId, login: credentials.login }), type: 'unit' })
		).rejects.toMatchObject({ status: 403 });
	}, 180_000);
});
