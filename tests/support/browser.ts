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

/**
 * A phone-sized context (360 px wide), Vietnamese locale, in Vietnam's zone. Under DOANVU_TEST_NOW
 * its clock starts where the tests' clock (tests/support/clock.ts) is, and runs on from there.
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
	if (fixedStart() !== undefined) await context.clock.install({ time: Date.now() });
	return context;
}
