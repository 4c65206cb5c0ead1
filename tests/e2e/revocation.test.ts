import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import type { LinkCutter } from '../support/link-cutter';
import { phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// A lost phone: its superior revokes it while it is offline; at its next contact it refuses to sync,
// wipes the unit's data and asks for a sign-in.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: { id: string; db: string };
let secretary: { login: string; password: string };
let superior: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	superior = { login: top.login, password: top.password };
	const created = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	commune = created.unit;
	secretary = { login: created.login, password: created.password };
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const localDatabases = (page: import('playwright-core').Page) =>
	page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));

describe('revoking a lost device', () => {
	it('the revoked phone refuses to sync, wipes its data and asks for a sign-in', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary });
		expect(await localDatabases(page)).toContain(`_pouch_doanvu-${commune.db}`);

		// Offline, she keeps working.
		link.cut();
		await context.setOffline(true);
		await page.getByTestId('add-member').click();
		await page.getByLabel('Họ', { exact: true }).fill('Đinh');
		await page.getByLabel('Tên', { exact: true }).fill('Mai');
		await page.getByLabel('Giới tính').selectOption('female');
		await page.getByLabel('Ngày sinh').fill('01/02/2003');
		await page.getByLabel('Dân tộc').selectOption('01');
		await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
		await page.getByLabel('Giáo dục phổ thông').fill('12/12');
		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);

		// Meanwhile the province revokes the phone (it was reported lost).
		const { cookie } = await server.signIn(superior);
		const list = await server.request(`/api/units/${commune.id}/accounts`, { cookie });
		expect(list.status).toBe(200);
		const accounts = (await list.json()) as {
			login: string;
			devices: { id: string; revokedAt?: string }[];
		}[];
		const device = accounts.find((a) => a.login === secretary.login)?.devices[0];
		expect(device).toBeDefined();
		const revoke = await server.request(`/api/devices/${device!.id}/revoke`, {
			method: 'POST',
			cookie
		});
		expect(revoke.status).toBe(200);

		// The phone comes back online: refused, wiped, signed out.
		link.restore();
		await context.setOffline(false);
		await page.waitForURL('**/dang-nhap', { timeout: 30_000 });
		await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('thu hồi');
		await expect
			.poll(async () => (await localDatabases(page)).filter((n) => n.includes('unit_')))
			.toEqual([]);
		// Nothing of the unit is readable any more, even after a reload.
		await page.reload();
		await page.waitForURL('**/dang-nhap');
		expect(
			await page.evaluate(async () => {
				const open = indexedDB.open('doanvu');
				const db = await new Promise<IDBDatabase>((resolve, reject) => {
					open.onsuccess = () => resolve(open.result);
					open.onerror = () => reject(open.error);
				});
				if (!db.objectStoreNames.contains('memberPacks')) return 0;
				const count = db.transaction('memberPacks').objectStore('memberPacks').count();
				return new Promise<number>((resolve) => (count.onsuccess = () => resolve(count.result)));
			})
		).toBe(0);
		// The member she typed offline never reached the server: it is lost with the phone.
		const rows = await server.couch.request<{ rows: { id: string }[] }>({
			method: 'GET',
			path: `${commune.db}/_all_docs`
		});
		expect(rows.body?.rows.filter((r) => r.id.startsWith('member:')) ?? []).toEqual([]);
		await context.close();
	});
});
