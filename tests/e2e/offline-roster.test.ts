import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import {
	type Credentials,
	cspViolations,
	expectSyncLabel,
	phoneContext,
	signIn,
	waitForServiceWorker
} from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// The foundation end to end, in Chromium on the built app served by the real server: sign in, lose
// the signal, keep the roster, reload offline, get the signal back, and find the work on the server
// and on a second device of the same unit.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };
let deputy: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thanh Sơn' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	deputy = await server.createAccountIn({ unitId: unit.id, role: 'deputy' });
	// A branch for the form to offer, written as the server would.
	const branch = {
		_id: 'branch:khu3',
		type: 'branch',
		v: 1,
		unitId: unit.id,
		name: 'Chi đoàn khu 3',
		createdAt: new Date().toISOString(),
		createdBy: 'test',
		updatedAt: new Date().toISOString(),
		updatedBy: 'test'
	};
	await server.couch.putDoc({ db: unit.db, doc: branch });
});

afterAll(() => closeBrowserSite({ browser, link, server }));

async function signInToUnit(page: Page, account: Credentials) {
	await signIn(page, { url: link.url, account, start: '/' });
	await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Đoàn xã Thanh Sơn');
}

async function addMember(
	page: Page,
	m: {
		family: string;
		middle: string;
		given: string;
		gender: string;
		birth: string;
		ethnic: string;
	}
) {
	await page.getByTestId('add-member').click();
	await page.waitForURL('**/doan-vien/moi');
	await page.getByLabel('Họ', { exact: true }).fill(m.family);
	await page.getByLabel('Tên đệm').fill(m.middle);
	await page.getByLabel('Tên', { exact: true }).fill(m.given);
	await page.getByLabel('Giới tính').selectOption(m.gender);
	await page.getByLabel('Ngày sinh').fill(m.birth);
	await page.getByLabel('Dân tộc').selectOption(m.ethnic);
	await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
	await page.getByLabel('Giáo dục phổ thông').fill('12/12');
	await page.getByLabel('Chi đoàn').selectOption('branch:khu3');
	await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
	await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
	await expect
		.poll(() => page.getByTestId('member-name').textContent())
		.toBe(`${m.family} ${m.middle} ${m.given}`);
	return page.url();
}

const listedNames = (page: Page) =>
	page.getByTestId('member-item').locator('.name').allTextContents();

describe('a secretary keeps her roster offline', () => {
	it('signs in, works offline, reloads offline, and syncs when the signal returns', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInToUnit(page, secretary);
		// The shell is installed and controls the page: from now on it opens without the network.
		await waitForServiceWorker(page);
		await expectSyncLabel(page, 'Đã đồng bộ');

		// The signal is lost: the wire is cut and the browser knows it is offline.
		link.cut();
		await context.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');

		// Bad input is refused field by field, and what was typed stays.
		await page.getByTestId('add-member').click();
		await page.getByLabel('Họ', { exact: true }).fill('Hà');
		await page.getByLabel('Ngày sinh').fill('31/02/2004');
		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		const errors = page.getByTestId('form-errors');
		await expect.poll(() => errors.textContent()).toContain('Tên');
		expect(await errors.textContent()).toContain('Ngày sinh');
		expect(await page.getByLabel('Họ', { exact: true }).inputValue()).toBe('Hà');
		await page.getByRole('button', { name: 'Hủy' }).click();
		await page.waitForURL('**/doan-vien');

		const first = await addMember(page, {
			family: 'Đinh',
			middle: 'Thị',
			given: 'Hoà',
			gender: 'female',
			birth: '12/03/2004',
			ethnic: '06'
		});
		await page.goto(`${link.url}/doan-vien`).catch(() => undefined);
		await addMember(page, {
			family: 'Bàn',
			middle: 'Văn',
			given: 'Quý',
			gender: 'male',
			birth: '01/09/2001',
			ethnic: '09'
		});

		// Edit the first one: a phone number.
		await page.goto(first);
		await page.getByTestId('edit-member').click();
		await page.getByLabel('Điện thoại').fill('0912 345 678');
		await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
		await page.waitForURL(first);
		await expect.poll(() => page.locator('dd', { hasText: '0912345678' }).count()).toBe(1);
		// Two new members, and the edit with its history entry.
		await expect.poll(() => page.getByTestId('sync-pending').textContent()).toBe('3');

		// Reload with no network at all: the app boots from the device and the data is there.
		await page.reload();
		await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Đinh Thị Hoà');
		await page.goto(`${link.url}/doan-vien`);
		await expect.poll(() => listedNames(page)).toEqual(['Đinh Thị Hoà', 'Bàn Văn Quý']);
		// Search ignores diacritics, offline too.
		await page.getByTestId('search').fill('hoa');
		await expect.poll(() => listedNames(page)).toEqual(['Đinh Thị Hoà']);

		// Nothing has reached the server yet.
		const before = await serverMembers();
		expect(before).toHaveLength(0);

		// The signal returns.
		link.restore();
		await context.setOffline(false);
		await expect.poll(() => page.getByTestId('sync-pending').count(), { timeout: 30_000 }).toBe(0);
		await expectSyncLabel(page, 'Đã đồng bộ');

		// The server has both members and the edit: checked through the server, not the page.
		const after = await serverMembers();
		expect(after.map((m) => `${m.familyName} ${m.middleName} ${m.givenName}`).sort()).toEqual([
			'Bàn Văn Quý',
			'Đinh Thị Hoà'
		]);
		const hoa = after.find((m) => m.givenName === 'Hoà');
		expect(hoa).toMatchObject({
			phone: '0912345678',
			birthDate: '2004-03-12',
			ethnicCode: '06',
			branchId: 'branch:khu3',
			updatedBy: secretary.login,
			unitId: unit.id
		});
		expect(cspViolations(context)).toEqual([]);
		await context.close();

		// Another device of the same unit signs in and sees them.
		const other = await phoneContext(browser);
		const otherPage = await other.newPage();
		await signInToUnit(otherPage, deputy);
		await expect
			.poll(() => listedNames(otherPage), { timeout: 30_000 })
			.toEqual(['Đinh Thị Hoà', 'Bàn Văn Quý']);
		expect(cspViolations(other)).toEqual([]);
		await other.close();
	});
});

interface ServerMember {
	familyName: string;
	middleName: string;
	givenName: string;
	phone?: string;
	[key: string]: unknown;
}

async function serverMembers(): Promise<ServerMember[]> {
	const { cookie } = await server.signIn(secretary);
	const res = await server.request(
		`/couch/${unit.db}/_all_docs?include_docs=true&startkey=%22member%3A%22&endkey=%22member%3A%EF%BF%B0%22`,
		{ cookie }
	);
	expect(res.status).toBe(200);
	const body = (await res.json()) as { rows: { doc: ServerMember }[] };
	return body.rows.map((r) => r.doc);
}
