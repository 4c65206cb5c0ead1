import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import type { RequestRecord } from './link';
import { parentsOf, type CpuProfile, type ProfileNode } from './cpu-profile-types';
import {
	CHEAP_PHONE,
	fillSignIn,
	launchBrowser,
	openPhonePage,
	openSite,
	scriptOption,
	waitInstalled
} from './cheap-phone-launch';
import { makePinnedSet, pinOnDevice } from './cheap-phone-pinned';
import { rosterState, tapSignIn } from './cheap-phone-page';

// Where the 16,000-member pinned set's time goes on the cheap-phone profile (issue #17: target
// ≤ 60 s from "Đăng nhập" to the whole set searchable on Slow 4G, CPU 4× slower). The pinned visit of
// bench/cheap-phone-pinned.ts (the set, the app installed, the communes pinned), with, from the tap
// until the badge says "Đã đồng bộ" (or `--cap-s`, 900 by default):
// - the link's log: bytes down and up, requests by kind, and when the link carried something;
// - a CPU profile of the page's main thread (CDP Profiler), each sample put in one bucket by the
//   source files on its stack (read through the build's source maps): the read model's ingest
//   (src/lib/data/read-model/, Dexie), PouchDB's pull and writes (src/lib/data/sync/, pouchdb-*),
//   garbage collection, the rest; the idle samples split by whether a request was on the link then
//   (waiting for the network) or not (waiting for IndexedDB's commits, timers).
// Needs a build with source maps and readable names:
//   BUILD_DIR=/tmp/prof npx vite build --minify false --sourcemap && npx tsx scripts/externalize-inline-scripts.ts /tmp/prof \
//     && npx tsx scripts/build-sw.ts /tmp/prof
//   npx tsx bench/cheap-phone-pinned-split.ts --build=/tmp/prof [--units=40] [--per-unit=400]
//     [--interval-us=4000] [--cap-s=900] [--out=pinned.cpuprofile]

const option = scriptOption;
const buildDir = option('build') ?? 'build';
const units = Number(option('units') ?? 40);
const perUnit = Number(option('per-unit') ?? 400);
const intervalUs = Number(option('interval-us') ?? 4000);
const capS = Number(option('cap-s') ?? 900);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
	log(
		`load average at the start ${loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')}`
	);
	const site = await openSite({ buildDir, store: { kind: 'leveldb' } });
	const browser = await launchBrowser();
	try {
		log(`seeding ${units} communes of ${perUnit} members…`);
		const set = await makePinnedSet({ server: site.server, units, perUnit });
		log(`seeded: ${set.members} members, ${set.active} active`);
		// The visit itself (not pinnedVisit's waits, which give up after 15 min each and lose the
		// profile): tap, open the roster, then the page's state every 30 s until the badge says
		// "Đã đồng bộ" or `--cap-s` has passed; the span up to there is split.
		const { context, page, cdp } = await openPhonePage({
			browser,
			link: site.link,
			preset: CHEAP_PHONE.pinnedPreset,
			cpuSlowdown: CHEAP_PHONE.cpuSlowdown
		});
		await page.goto(`${site.link.url}/dang-nhap`);
		await waitInstalled(page);
		await pinOnDevice(page, set.units);
		await fillSignIn(page, set.province);
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
		await site.link.resetStats();
		await cdp.send('Profiler.start');
		const tapAt = performance.timeOrigin + performance.now();
		const loadAtTap = loadavg();
		log(`tap (load ${loadAtTap.map((l) => l.toFixed(1)).join(' ')})`);
		await tapSignIn(page);
		let firstRowS = NaN;
		let roster = false;
		let synced = false;
		const capMs = capS * 1000;
		while (performance.timeOrigin + performance.now() - tapAt < capMs) {
			await page.waitForTimeout(roster ? 10_000 : 500);
			const at = (performance.timeOrigin + performance.now() - tapAt) / 1000;
			if (!roster) {
				roster = await page.evaluate(() => {
					const link = document.querySelector<HTMLAnchorElement>('nav a[href="/doan-vien"]');
					link?.click();
					return !!link;
				});
				continue;
			}
			const state = await page.evaluate(rosterState);
			const row = await page.evaluate(
				() => !!document.querySelector('[data-testid="member-item"] .name')
			);
			if (row && Number.isNaN(firstRowS)) firstRowS = at;
			if (Math.round(at) % 30 < 10) {
				const stats = await site.link.stats();
				log(`  ${at.toFixed(0)} s: ${state}; ${(stats.downBytes / 1e6).toFixed(2)} MB down`);
			}
			if (state.endsWith('Đã đồng bộ')) {
				synced = true;
				break;
			}
		}
		const endAt = performance.timeOrigin + performance.now();
		const profile = ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile })
			.profile;
		const finalState = await page.evaluate(rosterState);
		await site.link.setPreset('none');
		await context.close();
		const stats = await site.link.stats();
		const out = option('out');
		if (out && profile) writeFileSync(out, JSON.stringify(profile));
		const spanS = ((endAt - tapAt) / 1000).toFixed(1);
		log(
			`first roster row ${firstRowS.toFixed(0)} s after the tap; ${synced ? `"Đã đồng bộ" at ${spanS} s` : `not synced at the cap, ${spanS} s`} (${finalState}); load at the end ${loadavg()
				.map((l) => l.toFixed(1))
				.join(' ')}`
		);
		report({ profile, records: stats.log, tapAt, spanMs: endAt - tapAt });
		console.log(
			`link: ${stats.requests} requests, ${(stats.downBytes / 1e6).toFixed(2)} MB down, ${(stats.upBytes / 1e6).toFixed(2)} MB up`
		);
	} finally {
		await browser.close();
		await site.close();
	}
}

type Bucket =
	| 'read model (indexer, Dexie, search index)'
	| 'sync (pull, JSON, PouchDB bulkDocs)'
	| 'garbage collection'
	| 'other script (UI, Svelte, app)'
	| 'browser (program)'
	| 'idle, a request on the link'
	| 'idle, nothing on the link';

function report(options: {
	profile: CpuProfile;
	records: RequestRecord[];
	tapAt: number;
	spanMs: number;
}): void {
	const { profile, records, tapAt } = options;
	// A request still open (a long poll) ends with the span; its end crosses the IPC as null.
	const endOf = (r: RequestRecord) =>
		typeof r.end === 'number' && Number.isFinite(r.end) ? r.end : tapAt + options.spanMs;
	// The link: what it carried, by kind of request, from the tap on.
	const kinds = new Map<string, { n: number; down: number; up: number; ms: number }>();
	for (const r of records) {
		const path = r.path.split('?')[0]!;
		const kind = path.startsWith('/couch/')
			? (path
					.split('/')
					.slice(3)
					.join('/')
					.replace(/^_local\/.*/, '_local/…') || 'GET db') +
				(r.path.includes('feed=longpoll') ? ' (longpoll)' : '')
			: path.startsWith('/api/')
				? path.replace(/\/[0-9A-Z]{20,}.*/, '/…')
				: 'static';
		const k = kinds.get(`${r.method} ${kind}`) ?? { n: 0, down: 0, up: 0, ms: 0 };
		k.n++;
		k.down += r.downBytes;
		k.up += r.upBytes;
		k.ms += endOf(r) - r.start;
		kinds.set(`${r.method} ${kind}`, k);
	}
	console.log('\nThe link from the tap (Slow 4G: 1.44 Mbit/s down, 675 kbit/s up, 150 ms):');
	for (const [kind, k] of [...kinds].sort((a, b) => b[1].down - a[1].down)) {
		console.log(
			`  ${String(k.n).padStart(5)} × ${kind.padEnd(40)} ${(k.down / 1e6).toFixed(2).padStart(6)} MB down ${(k.up / 1e6).toFixed(2).padStart(6)} MB up, ${(k.ms / 1000).toFixed(1).padStart(6)} s summed`
		);
	}
	// When a (not long-polling) request was on the link: [start, end] on the tap's clock, merged.
	const onLink = mergeSpans(
		records
			.filter((r) => !r.path.includes('feed=longpoll'))
			.map((r) => [r.start - tapAt, endOf(r) - tapAt])
	);
	const busyMs = onLink.reduce((sum, [a, b]) => sum + (b - a), 0);
	const down = records.reduce((sum, r) => sum + r.downBytes, 0);
	const up = records.reduce((sum, r) => sum + r.upBytes, 0);
	const floorMs = ((down * 8) / 1.44e6 + (up * 8) / 675e3) * 1000;
	console.log(
		`  a request on the link during ${(busyMs / 1000).toFixed(1)} s of ${(options.spanMs / 1000).toFixed(1)} s; ` +
			`the bytes alone at the link's rates (down + up, no round trips): ${(floorMs / 1000).toFixed(1)} s`
	);

	// The main thread, sample by sample.
	const maps = new SourceMaps(buildDir);
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = parentsOf(profile);
	const bucketOf = new Map<number, Bucket>();
	const sourceOf = (node: ProfileNode) =>
		node.callFrame.url ? maps.source(node.callFrame) : node.callFrame.functionName;
	const classify = (leaf: ProfileNode): Bucket => {
		const name = leaf.callFrame.functionName;
		if (name === '(garbage collector)') return 'garbage collection';
		if (name === '(program)') return 'browser (program)';
		let pouch = false;
		for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
			const source = sourceOf(byId.get(id)!);
			if (/src\/lib\/data\/read-model\/|node_modules\/dexie/.test(source))
				return 'read model (indexer, Dexie, search index)';
			if (
				/node_modules\/pouchdb|src\/lib\/data\/(sync|online)\/|src\/lib\/data\/store\/pouch/.test(
					source
				)
			)
				pouch = true;
		}
		return pouch ? 'sync (pull, JSON, PouchDB bulkDocs)' : 'other script (UI, Svelte, app)';
	};
	const totals = new Map<Bucket, number>();
	const selfBySource = new Map<Bucket, Map<string, number>>();
	const timeline = new Map<number, Map<Bucket, number>>();
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		const node = byId.get(profile.samples[i]!)!;
		const at = (t - profile.startTime) / 1000;
		let bucket: Bucket;
		if (node.callFrame.functionName === '(idle)') {
			bucket = onLink.some(([a, b]) => at >= a && at < b)
				? 'idle, a request on the link'
				: 'idle, nothing on the link';
		} else {
			bucket = bucketOf.get(node.id) ?? classify(node);
			bucketOf.set(node.id, bucket);
			const where = `${node.callFrame.functionName || '(anonymous)'} ${shortSource(sourceOf(node))}`;
			const self = selfBySource.get(bucket) ?? new Map<string, number>();
			self.set(where, (self.get(where) ?? 0) + dt);
			selfBySource.set(bucket, self);
		}
		totals.set(bucket, (totals.get(bucket) ?? 0) + dt);
		const slot = Math.floor(at / 60_000);
		const row = timeline.get(slot) ?? new Map<Bucket, number>();
		row.set(bucket, (row.get(bucket) ?? 0) + dt);
		timeline.set(slot, row);
	}
	const profiled = [...totals.values()].reduce((a, b) => a + b, 0);
	console.log(
		`\nThe main thread from the tap (CPU profile, ${intervalUs / 1000} ms samples, ${(profiled / 1000).toFixed(1)} s profiled):`
	);
	for (const [bucket, ms] of [...totals].sort((a, b) => b[1] - a[1])) {
		console.log(
			`  ${(ms / 1000).toFixed(1).padStart(7)} s ${((100 * ms) / profiled).toFixed(0).padStart(3)} %  ${bucket}`
		);
		const top = [...(selfBySource.get(bucket) ?? new Map<string, number>())]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 6);
		for (const [where, self] of top)
			console.log(`             ${(self / 1000).toFixed(1).padStart(6)} s self  ${where}`);
	}
	console.log('\nBy minute (s of each bucket; bytes down on the link in that minute):');
	for (const [slot, row] of [...timeline].sort((a, b) => a[0] - b[0])) {
		const bytes = records
			.filter((r) => r.end - tapAt >= slot * 60_000 && r.end - tapAt < (slot + 1) * 60_000)
			.reduce((sum, r) => sum + r.downBytes, 0);
		const cells = [...row]
			.sort((a, b) => b[1] - a[1])
			.map(([bucket, ms]) => `${bucket.split(' ')[0]} ${(ms / 1000).toFixed(0)}`)
			.join(', ');
		console.log(`  min ${slot}: ${(bytes / 1e6).toFixed(2)} MB; ${cells}`);
	}
}

function mergeSpans(spans: number[][]): [number, number][] {
	const sorted = [...spans].sort((a, b) => a[0]! - b[0]!);
	const merged: [number, number][] = [];
	for (const [a, b] of sorted) {
		const last = merged.at(-1);
		if (last && a! <= last[1]) last[1] = Math.max(last[1], b!);
		else merged.push([a!, b!]);
	}
	return merged;
}

function shortSource(source: string): string {
	const modules = source.lastIndexOf('node_modules/');
	if (modules >= 0) return source.slice(modules + 'node_modules/'.length);
	const src = source.indexOf('src/');
	return src >= 0 ? source.slice(src) : source.split('/').pop()!;
}

/** A script's position traced to its source file through the build's `.map` files. */
class SourceMaps {
	readonly #maps = new Map<string, TraceMap | null>();
	readonly #dir: string;
	constructor(dir: string) {
		this.#dir = dir;
	}
	source(frame: { url: string; lineNumber: number; columnNumber: number }): string {
		const path = frame.url.startsWith('http') ? new URL(frame.url).pathname : frame.url;
		let map = this.#maps.get(path);
		if (map === undefined) {
			const file = join(this.#dir, `${path}.map`);
			map = existsSync(file) ? new TraceMap(readFileSync(file, 'utf8')) : null;
			this.#maps.set(path, map);
		}
		if (!map) return path;
		const at = originalPositionFor(map, {
			line: frame.lineNumber + 1,
			column: Math.max(0, frame.columnNumber)
		});
		return at.source ?? path;
	}
}

await main();
