import { readFileSync } from 'node:fs';
import { firstListedName, searchFor, tapSignIn, waitSynced } from './cheap-phone-page';
import {
	CHEAP_PHONE,
	fillSignIn,
	launchBrowser,
	openPhonePage,
	openSite,
	seedUnit,
	scriptOption,
	waitOfflineReady
} from './cheap-phone-launch';

// One visit of the cheap-phone bench (bench/cheap-phone-bench.ts: CPU 4×, the 3G shaper on page
// and worker), taken apart (issue #17):
// - the first visit's requests until offline-ready, from the link's log: when each left and
//   arrived, on which connection, its bytes, and any address asked twice (a file the worker
//   downloads again after the page did);
// - from the tap on "Đăng nhập" to "Đã đồng bộ", a Chromium trace of the page's main thread: each
//   task of at least `--threshold` ms (wall) with what it ran (scripts evaluated or compiled and
//   their file, functions called, style and layout), so a long task can be named.
//   tsx bench/cheap-phone-trace.ts --build=build [--members=400] [--threshold=100] [--out=trace.json]

const option = scriptOption;
const buildDir = option('build') ?? 'build';
const members = Number(option('members') ?? 400);
const threshold = Number(option('threshold') ?? 100);
const traceFile = option('out') ?? '/tmp/cheap-phone-trace.json';

const site = await openSite({ buildDir, store: { kind: 'memory' } });
const { link } = site;
const browser = await launchBrowser();
try {
	const unit = await seedUnit(site.server, members);
	const { context, page } = await openPhonePage({
		browser,
		link,
		preset: CHEAP_PHONE.preset,
		cpuSlowdown: CHEAP_PHONE.cpuSlowdown,
		realClock: true
	});
	await link.resetStats();
	const started = performance.timeOrigin + performance.now();
	await page.goto(`${link.url}/`);
	await waitOfflineReady(page);
	const readyMs = performance.timeOrigin + performance.now() - started;
	const stats = await link.stats();
	console.log(
		`offline-ready ${readyMs.toFixed(0)} ms: ${stats.requests} requests, ${(stats.downBytes / 1024).toFixed(0)} KiB down, ` +
			`${stats.connections} connections (max ${stats.maxConcurrentConnections} at once), ` +
			`${stats.sequentialRoundTrips} sequential round trips`
	);
	const seen = new Map<string, number>();
	for (const r of stats.log) {
		seen.set(r.path, (seen.get(r.path) ?? 0) + 1);
		console.log(
			`  ${(r.start - started).toFixed(0).padStart(6)} → ${(r.end - started).toFixed(0).padStart(6)} ms` +
				`  c${String(r.conn).padEnd(3)} ${String(r.status)} ${String(r.downBytes).padStart(7)} B  ${r.method} ${r.path}`
		);
	}
	const twice = [...seen].filter(([, n]) => n > 1);
	console.log(
		`asked more than once: ${twice.length ? twice.map(([p, n]) => `${p} ×${n}`).join(', ') : 'none'}`
	);

	await fillSignIn(page, unit);
	await browser.startTracing(page, {
		path: traceFile,
		categories: [
			'toplevel',
			'devtools.timeline',
			'disabled-by-default-devtools.timeline',
			'v8',
			'__metadata'
		]
	});
	const tapped = Date.now();
	await tapSignIn(page);
	const name = await firstListedName(page);
	await searchFor(page, name);
	const searchMs = Date.now() - tapped;
	await waitSynced(page);
	await browser.stopTracing();
	console.log(`tap → search answered ${searchMs} ms, → "Đã đồng bộ" ${Date.now() - tapped} ms`);
	report(traceFile);
	await context.close();
} finally {
	await browser.close();
	await site.close();
}

interface TraceEvent {
	ph?: string;
	name?: string;
	pid?: number;
	tid?: number;
	ts?: number;
	dur?: number;
	tdur?: number;
	args?: Record<string, unknown>;
}

/** The main thread's long tasks and what each ran. */
function report(file: string): void {
	const raw = JSON.parse(readFileSync(file, 'utf8')) as
		{ traceEvents: TraceEvent[] } | TraceEvent[];
	const events = Array.isArray(raw) ? raw : raw.traceEvents;
	const names = new Map<string, string>();
	for (const e of events)
		if (e.ph === 'M' && e.name === 'thread_name')
			names.set(`${e.pid}:${e.tid}`, String((e.args as { name?: string })?.name));
	const byThread = new Map<string, TraceEvent[]>();
	for (const e of events) {
		if (e.ph !== 'X') continue;
		const key = `${e.pid}:${e.tid}`;
		if (names.get(key) !== 'CrRendererMain') continue;
		const list = byThread.get(key) ?? [];
		list.push(e);
		byThread.set(key, list);
	}
	const main = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
	const tasks = main
		.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && (e.dur ?? 0) >= threshold * 1000)
		.sort((a, b) => a.ts! - b.ts!);
	const first = main.reduce((min, e) => Math.min(min, e.ts ?? Infinity), Infinity);
	console.log(`${tasks.length} main-thread tasks ≥ ${threshold} ms (wall)`);
	for (const task of tasks) {
		const end = task.ts! + task.dur!;
		const inside = main.filter(
			(e) => e !== task && e.ts! >= task.ts! && e.ts! + (e.dur ?? 0) <= end && (e.dur ?? 0) >= 5000
		);
		console.log(
			`\n  +${((task.ts! - first) / 1000).toFixed(0)} ms: ${(task.dur! / 1000).toFixed(0)} ms wall, ${((task.tdur ?? 0) / 1000).toFixed(0)} ms CPU`
		);
		for (const e of inside.slice(0, 25)) {
			const data = (e.args?.data ?? e.args?.beginData ?? e.args ?? {}) as Record<string, unknown>;
			const where = String(data.url ?? data.fileName ?? '')
				.split('/')
				.pop();
			const fn = data.functionName ? ` ${String(data.functionName)}` : '';
			console.log(
				`    ${((e.ts! - task.ts!) / 1000).toFixed(0).padStart(5)} +${((e.dur ?? 0) / 1000).toFixed(0).padStart(4)} ms  ${e.name}${fn} ${where ?? ''}`
			);
		}
	}
}
