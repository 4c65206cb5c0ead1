import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser, phoneContext } from '../tests/support/browser';
import { openLink, type RemoteLink } from './link-client';
import { startBenchServer, type BenchServer, type BenchStore } from './server-client';
import { makeUnit, type UnitFixture } from './sync-bench';
import { observeLongTasks } from './long-tasks';
import { throttleCpu } from './cheap-phone-page';

// The launch steps every cheap-phone bench takes (bench/cheap-phone-bench.ts, cheap-phone-trace.ts,
// sign-in-profile.ts, app-shell-bench.ts, cheap-phone-pinned-split.ts), kept in one place so that
// they measure the same thing: a server on a build (its own checkout's server when the build sits
// in one), the emulated link in front of it, Chromium with the machine's flags, the 400-member
// unit, and a phone-sized page with its CPU slowed and the link's preset set.

export { launchBrowser };

/** The cheap-phone profile: Lighthouse's mobile CPU slowdown, 3G for a unit, Slow 4G for a pinned set. */
export const CHEAP_PHONE = { cpuSlowdown: 4, preset: '3G', pinnedPreset: 'Slow 4G' } as const;

/** A build served by a server, behind an emulated link (preset "none" until a page sets one). */
export interface CheapPhoneSite {
	buildDir: string;
	server: BenchServer;
	link: RemoteLink;
	close(): Promise<void>;
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

/** Starts the server on `buildDir` and the link in front of it. */
export async function openSite(options: {
	buildDir: string;
	store: BenchStore;
}): Promise<CheapPhoneSite> {
	const start = await serverFor(options.buildDir);
	const server = await start({ store: options.store, buildDir: options.buildDir });
	let link: RemoteLink;
	try {
		link = await openLink({ preset: 'none', targetPort: server.port });
	} catch (error) {
		await server.close();
		throw error;
	}
	return {
		buildDir: options.buildDir,
		server,
		link,
		async close() {
			await link.close();
			await server.close();
		}
	};
}

/** The bench's commune: `members` members (400 by default) with their history, the same seed each run. */
export function seedUnit(server: BenchServer, members = 400): Promise<UnitFixture> {
	return makeUnit({
		server,
		name: 'Đoàn xã Thanh Sơn',
		members,
		seed: 'thanhson',
		today: '2026-11-28'
	});
}

/** A phone's page on `link`: 360 px context, its CPU slowed, the link set to `preset`. */
export interface PhonePage {
	context: BrowserContext;
	page: Page;
	cdp: CDPSession;
}

export async function openPhonePage(options: {
	browser: Browser;
	link: RemoteLink;
	/** The link's preset for this page ("none": unshaped). */
	preset: string;
	/** 1: not slowed. */
	cpuSlowdown: number;
	/** Record the page's long tasks (bench/long-tasks.ts) from its first script on. */
	longTasks?: boolean;
	/** Playwright's clock left alone (a trace or the Performance timeline needs the real one). */
	realClock?: boolean;
}): Promise<PhonePage> {
	const context = await phoneContext(options.browser, { realClock: options.realClock ?? false });
	try {
		if (options.longTasks) await observeLongTasks(context);
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		if (options.cpuSlowdown !== 1) await throttleCpu(cdp, options.cpuSlowdown);
		await options.link.setPreset(options.preset);
		return { context, page, cdp };
	} catch (error) {
		await context.close();
		throw error;
	}
}

/** Fills the sign-in form (the page shows it). */
export async function fillSignIn(
	page: Page,
	account: { login: string; password: string }
): Promise<void> {
	await page.getByLabel('Tên đăng nhập').fill(account.login);
	await page.getByLabel('Mật khẩu').fill(account.password);
}

/** The first visit's wait: the service worker installed, activated and controlling the page. */
export async function waitOfflineReady(page: Page, timeout = 180_000): Promise<void> {
	await page.waitForFunction(
		() => navigator.serviceWorker?.controller?.state === 'activated',
		null,
		{ timeout, polling: 50 }
	);
}

/**
 * The app installed, every file in: the worker controls the page and has answered that its
 * optional files are in (asked directly, so that a build whose page asks later is not waited for).
 */
export async function waitInstalled(page: Page): Promise<void> {
	await waitOfflineReady(page, 300_000);
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

/** A script's `--name=value` option (`tsx bench/cheap-phone-trace.ts --build=DIR`), or undefined. */
export function scriptOption(name: string): string | undefined {
	return process.argv
		.slice(2)
		.find((a) => a.startsWith(`--${name}=`))
		?.slice(name.length + 3);
}
