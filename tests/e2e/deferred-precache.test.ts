import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { expectSyncLabel, phoneContext, submitSignIn } from '../support/browser';
import { seedActiveMembers } from '../support/member-fixture';
import type { RemoteLink } from '../../bench/link-client';
import { closeShapedSite, startShapedSite } from '../support/shaped-site';

// Issue #17 as a secretary on 3G notices it (docs/decisions/0024-offline-ready-and-progress.md):
// the optional screens' files (print, dashboard, mail, the spreadsheet library…) do not share the
// link with her first sync, and once it is over they come by themselves, so that an export works
// in the mountains on a phone that never exported with signal. The link is the bench's 3G shaper
// (bench/link.ts), a proxy in front of the server that logs every request, the service worker's
// as well as the page's.

let server: TestServer;
let browser: Browser;
let link: RemoteLink;

beforeAll(async () => {
	({ server, link, browser } = await startShapedSite());
});

afterAll(() => closeShapedSite({ server, link, browser }));

/** The worker's answer to FILL_DEFERRED: true once every optional file is in its cache. */
function deferredFilled(page: Page): Promise<unknown> {
	return page.evaluate(
		() =>
			new Promise<unknown>((resolve) => {
				const channel = new MessageChannel();
				channel.port1.onmessage = (event) => resolve(event.data);
				navigator.serviceWorker.controller!.postMessage({ type: 'FILL_DEFERRED' }, [channel.port2]);
				setTimeout(() => resolve('no answer'), 150_000);
			})
	);
}

describe('on a 3G link, a first visit that signs in at once', () => {
	it('fetches the optional files only after the first sync, then exports offline', async () => {
		const { unit, login, password } = await server.createUnitWithAccount({
			name: 'Đoàn xã Chờ Lượt'
		});
		await seedActiveMembers(server, { unit, seed: 27, count: 300 });
		const context = await phoneContext(browser);
		try {
			const page = await context.newPage();
			await link.setPreset('3G');
			await link.resetStats();
			await page.goto(`${link.url}/dang-nhap`);
			await page.waitForFunction(
				() => navigator.serviceWorker?.controller?.state === 'activated',
				null,
				{ timeout: 120_000, polling: 100 }
			);
			// She signs in as soon as the app is offline-ready: the optional files are far from in.
			await submitSignIn(page, { login, password });
			await page.waitForURL('**/doan-vien');
			await expectSyncLabel(page, 'Đã đồng bộ', { timeout: 120_000 });
			expect(await page.getByTestId('member-item').count()).toBeGreaterThan(0);
			expect(await deferredFilled(page)).toBe(true);

			const deferred = new Set(
				await page.evaluate(async () =>
					(await (await caches.open('doanvu-deferred')).keys()).map(
						(request) => new URL(request.url).pathname
					)
				)
			);
			// Every optional file, the spreadsheet library among them, is on the phone.
			expect(deferred.size).toBeGreaterThan(50);
			const { log } = await link.stats();
			const firstSync = log.find((r) => /\/_changes\?.*include_docs=true/.test(r.path));
			expect(firstSync, 'the first sync streamed its _changes').toBeDefined();
			const optional = log.filter((r) => deferred.has(r.path.split('?')[0]!));
			// None of them was asked for while the first sync's download ran…
			const during = optional.filter((r) => r.start > firstSync!.start && r.start < firstSync!.end);
			expect(during.map((r) => r.path)).toEqual([]);
			// …and most of them after it, without anyone opening their screens.
			const after = optional.filter((r) => r.start >= firstSync!.end);
			expect(after.length).toBeGreaterThan(optional.length / 2);

			// No signal at all, on a phone that never exported: the roster's export and the import
			// screen's template (the page's own copy of the spreadsheet library) both work.
			await link.cut();
			await context.setOffline(true);
			const offline = await context.newPage();
			await offline.goto(`${link.url}/doan-vien`);
			await expect
				.poll(() => offline.getByTestId('member-item').count(), { timeout: 30_000 })
				.toBeGreaterThan(0);
			const [roster] = await Promise.all([
				offline.waitForEvent('download', { timeout: 60_000 }),
				offline.getByTestId('export-xlsx').click()
			]);
			expect(roster.suggestedFilename()).toMatch(/\.xlsx$/);
			await offline.goto(`${link.url}/doan-vien/nhap`);
			const [template] = await Promise.all([
				offline.waitForEvent('download', { timeout: 60_000 }),
				offline.getByTestId('download-template').click()
			]);
			expect(template.suggestedFilename()).toBe('mau-nhap-doan-vien.xlsx');
		} finally {
			await context.close();
			await link.restore();
			await link.setPreset('none');
		}
	});
});
