import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { cspViolations, phoneContext, signInSynced, expectSyncLabel } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { createUnitWithBranch } from '../support/branch-fixture';
import { seedActiveMembers } from '../support/member-fixture';

// A phone whose storage is full, for real: Chromium's quota for the app's origin is shrunk through
// the DevTools protocol (Storage.overrideQuotaForOrigin) to what the app already holds, the last
// crumbs are filled by another database, and the secretary saves a new member. She is told in
// Vietnamese what happened and what to do, her input and her draft stay, the roster keeps everyone
// saved before, and the sync says the phone is full instead of crashing; once space is freed the
// same "Lưu" works without a reload, the member reaches the server and the server's reaches the phone.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };
/** The given names of the members saved before the phone filled up. */
let earlier: string[];

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	({ unit, secretary } = await createUnitWithBranch(server, {
		name: 'Đoàn xã Tân Lập',
		branch: { id: 'branch:thon2', name: 'Chi đoàn thôn 2' }
	}));
	earlier = (await seedActiveMembers(server, { unit, seed: 25, count: 2 })).map((m) => m.givenName);
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const listedNames = (page: Page) =>
	page.getByTestId('member-item').locator('.name').allTextContents();

/** Shrinks the origin's quota to what it holds now, then fills what is left with another database. */
async function fillStorage(page: Page, cdp: CDPSession): Promise<void> {
	const origin = new URL(page.url()).origin;
	const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
	await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 256 * 1024 });
	const filled = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('quota-filler', 1);
			open.onupgradeneeded = () => open.result.createObjectStore('junk');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		let key = 0;
		let refusals = 0;
		// Random bytes (they do not compress), in smaller and smaller pieces down to a few hundred
		// bytes, so even a small document no longer fits.
		for (const size of [64_000, 8_000, 1_000, 200]) {
			for (;;) {
				const value = crypto.getRandomValues(new Uint8Array(size));
				const refused = await new Promise<string | null>((resolve) => {
					const tx = db.transaction('junk', 'readwrite');
					tx.objectStore('junk').put(value, key++);
					tx.oncomplete = () => resolve(null);
					tx.onabort = () => resolve(tx.error?.name ?? 'aborted');
				});
				if (refused) {
					refusals++;
					break;
				}
			}
		}
		db.close();
		return refusals;
	});
	expect(filled).toBe(4);
}

async function freeStorage(page: Page, cdp: CDPSession): Promise<void> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve, reject) => {
				const del = indexedDB.deleteDatabase('quota-filler');
				del.onsuccess = () => resolve();
				del.onerror = () => reject(del.error);
			})
	);
	// Called without a size, the override ends: the origin's normal quota is back.
	await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin });
}

async function fillNewMember(page: Page): Promise<void> {
	await page.getByLabel('Họ', { exact: true }).fill('Sầm');
	await page.getByLabel('Tên đệm').fill('Thị');
	await page.getByLabel('Tên', { exact: true }).fill('Pọng');
	await page.getByLabel('Giới tính').selectOption('female');
	await page.getByLabel('Ngày sinh').fill('14/08/2005');
	await page.getByLabel('Dân tộc').selectOption('01');
	await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
	await page.getByLabel('Giáo dục phổ thông').fill('12/12');
	await page.getByLabel('Chi đoàn').selectOption('branch:thon2');
}

describe('a phone whose storage is full', () => {
	let context: BrowserContext;

	it('refuses a save with a clear message, loses nothing, and saves once space is freed', async () => {
		context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary, start: '/' });
		await expect.poll(() => listedNames(page)).toHaveLength(2);

		await page.getByTestId('add-member').click();
		await page.waitForURL('**/doan-vien/moi');
		await fillNewMember(page);
		// The draft is kept shortly after the typing pauses.
		await expect
			.poll(() =>
				page.evaluate(async () => {
					const { deviceDraft } = await new Promise<{ deviceDraft: unknown }>((resolve) => {
						const open = indexedDB.open('doanvu');
						open.onsuccess = () => {
							const get = open.result
								.transaction('settings')
								.objectStore('settings')
								.get('draft:new-member');
							get.onsuccess = () => {
								open.result.close();
								resolve({ deviceDraft: get.result });
							};
						};
					});
					return (deviceDraft as { value?: { givenName?: string } } | undefined)?.value?.givenName;
				})
			)
			.toBe('Pọng');

		const cdp = await context.newCDPSession(page);
		await fillStorage(page, cdp);

		// The deputy adds a member on the server: the phone cannot take it in, and says so in the
		// header instead of crashing or spinning (it retries with its back-off).
		const fromServer = (await seedActiveMembers(server, { unit, seed: 26, count: 1 }))[0]!;
		await expect
			.poll(() => page.getByTestId('sync-label').textContent(), { timeout: 30_000 })
			.toContain('Bộ nhớ máy đã đầy');

		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		const errors = page.getByTestId('form-errors');
		await expect
			.poll(() => errors.textContent(), { timeout: 15_000 })
			.toContain('Bộ nhớ máy đã đầy');
		const message = (await errors.textContent()) ?? '';
		expect(message).toContain('vẫn còn nguyên');
		expect(message).toContain('bấm Lưu lại');
		// Still on the form, with what she typed.
		expect(page.url()).toMatch(/\/doan-vien\/moi$/);
		expect(await page.getByLabel('Tên', { exact: true }).inputValue()).toBe('Pọng');
		expect(await page.getByLabel('Ngày sinh').inputValue()).toBe('14/08/2005');

		// The roster still has everyone saved before; the form comes back from its draft.
		await page.getByRole('link', { name: '← Danh sách đoàn viên' }).click();
		await page.waitForURL('**/doan-vien');
		await expect.poll(() => listedNames(page)).toHaveLength(2);
		await page.getByTestId('add-member').click();
		await page.waitForURL('**/doan-vien/moi');
		await expect
			.poll(() => page.getByText('Đã khôi phục phần bạn nhập dở lần trước').count())
			.toBe(1);
		expect(await page.getByLabel('Họ', { exact: true }).inputValue()).toBe('Sầm');
		expect(await page.getByLabel('Tên', { exact: true }).inputValue()).toBe('Pọng');
		// A select restored from the draft needs its options, which arrive from the read model.
		await expect.poll(() => page.getByLabel('Chi đoàn').inputValue()).toBe('branch:thon2');

		// Space is freed (photos deleted): the same button works, no reload.
		await freeStorage(page, cdp);
		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Sầm Thị Pọng');

		// The sync engine did not die on the way: the member reaches the server, the deputy's reaches
		// the phone (at the engine's next retry).
		await expectSyncLabel(page, 'Đã đồng bộ', { timeout: 60_000 });
		await expect
			.poll(
				async () =>
					(
						await server.couch.allDocs<{ type?: string; givenName?: string }>({
							db: unit.db,
							startkey: 'member:',
							endkey: 'member:\ufff0',
							includeDocs: true
						})
					)
						.map((row) => row.doc?.givenName)
						.sort(),
				{ timeout: 20_000 }
			)
			.toEqual([...earlier, fromServer.givenName, 'Pọng'].sort());
		// Exactly one copy of her: the refused save wrote nothing.
		await page
			.getByRole('link', { name: /Danh sách/ })
			.first()
			.click();
		await page.waitForURL('**/doan-vien');
		await expect.poll(() => listedNames(page), { timeout: 30_000 }).toHaveLength(4);
		expect(cspViolations(context)).toEqual([]);
		await context.close();
	}, 180_000);
});
