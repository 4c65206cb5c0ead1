import { randomBytes } from 'node:crypto';
import { diffDigests, localDigest } from './digest';
import { openLink } from './link-client';
import { percentile } from './read-model-bench';
import { startBenchServer, type BenchStore } from './server-client';
import { loadDevice, makeUnit, mapLimit, type Client, type UnitFixture } from './sync-bench';

// Load: many devices at once, each with its own unit database, its own device cookie and its own
// instance of the app's sync engine, all through the /couch proxy of one server: first sync, then a
// few local edits pushed. Measures completion, errors (any problem the engine reports, any device
// whose documents end different from the server's) and request latency on the wire (longpolls
// excluded: they wait on purpose).

export interface LoadResult {
	devices: number;
	docsPerUnit: number;
	editsPerDevice: number;
	completed: number;
	errors: number;
	errorSamples: string[];
	ms: number;
	requests: number;
	/** Every request but the longpolls (they wait on purpose). */
	requestMs: { p50: number; p95: number; max: number };
	/** The same without the first-sync streams (each one a whole unit's documents). */
	smallRequestMs: { p50: number; p95: number; max: number; count: number };
	/** Latency by kind of request (where the time goes). */
	byKind: Record<string, { count: number; p50: number; p95: number }>;
	downBytes: number;
	upBytes: number;
}

/** What a request through /couch is, from its method and path. */
function kindOf(record: { method?: string; path: string }): string {
	const path = record.path.replace(/^\/couch\/[^/?]+/, '');
	if (path.includes('include_docs=true')) return 'first-sync stream';
	const name =
		/^\/(_[a-z_]+)/.exec(path)?.[1] ?? (path.startsWith('/?') || path === '' ? 'db info' : 'doc');
	return `${record.method ?? ''} ${name}`.trim();
}

const EDITS = 2;

/** Waits (up to 2 min) until five health checks in a row answer within 30 ms. */
async function settle(url: string, log: (line: string) => void): Promise<void> {
	const started = Date.now();
	let quick = 0;
	while (quick < 5 && Date.now() - started < 120_000) {
		const t = performance.now();
		await fetch(`${url}/api/health`).then((r) => r.text());
		quick = performance.now() - t < 30 ? quick + 1 : 0;
		await new Promise((r) => setTimeout(r, 500));
	}
	log(`  server settled after ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export async function loadBench(options: {
	devices: number;
	members: number;
	store: BenchStore;
	log: (line: string) => void;
}): Promise<LoadResult> {
	const { devices, log } = options;
	const server = await startBenchServer({ store: options.store });
	const link = await openLink({ preset: 'none', targetPort: server.port });
	try {
		log(`  creating ${devices} units, accounts and devices…`);
		const units: UnitFixture[] = await mapLimit(
			Array.from({ length: devices }, (_, i) => i),
			4,
			(i) =>
				makeUnit({
					server,
					name: `Đoàn xã Tải ${i + 1}`,
					members: options.members,
					seed: `load-${i}`,
					today: '2026-11-28',
					signIn: false
				})
		);
		const docsPerUnit = (await server.payload(units[0]!.db)).docs;
		// The server's own workers first register the new units' members (the registry's sweep):
		// the load starts once the server answers promptly again.
		await settle(server.url, log);
		const clients: Client[] = [];
		for (let i = 0; i < devices; i++)
			clients.push(await loadDevice(`load-${i}-${randomBytes(3).toString('hex')}`));
		await link.resetStats();

		log(`  ${devices} devices sync at once…`);
		const errors: string[] = [];
		let completed = 0;
		const started = performance.now();
		await Promise.all(
			units.map(async (unit, i) => {
				const c = clients[i]!;
				let problem: string | null = null;
				let idle: () => void = () => undefined;
				let idleCount = 0;
				const handle = c.startUnitSync({
					db: unit.db,
					remote: {
						origin: link.url,
						headers: { cookie: unit.cookie, 'accept-encoding': 'gzip, deflate, br' }
					},
					listener: {
						onIdle: () => {
							idleCount++;
							idle();
						},
						onProblem: ({ problem: p }) => {
							problem ??= `${unit.db}: ${p.kind} ${p.message}`;
						}
					}
				});
				const waitIdle = (count: number) =>
					new Promise<void>((resolve, reject) => {
						const timer = setTimeout(
							() => reject(new Error(`${unit.db}: no idle in 5 min`)),
							300_000
						);
						idle = () => {
							if (idleCount >= count) {
								clearTimeout(timer);
								resolve();
							}
						};
						idle();
					});
				try {
					await waitIdle(1);
					const local = c.localDb(unit.db);
					const rows = await local.allDocs({
						startkey: 'member:',
						endkey: 'member:\ufff0',
						limit: EDITS,
						include_docs: true
					});
					for (const row of rows.rows) {
						const res = await local.put({
							...(row.doc as object),
							_id: row.id,
							_rev: row.value.rev,
							phone: '0912345678',
							updatedBy: unit.login
						});
						await c.recordOutbox({ db: unit.db, docId: res.id, rev: res.rev });
					}
					const deadline = Date.now() + 300_000;
					for (;;) {
						const waiting = await c.deviceDb.outbox.where('db').equals(unit.db).toArray();
						const refused = waiting.find((entry) => entry.refused);
						if (refused)
							throw new Error(
								`${unit.db}: the server refused ${refused.docId}: ${refused.refused}`
							);
						if (waiting.length === 0) break;
						if (Date.now() > deadline) throw new Error(`${unit.db}: edits not pushed in 5 min`);
						await new Promise((r) => setTimeout(r, 50));
					}
					handle.stop();
					const diff = diffDigests({
						server: await server.state(unit.db),
						device: await localDigest(local)
					});
					if (diff.length > 0) throw new Error(`${unit.db}: ${diff.join('; ')}`);
					if (problem) throw new Error(problem);
					completed++;
				} catch (error) {
					handle.stop();
					errors.push(error instanceof Error ? error.message : String(error));
				}
			})
		);
		const ms = performance.now() - started;
		const stats = await link.stats();
		const measured = stats.log.filter(
			(r) => Number.isFinite(r.end) && !r.path.includes('feed=longpoll')
		);
		const latencies = measured.map((r) => r.end - r.start);
		const small = measured
			.filter((r) => !r.path.includes('include_docs=true'))
			.map((r) => r.end - r.start);
		const byKind: LoadResult['byKind'] = {};
		const groups = new Map<string, number[]>();
		for (const r of measured) {
			const kind = kindOf(r);
			groups.set(kind, [...(groups.get(kind) ?? []), r.end - r.start]);
		}
		for (const [kind, values] of groups)
			byKind[kind] = {
				count: values.length,
				p50: percentile(values, 50),
				p95: percentile(values, 95)
			};
		const failedStatus = stats.log.filter((r) => r.status >= 500).length;
		if (failedStatus > 0) errors.push(`${failedStatus} answers with status 5xx`);
		for (const [i, c] of clients.entries())
			await c.destroyLocalDbs([units[i]!.db]).catch(() => undefined);
		log(
			`  ${completed}/${devices} completed, ${errors.length} errors, ${(ms / 1000).toFixed(1)} s`
		);
		return {
			devices,
			docsPerUnit,
			editsPerDevice: EDITS,
			completed,
			errors: errors.length,
			errorSamples: errors.slice(0, 5),
			ms,
			requests: latencies.length,
			requestMs: {
				p50: percentile(latencies, 50),
				p95: percentile(latencies, 95),
				max: Math.max(...latencies)
			},
			smallRequestMs: {
				p50: percentile(small, 50),
				p95: percentile(small, 95),
				max: Math.max(...small),
				count: small.length
			},
			byKind,
			downBytes: stats.downBytes,
			upBytes: stats.upBytes
		};
	} finally {
		await link.close();
		await server.close();
	}
}
