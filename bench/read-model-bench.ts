import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { launchBrowser } from '../tests/support/browser';
import { bundleForBrowser, ROOT } from './bundle';

// Read model in Chromium: 75,000 members written to PouchDB (IndexedDB) in unit databases, folded
// into the app's Dexie read model by the app's indexer, then name searches through the app's
// searchMembers (an in-memory index built by the first search) — against searching PouchDB directly (allDocs of every unit, filtered).

export interface ReadModelResult {
	scenario: string;
	members: number;
	units: number;
	pouchLoadMs: number;
	ingestMs: number;
	queries: number;
	ours: { p50: number; p95: number; max: number };
	baseline: { p50: number; p95: number; max: number; queries: number };
	/** The first search: it builds the in-memory search index from every member row. */
	indexBuildMs: number;
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const rank = Math.ceil((p / 100) * sorted.length) - 1;
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

function serve(dir: string): Promise<Server> {
	const server = createServer((req, res) => {
		if (req.url === '/bench.js') {
			res.writeHead(200, { 'content-type': 'text/javascript' });
			res.end(readFileSync(join(dir, 'bench.js')));
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(
			'<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/bench.js"></script>'
		);
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function readModelBench(options: {
	units: number;
	perUnit: number;
	queries: number;
	baselineQueries: number;
	log: (line: string) => void;
}): Promise<ReadModelResult> {
	const dir = mkdtempSync(join(tmpdir(), 'doanvu-bench-rm-'));
	await bundleForBrowser({
		entry: join(ROOT, 'bench', 'client', 'read-model-entry.ts'),
		outdir: dir
	});
	const http = await serve(dir);
	const browser = await launchBrowser();
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		page.setDefaultTimeout(30 * 60_000);
		await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
		await page.waitForFunction(() => 'bench' in globalThis);
		type Bench = {
			load(o: { units: number; perUnit: number }): Promise<{ ms: number; docs: number }>;
			ingest(): Promise<{ ms: number; rows: number }>;
			queries(n: number): string[];
			searchOurs(q: string[]): Promise<{ times: number[]; hits: number[] }>;
			searchBaseline(q: string[]): Promise<{ times: number[]; hits: number[] }>;
			buildIndex(): Promise<{ ms: number; rows: number }>;
		};
		const call = <T>(fn: (b: Bench, arg: never) => T | Promise<T>, arg?: unknown) =>
			page.evaluate(
				([source, a]) => {
					const f = new Function(`return (${source})`)() as (b: unknown, a: unknown) => unknown;
					return f((globalThis as unknown as { bench: unknown }).bench, a);
				},
				[fn.toString(), arg] as const
			) as Promise<T>;
		const members = options.units * options.perUnit;
		options.log(`  writing ${members} members into PouchDB (IndexedDB), ${options.units} units…`);
		const loaded = await call((b, o: { units: number; perUnit: number }) => b.load(o), {
			units: options.units,
			perUnit: options.perUnit
		});
		options.log(`  ingest into the read model…`);
		const ingested = await call((b) => b.ingest());
		if (ingested.rows !== members)
			throw new Error(`read model holds ${ingested.rows} rows, not ${members}`);
		const queries = await call((b, n: number) => b.queries(n), options.queries);
		options.log(`  first search: building the search index…`);
		const built = await call((b) => b.buildIndex());
		if (built.rows !== members)
			throw new Error(`search index holds ${built.rows} members, not ${members}`);
		// One warm-up pass (first IndexedDB opens, JIT), then the measured one.
		await call((b, q: string[]) => b.searchOurs(q), queries.slice(0, 20));
		const ours = await call((b, q: string[]) => b.searchOurs(q), queries);
		options.log(`  baseline search (${options.baselineQueries} queries)…`);
		const baseQueries = queries.slice(0, options.baselineQueries);
		const baseline = await call((b, q: string[]) => b.searchBaseline(q), baseQueries);
		for (let i = 0; i < baseQueries.length; i++) {
			if (baseline.hits[i] !== ours.hits[i]) {
				throw new Error(
					`search "${baseQueries[i]}": ${ours.hits[i]} hits in the read model, ${baseline.hits[i]} by scanning`
				);
			}
		}
		await context.close();
		const stats = (t: number[]) => ({
			p50: percentile(t, 50),
			p95: percentile(t, 95),
			max: Math.max(...t)
		});
		return {
			scenario: 'read model: 75,000 members, name search',
			members,
			units: options.units,
			pouchLoadMs: loaded.ms,
			ingestMs: ingested.ms,
			queries: queries.length,
			ours: stats(ours.times),
			baseline: { ...stats(baseline.times), queries: baseQueries.length },
			indexBuildMs: built.ms
		};
	} finally {
		await browser.close();
		http.close();
		rmSync(dir, { recursive: true, force: true });
	}
}
