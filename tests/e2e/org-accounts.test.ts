import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { changeTemporaryPassword, phoneContext, signIn } from '../support/browser';
import { adminPhone, closeProvinceSite, startProvinceSite } from '../support/province-site';

// A province creates a commune and issues its secretary's account; the secretary signs in for the
// first time with the temporary password, must choose her own, and lands in her unit's roster.

let server: TestServer;
let browser: Browser;
let province: { id: string; name: string };
let admin: { login: string; password: string };

beforeAll(async () => {
	({ server, browser, province, admin } = await startProvinceSite('Tỉnh đoàn Phú Thọ'));
});

afterAll(() => closeProvinceSite({ browser, server }));

describe('a province founds a commune and issues its account', () => {
	it('creates the unit and the account; the new secretary changes her password at first sign-in', async () => {
		const { context, page } = await adminPhone({ server, browser, admin });

		await page.getByRole('link', { name: 'Đơn vị' }).click();
		await page.waitForURL(`**/don-vi/${province.id}`);
		await expect.poll(() => page.getByTestId('unit-title').textContent()).toBe('Tỉnh đoàn Phú Thọ');

		await page.getByLabel('Tên đơn vị mới').fill('Đoàn xã Thanh Sơn');
		await page.getByLabel('Loại đơn vị').selectOption('doan-xa');
		await page.getByRole('button', { name: 'Thành lập' }).click();
		const child = page.getByTestId('children').getByRole('link', { name: 'Đoàn xã Thanh Sơn' });
		await expect.poll(() => child.count()).toBe(1);
		await child.click();
		await expect.poll(() => page.getByTestId('unit-title').textContent()).toBe('Đoàn xã Thanh Sơn');

		await page.getByLabel('Họ và tên').fill('Hà Thị Lan');
		await page.getByLabel('Tên đăng nhập').fill('bithu.thanhson');
		await page.getByLabel('Vai trò').selectOption('secretary');
		await page.getByRole('button', { name: 'Cấp tài khoản' }).click();
		const secret = page.getByTestId('temporary-password');
		await expect.poll(() => secret.count()).toBe(1);
		const temporary = (await secret.textContent())!.trim();
		expect(temporary.length).toBeGreaterThanOrEqual(8);
		await expect
			.poll(() => page.getByTestId('account-bithu.thanhson').textContent())
			.toContain('chưa đổi mật khẩu tạm');
		await context.close();

		// The secretary, on her own phone.
		const phone = await phoneContext(browser);
		const her = await phone.newPage();
		await signIn(her, {
			url: server.url,
			account: { login: 'bithu.thanhson', password: temporary },
			landing: false
		});
		await changeTemporaryPassword(her, { temporary, password: 'lan-thanh-son-2026' });
		await expect.poll(() => her.getByTestId('unit-name').textContent()).toBe('Đoàn xã Thanh Sơn');
		await phone.close();

		// The temporary password no longer opens the account; the new one does.
		const old = await server.request('/api/session', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ login: 'bithu.thanhson', password: temporary })
		});
		expect(old.status).toBe(401);
		const fresh = await server.signIn({ login: 'bithu.thanhson', password: 'lan-thanh-son-2026' });
		expect(fresh.session.unit.name).toBe('Đoàn xã Thanh Sơn');
		expect(fresh.session.mustChangePassword).toBe(false);
	});
});
