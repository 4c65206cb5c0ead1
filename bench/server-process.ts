import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { createDoanvuServer, type DoanvuServer } from '../server/site/doanvu-server';
import { cleanUpServerData } from '../tests/support/test-server';
import { generateHistory, generateMembers, type EthnicMixPreset } from '../src/lib/synthetic';
import type { UnitKindId } from '../src/lib/domain/unit-kinds';
import { buildDigest, type DbDigest } from './digest';
import type { BenchStore } from './server-client';

// The real Doanvu server (createDoanvuServer, on the embedded store or on an Apache CouchDB given
// with --couchdb) in a process of its own, so that the device's work and the server's never share an
// event loop. The bench drives it over IPC: units,
// accounts and data are made with the server's own services and the admin CouchDB client, exactly
// as the demo loader and the test harness do; the device then talks to it only over HTTP.

export type ServerCommand =
	| { op: 'start'; store: BenchStore; buildDir?: string }
	| { op: 'createUnit'; name: string; password: string; kind?: UnitKindId; parentId?: string }
	| {
			op: 'seed';
			db: string;
			unitId: string;
			login: string;
			seed: string;
			members: number;
			ethnicMix: EthnicMixPreset;
			today: string;
	  }
	| { op: 'editMembers'; db: string; login: string; count: number; seed: string; offset: number }
	| { op: 'state'; db: string }
	| { op: 'payload'; db: string }
	| { op: 'createDevices'; login: string; count: number }
	| { op: 'figures'; dbs: string[] }
	| { op: 'putDocs'; db: string; docs: { _id: string }[] }
	| { op: 'close' };

let server: DoanvuServer | undefined;
// Citizen ids handed out so far in this server: one person, one record on the rolls nationwide (the
// registry refuses a second), so generated units must not share a number by chance.
const usedCitizenIds = new Set<string>();
let citizenCounter = 0;

function uniqueCitizenIds(members: { citizenId?: string }[]): void {
	for (const member of members) {
		if (!member.citizenId) continue;
		while (usedCitizenIds.has(member.citizenId)) {
			// Same province, century and sex, year: only the six random digits change.
			citizenCounter = (citizenCounter + 7919) % 1_000_000;
			member.citizenId = member.citizenId.slice(0, 6) + String(citizenCounter).padStart(6, '0');
		}
		usedCitizenIds.add(member.citizenId);
	}
}
let dataDir: string | undefined;
let external = false;

// The bench is gone (finished, crashed, interrupted): so is this process.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ServerCommand & { id: number }) => {
	void handle(message).then(
		(result) => process.send?.({ id: message.id, ok: true, result }),
		(error: unknown) =>
			process.send?.({
				id: message.id,
				ok: false,
				error: error instanceof Error ? (error.stack ?? error.message) : String(error)
			})
	);
});

async function handle(command: ServerCommand): Promise<unknown> {
	switch (command.op) {
		case 'start': {
			dataDir = mkdtempSync(join(tmpdir(), 'doanvu-bench-'));
			external = command.store.kind === 'couchdb';
			server = await createDoanvuServer({
				port: 0,
				host: '127.0.0.1',
				...(command.store.kind === 'couchdb'
					? {
							couchdbUrl: command.store.url,
							couchdbUser: command.store.user,
							couchdbPassword: command.store.password,
							// Its own prefix: the bench's system databases never meet another server's.
							dbPrefix: `bench${randomBytes(3).toString('hex')}_`
						}
					: { store: command.store.kind }),
				dataDir,
				log: false,
				...(command.buildDir ? { buildDir: command.buildDir } : {})
			});
			return { url: server.url, port: server.port };
		}
		case 'createUnit': {
			const s = need();
			const unit = await s.provision.createUnit({
				name: command.name,
				kind: command.kind ?? 'doan-xa',
				...(command.parentId ? { parentId: command.parentId } : {}),
				createdBy: 'bench'
			});
			const login = `bt${randomBytes(4).toString('hex')}`;
			await s.accounts.createAccount({
				login,
				password: command.password,
				fullName: 'Bí thư Thử Nghiệm',
				unitId: unit.id,
				role: 'secretary',
				mustChangePassword: false,
				createdBy: 'bench'
			});
			return { id: unit.id, db: unit.db, login };
		}
		case 'seed': {
			const s = need();
			const at = `${command.today}T02:00:00.000Z`;
			const branches = Array.from(
				{ length: Math.max(3, Math.round(command.members / 40)) },
				(_, i) => ({
					_id: `branch:${command.unitId.slice(0, 16)}k${i + 1}`,
					type: 'branch',
					v: 1,
					unitId: command.unitId,
					name: `Chi đoàn khu ${i + 1}`,
					kind: 'chi-doan',
					createdAt: at,
					createdBy: command.login,
					updatedAt: at,
					updatedBy: command.login
				})
			);
			const members = generateMembers({
				seed: command.seed,
				count: command.members,
				unitId: command.unitId,
				branchIds: branches.map((b) => b._id),
				today: command.today,
				ethnicMix: command.ethnicMix,
				createdBy: command.login
			});
			uniqueCitizenIds(members);
			const history = generateHistory({ seed: command.seed, members, today: command.today });
			const docs = [...branches, ...members, ...history];
			for (let i = 0; i < docs.length; i += 2000) {
				const results = await s.couch.bulkDocs({ db: command.db, docs: docs.slice(i, i + 2000) });
				const failed = results.filter((r) => r.error);
				if (failed.length) throw new Error(`seed: ${failed.length} documents refused`);
			}
			return {
				members: members.length,
				active: members.filter((m) => m.status === 'active').length,
				history: history.length,
				branches: branches.length
			};
		}
		case 'editMembers': {
			// Another device's edits, landed on the server: a phone number and the usual bookkeeping.
			const s = need();
			const rows = await s.couch.allDocs<Record<string, unknown>>({
				db: command.db,
				startkey: 'member:',
				endkey: 'member:\ufff0',
				includeDocs: true
			});
			const picked = rows.slice(command.offset, command.offset + command.count);
			const at = new Date().toISOString();
			const docs = picked.map((row, i) => ({
				...(row.doc as Record<string, unknown>),
				phone: `09${String(10_000_000 + i * 7919 + command.offset).slice(0, 8)}`,
				updatedAt: at,
				updatedBy: command.login
			})) as unknown as { _id: string }[];
			const results = await s.couch.bulkDocs({ db: command.db, docs });
			if (results.some((r) => r.error)) throw new Error('editMembers: refused');
			return picked.map((row) => row.id);
		}
		case 'state':
			return serverDigest(command.db);
		case 'payload':
			return payloadSizes(command.db);
		case 'figures': {
			// Written by the admin client (seeding), so not recorded for the workers: told here.
			const figures = need().workers.figures;
			if (!figures) throw new Error('the figures worker is off');
			for (const db of command.dbs) figures.nudge(db);
			return figures.cycle();
		}
		case 'putDocs': {
			// Documents only the server writes (the post office's delivered copies), as the admin.
			const results = await need().couch.bulkDocs({ db: command.db, docs: command.docs });
			const failed = results.filter((r) => r.error);
			if (failed.length) throw new Error(`putDocs: ${failed.length} documents refused`);
			return results.length;
		}
		case 'createDevices': {
			const s = need();
			const cookies: string[] = [];
			for (let i = 0; i < command.count; i++) {
				const { cookieValue } = await s.devices.createDevice({
					login: command.login,
					userAgent: 'bench'
				});
				cookies.push(`dv_session=${cookieValue}`);
			}
			return cookies;
		}
		case 'close': {
			// On a shared CouchDB the bench removes what it created (unit databases, accounts, its
			// system databases); the embedded store's data directory goes as a whole.
			// The server closes first: its watchers would otherwise report the databases going away.
			await server?.close();
			if (server && external) await cleanUpServerData({ server, logins: [] });
			if (dataDir) rmSync(dataDir, { recursive: true, force: true });
			setTimeout(() => process.exit(0), 10);
			return null;
		}
	}
}

function need(): DoanvuServer {
	if (!server) throw new Error('server not started');
	return server;
}

async function adminJson<T>(path: string): Promise<T> {
	const s = need();
	return s.couch.json<T>({ path });
}

async function serverDigest(db: string): Promise<DbDigest> {
	const changes = await adminJson<{
		results: { id: string; changes: { rev: string }[]; deleted?: boolean }[];
	}>(`${encodeURIComponent(db)}/_changes?style=all_docs`);
	const all = await adminJson<{ rows: { id: string; value: { rev: string }; doc: unknown }[] }>(
		`${encodeURIComponent(db)}/_all_docs?include_docs=true`
	);
	return buildDigest({ changes: changes.results, rows: all.rows });
}

/** The documents a first sync must bring, as JSON, and its size raw, gzip (level 6) and brotli. */
async function payloadSizes(db: string) {
	const all = await adminJson<{ rows: { doc: unknown }[] }>(
		`${encodeURIComponent(db)}/_all_docs?include_docs=true`
	);
	const json = JSON.stringify(all.rows.map((row) => row.doc));
	return {
		docs: all.rows.length,
		raw: Buffer.byteLength(json),
		gzip: gzipSync(json).length,
		// The proxy's own brotli setting (compression middleware: quality 4).
		brotli4: brotliCompressSync(json, {
			params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 }
		}).length
	};
}
