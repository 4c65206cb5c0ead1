import { execSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../tests/support/browser';
import { bundleForBrowser, ROOT } from './bundle';
import type { IngestFloors } from './client/read-model-floors';
import { busyStretches, startCpuProfile, stopCpuProfile } from './cpu-profile-digest';

// Read model in Chromium: 75,000 members with their history (about two entries each: 225,000
// documents) written to PouchDB (IndexedDB) in unit databases, folded into the app's Dexie read
// model by the app's indexer, then name searches through the app's searchMembers — against
// searching PouchDB directly (allDocs of every unit, filtered). The same measurements are made on
// main's code in the same run (its src/lib from `git archive`, the same PouchDB data, the read model
// opened afresh), and the JS heap (after a forced GC, through CDP: measureUserAgentSpecificMemory
// is not available headless) with the list open, at 75,000 members and at 16,000 (a pinned set).

interface IngestRun {
	/** Folding every document into the read model. */
	ingestMs: number;
	/** Documents folded (members and their history). */
	docs: number;
	/** Members per second, their history included. */
	membersPerSecond: number;
	/** From the last batch to the search index holding everything (0 for main: it had none). */
	indexReadyMs: number;
	/** The first search after the ingest (main: it builds the index). */
	firstSearchMs: number;
	/** The same search again in its parts: the in-memory walk, the page's rows read by id, whole. */
	firstSearchParts?: { walkMs: number; rowsMs: number; secondSearchMs: number };
	/** With `profile`: where the main thread spent the ingest (idle: waiting on IndexedDB). */
	profile?: { busyMs: number; idleMs: number; self: string[]; inclusive: string[] };
	/** The JS heap after a GC, with the list open and the index built. */
	heapBytes: number;
	ours?: { p50: number; p95: number; max: number };
}

export interface ReadModelResult {
	scenario: string;
	members: number;
	units: number;
	pouchLoadMs: number;
	ingestMs: number;
	queries: number;
	ours: { p50: number; p95: number; max: number };
	baseline: { p50: number; p95: number; max: number; queries: number };
	/** The first search after the ingest (earlier results: the index's build by the first search). */
	indexBuildMs?: number;
	/** This code at the full scale, and main's in the same run (absent when main could not be built). */
	run?: IngestRun;
	main?: IngestRun;
	/** The ingest's parts alone on the same data: read, fold, IndexedDB writes per row and packed. */
	floors?: IngestFloors;
	/** The same with a 16,000-member pinned set. */
	pinned?: { members: number; ours: IngestRun; main?: IngestRun };
	/**
	 * With `ingestPairs`: more ingests of the full set, this code and main's alternately (which
	 * goes first alternates too: the first of a pair reads PouchDB's files colder), members/s.
	 */
	samples?: { ours: number[]; main: number[]; load: string[] };
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const rank = Math.ceil((p / 100) * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

function serve(dirs: Record<string, string>): Promise<Server> {
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const match = /^\/(\w+)\.js$/.exec(url.pathname);
		if (match && dirs[match[1]!]) {
			res.writeHead(200, { 'content-type': 'text/javascript' });
			res.end(readFileSync(join(dirs[match[1]!]!, 'bench.js')));
			return;
		}
		const code = url.searchParams.get('code') ?? 'ours';
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(
			`<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/${code}.js"></script>`
		);
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The bench entry bundled against main's src/lib (extracted with git archive), or null. */
async function bundleMain(outdir: string, log: (line: string) => void): Promise<boolean> {
	const tree = mkdtempSync(join(tmpdir(), 'doanvu-bench-rm-main-'));
	try {
		execSync(`git archive main src/lib | tar -x -C ${tree}`, { cwd: ROOT, stdio: 'pipe' });
		const lib = join(tree, 'src', 'lib');
		const resolveFile = (base: string) =>
			[`${base}.ts`, `${base}.js`, join(base, 'index.ts'), base].find(
				(c) => existsSync(c) && statSync(c).isFile()
			);
		await build({
			entryPoints: [join(ROOT, 'bench', 'client', 'read-model-entry.ts')],
			outfile: join(outdir, 'bench.js'),
			bundle: true,
			platform: 'browser',
			format: 'esm',
			target: 'es2020',
			minify: true,
			logLevel: 'error',
			nodePaths: [join(ROOT, 'node_modules')],
			define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
			plugins: [
				{
					name: 'main-lib',
					setup(b) {
						b.onResolve({ filter: /^\$lib(\/|$)/ }, (args) => ({
							path: resolveFile(join(lib, args.path.slice('$lib'.length)))
						}));
					}
				}
			]
		});
		return true;
	} catch (error) {
		log(
			`  main's code could not be bundled (${(error as Error).message.split('\n')[0]}): ours only`
		);
		return false;
	} finally {
		rmSync(tree, { recursive: true, force: true });
	}
}

type Stats = { p50: number; p95: number; max: number };
type Bench = {
	load(o: {
		units: number;
		perUnit: number;
		queries: number;
	}): Promise<{ ms: number; docs: number; members: number; queries: string[] }>;
	ingest(o: { units: number }): Promise<{
		ms: number;
		docs: number;
		members: number;
		indexReadyMs: number;
		firstSearchMs: number;
		firstSearchParts?: { walkMs: number; rowsMs: number; secondSearchMs: number };
	}>;
	openList(o: { units: number }): Promise<number>;
	floors(o: { units: number }): Promise<IngestFloors>;
	dropReadModel(): Promise<void>;
	searchOurs(o: { units: number; list: string[] }): Promise<{ times: number[]; hits: number[] }>;
	searchBaseline(o: {
		units: number;
		list: string[];
	}): Promise<{ times: number[]; hits: number[] }>;
};

const stats = (t: number[]): Stats => ({
	p50: percentile(t, 50),
	p95: percentile(t, 95),
	max: Math.max(...t)
});

function caller(page: Page) {
	return <T>(fn: (b: Bench, arg: never) => T | Promise<T>, arg?: unknown) =>
		page.evaluate(
			([source, a]) => {
				const f = new Function(`return (${source})`)() as (b: unknown, a: unknown) => unknown;
				return f((globalThis as unknown as { bench: unknown }).bench, a);
			},
			[fn.toString(), arg] as const
		) as Promise<T>;
}

async function open(page: Page, origin: string, code: string) {
	await page.goto(`${origin}/?code=${code}`);
	await page.waitForFunction(() => 'bench' in globalThis);
	return caller(page);
}

/** The JS heap after a full GC (CDP), as the page holds it now. */
async function heap(context: BrowserContext, page: Page): Promise<number> {
	const cdp = await context.newCDPSession(page);
	try {
		await cdp.send('HeapProfiler.enable');
		await cdp.send('HeapProfiler.collectGarbage');
		await cdp.send('HeapProfiler.collectGarbage');
		const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
		return usage.usedSize;
	} finally {
		await cdp.detach();
	}
}

/** The whole ingest as one window of the profile: busy and idle time, the heaviest functions. */
function ingestProfile(profile: Awaited<ReturnType<typeof stopCpuProfile>>) {
	const durationMs = (profile.endTime - profile.startTime) / 1000;
	const [whole] = busyStretches({
		profile,
		minMs: 0,
		top: 25,
		windows: [{ startMs: 0, durationMs }]
	});
	const idleLine = whole?.self.find((line) => line.startsWith('(idle)'));
	const idleMs = idleLine ? Number(/ (\d+) ms$/.exec(idleLine)?.[1] ?? 0) : 0;
	return {
		busyMs: Math.round(durationMs - idleMs),
		idleMs,
		self: whole?.self ?? [],
		inclusive: whole?.inclusive ?? []
	};
}

/**
 * One code's ingest of what PouchDB holds, in a fresh page (nothing of the load left in memory),
 * then the list opened and the heap measured; searches when asked.
 */
async function ingestRun(options: {
	context: BrowserContext;
	page: Page;
	origin: string;
	code: string;
	units: number;
	members: number;
	queries?: string[];
	/** Sample the main thread during the ingest (CDP Profiler). */
	profile?: boolean;
	log: (line: string) => void;
}): Promise<IngestRun & { hits?: number[] }> {
	const call = await open(options.page, options.origin, options.code);
	const cdp = options.profile ? await options.context.newCDPSession(options.page) : null;
	if (cdp) await startCpuProfile(cdp);
	const ingested = await call((b, o: { units: number }) => b.ingest(o), { units: options.units });
	const profile = cdp ? ingestProfile(await stopCpuProfile(cdp)) : undefined;
	if (cdp) await cdp.detach();
	if (ingested.members !== options.members)
		throw new Error(
			`${options.code}: read model holds ${ingested.members}, not ${options.members}`
		);
	await call((b, o: { units: number }) => b.openList(o), { units: options.units });
	let searched: { times: number[]; hits: number[] } | undefined;
	if (options.queries) {
		const o = { units: options.units, list: options.queries };
		// One warm-up pass (JIT), then the measured one.
		await call((b, q: typeof o) => b.searchOurs(q), { ...o, list: o.list.slice(0, 20) });
		searched = await call((b, q: typeof o) => b.searchOurs(q), o);
	}
	const heapBytes = await heap(options.context, options.page);
	await call((b) => b.dropReadModel());
	options.log(
		`    ${options.code}: ${Math.round((options.members / ingested.ms) * 1000)} members/s, first search ${Math.round(ingested.firstSearchMs)} ms, heap ${(heapBytes / 1048576).toFixed(1)} MB`
	);
	if (ingested.firstSearchParts) {
		const p = ingested.firstSearchParts;
		options.log(
			`      first search's parts: walk ${p.walkMs.toFixed(1)} ms, rows ${p.rowsMs.toFixed(1)} ms; again ${p.secondSearchMs.toFixed(1)} ms`
		);
	}
	if (profile) {
		options.log(`      main thread: busy ${profile.busyMs} ms, idle ${profile.idleMs} ms`);
		for (const line of profile.inclusive.slice(0, 15)) options.log(`        ${line}`);
	}
	return {
		ingestMs: ingested.ms,
		docs: ingested.docs,
		membersPerSecond: Math.round((options.members / ingested.ms) * 1000),
		indexReadyMs: ingested.indexReadyMs,
		firstSearchMs: ingested.firstSearchMs,
		...(ingested.firstSearchParts ? { firstSearchParts: ingested.firstSearchParts } : {}),
		...(profile ? { profile } : {}),
		heapBytes,
		...(searched ? { ours: stats(searched.times), hits: searched.hits } : {})
	};
}

export async function readModelBench(options: {
	units: number;
	perUnit: number;
	queries: number;
	baselineQueries: number;
	/** The pinned set whose heap is measured (16,000 members). */
	pinnedMembers?: number;
	/** Sample the main thread during this code's ingest (`--profile`). */
	profile?: boolean;
	/** More ingests of the full set, this code's and main's alternately (`--ingest-pairs=N`). */
	ingestPairs?: number;
	log: (line: string) => void;
}): Promise<ReadModelResult> {
	const root = mkdtempSync(join(tmpdir(), 'doanvu-bench-rm-'));
	const dirs = { ours: join(root, 'ours'), main: join(root, 'main') };
	await bundleForBrowser({
		entry: join(ROOT, 'bench', 'client', 'read-model-entry.ts'),
		outdir: dirs.ours
	});
	const withMain = await bundleMain(dirs.main, options.log);
	const http = await serve(withMain ? dirs : { ours: dirs.ours });
	const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	const browser = await launchBrowser();
	try {
		const members = options.units * options.perUnit;
		const context = await browser.newContext();
		const page = await context.newPage();
		page.setDefaultTimeout(60 * 60_000);
		options.log(`  writing ${members} members with history into PouchDB (IndexedDB)…`);
		let call = await open(page, origin, 'ours');
		const loaded = await call(
			(b, o: { units: number; perUnit: number; queries: number }) => b.load(o),
			{ units: options.units, perUnit: options.perUnit, queries: options.queries }
		);
		options.log(`  ingest into the read model (this code)…`);
		const run = await ingestRun({
			context,
			page,
			origin,
			code: 'ours',
			units: options.units,
			members,
			queries: loaded.queries,
			...(options.profile ? { profile: true } : {}),
			log: options.log
		});
		let main: IngestRun | undefined;
		if (withMain) {
			options.log(`  ingest into the read model (main's code)…`);
			main = await ingestRun({
				context,
				page,
				origin,
				code: 'main',
				units: options.units,
				members,
				log: options.log
			});
		}
		let samples: ReadModelResult['samples'];
		if (withMain && main && options.ingestPairs) {
			samples = { ours: [run.membersPerSecond], main: [main.membersPerSecond], load: [] };
			const at = { context, page, origin, units: options.units, members, log: options.log };
			for (let pair = 1; pair <= options.ingestPairs; pair++) {
				const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ');
				samples.load.push(load.slice(0, 3).join(' '));
				options.log(`  pair ${pair} of ${options.ingestPairs} (load ${samples.load.at(-1)})…`);
				const order = pair % 2 === 1 ? (['main', 'ours'] as const) : (['ours', 'main'] as const);
				for (const code of order) {
					samples[code].push((await ingestRun({ ...at, code })).membersPerSecond);
				}
			}
			const median = (list: number[]) => percentile(list, 50);
			options.log(
				`    members/s, median of ${samples.ours.length}: ours ${median(samples.ours)}, main ${median(samples.main)} (ours ${samples.ours.join(', ')}; main ${samples.main.join(', ')})`
			);
		}
		options.log(`  floors: the ingest's parts alone on the same data…`);
		call = await open(page, origin, 'ours');
		const floors = await call((b, o: { units: number }) => b.floors(o), { units: options.units });
		const perSecond = (ms: number) => Math.round((members / ms) * 1000).toLocaleString('en');
		options.log(
			`    read ${Math.round(floors.readMs)} ms, fold ${Math.round(floors.foldMs)} ms; IndexedDB alone, a record per row ${Math.round(floors.rowPerRecordMs)} ms (${perSecond(floors.rowPerRecordMs)} members/s; puts ${Math.round(floors.rowPerRecordPutMs)} ms), members only ${Math.round(floors.membersOnlyMs)} ms, packed 100 a record ${Math.round(floors.packedMs)} ms (${perSecond(floors.packedMs)} members/s)`
		);
		let pinned: ReadModelResult['pinned'];
		if (options.pinnedMembers) {
			let units = Math.ceil(options.pinnedMembers / options.perUnit);
			while (options.pinnedMembers % units) units++;
			const perUnit = options.pinnedMembers / units;
			options.log(`  pinned set: ${options.pinnedMembers} members with history, heap…`);
			const pinnedContext = await browser.newContext();
			const pinnedPage = await pinnedContext.newPage();
			pinnedPage.setDefaultTimeout(60 * 60_000);
			const load = await open(pinnedPage, origin, 'ours');
			await load((b, o: { units: number; perUnit: number; queries: number }) => b.load(o), {
				units,
				perUnit,
				queries: 1
			});
			const at = { context: pinnedContext, page: pinnedPage, origin, units, log: options.log };
			const ours = await ingestRun({ ...at, code: 'ours', members: options.pinnedMembers });
			const mainPinned = withMain
				? await ingestRun({ ...at, code: 'main', members: options.pinnedMembers })
				: undefined;
			pinned = {
				members: options.pinnedMembers,
				ours,
				...(mainPinned ? { main: mainPinned } : {})
			};
			await pinnedContext.close();
		}
		options.log(`  baseline search (${options.baselineQueries} queries)…`);
		call = await open(page, origin, 'ours');
		const baseQueries = loaded.queries.slice(0, options.baselineQueries);
		const baseline = await call((b, o: { units: number; list: string[] }) => b.searchBaseline(o), {
			units: options.units,
			list: baseQueries
		});
		for (let i = 0; i < baseQueries.length; i++) {
			if (baseline.hits[i] !== run.hits![i]) {
				throw new Error(
					`search "${baseQueries[i]}": ${run.hits![i]} hits in the read model, ${baseline.hits[i]} by scanning`
				);
			}
		}
		await context.close();

		const { hits: _hits, ...ours } = run;
		return {
			scenario: 'read model: 75,000 members with history, name search',
			members,
			units: options.units,
			pouchLoadMs: loaded.ms,
			ingestMs: run.ingestMs,
			queries: loaded.queries.length,
			ours: run.ours!,
			baseline: { ...stats(baseline.times), queries: baseQueries.length },
			indexBuildMs: run.firstSearchMs,
			run: ours,
			floors,
			...(main ? { main } : {}),
			...(pinned ? { pinned } : {}),
			...(samples ? { samples } : {})
		};
	} finally {
		await browser.close();
		http.close();
		rmSync(root, { recursive: true, force: true });
	}
}
