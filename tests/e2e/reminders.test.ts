import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import { putThroughProxy } from '../support/reminder-fixture';
import { seedActiveMembers } from '../support/member-fixture';
import { TEST_WORKERS } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { addDays, formatDate, todayIso } from '../../src/lib/domain/dates';

// The superior's morning at 360 px, with the real figures worker, offline on both ends: the
// province signs in and lands on its dashboard, where the lagging commune comes first; it selects
// it and writes a reminder with no signal ("chờ gửi"), sends it when the signal is back; the
// commune's secretary, still offline, has nothing yet; online again, she finds it on her home
// screen and opens it; the province sees it read, by her; and the dashboard opens with no network.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: { id: string; db: string };
let secretary: { login: string; password: string };
let province: { login: string; password: string };
let otherCommune: { id: string; db: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite({
		workers: { ...TEST_WORKERS, figures: { enabled: true, pollMs: 200, minIntervalMs: 50 } }
	}));
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = { login: top.login, password: top.password };
	const created = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	commune = created.unit;
	secretary = { login: created.login, password: created.password };
	const other = await server.createUnitWithAccount({
		name: 'Đoàn xã Tân Sơn',
		parentId: top.unit.id
	});
	otherCommune = other.unit;
	await seedActiveMembers(server, { unit: commune, seed: 21, count: 6 });
	await seedActiveMembers(server, { unit: other.unit, seed: 22, count: 9 });
	// The province's targets for the year, as its dashboard writes them: Thanh Sơn has 6 of 60
	// (the laggard), Tân Sơn 9 of 10.
	const { cookie } = await server.signIn(province);
	const year = Number(todayIso().slice(0, 4));
	const at = new Date().toISOString();
	for (const [unitId, members] of [
		[commune.id, 60],
		[other.unit.id, 10]
	] as const) {
		const res = await putThroughProxy(server, {
			db: top.unit.db,
			cookie,
			doc: {
				_id: `target:${unitId}:${year}`,
				type: 'target',
				v: 1,
				unitId: top.unit.id,
				forUnitId: unitId,
				year,
				members,
				createdAt: at,
				createdBy: province.login,
				updatedAt: at,
				updatedBy: province.login
			}
		});
		expect(res.status).toBe(201);
	}
	// The members were written by the server admin (not through /couch): the worker is told.
	for (const db of [top.unit.db, commune.db, other.unit.db]) server.workers.figures!.nudge(db);
	await server.workers.figures!.cycle();
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
		await signInSynced(communePage, { url: link.url, account: secretary });
		await signInSynced(provincePage, { url: link.url, account: province, landing: '/tong-quan' });

		// Her morning screen: the subtree's figures, the laggard first, said in words.
		await expect
			.poll(() => provincePage.getByTestId('headline-onrolls').textContent(), { timeout: 30_000 })
			.toContain('15');
		const first = provincePage.getByTestId('progress-row').first();
		await expect.poll(() => first.textContent()).toContain('Đoàn xã Thanh Sơn');
		expect(await first.textContent()).toContain('Chậm tiến độ');
		expect(await provincePage.getByTestId('progress-row').nth(1).textContent()).toContain(
			'Đoàn xã Tân Sơn'
		);

		// She selects the laggard and goes to write the reminder.
		await provincePage.getByLabel('Chọn Đoàn xã Thanh Sơn').check();
		await provincePage.getByRole('button', { name: 'Gửi đôn đốc (1)' }).click();
		await provincePage.waitForURL(`**/tong-quan/don-doc?units=${commune.id}`);
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

		// With no network at all, the dashboard still opens from the synced figures.
		await communeContext.close();
		link.cut();
		await provinceContext.setOffline(true);
		await provincePage.goto(`${link.url}/tong-quan`);
		await expect
			.poll(() => provincePage.getByTestId('headline-onrolls').textContent(), { timeout: 30_000 })
			.toContain('15');
		expect(await provincePage.getByTestId('progress-row').first().textContent()).toContain(
			'Đoàn xã Thanh Sơn'
		);
		// Her card says she already reminded Thanh Sơn today and that it was read, linked to the
		// reminder; Tân Sơn, never reminded, says nothing of the kind.
		const reminded = provincePage.locator(
			`[data-testid="progress-row"][data-unit="${commune.id}"] [data-testid="last-reminder"]`
		);
		await expect.poll(() => reminded.getAttribute('data-progress')).toBe('read');
		expect(await reminded.textContent()).toContain(
			`Đã đôn đốc ngày ${formatDate(todayIso())} · Đã đọc`
		);
		const reminderLink = reminded.getByRole('link');
		expect((await reminderLink.boundingBox())!.height).toBeGreaterThanOrEqual(44);
		expect(
			await provincePage
				.locator(
					`[data-testid="progress-row"][data-unit="${otherCommune.id}"] [data-testid="last-reminder"]`
				)
				.count()
		).toBe(0);
		await reminderLink.click();
		await provincePage.waitForURL(/\/tong-quan\/don-doc\/[0-9A-Z]{26}$/);
		link.restore();
		await provinceContext.close();
	});
});
