import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { existsSync } from 'node:fs';

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

/** A phone-sized context (360 px wide), Vietnamese locale. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
	return browser.newContext({
		viewport: { width: 360, height: 740 },
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'vi-VN',
		timezoneId: 'Asia/Ho_Chi_Minh'
	});
}
