import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { cspViolations, expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { seedActiveMembers } from '../support/member-fixture';

// A phone whose read model (the Dexie tables the lists and search read) is wiped — by a failed
// upgrade, a bug, storage cleaned by hand — while PouchDB, the outbox and the session stay: the app
// opens, offline, still signed in, and the roster fills again from PouchDB; the change waiting to
// upload is still waiting and reaches the server. The account screen's rebuild shows its progress
// while the roster stays usable, beside the storage card.

const SEEDED = 1500;

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Pà Cò' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	await seedActiveMembers(server, { unit, seed: 31, count: SEEDED });
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const memberCount = (page: Page) => page.getByTestId('member-count').textContent();

/** Empties the read-model tables and the indexer's checkpoints, as a wipe would leave them. */
async function wipeReadModel(page: Page): Promise<void> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('doanvu');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const tables = [
						'memberPacks',
						'historyPacks',
						'branches',
						'units',
						'transfers',
						'records'
					];
					const tx = db.transaction([...tables, 'checkpoints'], 'readwrite');
					for (const table of [...tables, 'checkpoints']) tx.objectStore(table).clear();
					tx.oncomplete = () => {
						db.close();
						resolve();
					};
					tx.onabort = () => reject(tx.error);
				};
			})
	);
}

describe('a phone whose read model is wiped', () => {
	it('rebuilds it from PouchDB, signed in and offline, losing no waiting change', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary, start: '/' });
		await expect.poll(() => memberCount(page), { timeout: 60_000 }).toBe('1.500 đoàn viên');

		// Offline, she adds a member: one change waits to upload.
		link.cut();
		await context.setOffline(true);
		await page.getByTestId('add-member').click();
		await page.waitForURL('**/doan-vien/moi');
		await page.getByLabel('Họ', { exact: true }).fill('Giàng');
		await page.getByLabel('Tên đệm').fill('Thị');
		await page.getByLabel('Tên', { exact: true }).fill('Mỷ');
		await page.getByLabel('Giới tính').selectOption('female');
		await page.getByLabel('Ngày sinh').fill('03/03/2003');
		await page.getByLabel('Dân tộc').selectOption('04');
		await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
		await page.getByLabel('Giáo dục phổ thông').fill('9/12');
		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		await expect.poll(() => page.getByTestId('sync-pending').textContent()).toBe('1');

		await wipeReadModel(page);
		await page.goto(`${link.url}/doan-vien`);
		// Still signed in; the roster fills from PouchDB again, her new member included.
		await expect.poll(() => memberCount(page), { timeout: 60_000 }).toBe('1.501 đoàn viên');
		expect(page.url()).toMatch(/\/doan-vien$/);
		await page.getByTestId('search').fill('giang my');
		await expect
			.poll(() => page.getByTestId('member-item').locator('.name').allTextContents())
			.toEqual(['Giàng Thị Mỷ']);
		await expect.poll(() => page.getByTestId('sync-pending').textContent()).toBe('1');

		// The account screen's rebuild: progress shown while it runs, the roster whole after.
		await page.goto(`${link.url}/tai-khoan`);
		// The storage card states what the phone holds, in MB, and that the browser may clear it
		// (a browser tab that was never installed).
		await expect
			.poll(() => page.getByTestId('storage-used').textContent())
			.toMatch(/^\d[\d.,]* MB$/);
		expect(await page.getByTestId('storage-available').textContent()).toMatch(
			/^\d[\d.,]* (MB|GB)$/
		);
		expect(await page.getByTestId('storage-persisted').textContent()).toMatch(/Chưa/);
		expect(await page.getByRole('button', { name: 'Xin giữ dữ liệu lâu dài' }).count()).toBe(1);
		await page.evaluate(() => {
			const seen: string[] = [];
			(window as unknown as { rebuildSeen: string[] }).rebuildSeen = seen;
			new MutationObserver(() => {
				const text = document.querySelector('[data-testid="rebuild-progress"]')?.textContent;
				if (text && seen.at(-1) !== text) seen.push(text.replace(/\s+/g, ' ').trim());
			}).observe(document.body, { subtree: true, childList: true, characterData: true });
		});
		await page.getByRole('button', { name: 'Dựng lại dữ liệu tìm kiếm' }).click();
		await expect
			.poll(() => page.getByText('Đã dựng lại dữ liệu tìm kiếm từ').count(), { timeout: 60_000 })
			.toBe(1);
		const seen = await page.evaluate(
			() => (window as unknown as { rebuildSeen: string[] }).rebuildSeen
		);
		expect(seen.length).toBeGreaterThan(0);
		expect(seen.at(-1)).toMatch(/^Đã dựng lại 1\.5\d\d \/ 1\.5\d\d bản ghi\./);
		await page.goto(`${link.url}/doan-vien`);
		await expect.poll(() => memberCount(page), { timeout: 60_000 }).toBe('1.501 đoàn viên');

		// The signal returns: the waiting change was never lost.
		link.restore();
		await context.setOffline(false);
		await expect.poll(() => page.getByTestId('sync-pending').count(), { timeout: 30_000 }).toBe(0);
		await expectSyncLabel(page, 'Đã đồng bộ');
		const onServer = await server.couch.allDocs<{ givenName?: string }>({
			db: unit.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		expect(onServer).toHaveLength(SEEDED + 1);
		expect(onServer.filter((row) => row.doc?.givenName === 'Mỷ')).toHaveLength(1);
		expect(cspViolations(context)).toEqual([]);
		await context.close();
	}, 240_000);
});
