import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { browserLikeFetch } from './browser-fetch';
import { bundleForNode, ROOT } from './bundle';
import { diffDigests, localDigest, type DbDigest } from './digest';
import { PRESETS, sequentialDepth, type LinkStats, type RequestRecord } from './link';
import { openLink, type RemoteLink } from './link-client';
import type { BenchServer } from './server-client';

// The sync scenarios: the app's engine (src/lib/data/sync/unit-sync.ts, run in Node with the memory PouchDB
// and fake-indexeddb) against stock PouchDB `replicate` with default options, both through the same
// /couch proxy of the same server, over the same emulated link, in the same run. Every sync is
// checked: afterwards the device's documents and revisions must equal the server's.

export type Client = typeof import('./client/node-entry');

let client: Client | undefined;

let bundled: string | undefined;
let fetchInstalled = false;

/** The app's data layer, bundled for Node; fetch behaves as a browser's (six connections). */
export async function loadClient(): Promise<Client> {
	client ??= await loadDevice('');
	return client;
}

/**
 * Another device in this process: a fresh instance of the app's modules (its own connection turns,
 * caches and sync engine), sharing only the process's fake IndexedDB and PouchDB classes.
 */
export async function loadDevice(name: string): Promise<Client> {
	bundled ??= await bundleForNode(join(ROOT, 'bench', 'client', 'node-entry.ts'), 'node-client');
	if (!fetchInstalled) {
		globalThis.fetch = browserLikeFetch();
		fetchInstalled = true;
	}
	const url = pathToFileURL(bundled).href + (name ? `?device=${encodeURIComponent(name)}` : '');
	return (await import(url)) as Client;
}

/** What a browser over HTTPS accepts; the proxy then answers in brotli. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

export interface WireFigures {
	ms: number;
	requests: number;
	sequentialRoundTrips: number;
	connections: number;
	upBytes: number;
	downBytes: number;
}

export function figures(options: { ms: number; stats: LinkStats; until?: number }): WireFigures {
	const log = options.stats.log.filter(
		(r) => Number.isFinite(r.end) && (options.until === undefined || r.start <= options.until)
	);
	return {
		ms: options.ms,
		requests: log.length,
		sequentialRoundTrips: sequentialDepth(log),
		connections: options.stats.connections,
		upBytes: options.stats.upBytes,
		downBytes: options.stats.downBytes
	};
}

export class SyncMismatch extends Error {}

export function check(options: { what: string; server: DbDigest; device: DbDigest }): void {
	const diff = diffDigests({ server: options.server, device: options.device });
	if (diff.length > 0) {
		throw new SyncMismatch(
			`${options.what}: the device does not hold what the server holds:\n  ${diff.join('\n  ')}`
		);
	}
}

function deviceHeaders(cookie: string): Record<string, string> {
	return { cookie, 'accept-encoding': ACCEPT_ENCODING };
}

/** Stock PouchDB's view of a unit database through the proxy (as the app's old pouch.ts did). */
export function stockRemote(options: {
	client: Client;
	origin: string;
	db: string;
	cookie: string;
}) {
	const headers = deviceHeaders(options.cookie);
	return new options.client.PouchDB(`${options.origin}/couch/${options.db}`, {
		adapter: 'http',
		skip_setup: true,
		fetch: (url: string | Request, init?: RequestInit) => {
			const merged = new Headers(init?.headers);
			for (const [k, v] of Object.entries(headers)) merged.set(k, v);
			return globalThis.fetch(url, { ...init, headers: merged });
		}
	} as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

export interface UnitFixture {
	id: string;
	db: string;
	login: string;
	password: string;
	cookie: string;
}

export async function makeUnit(options: {
	server: BenchServer;
	name: string;
	members: number;
	seed: string;
	today: string;
	/** Sign in through POST /api/session (default), or have the server issue a device directly. */
	signIn?: boolean;
}): Promise<UnitFixture> {
	const password = `mk-${randomBytes(6).toString('hex')}`;
	const unit = await options.server.createUnit({ name: options.name, password });
	await options.server.seed({
		db: unit.db,
		unitId: unit.id,
		login: unit.login,
		seed: options.seed,
		members: options.members,
		ethnicMix: 'mountain-district',
		today: options.today
	});
	const cookie =
		options.signIn === false
			? (await options.server.createDevices({ login: unit.login, count: 1 }))[0]!
			: await options.server.signIn({ login: unit.login, password });
	return { ...unit, password, cookie };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(
	items: readonly T[],
	limit: number,
	work: (item: T, index: number) => Promise<R>
): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const index = next++;
				results[index] = await work(items[index]!, index);
			}
		})
	);
	return results;
}

// --- Ours -------------------------------------------------------------------------------------

/**
 * Starts the app's engine on these units; `done` resolves once every one has reported idle, and
 * then stops it (unless `keepRunning`).
 */
export function startOurs(options: {
	client: Client;
	units: { db: string; cookie: string }[];
	origin: string;
	timeoutMs?: number;
	/** Problems go here instead of failing the run. */
	onProblem?: (problem: { db: string; kind: string }) => void;
	keepRunning?: boolean;
}): {
	handles: { stop(): void; restart(): void }[];
	done: Promise<{ ms: number; endedAt: number }>;
} {
	const { client, units } = options;
	const started = performance.now();
	const handles: { stop(): void; restart(): void }[] = [];
	const idle = new Set<string>();
	let resolveDone: () => void = () => undefined;
	let rejectDone: (error: Error) => void = () => undefined;
	const finished = new Promise<void>((resolve, reject) => {
		resolveDone = resolve;
		rejectDone = reject;
	});
	const timeoutMs = options.timeoutMs ?? 900_000;
	const timer = setTimeout(
		() => rejectDone(new Error(`sync did not finish in ${timeoutMs} ms`)),
		timeoutMs
	);
	for (const unit of units) {
		handles.push(
			client.startUnitSync({
				db: unit.db,
				remote: { origin: options.origin, headers: deviceHeaders(unit.cookie) },
				listener: {
					onIdle: () => {
						idle.add(unit.db);
						if (idle.size === units.length) {
							clearTimeout(timer);
							resolveDone();
						}
					},
					onProblem: ({ problem }) => {
						if (options.onProblem) options.onProblem({ db: unit.db, kind: problem.kind });
						else {
							clearTimeout(timer);
							rejectDone(new Error(`${unit.db}: ${problem.kind} ${problem.message}`));
						}
					}
				}
			})
		);
	}
	const done = finished.then(
		() => {
			const ms = performance.now() - started;
			const endedAt = performance.timeOrigin + performance.now();
			if (!options.keepRunning) for (const handle of handles) handle.stop();
			return { ms, endedAt };
		},
		(error: Error) => {
			for (const handle of handles) handle.stop();
			throw error;
		}
	);
	return { handles, done };
}

export function runOurs(options: Parameters<typeof startOurs>[0]) {
	return startOurs(options).done;
}

export async function forgetDevice(client: Client, dbs: string[]): Promise<void> {
	await client.destroyLocalDbs(dbs);
	client.allowLocalDbs(dbs);
	await client.deviceDb.delete();
	await client.deviceDb.open();
}

// --- Scenarios ---------------------------------------------------------------------------------

export interface FirstSyncResult {
	scenario: string;
	link: string;
	docs: number;
	payload: { raw: number; gzip: number; brotli: number };
	floorMs: number;
	ours: WireFigures;
	baseline: WireFigures;
	checked: boolean;
}

function floorMs(options: { bytes: number; preset: string }): number {
	const preset = PRESETS[options.preset]!;
	return (options.bytes * 8) / preset.downKbps + preset.rttMs;
}

/**
 * First sync of `units` (already seeded) on `preset`: stock PouchDB `replicate.from` of every unit
 * at once (as the app started them), then our engine, each from an empty device with cold
 * connections.
 */
export async function firstSync(options: {
	scenario: string;
	server: BenchServer;
	units: UnitFixture[];
	preset: string;
	log: (line: string) => void;
}): Promise<FirstSyncResult & { oursLog: RequestRecord[] }> {
	const { server, units, preset, log } = options;
	const c = await loadClient();
	const states = new Map<string, DbDigest>();
	let raw = 0;
	let gzip = 0;
	let brotli = 0;
	let docs = 0;
	for (const unit of units) {
		const payload = await server.payload(unit.db);
		raw += payload.raw;
		gzip += payload.gzip;
		brotli += payload.brotli4;
		docs += payload.docs;
		states.set(unit.db, await server.state(unit.db));
	}
	const link = await openLink({ preset, targetPort: server.port });
	try {
		// Baseline: stock PouchDB, default options.
		log(`  baseline: stock PouchDB replicate.from, ${units.length} database(s)…`);
		const locals = units.map(
			(u) => new c.PouchDB(`stock-${u.db}-${randomBytes(3).toString('hex')}`)
		);
		let started = performance.now();
		await Promise.all(
			units.map((unit, i) =>
				locals[i]!.replicate.from(
					stockRemote({ client: c, origin: link.url, db: unit.db, cookie: unit.cookie })
				)
			)
		);
		const baseMs = performance.now() - started;
		const baseline = figures({ ms: baseMs, stats: await link.stats() });
		for (const [i, unit] of units.entries()) {
			check({
				what: `baseline ${unit.db}`,
				server: states.get(unit.db)!,
				device: await localDigest(locals[i]!)
			});
			await locals[i]!.destroy();
		}
		log(`  baseline: ${(baseMs / 1000).toFixed(1)} s, ${baseline.requests} requests`);

		await link.dropConnections();
		await link.resetStats();
		log(`  ours: the app's sync engine…`);
		started = performance.now();
		const run = await runOurs({ client: c, units, origin: link.url });
		const stats = await link.stats();
		const ours = figures({ ms: run.ms, stats, until: run.endedAt });
		for (const unit of units) {
			check({
				what: `ours ${unit.db}`,
				server: states.get(unit.db)!,
				device: await localDigest(c.localDb(unit.db))
			});
		}
		await forgetDevice(
			c,
			units.map((u) => u.db)
		);
		log(`  ours: ${(run.ms / 1000).toFixed(1)} s, ${ours.requests} requests`);
		return {
			scenario: options.scenario,
			link: preset,
			docs,
			payload: { raw, gzip, brotli },
			floorMs: floorMs({ bytes: gzip, preset }),
			ours,
			baseline,
			checked: true,
			oursLog: stats.log
		};
	} finally {
		await link.close();
	}
}

export type { RemoteLink };
