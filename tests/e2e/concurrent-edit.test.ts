import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// Two devices of one unit (the secretary's phone and her deputy's) edit the same member while both
// are offline (docs/decisions/0006-conflict-policy.md): one changes the phone, the other the
// address, and both change the email differently. After sync nothing is lost: phone and address
// are both kept by themselves, the email conflict is shown on both devices and resolved on one by
// choosing a side; after the next sync both show the same record and no conflict is left.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string };
let secretary: { login: string; password: string };
let deputy: { login: string; password: string };

const MEMBER = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y';
const KEY = MEMBER.slice('member:'.length);

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thanh Sơn' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	deputy = await server.createAccountIn({ unitId: unit.id, role: 'deputy' });
	const at = new Date().toISOString();
	await server.couch.putDoc({
		db: unit.db,
		doc: {
			_id: MEMBER,
			type: 'member',
			v: 2,
			unitId: unit.id,
			familyName: 'Hà',
			middleName: 'Thị',
			givenName: 'Hoa',
			gender: 'female',
			birthDate: '2004-03-08',
			ethnicCode: '06',
			religion: 'Không',
			nationality: 'Việt Nam',
			phone: '0912000111',
			email: 'hoa@example.vn',
			currentAddress: 'Khu 3, xã Thanh Sơn',
			partyMember: false,
			status: 'active',
			provenance: { source: 'unit' },
			createdAt: at,
			createdBy: 'test',
			updatedAt: at,
			updatedBy: 'test'
		}
	});
});

afterAll(() => closeBrowserSite({ browser, link, server }));

async function device(account: { login: string; password: string }) {
	const context = await phoneContext(browser);
	const page = await context.newPage();
	await signInSynced(page, { url: link.url, account });
	await expect
		.poll(() => page.getByTestId('member-item').locator('.name').allTextContents())
		.toEqual(['Hà Thị Hoa']);
	return { context, page };
}

async function edit(page: Page, fields: Record<string, string>) {
	await page.goto(`${link.url}/doan-vien/${KEY}`);
	await page.getByTestId('edit-member').click();
	await page.waitForURL(`**/doan-vien/${KEY}/sua`);
	for (const [label, value] of Object.entries(fields)) {
		await page.getByLabel(label, { exact: true }).fill(value);
	}
	await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
	await page.waitForURL(`**/doan-vien/${KEY}`);
}

const shown = (page: Page, label: string) =>
	page
		.locator('.row', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
		.locator('dd')
		.textContent();

async function goOnline(context: BrowserContext, page: Page) {
	await context.setOffline(false);
	await expect.poll(() => page.getByTestId('sync-pending').count(), { timeout: 30_000 }).toBe(0);
}

describe('two devices edit one member offline', () => {
	it('merges different fields, shows the same field edited differently, and resolves it', async () => {
		const a = await device(secretary);
		const b = await device(deputy);

		link.cut();
		await a.context.setOffline(true);
		await b.context.setOffline(true);
		await edit(a.page, { 'Điện thoại': '0987654321', Email: 'hoa.moi@example.vn' });
		await edit(b.page, { 'Nơi ở hiện nay': 'Khu 5, xã Thanh Sơn', Email: 'hoa.ha@example.vn' });

		link.restore();
		await goOnline(a.context, a.page);
		await goOnline(b.context, b.page);

		// Both devices end up with both leaves: phone and address kept, the email to choose.
		for (const { page } of [a, b]) {
			await page.goto(`${link.url}/doan-vien/${KEY}`);
			const banner = page.getByTestId('conflict-banner');
			await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toContain('Email');
			expect(await shown(page, 'Điện thoại')).toBe('0987654321');
			expect(await shown(page, 'Nơi ở hiện nay')).toBe('Khu 5, xã Thanh Sơn');
		}
		// The list flags the member, and the conflicts screen lists it.
		await a.page.goto(`${link.url}/nghiep-vu/xung-dot`);
		await expect
			.poll(() => a.page.getByTestId('conflict-list').textContent())
			.toContain('Cần chọn: Email');

		// The secretary compares both values, who changed them and when, and keeps the deputy's.
		await a.page.getByRole('link', { name: /Hà Thị Hoa/ }).click();
		const email = a.page.getByTestId('conflict-field');
		await expect.poll(() => email.getAttribute('data-field')).toBe('email');
		expect(await email.textContent()).toContain(`Sửa bởi ${secretary.login}`);
		expect(await email.textContent()).toContain(`Sửa bởi ${deputy.login}`);
		const auto = await a.page.getByTestId('auto-merged').textContent();
		expect(auto).toContain('Số điện thoại: 0987654321');
		expect(auto).toContain('Nơi ở hiện nay: Khu 5, xã Thanh Sơn');
		await email.getByLabel(/hoa\.ha@example\.vn/).check();
		await a.page.getByRole('button', { name: 'Lưu lựa chọn' }).click();
		await a.page.waitForURL(`**/doan-vien/${KEY}`);
		await expect.poll(() => a.page.getByTestId('conflict-banner').count()).toBe(0);
		await expect
			.poll(() => a.page.getByTestId('sync-pending').count(), { timeout: 30_000 })
			.toBe(0);

		// After sync both devices show the same resolved record, with no conflict left.
		for (const { page } of [a, b]) {
			await page.goto(`${link.url}/doan-vien/${KEY}`);
			await expect.poll(() => shown(page, 'Email'), { timeout: 30_000 }).toBe('hoa.ha@example.vn');
			await expect.poll(() => page.getByTestId('conflict-banner').count()).toBe(0);
			expect(await shown(page, 'Điện thoại')).toBe('0987654321');
			expect(await shown(page, 'Nơi ở hiện nay')).toBe('Khu 5, xã Thanh Sơn');
		}
		const { cookie } = await server.signIn(secretary);
		const res = await server.request(
			`/couch/${unit.db}/${encodeURIComponent(MEMBER)}?conflicts=true`,
			{ cookie }
		);
		const onServer = (await res.json()) as Record<string, unknown>;
		expect(onServer).toMatchObject({
			phone: '0987654321',
			currentAddress: 'Khu 5, xã Thanh Sơn',
			email: 'hoa.ha@example.vn',
			updatedBy: secretary.login
		});
		expect(onServer._conflicts).toBeUndefined();

		await a.context.close();
		await b.context.close();
	});
});
