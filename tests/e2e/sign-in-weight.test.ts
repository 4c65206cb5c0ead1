import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneContext } from '../support/browser';
import { closeBrowserSite, startBrowserSite, type BrowserSite } from '../support/browser-site';

// On 3G (400 kbps) every 10 KB of JavaScript is a fifth of a second before the sign-in form works.
// The first visit's scripts stay under 150 KB gzip (the sync engine issue's budget; 115.6 KB at
// stop 16). The app's frame once imported the mail commands statically, and with them PouchDB:
// the sign-in page weighed 154.7 KB. PouchDB now comes with the screens' chunk, which the service
// worker fetches while she types.

const BUDGET_BYTES = 150_000;

let site: BrowserSite;

beforeAll(async () => {
	site = await startBrowserSite();
	// A server already set up: a fresh one sends the first visit to its set-up page instead.
	await site.server.createUnitWithAccount({ name: 'Đoàn xã Nhẹ Gánh' });
});

afterAll(() => closeBrowserSite(site));

describe('a first visit to the sign-in page', () => {
	it('loads under 150 KB of JavaScript (gzip), PouchDB not among it', async () => {
		const context = await phoneContext(site.browser);
		try {
			const page = await context.newPage();
			await page.goto(`${site.link.url}/dang-nhap`);
			await page.getByLabel('Tên đăng nhập').waitFor();
			await page.waitForLoadState('networkidle');
			expect(new URL(page.url()).pathname).toBe('/dang-nhap');
			const scripts = await page.evaluate(() =>
				(performance.getEntriesByType('resource') as PerformanceResourceTiming[])
					.map((entry) => new URL(entry.name).pathname)
					.filter((path) => /\.m?js$/.test(path))
			);
			expect(scripts.length).toBeGreaterThan(0);
			// Sized as the server's gzip (level 6) sends them, from the built files themselves.
			const files = scripts.map((path) => readFileSync(join('build', path)));
			const gzipBytes = files.reduce((sum, data) => sum + gzipSync(new Uint8Array(data)).length, 0);
			expect(gzipBytes).toBeLessThan(BUDGET_BYTES);
			// PouchDB's own error text: none of the page's scripts carries the library.
			expect(files.some((data) => data.includes('Document update conflict'))).toBe(false);
		} finally {
			await context.close();
		}
	});
});
