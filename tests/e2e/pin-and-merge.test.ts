import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedActiveMembers } from '../support/member-fixture';
import type { TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import type { LinkCutter } from '../support/link-cutter';
import {
	phoneContext,
	signIn,
	type Credentials,
	type Landing,
	waitForServiceWorker
} from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// A superior pins a commune and works on it offline; then the 2025 case: a commune is merged into its
// neighbour while its secretary's phone is open, and the phone follows her to the surviving unit.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let province: { id: string };
let admin: { login: string; password: string };
let thanhSon: { id: string; db: string };
let tanSon: { id: string; db: string };
let secretary: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = top.unit;
	admin = { login: top.login, password: top.password };
	const a = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: province.id
	});
	thanhSon = a.unit;
	secretary = { login: a.login, password: a.password };
	tanSon = (await server.createUnitWithAccount({ name: 'Đoàn xã Tân Sơn', parentId: province.id }))
		.unit;
	await seedActiveMembers(server, { unit: thanhSon, seed: 11, count: 12 });
	await seedActiveMembers(server, { unit: tanSon, seed: 12, count: 8 });
});

afterAll(() => closeBrowserSite({ browser, link, server }));

/** Signed in on the phone, the app installed: from here it opens offline. */
async function signInOffline(page: Page, account: Credentials, landing?: Landing) {
	await signIn(page, { url: link.url, account, landing });
	await waitForServiceWorker(page);
}

const count = (page: Page) => page.getByTestId('member-count').textContent();

/** Member documents in a PouchDB's IndexedDB store (runs in the page). */
async function storedMembers(name: string): Promise<number> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const open = indexedDB.open(name);
		open.onsuccess = () => resolve(open.result);
		open.onerror = () => reject(open.error);
	});
	try {
		const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
			const request = db
				.transaction('document-store', 'readonly')
				.objectStore('document-store')
				.getAllKeys();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		return keys.filter((key) => String(key).startsWith('member:')).length;
	} finally {
		db.close();
	}
}

describe('pinned units and merged units on the device', () => {
	it('a province pins a commune and reads it offline', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		// A province lands on its dashboard; its own roster is one tab away.
		await signInOffline(page, admin, '/tong-quan');
		await page.getByRole('link', { name: 'Đoàn viên' }).click();
		await expect.poll(() => count(page)).toBe('0 đoàn viên');

		await page.goto(`${link.url}/don-vi/${tanSon.id}`);
		await page.getByTestId('pin-unit').click();
		await expect.poll(() => page.getByTestId('pin-unit').textContent()).toContain('Bỏ ghim');
		await page.getByRole('link', { name: 'Đoàn viên' }).click();
		await expect.poll(() => count(page), { timeout: 30_000 }).toBe('8 đoàn viên');

		link.cut();
		await context.setOffline(true);
		await page.reload();
		await expect.poll(() => count(page)).toBe('8 đoàn viên');
		// The list came straight from the download; the commune's PouchDB is filled after it (ADR
		// 0029): all 8 members are there too, and a member's form, read from it, opens offline.
		const pouch = `_pouch_doanvu-${tanSon.db}`;
		await expect.poll(() => page.evaluate(storedMembers, pouch), { timeout: 30_000 }).toBe(8);
		const first = page.getByTestId('member-item').first();
		const name = (await first.locator('.name').textContent())!.trim();
		await first.click();
		await page.getByTestId('edit-member').click();
		await page.waitForURL('**/sua');
		const typed = ['Họ', 'Tên đệm', 'Tên'].map((label) =>
			page.getByLabel(label, { exact: true }).inputValue()
		);
		expect((await Promise.all(typed)).filter(Boolean).join(' ')).toBe(name);
		link.restore();
		await context.close();
	});

	it("a merged commune's phone follows its account to the surviving unit", async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInOffline(page, secretary);
		await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Đoàn xã Thanh Sơn');
		await expect.poll(() => count(page), { timeout: 30_000 }).toBe('12 đoàn viên');

		const { cookie } = await server.signIn(admin);
		const started = await server.request(`/api/units/${thanhSon.id}/merge`, {
			method: 'POST',
			cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ intoId: tanSon.id })
		});
		expect(started.status).toBe(202);
		const job = (await started.json()) as { id: string };
		await expect
			.poll(
				async () => {
					const res = await server.request(`/api/jobs/${encodeURIComponent(job.id)}`, { cookie });
					return ((await res.json()) as { state: string }).state;
				},
				{ timeout: 30_000 }
			)
			.toBe('done');

		// The phone learns it at its next sync, moves over and says so.
		await expect
			.poll(() => page.getByTestId('unit-name').textContent(), { timeout: 60_000 })
			.toBe('Đoàn xã Tân Sơn');
		await expect.poll(() => page.getByText('đã được sáp nhập').count()).toBe(1);
		await expect.poll(() => count(page), { timeout: 30_000 }).toBe('20 đoàn viên');
		expect(
			await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''))
		).not.toContain(`_pouch_doanvu-${thanhSon.db}`);
		await context.close();
	});
});
