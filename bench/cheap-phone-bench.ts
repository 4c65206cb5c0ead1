import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, phoneContext } from '../tests/support/browser';
import { openLink, type RemoteLink } from './link-client';
import { startBenchServer, type BenchServer, type BenchStore } from './server-client';
import { makeUnit, type UnitFixture } from './sync-bench';
import { makePinnedSet, pinnedVisit, type PinnedSample } from './cheap-phone-pinned';
import { longTasksSince, observeLongTasks } from './long-tasks';
import { TRACE_CATEGORIES, taskCpuTimes } from './task-cpu-time';
import {
	firstListedName,
	median,
	searchFor,
	tapSignIn,
	throttleCpu,
	waitSynced
} from './cheap-phone-page';

// The cheap-phone profile (issue #17): Chromium with its CPU throttled 4× (CDP
// `Emulation.setCPUThrottlingRate`, as Lighthouse's mobile profile does) behind the emulated 3G
// link (bench/link.ts: 400 kbit/s, 400 ms round trip). The link is a TCP proxy in front of the
// server, so it shapes every request of the browser, the page's and the service worker's alike
// (CDP's network emulation on the page alone would let the worker's precache run at full speed).
// Each build (this branch's, and a baseline build of main when given) is measured in the same run,
// each served by its own checkout's server when it sits in one (`--baseline-build=CHECKOUT/build`):
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
	builds: CheapPhoneBuildResult[];
}

const CPU_SLOWDOWN = 4;
const PRESET = '3G';
const PINNED_PRESET = 'Slow 4G';

export async function cheapPhoneBench(options: {
	builds: { label: string; dir: string }[];
	store: BenchStore;
	members: number;
	samples: number;
	/** The pinned set: units × members each (none when absent), and its samples per build. */
	pinned?: { units: number; perUnit: number; samples: number };
	log: (line: string) => void;
}): Promise<CheapPhoneResult> {
	const builds: CheapPhoneBuildResult[] = [];
	const browser = await launchBrowser();
	try {
		for (const build of options.builds) {
			const start = await serverFor(build.dir);
			const server = await start({ store: options.store, buildDir: build.dir });
			const link = await openLink({ preset: 'none', targetPort: server.port });
			try {
				const unit = await makeUnit({
					server,
					name: 'Đoàn xã Thanh Sơn',
					members: options.members,
					seed: 'thanhson',
					today: '2026-11-28'
				});
				const samples: CheapPhoneSample[] = [];
				for (let i = 0; i < options.samples; i++) {
					options.log(`  ${build.label}: sample ${i + 1}/${options.samples}…`);
					samples.push(await oneVisit({ browser, server, link, unit }));
				}
				builds.push({
					label: build.label,
					samples,
					median: {
						offlineReadyMs: median(samples.map((s) => s.offlineReadyMs)),
						signInToSearchMs: median(samples.map((s) => s.signInToSearchMs)),
						longestTaskMs: median(samples.map((s) => s.longestTaskMs)),
						longestTaskCpuMs: median(samples.map((s) => s.longestTaskCpuMs))
					},
					...(options.pinned
						? {
								pinned: await pinnedRows({
									...options,
									pinned: options.pinned,
									server,
									link,
									browser,
									build
								})
							}
						: {})
				});
				// Each build's figures as soon as they are in: a long run cut short keeps them.
				options.log(`  ${build.label}: ${JSON.stringify(builds.at(-1)!.median)}`);
				if (builds.at(-1)!.pinned) {
					options.log(`  ${build.label} pinned: ${JSON.stringify(builds.at(-1)!.pinned!.samples)}`);
				}
			} finally {
				await link.close();
				await server.close();
			}
		}
	} finally {
		await browser.close();
	}
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
		builds
	};
}

/**
 * The server that serves `dir`: this checkout's, unless the build sits in a checkout of its own
 * (`DIR/../bench/server-client.ts`, e.g. main's made with `git archive`), whose server then serves
 * it: a change to the server (its headers, its compression) is measured against the baseline's
 * server, not only against its build.
 */
export async function serverFor(dir: string): Promise<typeof startBenchServer> {
	const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
	const checkout = resolve(dir, '..');
	const client = join(checkout, 'bench', 'server-client.ts');
	if (checkout === here || !existsSync(client)) return startBenchServer;
	const module = (await import(client)) as { startBenchServer: typeof startBenchServer };
	return module.startBenchServer;
}

async function pinnedRows(options: {
	browser: Browser;
	server: BenchServer;
	link: RemoteLink;
	build: { label: string };
	pinned: { units: number; perUnit: number; samples: number };
	log: (line: string) => void;
}): Promise<CheapPhoneBuildResult['pinned']> {
	const { pinned } = options;
	options.log(
		`  ${options.build.label}: seeding ${pinned.units} communes of ${pinned.perUnit} members…`
	);
	try {
		return await pinnedSamples({ ...options, pinned });
	} catch (error) {
		// The 400-member rows stand on their own: a failed pinned run is reported, not fatal.
		options.log(`  ${options.build.label}: pinned set failed: ${String(error)}`);
		return undefined;
	}
}

async function pinnedSamples(options: {
	browser: Browser;
	server: BenchServer;
	link: RemoteLink;
	build: { label: string };
	pinned: { units: number; perUnit: number; samples: number };
	log: (line: string) => void;
}): Promise<CheapPhoneBuildResult['pinned']> {
	const { pinned } = options;
	const set = await makePinnedSet({
		server: options.server,
		units: pinned.units,
		perUnit: pinned.perUnit
	});
	const samples: PinnedSample[] = [];
	for (let i = 0; i < pinned.samples; i++) {
		options.log(`  ${options.build.label}: pinned set, sample ${i + 1}/${pinned.samples}…`);
		samples.push(
			await pinnedVisit({
				browser: options.browser,
				link: options.link,
				set,
				preset: PINNED_PRESET,
				cpuSlowdown: CPU_SLOWDOWN,
				installed: (page) => waitInstalled(page),
				log: options.log
			})
		);
	}
	return {
		samples,
		median: {
			firstSearchMs: median(samples.map((s) => s.firstSearchMs)),
			allSearchableMs: median(samples.map((s) => s.allSearchableMs)),
			longestTaskMs: median(samples.map((s) => s.longestTaskMs)),
			searchP95Ms: median(samples.map((s) => s.search.p95)),
			profileOpenMs: median(samples.map((s) => s.profileOpenMs))
		}
	};
}

/**
 * The app installed, every file in: the worker controls the page and has answered that its
 * optional files are in (asked directly, so that a build whose page asks later is not waited for).
 */
async function waitInstalled(page: Page): Promise<void> {
	await page.waitForFunction(
		() => navigator.serviceWorker?.controller?.state === 'activated',
		null,
		{
			timeout: 300_000,
			polling: 100
		}
	);
	await page.evaluate(
		() =>
			new Promise<unknown>((resolve) => {
				const channel = new MessageChannel();
				channel.port1.onmessage = (event) => resolve(event.data);
				navigator.serviceWorker.controller!.postMessage({ type: 'FILL_DEFERRED' }, [channel.port2]);
				setTimeout(() => resolve('no answer'), 300_000);
			})
	);
}

async function oneVisit(options: {
	browser: Browser;
	server: BenchServer;
	link: RemoteLink;
	unit: UnitFixture;
}): Promise<CheapPhoneSample> {
	const { link, unit } = options;
	const context = await phoneContext(options.browser);
	await observeLongTasks(context);
	try {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await throttleCpu(cdp, CPU_SLOWDOWN);
		await link.setPreset(PRESET);
		await link.resetStats();

		// Offline-ready: the worker controls the page once its install (and activation) is done.
		const started = Date.now();
		await page.goto(`${link.url}/`);
		await page.waitForFunction(
			() => navigator.serviceWorker?.controller?.state === 'activated',
			null,
			{ timeout: 180_000, polling: 50 }
		);
		const offlineReadyMs = Date.now() - started;
		const stats = await link.stats();
		const untilReady = { requests: stats.requests, downBytes: stats.downBytes };
		const opensOffline = await opensWithoutNetwork({ page, link });

		// Sign-in to a searchable list, the app installed, on the same link.
		await page.getByLabel('Tên đăng nhập').fill(unit.login);
		await page.getByLabel('Mật khẩu').fill(unit.password);
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
