import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { backupStore, type Manifest } from '../../scripts/backup-core';
import { memberDoc, type TestMember } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';

// npm run backup / npm run restore (scripts/backup-core.ts, docs/deploy.md): a server's data is
// backed up, restored into an empty store, and a fresh server on that store lets the same secretary
// sign in and sync the same members with the same revisions — what a province would notice after
// losing its machine. On the embedded store the restore goes into a new DATA_DIR, exactly as the
// command does with the server stopped; against Apache CouchDB (COUCHDB_URL) the first server's
// databases are removed first and the restore recreates them.

const dirs: string[] = [];
const servers: TestServer[] = [];

function tempDir(name: string): string {
	const dir = mkdtempSync(join(tmpdir(), `doanvu-${name}-`));
	dirs.push(dir);
	return dir;
}

afterAll(async () => {
	for (const server of servers) await server.close().catch(() => {});
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runScript(script: string, args: string[], env: Record<string, string>) {
	const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
		env: { ...process.env, LOG: 'off', ...env },
		encoding: 'utf8',
		timeout: 60_000
	});
	return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function pullAll(server: TestServer, db: string, cookie: string) {
	const local = new PouchDB(`restore-${randomBytes(4).toString('hex')}`);
	await local.replicate.from(server.remoteDb({ db, cookie }));
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
	it('a fresh server on a restored store signs the same secretary in and syncs the same members', async () => {
		const external = Boolean(process.env.COUCHDB_URL);
		const first = await startTestServer();
		servers.push(first);
		const { unit, login, password } = await first.createUnitWithAccount({});
		const { cookie } = await first.signIn({ login, password });
		const remote = first.remoteDb({ db: unit.db, cookie });
		const docs = Array.from({ length: 120 }, (_, i) =>
			memberDoc({ unitId: unit.id, login, givenName: `Hoa${i}` })
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
		const before = await pullAll(first, unit.db, cookie);
		expect(before).toHaveLength(120);

		const out = tempDir('backup');
		const manifest = await backupStore({
			couch: first.couch,
			prefix: first.config.dbPrefix,
			out
		});
		const onDisk = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
		expect(onDisk.databases.map((entry) => entry.db)).toContain(unit.db);
		expect(manifest.databases.find((entry) => entry.db === unit.db)?.security).toBeTruthy();

		// The restore runs as the command an operator types, in its own process: the embedded store's
		// LevelDB is opened by one process at a time, as in production with the server stopped.
		const prefix = first.config.dbPrefix;
		await first.close();
		servers.splice(servers.indexOf(first), 1);
		const dataDir = tempDir('data');
		const env = external
			? { DOANVU_DB_PREFIX: prefix }
			: { DATA_DIR: dataDir, DOANVU_STORE: 'leveldb', DOANVU_DB_PREFIX: '' };
		const restored = runScript('scripts/restore.ts', ['--from', out], env);
		expect(restored.status, restored.stderr).toBe(0);
		expect(restored.stdout).toMatch(/Đã khôi phục/);
		// A second restore into the same store is refused: it is no longer empty.
		const again = runScript('scripts/restore.ts', ['--from', out], env);
		expect(again.status).toBe(1);
		expect(again.stderr).toMatch(/chỉ khôi phục vào kho trống/);

		const second = external
			? await startTestServer({ dbPrefix: prefix })
			: await startTestServer({ store: 'leveldb', dataDir, dbPrefix: '' });
		servers.push(second);

		const signedIn = await second.signIn({ login, password });
		expect(signedIn.session.unit.db).toBe(unit.db);
		const after = await pullAll(second, unit.db, signedIn.cookie);
		expect(after).toEqual(before);
		expect(after.find((row) => row.id === docs[10]._id)?.givenName).toBe('Mai10');

		// The restored database still refuses what its design document refuses, and the secretary
		// can keep working on it.
		const next = second.remoteDb({ db: unit.db, cookie: signedIn.cookie });
		const added = await next.put(memberDoc({ unitId: unit.id, login, givenName: 'Sau' }));
		expect(added.ok).toBe(true);
	}, 120_000);
});
