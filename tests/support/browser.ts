import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { existsSync } from 'node:fs';
import { fixedStart } from './clock';

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
 * (tests/support/clock.ts) is, and runs on from there.
 */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
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
	if (fixedStart() !== undefined) await context.clock.install({ time: Date.now() });
	return context;
}

/** The CSP violations seen so far on the context's pages. */
export function cspViolations(context: BrowserContext): string[] {
	return [...(violations.get(context) ?? [])];
}
