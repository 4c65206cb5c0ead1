import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import type { LinkCutter } from '../support/link-cutter';
import { expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { addDays, formatDate, todayIso } from '../../src/lib/domain/dates';

// Reminders at 360 px, offline on both ends: the province writes one with no signal ("chờ gửi"),
// sends it when the signal is back; the commune's secretary, still offline, has nothing yet; online
// again, she finds it on her home screen and opens it; the province sees it read, by her.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: { id: string; db: string };
let secretary: { login: string; password: string };
let province: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = { login: top.login, password: top.password };
	const created = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	commune = created.unit;
	secretary = { login: created.login, password: created.password };
});

afterAll(() => closeBrowserSite({ browser, link, server }));

async function recipientProgress(page: Page): Promise<string | null> {
	return page.locator(`[data-unit="${commune.id}"]`).getAttribute('data-progress');
}

describe('a reminder from the province to a lagging commune', () => {
	it('is sent and read with both phones offline in between', async () => {
		const provinceContext = await phoneContext(browser);
		const communeContext = await phoneContext(browser);
		const provincePage = await provinceContext.newPage();
		const communePage = await communeContext.newPage();
		await signInSynced(provincePage, { url: link.url, account: province });
		await signInSynced(communePage, { url: link.url, account: secretary });

		// The dashboard's link, with the laggard selected: the form knows its name while online.
		await provincePage.goto(`${link.url}/tong-quan/don-doc?units=${commune.id}`);
		const choice = provincePage.getByRole('checkbox', { name: 'Đoàn xã Thanh Sơn' });
		await expect.poll(() => choice.isChecked()).toBe(true);

		// No signal on either phone.
		link.cut();
		await provinceContext.setOffline(true);
		await communeContext.setOffline(true);
		const deadline = addDays({ date: todayIso(), days: 10 });
		const text = 'Đề nghị Đoàn xã hoàn thành cập nhật hồ sơ đoàn viên trước hạn.';
		await provincePage.getByLabel('Nội dung đôn đốc').fill(text);
		await provincePage.getByLabel('Hạn hoàn thành (không bắt buộc)').fill(deadline);
		await provincePage.getByRole('button', { name: 'Xem lại và gửi' }).click();
		await provincePage.getByTestId('confirm-send').click();
		await provincePage.waitForURL(/\/tong-quan\/don-doc\/[0-9A-Z]{26}$/);
		await expect
			.poll(() => provincePage.getByTestId('reminder-waiting').textContent())
			.toContain('Chờ gửi');
		expect(await recipientProgress(provincePage)).toBe('waiting');
		// The buttons a thumb presses are 44 px tall; nothing overflows the 360 px screen.
		expect(
			await provincePage.evaluate(() => document.documentElement.scrollWidth)
		).toBeLessThanOrEqual(360);

		// The province's signal comes back: sent, delivered by the server.
		link.restore();
		await provinceContext.setOffline(false);
		await expect.poll(() => recipientProgress(provincePage), { timeout: 30_000 }).toBe('delivered');
		expect(await provincePage.getByTestId('reminder-waiting').count()).toBe(0);

		// The commune, still offline, has nothing yet.
		expect(await communePage.getByTestId('reminder-card').count()).toBe(0);

		// Online again: the reminder is on her home screen.
		await communeContext.setOffline(false);
		const card = communePage.getByTestId('reminder-card');
		await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
		await expect.poll(() => card.textContent()).toContain('Tỉnh đoàn Phú Thọ');
		expect(await card.textContent()).toContain(
			`Hạn hoàn thành: ${formatDate(deadline)} (còn 10 ngày)`
		);
		// Received on her device (its receipt went up with the next sync).
		await expect.poll(() => recipientProgress(provincePage), { timeout: 30_000 }).toBe('received');

		const open = card.getByRole('button', { name: /Tỉnh đoàn Phú Thọ/ });
		const box = await open.boundingBox();
		expect(box!.height).toBeGreaterThanOrEqual(44);
		await open.click();
		await expect.poll(() => communePage.getByTestId('reminder-body').textContent()).toContain(text);
		await expectSyncLabel(communePage, 'Đã đồng bộ');

		// The province sees it read, by her, without reloading.
		await expect.poll(() => recipientProgress(provincePage), { timeout: 30_000 }).toBe('read');
		const row = provincePage.locator(`[data-unit="${commune.id}"]`);
		expect(await row.textContent()).toContain(secretary.login);
		expect(await provincePage.getByRole('heading', { name: /đã đọc 1\/1/ }).count()).toBe(1);

		// Her list of sent reminders says so too.
		await provincePage.goto(`${link.url}/tong-quan/don-doc`);
		await expect.poll(() => provincePage.locator('.list').textContent()).toContain('Đã đọc 1/1');

		await provinceContext.close();
		await communeContext.close();
	});
});
