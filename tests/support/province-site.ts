import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, phoneContext, signIn } from './browser';
import { ensureBuilt } from './build';
import { createProvince, type Credentials } from './org-setup';
import { startTestServer, type TestServer } from './test-server';

// What the browser tests of the organisation screens start from: the built app on a fresh test
// server holding only a province and its admin, and Chromium; the admin then signs in on a phone.

export interface ProvinceSite {
	server: TestServer;
	browser: Browser;
	province: { id: string; name: string };
	admin: Credentials;
}

/** A province named `name` (its admin account with it) on a test server, and a browser. */
export async function startProvinceSite(name: string): Promise<ProvinceSite> {
	ensureBuilt();
	const server = await startTestServer();
	try {
		const created = await createProvince(server, name);
		return {
			server,
			browser: await launchBrowser(),
			province: created.unit,
			admin: { login: created.login, password: created.password }
		};
	} catch (error) {
		await server.close();
		throw error;
	}
}

/** Closes what startProvinceSite started, browser first (whatever of it did start). */
export async function closeProvinceSite(site: Partial<ProvinceSite>): Promise<void> {
	await site.browser?.close();
	await site.server?.close();
}

/** The province's admin signed in on a phone of her own, on her morning screen. */
export async function adminPhone(
	site: Omit<ProvinceSite, 'province'>
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await phoneContext(site.browser);
	const page = await context.newPage();
	await signIn(page, { url: site.server.url, account: site.admin, landing: '/tong-quan' });
	return { context, page };
}
