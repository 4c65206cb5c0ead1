import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { browserClockStart, fixedStart } from './clock';
import type { Credentials } from './org-setup';

export type { Credentials };

// Debian's Chromium driven by playwright-core (`npx playwright install` cannot work here).
export async function launchBrowser(): Promise<Browser> {
	const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(executablePath)) {
		throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium`);
	}
	return chromium.launch({
		executablePath,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
}

const violations = new WeakMap<BrowserContext, string[]>();

/**
 * A phone-sized context (360 px wide), Vietnamese locale, in Vietnam's zone. Every
 * Content-Security-Policy violation on its pages is recorded for cspViolations(): the built app must
 * run under the server's CSP. Under DOANVU_TEST_NOW its clock starts where the tests' clock
 * (tests/support/clock.ts) is, and runs on from there — unless `realClock` is asked for: Playwright's
 * clock also fakes `performance`, so a test that measures with the Performance timeline (marks,
 * resource timings) needs the real one, and must not depend on the date.
 */
export async function phoneContext(
	browser: Browser,
	options: { realClock?: boolean } = {}
): Promise<BrowserContext> {
	const context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'vi-VN',
		timezoneId: 'Asia/Ho_Chi_Minh'
	});
	const seen: string[] = [];
	violations.set(context, seen);
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
		});
	});
	context.on('console', (message) => {
		const text = message.text();
		if (/CSP violation|Content Security Policy/i.test(text)) seen.push(text);
	});
	if (fixedStart() !== undefined && !options.realClock)
		await context.clock.install({ time: browserClockStart() });
	return context;
}

/** The CSP violations seen so far on the context's pages. */
export function cspViolations(context: BrowserContext): string[] {
	return [...(violations.get(context) ?? [])];
}

/** Fills the app's sign-in form (already on screen) and submits it, as a user would. */
export async function submitSignIn(page: Page, account: Credentials): Promise<void> {
	await page.getByLabel('Tên đăng nhập').fill(account.login);
	await page.getByLabel('Mật khẩu').fill(account.password);
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/**
 * Where a signed-in account lands: a grassroots unit's account on its members list, the account of
 * a unit with subordinate units (a province, a district…) on its dashboard.
 */
export type Landing = '/doan-vien' | '/tong-quan';

/**
 * Signs in through the app at `url`: opens `start` — the sign-in page, or `/`, which must send a
 * signed-out user there — and submits the form. Then waits for the page where the account lands
 * (`landing`: the members list unless said otherwise), unless `landing` is false (a first sign-in
 * goes on to change its password).
 */
export async function signIn(
	page: Page,
	options: {
		url: string;
		account: Credentials;
		start?: '/' | '/dang-nhap';
		landing?: Landing | false;
	}
): Promise<void> {
	const start = options.start ?? '/dang-nhap';
	await page.goto(`${options.url}${start}`);
	if (start !== '/dang-nhap') await page.waitForURL('**/dang-nhap');
	await submitSignIn(page, options.account);
	if (options.landing !== false) await page.waitForURL(`**${options.landing ?? '/doan-vien'}`);
}

/**
 * The first sign-in of an issued account (the sign-in form already submitted with the temporary
 * password): the app asks for the account's own password, then opens the members list.
 */
export async function changeTemporaryPassword(
	page: Page,
	options: { temporary: string; password: string }
): Promise<void> {
	await page.waitForURL('**/doi-mat-khau');
	await page.getByLabel('Mật khẩu hiện tại').fill(options.temporary);
	await page.getByLabel('Mật khẩu mới', { exact: true }).fill(options.password);
	await page.getByLabel('Nhập lại mật khẩu mới').fill(options.password);
	await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
	await page.waitForURL('**/doan-vien');
}

/**
 * Signed in, the app installed (its service worker controls the page, so it opens offline from
 * here) and the first sync done.
 */
export async function signInSynced(
	page: Page,
	options: { url: string; account: Credentials; start?: '/' | '/dang-nhap'; landing?: Landing }
): Promise<void> {
	await signIn(page, options);
	await waitForServiceWorker(page);
	// A first sync ends once the read model has indexed what came (the bar tells the truth, ADR
	// 0024): a unit of 1,500 members on a busy test machine takes seconds, not the poll's default 1.
	await expectSyncLabel(page, 'Đã đồng bộ', { timeout: 30_000 });
}

/**
 * The app's service worker controls the page, and has every file of the app: from here on every
 * screen opens without the network. The screens used offline are in once it controls the page;
 * the optional ones follow (docs/decisions/0024-offline-ready-and-progress.md), and the worker
 * answers FILL_DEFERRED once they are in.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
	await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, {
		timeout: 30_000
	});
	const filled = await page.evaluate(() => {
		const worker = navigator.serviceWorker.controller!;
		// The declaration page's own worker (/khai/sw.js) precaches everything at install.
		if (new URL(worker.scriptURL).pathname !== '/sw.js') return true;
		return new Promise<unknown>((resolve) => {
			const channel = new MessageChannel();
			channel.port1.onmessage = (event) => resolve(event.data);
			worker.postMessage({ type: 'FILL_DEFERRED' }, [channel.port2]);
			setTimeout(() => resolve('no answer'), 60_000);
		});
	});
	if (filled !== true) throw new Error(`the service worker did not finish its files: ${filled}`);
}

/** Waits until the sync badge says `text` ('Đã đồng bộ', 'Đang ngoại tuyến'…); `timeout`: vitest's. */
export async function expectSyncLabel(
	page: Page,
	text: string,
	options: { timeout?: number } = {}
): Promise<void> {
	await expect
		.poll(
			() => page.getByTestId('sync-label').textContent(),
			options.timeout === undefined ? undefined : { timeout: options.timeout }
		)
		.toBe(text);
}
