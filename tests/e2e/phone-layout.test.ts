import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import {
	expectSyncLabel,
	launchBrowser,
	phoneContext,
	submitSignIn,
	waitForServiceWorker
} from '../support/browser';
import { ensureBuilt } from '../support/build';
import { validMember } from '../support/domain-fixture';
import { createUnitWithBranch } from '../support/branch-fixture';
import { WIDTH, check } from '../support/phone-layout';

// The main screens on a 360 px phone, measured rather than photographed: nothing wider than the
// screen, no header text cut short, and every tap target at least 44×44 px (the size a thumb hits
// without hitting the neighbour). Each check lists the offending elements so a failure says where.

let server: TestServer;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };
let memberKey: string;

beforeAll(async () => {
	ensureBuilt();
	server = await startTestServer();
	({ unit, secretary } = await createUnitWithBranch(server, {
		name: 'Đoàn xã Thanh Sơn',
		branch: { id: 'branch:khu3', name: 'Chi đoàn khu 3' }
	}));
	// Enough members for the list to reach below the floating button.
	const names = [
		'An',
		'Bình',
		'Cúc',
		'Dũng',
		'Giang',
		'Hoa',
		'Khánh',
		'Lan',
		'Minh',
		'Nga',
		'Phúc'
	];
	for (const givenName of names) {
		const doc = validMember({
			unitId: unit.id,
			login: secretary.login,
			givenName,
			branchId: 'branch:khu3'
		});
		await server.couch.putDoc({ db: unit.db, doc });
		if (givenName === 'An') memberKey = doc._id.slice('member:'.length);
	}
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.close();
});

async function open(page: Page, path: string, ready: () => Promise<unknown>) {
	await page.goto(`${server.url}${path}`);
	await ready();
}

describe(`the main screens at ${WIDTH} px`, () => {
	let context: BrowserContext;
	let page: Page;

	beforeAll(async () => {
		context = await phoneContext(browser);
		// Everything the roster ever said while the first sync ran, however briefly.
		await context.addInitScript(() => {
			const seen = new Set<string>();
			(window as unknown as { rosterSaid: Set<string> }).rosterSaid = seen;
			new MutationObserver(() => {
				for (const el of document.querySelectorAll('main .empty')) {
					seen.add((el.textContent ?? '').trim());
				}
			}).observe(document, { childList: true, subtree: true, characterData: true });
		});
		page = await context.newPage();
	});
	afterAll(async () => {
		await context?.close();
	});

	it('sign-in', async () => {
		await open(page, '/dang-nhap', () => page.getByLabel('Tên đăng nhập').waitFor());
		await check(page, 'sign-in');
		await submitSignIn(page, secretary);
		await page.waitForURL('**/doan-vien');
	});

	it('member list: nothing covers the last row, and the header says unit and sync state in full', async () => {
		await expect.poll(() => page.getByTestId('member-item').count(), { timeout: 30_000 }).toBe(11);
		await expectSyncLabel(page, 'Đã đồng bộ');
		await check(page, 'member list');
		expect(await page.getByTestId('unit-name').textContent()).toBe('Đoàn xã Thanh Sơn');
		const said = await page.evaluate(() => [
			...(window as unknown as { rosterSaid: Set<string> }).rosterSaid
		]);
		expect(said.filter((text) => text.startsWith('Chưa có đoàn viên'))).toEqual([]);

		// The last row brought to the bottom edge of the screen, as a thumb scrolling down leaves it.
		const last = page.getByTestId('member-item').last();
		const covered = await last.evaluate((row) => {
			row.scrollIntoView({ block: 'end' });
			const rect = row.getBoundingClientRect();
			const points: [number, number][] = [
				[rect.left + 8, rect.top + rect.height / 2],
				[rect.right - 8, rect.top + rect.height / 2],
				[rect.left + rect.width / 2, rect.bottom - 4]
			];
			return points.some(([x, y]) => {
				const hit = document.elementFromPoint(x, y);
				return hit !== null && !row.contains(hit);
			});
		});
		expect(covered, 'the last row is covered by something').toBe(false);
	});

	it('member profile', async () => {
		await open(page, `/doan-vien/${memberKey}`, () => page.getByTestId('member-name').waitFor());
		await check(page, 'member profile');
	});

	it('add form', async () => {
		await open(page, '/doan-vien/moi', () => page.getByLabel('Họ', { exact: true }).waitFor());
		await check(page, 'add form');
	});

	it('a half-filled add form comes back after a reload, and goes once abandoned', async () => {
		await page.getByLabel('Họ', { exact: true }).fill('Hà');
		// The draft is written shortly after the last keystroke: wait until the device holds it (a
		// fixed wait was too short on a loaded machine).
		await expect.poll(() => storedDrafts(page), { timeout: 15_000 }).toContain('Hà');
		await page.reload();
		await page.getByText('Đã khôi phục phần bạn nhập dở lần trước.').waitFor();
		expect(await page.getByLabel('Họ', { exact: true }).inputValue()).toBe('Hà');
		await check(page, 'restored add form');
		await page.getByRole('button', { name: 'Hủy' }).click();
		await page.waitForURL(/\/doan-vien$/);
		await open(page, '/doan-vien/moi', () => page.getByLabel('Họ', { exact: true }).waitFor());
		expect(await page.getByLabel('Họ', { exact: true }).inputValue()).toBe('');
		expect(await page.getByText('Đã khôi phục phần bạn nhập dở lần trước.').count()).toBe(0);
	});

	it('operations page', async () => {
		await open(page, '/nghiep-vu', () => page.locator('main h1').first().waitFor());
		await check(page, 'operations page');
	});

	it('a bulk list with checkboxes (annual ratings)', async () => {
		await open(page, '/nghiep-vu/xep-loai', () =>
			page.locator('main input[type=checkbox]').first().waitFor()
		);
		await check(page, 'annual ratings');
	});

	it('the training programme and the coming-of-age lists', async () => {
		// Both bulk screens list the unit's members from the device's data, offline.
		await open(page, '/nghiep-vu/ren-luyen', () =>
			// "(0/N đã đăng ký)" with N > 0: the unit's members came from the device's data.
			page.locator('#reg-title', { hasText: /\(0\/[1-9]\d* đã đăng ký\)/ }).waitFor()
		);
		await check(page, 'training programme');
		await open(page, '/nghiep-vu/truong-thanh', () => page.locator('main h1').first().waitFor());
		await check(page, 'coming of age');
	});

	it('one operation form', async () => {
		await open(page, `/doan-vien/${memberKey}/nghiep-vu/khen-thuong`, () =>
			page.locator('main form').first().waitFor()
		);
		await check(page, 'reward form');
	});

	it('account page', async () => {
		await open(page, '/tai-khoan', () => page.locator('main h1').first().waitFor());
		await check(page, 'account page');
	});

	it('unit page', async () => {
		await open(page, '/don-vi', () =>
			page.locator('main').getByText('Đoàn xã Thanh Sơn').first().waitFor()
		);
		await check(page, 'unit page');
	});

	it('a page that does not exist: in Vietnamese, and laid out like the rest', async () => {
		await open(page, '/khong-co-trang-nay', () => page.locator('main h1').first().waitFor());
		const text = await page.locator('main').textContent();
		expect(text).toContain('Không tìm thấy trang');
		expect(text).not.toMatch(/Not Found/i);
		await check(page, '404');
	});

	it('offline with changes waiting: the header still says it all', async () => {
		await open(page, '/doan-vien', () => page.getByTestId('member-list').waitFor());
		await waitForServiceWorker(page);
		await context.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');
		await page.getByTestId('add-member').click();
		await page.getByLabel('Họ', { exact: true }).fill('Lường');
		await page.getByLabel('Tên', { exact: true }).fill('Vân');
		await page.getByLabel('Giới tính').selectOption('female');
		await page.getByLabel('Ngày sinh').fill('01/02/2003');
		await page.getByLabel('Dân tộc').selectOption('03');
		await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
		await page.getByLabel('Giáo dục phổ thông').fill('9/12');
		await page.getByRole('button', { name: 'Lưu đoàn viên' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		await expect.poll(() => page.getByTestId('sync-pending').textContent()).toBe('1');
		await check(page, 'profile, offline with a change waiting');
		await context.setOffline(false);
	});
});

describe('the server’s own answer for a missing file', () => {
	it('is Vietnamese', async () => {
		const res = await server.request('/_app/immutable/khong-co.js');
		expect(res.status).toBe(404);
		const body = await res.text();
		expect(body).toContain('Không tìm thấy');
		expect(body).not.toMatch(/Cannot GET|Not Found/i);
	});
});

/** The drafts the device keeps (settings `draft:*` in IndexedDB), as one text to search. */
function storedDrafts(page: Page): Promise<string> {
	return page.evaluate(
		() =>
			new Promise<string>((resolve, reject) => {
				const open = indexedDB.open('doanvu');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('settings').objectStore('settings').getAll();
					request.onsuccess = () =>
						resolve(
							JSON.stringify(
								(request.result as { key: string }[]).filter((row) => row.key.startsWith('draft:'))
							)
						);
					request.onerror = () => reject(request.error);
				};
			})
	);
}
