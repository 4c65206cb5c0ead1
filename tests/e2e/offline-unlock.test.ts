import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { phoneContext, signIn, waitForServiceWorker } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// Weeks without a signal: the app opens with a PIN (or the password), checked on the phone alone.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let secretary: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Tân Sơn' });
	secretary = { login: created.login, password: created.password };
});

afterAll(() => closeBrowserSite({ browser, link, server }));

describe('offline unlock', () => {
	it('unlocks with the PIN, then with the password, with no network at all', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signIn(page, { url: link.url, account: secretary });
		await waitForServiceWorker(page);

		await page.getByRole('link', { name: 'Tài khoản' }).click();
		await page.getByLabel('Mã PIN (4–8 chữ số)').fill('1234');
		await page.getByLabel('Nhập lại mã PIN').fill('1234');
		await page.getByRole('button', { name: 'Đặt mã PIN' }).click();
		await expect.poll(() => page.getByText('quá dễ đoán').count()).toBe(1);
		await page.getByLabel('Mã PIN (4–8 chữ số)').fill('2580');
		await page.getByLabel('Nhập lại mã PIN').fill('2580');
		await page.getByRole('button', { name: 'Đặt mã PIN' }).click();
		await expect.poll(() => page.getByText('Đã đặt mã PIN').count()).toBe(1);

		link.cut();
		await context.setOffline(true);
		await page.getByRole('button', { name: 'Khóa ngay' }).click();
		await page.reload();
		await expect.poll(() => page.getByRole('heading', { name: 'Mở khóa Đoàn vụ' }).count()).toBe(1);
		// Nothing of the unit shows while locked.
		expect(await page.getByTestId('unit-name').count()).toBe(0);

		await page.getByLabel('Mã PIN').fill('1111');
		await page.getByRole('button', { name: 'Mở khóa' }).click();
		await expect.poll(() => page.getByText('Mã PIN không đúng').count()).toBe(1);
		await page.getByLabel('Mã PIN').fill('2580');
		await page.getByRole('button', { name: 'Mở khóa' }).click();
		await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Đoàn xã Tân Sơn');

		// The password works too, offline.
		await page.getByRole('link', { name: 'Tài khoản' }).click();
		await page.getByRole('button', { name: 'Khóa ngay' }).click();
		await page.getByRole('button', { name: 'Dùng mật khẩu' }).click();
		await page.getByLabel('Mật khẩu').fill(secretary.password);
		await page.getByRole('button', { name: 'Mở khóa' }).click();
		await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Đoàn xã Tân Sơn');
		await context.close();
	});
});
