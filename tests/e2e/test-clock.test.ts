import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, phoneContext } from '../support/browser';
import { vietnamToday } from '../support/clock';

// The browser reads the tests' clock (tests/support/clock.ts). Under DOANVU_TEST_NOW — the CI's
// evening stage, where Vietnam's date is the machine's tomorrow — a page on the real clock would
// compute another "today" than the test, and every date the test checks would pass or fail with the
// hour CI happens to run at. This once went unnoticed: the page ran on the real clock.

let browser: Browser;

beforeAll(async () => {
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser.close();
});

describe('the tests’ clock in the browser', () => {
	it('is the one the test reads, in a page opened after the context', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await page.goto('data:text/html,<p>đồng hồ</p>');
		const pageNow = await page.evaluate(() => Date.now());
		expect(Math.abs(pageNow - Date.now())).toBeLessThan(60_000);
		const pageToday = await page.evaluate(() =>
			new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date())
		);
		expect(pageToday).toBe(vietnamToday());
		await context.close();
	});
});
