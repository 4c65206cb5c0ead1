import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT } from './bundle';
import type { BenchStore } from './server-client';
import { fillSignIn, launchBrowser, openPhonePage, openSite, seedUnit } from './cheap-phone-launch';

// The app shell in Chromium, built (`npm run build`) and served by the real server: what the first
// visit downloads (the sign-in page, JavaScript and everything, as encoded on the wire: gzip, which
// is what Chromium asks for over plain http), what installing it for offline use adds (the service
// worker's precache), and how long the installed app takes, with no network at all, from navigation
// to the member list on screen.

export interface AppShellResult {
	firstLoad: {
		/** The scripts the page loaded, gzip (level 6, the server's) — the measure. */
		jsBytes: number;
		/** Everything the page loaded, the document included, gzip where the server compresses. */
		totalBytes: number;
		/** As the browser really received them (Chromium asks for brotli on localhost). */
		jsEncoded: number;
		totalEncoded: number;
		/** The same on the wire, headers included (CDP `encodedDataLength`). */
		jsTransfer: number;
		totalTransfer: number;
		scripts: { url: string; bytes: number }[];
		requests: number;
		encodings: string[];
		wireDown: number;
	};
	install: { requests: number; wireDown: number };
	offlineListMs: { median: number; samples: number[] };
}

export async function appShellBench(options: {
	build: boolean;
	store: BenchStore;
	log: (line: string) => void;
}): Promise<AppShellResult> {
	if (options.build) {
		options.log('  npm run build…');
		execSync('npm run build', { cwd: ROOT, stdio: 'pipe' });
	}
	// Unshaped and unthrottled: this bench measures bytes and the offline opening, not the phone.
	const site = await openSite({ store: options.store, buildDir: join(ROOT, 'build') });
	const { link } = site;
	const browser = await launchBrowser();
	try {
		const unit = await seedUnit(site.server);
		const { context, page, cdp } = await openPhonePage({
			browser,
			link,
			preset: 'none',
			cpuSlowdown: 1
		});
		await cdp.send('Network.enable');
		const types = new Map<string, string>();
		const encodings = new Set<string>();
		const sizes = new Map<string, number>();
		cdp.on('Network.responseReceived', (event) => {
			types.set(event.requestId, event.type);
			const encoding = Object.entries(event.response.headers).find(
				([k]) => k.toLowerCase() === 'content-encoding'
			)?.[1];
			if (encoding && event.type === 'Script') encodings.add(String(encoding));
		});
		cdp.on('Network.loadingFinished', (event) =>
			sizes.set(event.requestId, event.encodedDataLength)
		);

		options.log('  first load…');
		await page.goto(`${link.url}/`);
		await page.waitForURL('**/dang-nhap');
		await page.getByLabel('Tên đăng nhập').waitFor();
		await page.waitForLoadState('networkidle');
		let jsTransfer = 0;
		let totalTransfer = 0;
		for (const [id, size] of sizes) {
			totalTransfer += size;
			if (types.get(id) === 'Script') jsTransfer += size;
		}
		const timing = await page.evaluate(() => {
			const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
			const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
			return {
				document: nav.encodedBodySize,
				resources: resources.map((r) => ({
					url: r.name,
					type: r.initiatorType,
					bytes: r.encodedBodySize
				}))
			};
		});
		// gzip sizes from the built files themselves, as the server's compression (level 6) sends them
		// to a browser that asks for gzip; images that are not compressed count as they are.
		const gzipOf = (path: string, fallback: number) => {
			const file = join(
				ROOT,
				'build',
				path === '/' || path.endsWith('/dang-nhap') ? 'index.html' : path
			);
			if (!existsSync(file)) return fallback;
			const data = readFileSync(file);
			return /\.(png|jpe?g|webp|woff2)$/.test(file)
				? data.length
				: gzipSync(new Uint8Array(data)).length;
		};
		const resources = timing.resources.map((r) => {
			const path = new URL(r.url).pathname;
			return { url: path, encoded: r.bytes, gzip: gzipOf(path, r.bytes) };
		});
		const scriptEntries = resources.filter((r) => /\.m?js$/.test(r.url));
		const scripts = scriptEntries.map((r) => ({ url: r.url, bytes: r.gzip }));
		const jsBytes = scriptEntries.reduce((sum, r) => sum + r.gzip, 0);
		const jsEncoded = scriptEntries.reduce((sum, r) => sum + r.encoded, 0);
		const totalBytes = gzipOf('/', timing.document) + resources.reduce((sum, r) => sum + r.gzip, 0);
		const totalEncoded = timing.document + resources.reduce((sum, r) => sum + r.encoded, 0);
		const firstLoadRequests = sizes.size;
		const afterFirst = await link.stats();

		// Installed for offline use once the service worker controls the page.
		await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, {
			timeout: 60_000
		});
		const installed = await link.stats();

		options.log('  sign in, first sync, then offline navigations…');
		await fillSignIn(page, unit);
		await page.getByRole('button', { name: 'Đăng nhập' }).click();
		await page.waitForURL('**/doan-vien');
		await page.getByTestId('member-item').first().waitFor({ timeout: 120_000 });
		await page
			.getByTestId('sync-label')
			.filter({ hasText: 'Đã đồng bộ' })
			.waitFor({ timeout: 120_000 });

		await link.cut();
		await context.setOffline(true);
		const samples: number[] = [];
		for (let i = 0; i < 7; i++) {
			const tab = await context.newPage();
			const started = performance.now();
			await tab.goto(`${link.url}/doan-vien`);
			await tab.getByTestId('member-item').first().waitFor({ timeout: 60_000 });
			samples.push(performance.now() - started);
			await tab.close();
		}
		await context.close();
		// The first opening warms the browser's caches; report the rest.
		const measured = samples.slice(1);
		const sorted = [...measured].sort((a, b) => a - b);
		return {
			firstLoad: {
				jsBytes,
				totalBytes,
				jsEncoded,
				totalEncoded,
				jsTransfer,
				totalTransfer,
				scripts: scripts.sort((a, b) => b.bytes - a.bytes),
				requests: firstLoadRequests,
				encodings: [...encodings],
				wireDown: afterFirst.downBytes
			},
			install: {
				requests: installed.requests - afterFirst.requests,
				wireDown: installed.downBytes
			},
			offlineListMs: { median: sorted[Math.floor(sorted.length / 2)]!, samples: measured }
		};
	} finally {
		await browser.close();
		await site.close();
	}
}
