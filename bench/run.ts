import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { appShellBench, type AppShellResult } from './app-shell-bench';
import { cheapPhoneBench, type CheapPhoneResult } from './cheap-phone-bench';
import { dashboardBench, type DashboardResult } from './dashboard-bench';
import { declarationPageBench, type DeclarationPageResult } from './declaration-page-bench';
import { ROOT } from './bundle';
import { loadBench, type LoadResult } from './load-bench';
import { mailFanoutBench, type MailFanoutResult } from './mail-bench';
import { memberImportBench, type MemberImportResult } from './member-import-bench';
import { readModelBench, type ReadModelResult } from './read-model-bench';
import { renderTable, targetsOf } from './report';
import { couchdbStore, startBenchServer, storeLabel, type BenchStore } from './server-client';
import {
	firstSync,
	makeUnit,
	mapLimit,
	type FirstSyncResult,
	type UnitFixture
} from './sync-bench';
import {
	incrementalSync,
	interruptedSync,
	type IncrementalResult,
	type InterruptedResult
} from './sync-after-offline';

// `npm run bench`: every scenario of the issue "Sync and search that beat stock PouchDB on a 3G
// link", ours against the baseline in the same run, printed as one table and written as JSON under
// bench/results/. Options (after `npm run bench --`):
//   --quick            smaller scales (a smoke run of a minute or two)
//   --only=a,b         scenarios: unit, pinned, single-db, incremental, interrupted, read-model,
//                      app-shell, cheap-phone, dashboard, declaration-page, load, mail-fanout,
//                      member-import
//   --single-db        also the 16,000 members in ONE database (docs/measured.md's shape; ~6 min more)
//   --no-build         app shell: use the existing build/ instead of running `npm run build`
//   --baseline-build=DIR  cheap phone, member import: also measure this build (e.g. main's, made with
//                      `git archive main | tar -x -C DIR`, node_modules linked, `npm run build`)
//   --no-pinned        cheap phone: without the 16,000-member pinned set on Slow 4G
//   --pinned-units=N   the pinned set (both scenarios) with N communes of 400 instead of 40
//   --store=memory     the embedded store in memory instead of LevelDB on disk
//   --couchdb=URL      every scenario with a server also against this Apache CouchDB 3
//                      (http://admin:password@host:5984, or COUCHDB_USER/COUCHDB_PASSWORD), each
//                      row of the table beside the embedded store's; the bench removes what it made
//   --out=path.json    where to write the results (default bench/results/<date>.json)
//   --ingest-pairs=N   read model: N more ingests of the full set each for this code and main's,
//                      alternately (medians reported)
//   --profile          member import: sample the main thread during the write (CDP Profiler) and
//                      print the functions of its longest stretches; read model: the ingest's
//                      busy and idle main-thread time and its heaviest functions

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) =>
	args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const quick = flag('quick');
const ALL = [
	'unit',
	'pinned',
	'incremental',
	'interrupted',
	'read-model',
	'app-shell',
	'cheap-phone',
	'dashboard',
	'declaration-page',
	'load',
	'mail-fanout',
	'member-import'
];
const only = option('only')?.split(',') ?? [...ALL, ...(flag('single-db') ? ['single-db'] : [])];
const embedded: BenchStore = { kind: option('store') === 'memory' ? 'memory' : 'leveldb' };
const couchdbUrl = option('couchdb');
const stores: BenchStore[] = [embedded, ...(couchdbUrl ? [couchdbStore(couchdbUrl)] : [])];
const TODAY = '2026-11-28';

const scale = {
	unitMembers: 400,
	pinnedUnits: Number(option('pinned-units') ?? (quick ? 10 : 40)),
	pinnedPerUnit: 400,
	singleDbMembers: 16_000,
	edits: 50,
	readModelUnits: quick ? 5 : 25,
	readModelPerUnit: 3_000,
	queries: quick ? 100 : 300,
	baselineQueries: quick ? 5 : 20,
	loadDevices: quick ? 60 : 300,
	loadMembers: 100
};

/** What one server store gave in the scenarios that involve the server. */
export interface StoreRun {
	store: string;
	firstSyncs: FirstSyncResult[];
	incremental?: IncrementalResult;
	interrupted?: InterruptedResult;
	appShell?: AppShellResult;
	cheapPhone?: CheapPhoneResult;
	dashboard?: DashboardResult;
	declarationPage?: DeclarationPageResult;
	load?: LoadResult;
	mailFanout?: MailFanoutResult;
	memberImport?: MemberImportResult;
	/** The same import with the CPU slowed 4× (the cheap-phone profile): issue #16's row. */
	memberImportCpu4?: MemberImportResult;
	/** With --baseline-build: that build's import, unslowed then 4×, measured in the same run. */
	memberImportBaseline?: MemberImportResult[];
}

/** The embedded store's run at the top level (as in every earlier results file), CouchDB's beside. */
export interface BenchResults extends StoreRun {
	at: string;
	machine: {
		cpus: number;
		cpuModel: string;
		memoryGb: number;
		node: string;
		/** 1-minute load average at the start and the end: other work on the machine skews times. */
		loadAverage: { start: number; end?: number };
	};
	quick: boolean;
	scale: typeof scale;
	readModel?: ReadModelResult;
	couchdb?: StoreRun;
	failures: string[];
}

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
	const started = Date.now();
	const results: BenchResults = {
		at: new Date().toISOString(),
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model ?? '',
			memoryGb: Math.round(totalmem() / 2 ** 30),
			node: process.version,
			loadAverage: { start: loadavg()[0]! }
		},
		store: storeLabel(embedded),
		quick,
		scale,
		firstSyncs: [],
		failures: []
	};
	const attempt = async (name: string, run: () => Promise<void>) => {
		if (!only.includes(name)) return;
		log(`\n▶ ${name}`);
		const t = Date.now();
		try {
			await run();
			log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			results.failures.push(`${name}: ${message}`);
			log(`  ✗ ${name} FAILED: ${message}`);
		}
	};

	for (const store of stores) {
		const run: StoreRun =
			store === embedded
				? results
				: (results.couchdb = { store: storeLabel(store), firstSyncs: [] });
		if (stores.length > 1) log(`\n■ ${run.store}`);
		await serverScenarios({ store, run, attempt });
	}

	await attempt('read-model', async () => {
		results.readModel = await readModelBench({
			units: scale.readModelUnits,
			perUnit: scale.readModelPerUnit,
			queries: scale.queries,
			baselineQueries: scale.baselineQueries,
			pinnedMembers: quick ? 4_000 : 16_000,
			profile: flag('profile'),
			ingestPairs: Number(option('ingest-pairs') ?? 0),
			log
		});
	});

	await report(results, started);
}

/** The scenarios that involve the server, on one store. */
async function serverScenarios(options: {
	store: BenchStore;
	run: StoreRun;
	attempt: (name: string, run: () => Promise<void>) => Promise<void>;
}): Promise<void> {
	const { store, run, attempt } = options;
	const syncNeeded = ['unit', 'pinned', 'single-db', 'incremental', 'interrupted'].some((s) =>
		only.includes(s)
	);
	if (syncNeeded) {
		const server = await startBenchServer({ store });
		try {
			let unit: UnitFixture | undefined;
			const grassroots = async () =>
				(unit ??= await makeUnit({
					server,
					name: 'Đoàn xã Thanh Sơn',
					members: scale.unitMembers,
					seed: 'thanhson',
					today: TODAY
				}));
			let cleanBytes: { ours: number; baseline: number } | undefined;

			await attempt('unit', async () => {
				const result = await firstSync({
					scenario: `first sync, grassroots unit (${scale.unitMembers} members with history)`,
					server,
					units: [await grassroots()],
					preset: '3G',
					log
				});
				cleanBytes = { ours: result.ours.downBytes, baseline: result.baseline.downBytes };
				run.firstSyncs.push(strip(result));
			});

			await attempt('pinned', async () => {
				log(`  seeding ${scale.pinnedUnits} units of ${scale.pinnedPerUnit} members…`);
				const units = await mapLimit(
					Array.from({ length: scale.pinnedUnits }, (_, i) => i),
					4,
					(i) =>
						makeUnit({
							server,
							name: `Đoàn xã Ghim ${i + 1}`,
							members: scale.pinnedPerUnit,
							seed: `pinned-${i}`,
							today: TODAY
						})
				);
				const members = scale.pinnedUnits * scale.pinnedPerUnit;
				run.firstSyncs.push(
					strip(
						await firstSync({
							scenario: `first sync, pinned set: ${members.toLocaleString('en')} members with history in ${scale.pinnedUnits} unit databases`,
							server,
							units,
							preset: 'Slow 4G',
							log
						})
					)
				);
			});

			await attempt('single-db', async () => {
				log(`  seeding one database of ${scale.singleDbMembers} members…`);
				const big = await makeUnit({
					server,
					name: 'Đoàn xã Một Khối',
					members: scale.singleDbMembers,
					seed: 'single',
					today: TODAY
				});
				run.firstSyncs.push(
					strip(
						await firstSync({
							scenario: `first sync, ${scale.singleDbMembers.toLocaleString('en')} members with history in one database`,
							server,
							units: [big],
							preset: 'Slow 4G',
							log
						})
					)
				);
			});

			await attempt('incremental', async () => {
				const pair: [UnitFixture, UnitFixture] = [
					await makeUnit({
						server,
						name: 'Đoàn xã Tuần A',
						members: scale.unitMembers,
						seed: 'week',
						today: TODAY
					}),
					await makeUnit({
						server,
						name: 'Đoàn xã Tuần B',
						members: scale.unitMembers,
						seed: 'week',
						today: TODAY
					})
				];
				run.incremental = await incrementalSync({
					scenario: `incremental sync after a week offline (${scale.edits} local + ${scale.edits} remote edits)`,
					server,
					units: pair,
					preset: '3G',
					edits: scale.edits,
					log
				});
			});

			await attempt('interrupted', async () => {
				const target = await grassroots();
				if (!cleanBytes) {
					log('  (measuring clean first syncs first)');
					const clean = await firstSync({
						scenario: 'clean',
						server,
						units: [target],
						preset: '3G',
						log
					});
					cleanBytes = { ours: clean.ours.downBytes, baseline: clean.baseline.downBytes };
				}
				run.interrupted = await interruptedSync({
					scenario: `interrupted first sync (link cut at 50%), resumed`,
					server,
					unit: target,
					preset: '3G',
					clean: cleanBytes,
					log
				});
			});
		} finally {
			await server.close();
		}
	}

	await attempt('app-shell', async () => {
		run.appShell = await appShellBench({
			build: !flag('no-build') && store === embedded,
			store,
			log
		});
	});

	await attempt('cheap-phone', async () => {
		// Uses the build the app-shell scenario made (or the existing one with --no-build).
		const baseline = option('baseline-build');
		run.cheapPhone = await cheapPhoneBench({
			builds: [
				{ label: 'this build', dir: join(ROOT, 'build') },
				...(baseline ? [{ label: 'baseline build', dir: baseline }] : [])
			],
			store,
			members: scale.unitMembers,
			samples: quick ? 1 : 3,
			// The province's pinned set on Slow 4G: one sample per build (minutes each).
			...(flag('no-pinned')
				? {}
				: { pinned: { units: scale.pinnedUnits, perUnit: scale.pinnedPerUnit, samples: 1 } }),
			log
		});
	});

	await attempt('dashboard', async () => {
		// Uses the build the app-shell scenario made (or the existing one with --no-build).
		run.dashboard = await dashboardBench({ store, samples: quick ? 1 : 3, log });
	});

	await attempt('declaration-page', async () => {
		// Uses the existing build (made by app-shell, or `npm run build`).
		run.declarationPage = await declarationPageBench({ store, samples: quick ? 1 : 3, log });
	});

	await attempt('load', async () => {
		run.load = await loadBench({
			devices: scale.loadDevices,
			members: scale.loadMembers,
			store,
			log
		});
	});

	await attempt('mail-fanout', async () => {
		run.mailFanout = await mailFanoutBench({ store, samples: quick ? 1 : 3, log });
	});

	await attempt('member-import', async () => {
		// Uses the existing build (made by app-shell, or `npm run build`). The CPU as it is, then
		// slowed 4× as on a cheap phone, each beside the baseline build when given (the machine's
		// load inflates long tasks: only a baseline measured alongside says what changed);
		// --profile names the code of the write's long tasks.
		const baseline = option('baseline-build');
		for (const cpuSlowdown of [1, 4]) {
			for (const build of [
				{ label: 'this build', dir: join(ROOT, 'build') },
				...(baseline ? [{ label: 'baseline build', dir: baseline }] : [])
			]) {
				const r = await memberImportBench({
					store,
					rows: quick ? 1_000 : 5_000,
					cpuSlowdown,
					profile: flag('profile'),
					build,
					log
				});
				if (build.label !== 'this build') {
					run.memberImportBaseline = [...(run.memberImportBaseline ?? []), r];
				} else if (cpuSlowdown === 1) run.memberImport = r;
				else run.memberImportCpu4 = r;
				log(
					`  member import (${r.build}), ${r.rows} rows, CPU ÷${cpuSlowdown}: preview ${r.toPreviewMs} ms, write ${r.writeMs} ms, longest main-thread task ${r.longestTaskMs} ms (target < 100)`
				);
			}
		}
	});
}

async function report(results: BenchResults, started: number): Promise<void> {
	results.machine.loadAverage.end = loadavg()[0]!;
	const table = renderTable(results);
	const targets = targetsOf(results);
	console.log(`\n${table}\n`);
	for (const line of targets) console.log(line);
	for (const failure of results.failures) console.log(`✗ ${failure}`);

	const out =
		option('out') ??
		join(ROOT, 'bench', 'results', `${results.at.slice(0, 10)}${quick ? '-quick' : ''}.json`);
	mkdirSync(join(out, '..'), { recursive: true });
	writeFileSync(out, `${JSON.stringify({ ...results, table, targets }, null, '\t')}\n`);
	console.log(`\nwritten to ${out} (${((Date.now() - started) / 60_000).toFixed(1)} min)`);
	if (results.failures.length > 0) process.exitCode = 1;
}

function strip(result: FirstSyncResult & { oursLog?: unknown }): FirstSyncResult {
	const { oursLog: _log, ...rest } = result;
	return rest;
}

// A stray rejection must fail the run loudly, not end it halfway with no table.
process.on('unhandledRejection', (reason) => {
	console.error('unhandled rejection:', reason);
	process.exitCode = 1;
});

await main();
