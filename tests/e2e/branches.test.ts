import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import {
	changeTemporaryPassword,
	expectSyncLabel,
	phoneContext,
	signIn,
	waitForServiceWorker
} from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';

// A real unit's chi đoàn, from nothing: on a fresh server the province is set up, founds a commune
// and issues its secretary's account; the secretary, with no signal, founds two chi đoàn, admits
// members into them, moves one, cannot close a branch that still has members, merges the two and
// renames the merged one; the signal returns, the server holds it all, her second phone shows the
// same branches and counts, and the unit's viewer reads them with no action offered. Every date typed is fixed and in the past whatever today is; the
// dates the app fills in are the phone's (Vietnam's) own.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;

const SECRETARY = { login: 'bithu.thanhson', password: 'lan-thanh-son-2026' };
const VIEWER = { login: 'xem.thanhson', password: 'xem-thanh-son-2026' };
const DONG_TAM = 'Chi đoàn thôn Đồng Tâm';
const XUAN_THUY = 'Chi đoàn thôn Xuân Thủy';
const MERGED_NAME = 'Chi đoàn thôn Đồng Tâm – Xuân Thủy';

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
});

afterAll(() => closeBrowserSite({ browser, link, server }));

/** The first run, the commune, its secretary's and a viewer's accounts; their temporary passwords. */
async function setUpProvince(
	context: BrowserContext
): Promise<{ secretary: string; viewer: string }> {
	const page = await context.newPage();
	await page.goto(`${link.url}/doan-vien`);
	await page.waitForURL('**/khoi-tao');
	await page.getByLabel('Tên đơn vị').fill('Tỉnh đoàn Phú Thọ');
	await page.getByLabel('Họ và tên người quản trị').fill('Nguyễn Văn Quản');
	await page.getByLabel('Tên đăng nhập').fill('quantri');
	await page.getByLabel('Mật khẩu', { exact: true }).fill('mat-khau-du-dai');
	await page.getByLabel('Nhập lại mật khẩu').fill('mat-khau-du-dai');
	await page.getByRole('button', { name: 'Khởi tạo' }).click();
	// A province has subordinate units: its administrator lands on the dashboard.
	await page.waitForURL('**/tong-quan');

	await page.getByRole('link', { name: 'Đơn vị' }).click();
	await expect.poll(() => page.getByTestId('unit-title').textContent()).toBe('Tỉnh đoàn Phú Thọ');
	await page.getByLabel('Tên đơn vị mới').fill('Đoàn xã Thanh Sơn');
	await page.getByLabel('Loại đơn vị').selectOption('doan-xa');
	await page.getByRole('button', { name: 'Thành lập' }).click();
	const child = page.getByTestId('children').getByRole('link', { name: 'Đoàn xã Thanh Sơn' });
	// Founding creates a database, its security and design document: give the server time.
	await expect.poll(() => child.count(), { timeout: 20_000 }).toBe(1);
	await child.click();
	await expect.poll(() => page.getByTestId('unit-title').textContent()).toBe('Đoàn xã Thanh Sơn');
	await page.getByLabel('Họ và tên').fill('Hà Thị Lan');
	await page.getByLabel('Tên đăng nhập').fill(SECRETARY.login);
	await page.getByLabel('Vai trò').selectOption('secretary');
	await page.getByRole('button', { name: 'Cấp tài khoản' }).click();
	const secret = page.getByTestId('temporary-password');
	await expect.poll(() => secret.count(), { timeout: 20_000 }).toBe(1);
	const secretary = (await secret.textContent())!.trim();
	await page.getByLabel('Họ và tên').fill('Trần Văn Xem');
	await page.getByLabel('Tên đăng nhập').fill(VIEWER.login);
	await page.getByLabel('Vai trò').selectOption('viewer');
	await page.getByRole('button', { name: 'Cấp tài khoản' }).click();
	await expect
		.poll(() => page.getByTestId(`account-${VIEWER.login}`).count(), { timeout: 20_000 })
		.toBe(1);
	await expect.poll(async () => (await secret.textContent())!.trim()).not.toBe(secretary);
	return { secretary, viewer: (await secret.textContent())!.trim() };
}

/** First sign-in with a temporary password: the account's own password, then the roster. */
async function firstSignIn(
	page: Page,
	account: { login: string; password: string },
	temporary: string
) {
	await signIn(page, {
		url: link.url,
		account: { login: account.login, password: temporary },
		landing: false
	});
	await changeTemporaryPassword(page, { temporary, password: account.password });
}

async function foundBranch(page: Page, name: string, secretary: string) {
	await page.getByTestId('found-branch').click();
	const form = page.getByTestId('found-branch-form');
	await form.getByLabel('Tên chi đoàn').fill(name);
	await form.getByLabel('Loại chi đoàn').selectOption('khu-dan-cu');
	await form.getByLabel('Bí thư chi đoàn').fill(secretary);
	await form.getByRole('button', { name: 'Thành lập' }).click();
	await expect.poll(() => page.getByTestId('branch-message').textContent()).toContain(name);
}

/** Admits a young person into a branch (fixed past dates: valid whatever today is). */
async function admit(
	page: Page,
	person: { family: string; middle: string; given: string; gender: string; cccd: string },
	branch: string
) {
	await page.goto(`${link.url}/doan-vien/ket-nap`);
	await page.getByLabel('Họ', { exact: true }).fill(person.family);
	await page.getByLabel('Tên đệm').fill(person.middle);
	await page.getByLabel('Tên', { exact: true }).fill(person.given);
	await page.getByLabel('Giới tính').selectOption(person.gender);
	await page.getByLabel('Ngày sinh').fill('14/05/2006');
	await page.getByLabel('Số định danh cá nhân (CCCD)').fill(person.cccd);
	await page.getByLabel('Dân tộc').selectOption('06');
	await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
	await page.getByLabel('Giáo dục phổ thông').fill('12/12');
	await page.getByLabel('Chi đoàn', { exact: true }).selectOption({ label: branch });
	await page.getByLabel('Ngày nộp đơn xin vào Đoàn').fill('05/01/2025');
	await page.getByLabel('Ngày học xong lớp tìm hiểu Điều lệ Đoàn').fill('10/02/2025');
	await page.getByLabel('Tên tổ chức giới thiệu').fill('Chi hội thanh niên thôn');
	await page.getByLabel('Ngày chi đoàn biểu quyết').fill('20/02/2025');
	await page.getByLabel('Số đoàn viên có mặt').fill('12');
	await page.getByLabel('Số đoàn viên tán thành').fill('11');
	await page.getByLabel('Số quyết định').fill('05-QĐ/ĐTN');
	await page.getByLabel('Ngày quyết định').fill('25/02/2025');
	await page.getByLabel('Người ký quyết định').fill('Hà Thị Lan');
	await page.getByRole('button', { name: 'Ghi kết nạp' }).click();
	const done = page.getByTestId('operation-done');
	await expect.poll(() => done.textContent()).toContain('máy chủ sẽ kiểm tra lại');
}

async function openBranch(page: Page, name: string) {
	await page.goto(`${link.url}/chi-doan`);
	await page
		.getByTestId('branch-row')
		.filter({ has: page.locator('.name').getByText(name, { exact: true }) })
		.click();
	await expect.poll(() => page.getByTestId('branch-name').textContent()).toBe(name);
}

/** "name: n đoàn viên" for each row of /chi-doan, in order. */
async function branchCounts(page: Page): Promise<string[]> {
	return page
		.getByTestId('branch-row')
		.evaluateAll((rows) =>
			rows.map(
				(row) =>
					`${row.querySelector('.name')?.textContent?.trim()}: ${row.querySelector('.count')?.textContent?.trim()}`
			)
		);
}

/** The roster filter's branch options, as labelled. */
async function filterOptions(page: Page): Promise<string[]> {
	await page.goto(`${link.url}/doan-vien`);
	await page.getByRole('button', { name: /^Lọc/ }).click();
	return page
		.getByLabel('Chi đoàn', { exact: true })
		.locator('option')
		.evaluateAll((options) => options.map((o) => o.textContent?.trim() ?? ''));
}

describe('chi đoàn in the app', () => {
	it('founded, filled, moved, merged and renamed offline on a fresh server; a second phone sees the same', async () => {
		const adminPhone = await phoneContext(browser);
		const temporary = await setUpProvince(adminPhone);
		await adminPhone.close();

		// The secretary's phone: first sign-in, her own password, the (empty) unit synced.
		const phone = await phoneContext(browser);
		const page = await phone.newPage();
		await firstSignIn(page, SECRETARY, temporary.secretary);
		await waitForServiceWorker(page);
		await expectSyncLabel(page, 'Đã đồng bộ', { timeout: 30_000 });

		// No signal from here.
		link.cut();
		await phone.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');

		// Two chi đoàn, from the operations page.
		await page.getByRole('link', { name: 'Nghiệp vụ', exact: true }).click();
		await page.getByTestId('branches-tile').click();
		await page.waitForURL('**/chi-doan');
		await foundBranch(page, DONG_TAM, 'Lò Văn Minh');
		await foundBranch(page, XUAN_THUY, 'Đinh Thị Mai');
		// The same name twice is refused on its field.
		await page.getByTestId('found-branch').click();
		await page
			.getByTestId('found-branch-form')
			.getByLabel('Tên chi đoàn')
			.fill('chi doan thon dong tam');
		await page.getByTestId('found-branch-form').getByLabel('Loại chi đoàn').selectOption('khac');
		await page.getByTestId('found-branch-submit').click();
		await expect
			.poll(() => page.getByTestId('form-errors').textContent())
			.toContain(`Đơn vị đã có chi đoàn tên "${DONG_TAM}".`);
		await page.getByRole('button', { name: 'Hủy' }).click();
		await expect
			.poll(() => branchCounts(page))
			.toEqual([`${DONG_TAM}: 0 đoàn viên`, `${XUAN_THUY}: 0 đoàn viên`]);

		// Three admissions into them.
		await admit(
			page,
			{ family: 'Đinh', middle: 'Thị', given: 'Hoà', gender: 'female', cccd: '025306012345' },
			DONG_TAM
		);
		await admit(
			page,
			{ family: 'Lò', middle: 'Văn', given: 'Sơn', gender: 'male', cccd: '025206054321' },
			DONG_TAM
		);
		await admit(
			page,
			{ family: 'Hà', middle: 'Thị', given: 'Yến', gender: 'female', cccd: '025306067890' },
			XUAN_THUY
		);

		// One moves to the other branch, from her profile.
		await page.goto(`${link.url}/doan-vien`);
		await page.getByTestId('member-item').filter({ hasText: 'Lò Văn Sơn' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		const profile = page.url();
		await page.getByRole('link', { name: 'Chuyển chi đoàn' }).click();
		await page.getByLabel('Chi đoàn chuyển đến').selectOption({ label: XUAN_THUY });
		await page.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await page.waitForURL(profile);

		await page.goto(`${link.url}/chi-doan`);
		await expect
			.poll(() => branchCounts(page))
			.toEqual([`${DONG_TAM}: 1 đoàn viên`, `${XUAN_THUY}: 2 đoàn viên`]);
		expect(await filterOptions(page)).toEqual([
			'Tất cả chi đoàn',
			`${DONG_TAM} (1)`,
			`${XUAN_THUY} (2)`
		]);

		// A branch with members cannot be closed: the refusal says how many.
		await openBranch(page, DONG_TAM);
		await page.getByTestId('close-branch').click();
		await page.getByRole('dialog').getByRole('button', { name: 'Giải thể' }).click();
		await expect
			.poll(() => page.getByTestId('close-error').textContent())
			.toContain(`Không thể giải thể chi đoàn ${DONG_TAM}: chi đoàn còn 1 đoàn viên.`);

		// Xuân Thủy merges into Đồng Tâm, confirmed: both of its members move.
		await openBranch(page, XUAN_THUY);
		await page.getByTestId('merge-branch').click();
		await page.getByLabel('Hợp nhất vào chi đoàn').selectOption({ label: DONG_TAM });
		await page.getByTestId('merge-branch-submit').click();
		const confirm = page.getByRole('dialog');
		await expect.poll(() => confirm.textContent()).toContain('2 đoàn viên');
		await confirm.getByRole('button', { name: 'Hợp nhất' }).click();
		await expect
			.poll(() => page.getByTestId('branch-message').textContent())
			.toContain('Đã hợp nhất: 2 đoàn viên');
		await expect
			.poll(() => page.getByTestId('branch-status').textContent())
			.toContain(`Đã hợp nhất vào ${DONG_TAM}`);

		// The merged branch takes a new name; the old one is kept.
		await openBranch(page, DONG_TAM);
		await page.getByTestId('edit-branch').click();
		await page.getByTestId('edit-branch-form').getByLabel('Tên chi đoàn').fill(MERGED_NAME);
		await page.getByTestId('edit-branch-submit').click();
		await expect.poll(() => page.getByTestId('branch-name').textContent()).toBe(MERGED_NAME);
		await expect.poll(() => page.getByTestId('name-history').textContent()).toContain(DONG_TAM);
		await expect
			.poll(() => page.getByTestId('branch-members-count').textContent())
			.toBe('3 đoàn viên');

		await page.goto(`${link.url}/chi-doan`);
		await expect
			.poll(() => branchCounts(page))
			.toEqual([`${MERGED_NAME}: 3 đoàn viên`, `${XUAN_THUY}: 0 đoàn viên`]);

		// The moved member's history: her move, then the merge's move, one entry each.
		await page.goto(profile);
		await expect
			.poll(() =>
				page
					.getByTestId('timeline-item')
					.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')))
			)
			.toEqual(['branch-move', 'branch-move', 'admission']);

		// The signal returns: everything goes up.
		link.restore();
		await phone.setOffline(false);
		await expectSyncLabel(page, 'Đã đồng bộ', { timeout: 30_000 });
		const db = (await server.provision.listUnits()).find((u) => u.name === 'Đoàn xã Thanh Sơn')!.db;
		const { cookie } = await server.signIn(SECRETARY);
		await expect
			.poll(async () => {
				const all = await server.request(`/couch/${db}/_all_docs?include_docs=true`, { cookie });
				const rows = ((await all.json()) as { rows: { doc: Record<string, unknown> }[] }).rows;
				const docs = rows.map((row) => row.doc);
				const branches = docs.filter((doc) => doc.type === 'branch');
				const members = docs.filter((doc) => doc.type === 'member');
				const moves = docs.filter((doc) => doc.type === 'history' && doc.kind === 'branch-move');
				const kept = branches.find((b) => b.status === 'active');
				return {
					branches: branches
						.map((b) => `${String(b.name)}: ${String(b.status)}`)
						.sort((x, y) => x.localeCompare(y, 'vi')),
					membersInKept: members.filter((m) => m.branchId === kept?._id).length,
					moves: moves.length
				};
			})
			.toEqual({
				branches: [`${MERGED_NAME}: active`, `${XUAN_THUY}: merged`],
				membersInKept: 3,
				moves: 3
			});
		await phone.close();

		// Her second phone, signed in afresh, shows the same.
		const second = await phoneContext(browser);
		const other = await second.newPage();
		await signIn(other, { url: link.url, account: SECRETARY });
		await expectSyncLabel(other, 'Đã đồng bộ', { timeout: 30_000 });
		await other.goto(`${link.url}/chi-doan`);
		await expect
			.poll(() => branchCounts(other))
			.toEqual([`${MERGED_NAME}: 3 đoàn viên`, `${XUAN_THUY}: 0 đoàn viên`]);
		expect(await filterOptions(other)).toEqual(['Tất cả chi đoàn', `${MERGED_NAME} (3)`]);
		// The unit's page counts them too.
		await other.getByRole('link', { name: 'Đơn vị' }).click();
		await expect
			.poll(() => other.getByTestId('unit-branches').innerText(), { timeout: 20_000 })
			.toMatch(new RegExp(`${MERGED_NAME}\\s+3\\s+Tổng số đoàn viên đang sinh hoạt\\s+3`));
		await openBranch(other, XUAN_THUY);
		await expect
			.poll(() => other.getByTestId('branch-status').textContent())
			.toContain(`Đã hợp nhất vào ${MERGED_NAME}`);
		await second.close();

		// A viewer reads the branches and counts but is offered nothing to change.
		const viewerPhone = await phoneContext(browser);
		const viewer = await viewerPhone.newPage();
		await firstSignIn(viewer, VIEWER, temporary.viewer);
		await expectSyncLabel(viewer, 'Đã đồng bộ', { timeout: 30_000 });
		await viewer.goto(`${link.url}/chi-doan`);
		await expect
			.poll(() => branchCounts(viewer))
			.toEqual([`${MERGED_NAME}: 3 đoàn viên`, `${XUAN_THUY}: 0 đoàn viên`]);
		expect(await viewer.getByTestId('found-branch').count()).toBe(0);
		await openBranch(viewer, MERGED_NAME);
		await expect.poll(() => viewer.getByTestId('branch-members').locator('li').count()).toBe(3);
		for (const action of ['edit-branch', 'merge-branch', 'close-branch']) {
			expect(await viewer.getByTestId(action).count()).toBe(0);
		}
		await viewerPhone.close();
	});
});
