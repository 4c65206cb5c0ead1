import { randomBytes } from 'node:crypto';
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CouchClient, parseCouchUrl } from '../server/couch/couch-client';
import { dbNames } from '../server/couch/db-names';
import { startEmbeddedStore, type EmbeddedStore } from '../server/store/embedded-store';
import { ProvisionService, unitRole, type UnitRecord } from '../server/couch/provision-service';
import { generateHistory, generateMembers } from '../src/lib/synthetic';

// Capacity figures per unit database, on the embedded store (default) or an Apache CouchDB
// (--couchdb=URL with an admin in the URL). docs/deploy.md builds its capacity table from these.
// Everything goes through the server's own provisioning (ProvisionService.createUnit: database,
// `_security`, design document, `unit` document) and the synthetic generator, straight to the store
// (no proxy, no registry guard): these are the store's costs. Only databases named `cap…` / `unit_cap…`
// are created, and all are deleted at the end.
//
//   npx tsx bench/capacity.ts [--couchdb=http://admin:pw@127.0.0.1:5984] [--units=150]

const { values } = parseArgs({
	options: {
		couchdb: { type: 'string' },
		units: { type: 'string', default: '150' },
		members: { type: 'string', default: '400' }
	}
});
const UNITS = Number(values.units);
const MEMBERS = Number(values.members);
const TODAY = '2026-06-30';
const tag = randomBytes(3).toString('hex');
const prefix = `cap${tag}_`;

interface Store {
	kind: 'embedded' | 'couchdb';
	couch: CouchClient;
	user: CouchClient;
	/** Bytes of the process holding the databases. */
	rss(): number;
	/** Bytes a database takes on disk, when the store can say. */
	diskOf(db: string): Promise<{ file?: number; active?: number; onDisk?: number }>;
	close(): Promise<void>;
}

function beamPid(): number | undefined {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'beam.smp') return Number(entry);
		} catch {
			// A process that ended meanwhile.
		}
	}
	return undefined;
}

/** `couchjs` processes (validate_doc_update) and their resident memory in all. */
function couchjsProcesses(): { count: number; rssBytes: number } {
	let count = 0;
	let rssBytes = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('couchjs')) continue;
			rssBytes += rssOf(Number(entry));
			count++;
		} catch {
			// A process that ended meanwhile.
		}
	}
	return { count, rssBytes };
}

function rssOf(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
	return Number(kb ?? 0) * 1024;
}

function duBytes(path: string): number {
	let total = 0;
	for (const entry of readdirSync(path, { withFileTypes: true })) {
		const full = join(path, entry.name);
		total += entry.isDirectory() ? duBytes(full) : statSync(full).size;
	}
	return total;
}

const login = `cap${tag}user`;
const password = randomBytes(12).toString('hex');

async function openStore(): Promise<Store> {
	let couch: CouchClient;
	let embedded: EmbeddedStore | undefined;
	let dataDir: string | undefined;
	if (values.couchdb) {
		couch = new CouchClient(parseCouchUrl({ url: values.couchdb }));
	} else {
		dataDir = mkdtempSync(join(tmpdir(), 'doanvu-capacity-'));
		embedded = await startEmbeddedStore({ dataDir, store: 'leveldb' });
		couch = new CouchClient(
			parseCouchUrl({
				url: embedded.url,
				user: embedded.admin.user,
				password: embedded.admin.password
			})
		);
	}
	const user = new CouchClient({
		...parseCouchUrl({ url: couch.baseUrl.href }),
		user: login,
		password
	});
	const pid = values.couchdb ? beamPid() : process.pid;
	return {
		kind: values.couchdb ? 'couchdb' : 'embedded',
		couch,
		user,
		rss: () => (pid ? rssOf(pid) : NaN),
		async diskOf(db) {
			const info = await couch.json<{ sizes?: { file?: number; active?: number } }>({
				path: encodeURIComponent(db)
			});
			const onDisk = dataDir ? duBytes(join(dataDir, 'db', db)) : undefined;
			return { file: info.sizes?.file, active: info.sizes?.active, onDisk };
		},
		async close() {
			await embedded?.close();
			if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

function stats(samples: number[]) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (q: number) =>
		sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
	const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
	return { n: samples.length, mean: round(mean), p50: round(at(0.5)), p95: round(at(0.95)) };
}

function round(x: number, digits = 2): number {
	const f = 10 ** digits;
	return Math.round(x * f) / f;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const start = performance.now();
	const value = await fn();
	return { ms: performance.now() - start, value };
}

function membersFor(unit: UnitRecord, count: number, seed: string) {
	const members = generateMembers({
		seed,
		count,
		unitId: unit.id,
		branchIds: [],
		today: TODAY,
		createdBy: login
	});
	return members.map((member) => ({ ...member, updatedBy: login }));
}

async function bulk(client: CouchClient, db: string, docs: unknown[]): Promise<void> {
	for (let i = 0; i < docs.length; i += 1000) {
		const results = await client.bulkDocs({ db, docs: docs.slice(i, i + 1000) });
		const failed = results.find((row) => row.error);
		if (failed) throw new Error(`${db}: ${failed.id} ${failed.error} ${failed.reason}`);
	}
}

async function main() {
	const store = await openStore();
	const names = dbNames(prefix);
	const provision = new ProvisionService({ couch: store.couch, names });
	const created: string[] = [];
	const result: Record<string, unknown> = {
		store: store.kind,
		version: (await store.couch.serverInfo()).version,
		date: new Date().toISOString(),
		machine: '2 cores shared with other work; figures are indicative, not a dedicated server'
	};
	try {
		await provision.ensureSystemDatabases();
		created.push(...Object.values(names));
		const rss0 = store.rss();

		// 1. Creating unit databases (database, _security, design document, unit document).
		const createMs: number[] = [];
		const units: UnitRecord[] = [];
		for (let i = 0; i < UNITS; i++) {
			const id = `cap${tag}${String(i).padStart(4, '0')}`;
			const { ms, value } = await timed(() =>
				provision.createUnit({ id, name: `Đoàn xã Đo ${i}`, kind: 'doan-xa', createdBy: 'bench' })
			);
			createMs.push(ms);
			units.push(value);
			created.push(value.db);
		}
		// Every database touched once more, so each is open at the same time.
		for (const unit of units) {
			await store.couch.json({ path: `${unit.db}/_all_docs`, query: { limit: 1 } });
		}
		const rss1 = store.rss();
		result.createUnit = { ms: stats(createMs) };
		result.memory = {
			openDatabases: UNITS,
			rssBeforeBytes: rss0,
			rssAfterBytes: rss1,
			perOpenDatabaseBytes: Math.round((rss1 - rss0) / UNITS),
			process: store.kind === 'couchdb' ? 'beam.smp' : 'node (server and embedded store)'
		};
		console.log('create', result.createUnit, result.memory);

		// The writer: an ordinary secretary of the first units (validation runs for non-admins only).
		const [bigUnit, withDesign, spare] = units;
		if (!bigUnit || !withDesign || !spare) throw new Error('--units must be at least 3');
		const roles = [bigUnit, withDesign, spare].map((unit) => unitRole(unit.id));
		await store.couch.json({
			method: 'PUT',
			path: `_users/org.couchdb.user:${login}`,
			body: { _id: `org.couchdb.user:${login}`, name: login, type: 'user', roles, password }
		});

		// 2. Disk per member with history: a 400-member unit.
		const members = membersFor(bigUnit, MEMBERS, `cap-${tag}`);
		const history = generateHistory({
			seed: `cap-${tag}`,
			members,
			today: TODAY,
			createdBy: login
		}).map((entry) => ({ ...entry, updatedBy: login }));
		await bulk(store.user, bigUnit.db, [...members, ...history]);
		const before = await store.diskOf(bigUnit.db);
		await store.couch.json({ method: 'POST', path: `${bigUnit.db}/_compact`, body: {} });
		for (let i = 0; i < 60; i++) {
			const info = await store.couch.json<{ compact_running?: boolean }>({ path: bigUnit.db });
			if (!info.compact_running) break;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const after = await store.diskOf(bigUnit.db);
		const bytes = after.file ?? after.onDisk ?? before.file ?? before.onDisk ?? NaN;
		result.disk = {
			members: MEMBERS,
			historyEntries: history.length,
			beforeCompaction: before,
			afterCompaction: after,
			perMemberBytes: Math.round(bytes / MEMBERS)
		};
		console.log('disk', result.disk);

		// 3. Validation cost: 1,000 documents in one _bulk_docs, with and without the design document.
		const plain = `${prefix}plain`;
		await store.couch.json({ method: 'PUT', path: plain });
		created.push(plain);
		await store.couch.putSecurity({
			db: plain,
			security: {
				admins: { names: [], roles: [] },
				members: { names: [], roles: [unitRole(withDesign.id)] }
			}
		});
		const withMs: number[] = [];
		const withoutMs: number[] = [];
		for (let round_ = 0; round_ < 3; round_++) {
			const docs = membersFor(withDesign, 1000, `cap-${tag}-${round_}`);
			withMs.push((await timed(() => bulk(store.user, withDesign.db, docs))).ms);
			const again = docs.map((doc) => ({ ...doc, _id: `${doc._id}x` }));
			withoutMs.push((await timed(() => bulk(store.user, plain, again))).ms);
		}
		const w = stats(withMs);
		const wo = stats(withoutMs);
		result.validation = {
			bulkOf: 1000,
			withDesignDocMs: w,
			withoutDesignDocMs: wo,
			perWriteMs: round((w.mean - wo.mean) / 1000, 3)
		};
		result.bulkWritesPerSecond = Math.round(1000 / (w.mean / 1000));
		if (store.kind === 'couchdb') result.couchjs = couchjsProcesses();
		console.log('validation', result.validation, 'bulk/s', result.bulkWritesPerSecond);

		// 4. Single writes: one document per request, one after the other and 8 at a time.
		const singles = membersFor(spare, 400, `cap-${tag}-single`);
		const sequential = await timed(async () => {
			for (const doc of singles.slice(0, 200)) await store.user.putDoc({ db: spare.db, doc });
		});
		const parallel = await timed(async () => {
			const rest = singles.slice(200);
			for (let i = 0; i < rest.length; i += 8) {
				await Promise.all(
					rest.slice(i, i + 8).map((doc) => store.user.putDoc({ db: spare.db, doc }))
				);
			}
		});
		result.singleWritesPerSecond = {
			sequential: Math.round(200 / (sequential.ms / 1000)),
			concurrent8: Math.round(200 / (parallel.ms / 1000))
		};
		console.log('single', result.singleWritesPerSecond);
	} finally {
		for (const db of created) await store.couch.deleteDatabase(db).catch(() => false);
		const user = await store.couch
			.getDoc({ db: '_users', id: `org.couchdb.user:${login}` })
			.catch(() => undefined);
		if (user?._rev) {
			await store.couch.request({
				method: 'DELETE',
				path: `_users/org.couchdb.user:${login}`,
				query: { rev: user._rev }
			});
		}
		await store.close();
	}
	mkdirSync('bench/results', { recursive: true });
	const file = `bench/results/capacity-${new Date().toISOString().slice(0, 10)}.json`;
	let all: Record<string, unknown> = {};
	try {
		all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
	} catch {
		// First run of the day.
	}
	all[store.kind] = result;
	writeFileSync(file, JSON.stringify(all, null, '\t') + '\n');
	console.log(`→ ${file}`);
}

await main();
