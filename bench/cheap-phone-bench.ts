import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RemoteLink } from './link-client';
import type { BenchStore } from './server-client';
import type { UnitFixture } from './sync-bench';
import {
	makePinnedSet,
	pinnedVisit,
	type PinnedSample,
	type PinnedSet
} from './cheap-phone-pinned';
import { longTasksSince } from './long-tasks';
import { TRACE_CATEGORIES, taskCpuTimes } from './task-cpu-time';
import { firstListedName, median, searchFor, tapSignIn, waitSynced } from './cheap-phone-page';
import {
	CHEAP_PHONE,
	fillSignIn,
	launchBrowser,
	openPhonePage,
	openSite,
	seedUnit,
	waitInstalled,
	waitOfflineReady,
	type CheapPhoneSite
} from './cheap-phone-launch';
import { alternated, sideBySide } from './cheap-phone-order';

// The cheap-phone profile (issue #17): Chromium with its CPU throttled 4× (CDP
// `Emulation.setCPUThrottlingRate`, as Lighthouse's mobile profile does) behind the emulated 3G
// link (bench/link.ts: 400 kbit/s, 400 ms round trip). The link is a TCP proxy in front of the
// server, so it shapes every request of the browser, the page's and the service worker's alike
// (CDP's network emulation on the page alone would let the worker's precache run at full speed).
// Each build (this branch's, and a baseline build of main when given) is measured in the same run,
// each served by its own checkout's server when it sits in one (`--baseline-build=CHECKOUT/build`),
// the builds alternating sample by sample (ours then the baseline, then the baseline then ours…),
// each visit in a freshly launched Chromium: the first build measured used to be the slower (the
// machine's load drifting, a browser warming up), which made a whole side slower than the other:
// (bench/cheap-phone-order.ts; each sample records whether it was measured first of its round)
// - offline-ready: from the first visit's navigation to the service worker activated and
//   controlling the page (what it installed is then enough to open the app with no network:
//   checked after, link cut);
// - sign-in to a searchable list: from tapping "Đăng nhập" (400-member unit) until a name typed
//   in the roster's search box is answered, the app already installed;
// - the longest main-thread task from that tap until the first sync has finished, in wall time
//   (the page's longtask observer) and in CPU time (the trace: what the machine's load inflates less);
// - on Slow 4G, a province's pinned set of 16,000 members (bench/cheap-phone-pinned.ts): the tap
//   to a searchable list (first rows, then the whole set), the longest task meanwhile, search p95
//   and a profile open.

export interface CheapPhoneSample {
	offlineReadyMs: number;
	/** Requests and bytes towards the phone from the first visit to offline-ready. */
	untilReady: { requests: number; downBytes: number };
	/** The installed app opened the sign-in form with the link cut (the check of offline-ready). */
	opensOffline: boolean;
	signInToSearchMs: number;
	longestTaskMs: number;
	longTasks: number;
	/**
	 * The same span's longest main-thread task in CPU time (Chromium's trace, bench/task-cpu-time.ts):
	 * a task's wall time grows with the machine's load, its CPU time much less (already at the
	 * phone's scale under the 4× throttle).
	 */
	longestTaskCpuMs: number;
	/** 0 when this build was measured first in its round, 1 when second. */
	position: number;
}

export interface CheapPhoneBuildResult {
	label: string;
	samples: CheapPhoneSample[];
	median: {
		offlineReadyMs: number;
		signInToSearchMs: number;
		longestTaskMs: number;
		longestTaskCpuMs: number;
	};
	pinned?: {
		samples: PinnedSample[];
		median: {
			firstSearchMs: number;
			allSearchableMs: number;
			longestTaskMs: number;
			searchP95Ms: number;
			profileOpenMs: number;
		};
	};
}

export interface CheapPhoneResult {
	members: number;
	preset: string;
	/** The pinned set's size and link, when measured. */
	pinned?: { members: number; units: number; preset: string };
	cpuSlowdown: number;
	/** The builds took turns sample by sample, each visit in a fresh browser. */
	alternated: true;
	builds: CheapPhoneBuildResult[];
}

const CPU_SLOWDOWN = CHEAP_PHONE.cpuSlowdown;
const PRESET = CHEAP_PHONE.preset;
const PINNED_PRESET = CHEAP_PHONE.pinnedPreset;

export async function cheapPhoneBench(options: {
	builds: { label: string; dir: string }[];
	store: BenchStore;
	members: number;
	samples: number;
	/** The pinned set: units × members each (none when absent), and its samples per build. */
	pinned?: { units: number; perUnit: number; samples: number };
	log: (line: string) => void;
}): Promise<CheapPhoneResult> {
	const { log } = options;
	// Every build's server, link and unit up first, so that the samples can take turns.
	const sites: { label: string; site: CheapPhoneSite; unit: UnitFixture }[] = [];
	try {
		for (const build of options.builds) {
			const site = await openSite({ buildDir: build.dir, store: options.store });
			sites.push({ label: build.label, site, unit: undefined as unknown as UnitFixture });
			sites.at(-1)!.unit = await seedUnit(site.server, options.members);
		}
		const samples = new Map<string, CheapPhoneSample[]>(sites.map((s) => [s.label, []]));
		for (let i = 0; i < options.samples; i++) {
			for (const { item, position } of alternated(sites, i)) {
				log(`  sample ${i + 1}/${options.samples}: ${item.label}…`);
				const visit = await inFreshBrowser((browser) =>
					oneVisit({ browser, link: item.site.link, unit: item.unit })
				);
				samples.get(item.label)!.push({ ...visit, position });
			}
		}
		const pinned = options.pinned
			? await pinnedRows({ sites, pinned: options.pinned, log })
			: new Map<string, CheapPhoneBuildResult['pinned']>();
		const builds: CheapPhoneBuildResult[] = sites.map(({ label }) => {
			const mine = samples.get(label)!;
			const rows = pinned.get(label);
			return {
				label,
				samples: mine,
				median: {
					offlineReadyMs: median(mine.map((s) => s.offlineReadyMs)),
					signInToSearchMs: median(mine.map((s) => s.signInToSearchMs)),
					longestTaskMs: median(mine.map((s) => s.longestTaskMs)),
					longestTaskCpuMs: median(mine.map((s) => s.longestTaskCpuMs))
				},
				...(rows ? { pinned: rows } : {})
			};
		});
		for (const line of sideBySide({
			builds: builds.map((b) => ({ label: b.label, samples: b.samples })),
			metrics: [
				{ name: 'first visit to offline-ready', unit: 's', pick: (s) => s.offlineReadyMs },
				{ name: '"Đăng nhập" to a searchable list', unit: 's', pick: (s) => s.signInToSearchMs },
				{ name: 'longest task (wall)', unit: 'ms', pick: (s) => s.longestTaskMs },
				{ name: 'longest task (CPU)', unit: 'ms', pick: (s) => s.longestTaskCpuMs }
			]
		}))
			log(line);
		for (const build of builds)
			if (build.pinned) log(`  ${build.label} pinned: ${JSON.stringify(build.pinned.samples)}`);
		return {
			members: options.members,
			preset: PRESET,
			...(options.pinned
				? {
						pinned: {
							members: options.pinned.units * options.pinned.perUnit,
							units: options.pinned.units,
							preset: PINNED_PRESET
						}
					}
				: {}),
			cpuSlowdown: CPU_SLOWDOWN,
			alternated: true,
			builds
		};
	} finally {
		for (const { site } of sites) await site.close();
	}
}

/** Runs `visit` in a Chromium launched for it alone, closed after. */
async function inFreshBrowser<T>(visit: (browser: Browser) => Promise<T>): Promise<T> {
	const browser = await launchBrowser();
	try {
		return await visit(browser);
	} finally {
		await browser.close();
	}
}

/**
 * The pinned set on every build's server, then its samples taking turns as the unit's do. A build
 * whose set fails is reported and left out: the 400-member rows stand on their own.
 */
async function pinnedRows(options: {
	sites: { label: string; site: CheapPhoneSite }[];
	pinned: { units: number; perUnit: number; samples: number };
	log: (line: string) => void;
}): Promise<Map<string, CheapPhoneBuildResult['pinned']>> {
	const { pinned, log } = options;
	const ready: { label: string; site: CheapPhoneSite; set: PinnedSet }[] = [];
	for (const { label, site } of options.sites) {
		log(`  ${label}: seeding ${pinned.units} communes of ${pinned.perUnit} members…`);
		try {
			const set = await makePinnedSet({
				server: site.server,
				units: pinned.units,
				perUnit: pinned.perUnit
			});
			ready.push({ label, site, set });
		} catch (error) {
			log(`  ${label}: pinned set failed: ${String(error)}`);
		}
	}
	const samples = new Map<string, PinnedSample[]>(ready.map((r) => [r.label, []]));
	const failed = new Set<string>();
	for (let i = 0; i < pinned.samples; i++) {
		for (const { item } of alternated(ready, i)) {
			if (failed.has(item.label)) continue;
			log(`  pinned set, sample ${i + 1}/${pinned.samples}: ${item.label}…`);
			try {
				samples.get(item.label)!.push(
					await inFreshBrowser((browser) =>
						pinnedVisit({
							browser,
							link: item.site.link,
							set: item.set,
							preset: PINNED_PRESET,
							cpuSlowdown: CPU_SLOWDOWN,
							installed: waitInstalled,
							log
						})
					)
				);
			} catch (error) {
				log(`  ${item.label}: pinned set failed: ${String(error)}`);
				failed.add(item.label);
			}
		}
	}
	const rows = new Map<string, CheapPhoneBuildResult['pinned']>();
	for (const [label, mine] of samples) {
		if (failed.has(label) || mine.length === 0) continue;
		rows.set(label, {
			samples: mine,
			median: {
				firstSearchMs: median(mine.map((s) => s.firstSearchMs)),
				allSearchableMs: median(mine.map((s) => s.allSearchableMs)),
				longestTaskMs: median(mine.map((s) => s.longestTaskMs)),
				searchP95Ms: median(mine.map((s) => s.search.p95)),
				profileOpenMs: median(mine.map((s) => s.profileOpenMs))
			}
		});
	}
	return rows;
}

async function oneVisit(options: {
	browser: Browser;
	link: RemoteLink;
	unit: UnitFixture;
}): Promise<Omit<CheapPhoneSample, 'position'>> {
	const { link, unit } = options;
	const { context, page } = await openPhonePage({
		browser: options.browser,
		link,
		preset: PRESET,
		cpuSlowdown: CPU_SLOWDOWN,
		longTasks: true
	});
	try {
		await link.resetStats();

		// Offline-ready: the worker controls the page once its install (and activation) is done.
		const started = Date.now();
		await page.goto(`${link.url}/`);
		await waitOfflineReady(page);
		const offlineReadyMs = Date.now() - started;
		const stats = await link.stats();
		const untilReady = { requests: stats.requests, downBytes: stats.downBytes };
		const opensOffline = await opensWithoutNetwork({ page, link });

		// Sign-in to a searchable list, the app installed, on the same link.
		await fillSignIn(page, unit);
		const traceFile = join(tmpdir(), `doanvu-cheap-phone-${process.pid}.json`);
		await options.browser.startTracing(page, { path: traceFile, categories: TRACE_CATEGORIES });
		const tapAt = await page.evaluate(() => performance.now());
		const tapped = Date.now();
		await tapSignIn(page);
		const name = await firstListedName(page);
		await searchFor(page, name);
		const signInToSearchMs = Date.now() - tapped;
		await waitSynced(page);
		await options.browser.stopTracing();
		const cpu = await taskCpuTimes({ traceFile });
		rmSync(traceFile, { force: true });
		const tasks = await longTasksSince(page, tapAt);
		return {
			offlineReadyMs,
			untilReady,
			opensOffline,
			signInToSearchMs,
			longestTaskMs: Math.max(0, ...tasks.map((task) => task.duration)),
			longTasks: tasks.length,
			longestTaskCpuMs: cpu.longTasksCpuMs[0] ?? 0
		};
	} finally {
		await link.setPreset('none');
		await context.close();
	}
}

/** Opens the app in a second tab with the link cut: the sign-in form must show. */
async function opensWithoutNetwork(options: { page: Page; link: RemoteLink }): Promise<boolean> {
	await options.link.cut();
	const tab = await options.page.context().newPage();
	try {
		await tab.goto(`${options.link.url}/dang-nhap`, { timeout: 30_000 });
		await tab.getByLabel('Tên đăng nhập').waitFor({ timeout: 30_000 });
		return true;
	} catch {
		return false;
	} finally {
		await tab.close();
		await options.link.restore();
	}
}
