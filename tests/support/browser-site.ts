import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { ensureBuilt } from './build';
import { startLinkCutter, type LinkCutter } from './link-cutter';
import { startTestServer, type TestServer } from './test-server';

// What a browser test starts from: the built app on a fresh test server, a link to it that the test
// can cut (a phone losing its signal), and Chromium.

export interface BrowserSite {
	server: TestServer;
	link: LinkCutter;
	browser: Browser;
}

/** The built app on a test server (options as startTestServer's: a worker turned on…). */
export async function startBrowserSite(
	options: Parameters<typeof startTestServer>[0] = {}
): Promise<BrowserSite> {
	ensureBuilt();
	const started: Partial<BrowserSite> = {};
	try {
		started.server = await startTestServer(options);
		started.link = await startLinkCutter({ targetPort: started.server.port });
		started.browser = await launchBrowser();
		return started as BrowserSite;
	} catch (error) {
		await closeBrowserSite(started);
		throw error;
	}
}

/** Closes what startBrowserSite started, browser first (whatever of it did start). */
export async function closeBrowserSite(site: Partial<BrowserSite>): Promise<void> {
	await site.browser?.close();
	await site.link?.close();
	await site.server?.close();
}
