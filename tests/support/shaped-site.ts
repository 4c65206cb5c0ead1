import type { Browser } from 'playwright-core';
import { openLink, type RemoteLink } from '../../bench/link-client';
import { launchBrowser } from './browser';
import { ensureBuilt } from './build';
import { startTestServer, type TestServer } from './test-server';

// What the browser tests of a phone on a slow link start from: the built app on a fresh test
// server, the bench's link shaper in front of it (bench/link.ts: it slows and logs the service
// worker's requests as well as the page's; no preset until the test sets one), and Chromium.

export interface ShapedSite {
	server: TestServer;
	link: RemoteLink;
	browser: Browser;
}

export async function startShapedSite(): Promise<ShapedSite> {
	ensureBuilt();
	const server = await startTestServer();
	const link = await openLink({ preset: 'none', targetPort: server.port });
	return { server, link, browser: await launchBrowser() };
}

/** Closes what was started, browser first (a half-started site too). */
export async function closeShapedSite(site: Partial<ShapedSite>): Promise<void> {
	await site.browser?.close();
	await site.link?.close();
	await site.server?.close();
}
