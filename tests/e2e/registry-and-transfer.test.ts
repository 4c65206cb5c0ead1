import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import { launchBrowser, phoneContext, signInSynced } from '../support/browser';
import { ensureBuilt } from '../support/build';
import { typedDate, vietnamToday } from '../support/clock';

// The member operations that need the server (docs/architecture.md, "Member operations across
// units"), in Chromium against the real server: the national citizen-id registry seen from an
// admission (online: refused on the field; offline: recorded, then refused at sync and shown on
// the profile), a decision number from the unit's register, and a transfer between two communes
// carried by the server's worker. Each part runs once the server offers its piece (the registry
// endpoint, the transfer worker) and is skipped before.

let server: TestServer;
let browser: Browser;
let thanhSon: { unit: { id: string; db: string }; login: string; password: string };
let thucLuyen: { unit: { id: string; db: string }; login: string; password: string };
let hasRegistry = false;
let hasTransfers = false;

const MEMBER = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y';
const KEY = MEMBER.slice('member:'.length);
const CITIZEN_ID = '025304001234';
const now = new Date();
// Dates as Vietnam's, from the tests' clock: the app runs in Asia/Ho_Chi_Minh whatever the machine's
// zone, and between 17:00 and 24:00 UTC its "today" is the machine's tomorrow.
const todayIso = vietnamToday();
const today = typedDate(todayIso);

beforeAll(async () => {
	ensureBuilt();
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	thanhSon = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	thucLuyen = await server.createUnitWithAccount({
		name: 'Đoàn xã Thục Luyện',
		parentId: top.unit.id
	});
	const at = now.toISOString();
	await server.couch.putDoc({
		db: thucLuyen.unit.db,
		doc: {
			_id: 'branch:thucluyen1',
			type: 'branch',
			v: 1,
			unitId: thucLuyen.unit.id,
			name: 'Chi đoàn thôn 1',
			createdAt: at,
			createdBy: 'test',
			updatedAt: at,
			updatedBy: 'test'
		}
	});
	// A member of Thanh Sơn, written through the proxy as a phone would (so the registry knows it).
	const { cookie } = await server.signIn(thanhSon);
	await server.remoteDb({ db: thanhSon.unit.db, cookie }).put({
		_id: MEMBER,
		type: 'member',
		v: 2,
		unitId: thanhSon.unit.id,
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		citizenId: CITIZEN_ID,
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2020-03-26',
		partyMember: false,
		status: 'active',
		duesCategory: 'khong-luong',
		duesPaidThrough: todayIso.slice(0, 7),
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: at,
		createdBy: thanhSon.login,
		updatedAt: at,
		updatedBy: thanhSon.login
	});
	hasRegistry =
		(await server.request(`/api/registry/check?citizenId=${CITIZEN_ID}`, { cookie })).status !==
		404;
	hasTransfers = !!(server as unknown as { workers?: { transfers?: unknown } }).workers?.transfers;
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.close();
});

async function phone(account: { login: string; password: string }): Promise<Page> {
	const context = await phoneContext(browser);
	const page = await context.newPage();
	await signInSynced(page, { url: server.url, account });
	return page;
}

async function fillAdmission(page: Page) {
	await page.goto(`${server.url}/doan-vien/ket-nap`);
	await page.getByLabel('Họ', { exact: true }).fill('Hà');
	await page.getByLabel('Tên đệm').fill('Thị');
	await page.getByLabel('Tên', { exact: true }).fill('Hoa');
	await page.getByLabel('Giới tính').selectOption('female');
	await page.getByLabel('Ngày sinh').fill('08/03/2004');
	await page.getByLabel('Số định danh cá nhân (CCCD)').fill(CITIZEN_ID);
	await page.getByLabel('Dân tộc').selectOption('01');
	await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
	await page.getByLabel('Giáo dục phổ thông').fill('12/12');
	await page.getByLabel('Ngày nộp đơn xin vào Đoàn').fill(today);
	await page.getByLabel('Ngày học xong lớp tìm hiểu Điều lệ Đoàn').fill(today);
	await page.getByLabel('Tên tổ chức giới thiệu').fill('Chi hội thanh niên thôn 1');
	await page.getByLabel('Số đoàn viên có mặt').fill('10');
	await page.getByLabel('Số đoàn viên tán thành').fill('9');
	await page.getByLabel('Ngày quyết định').fill(today);
	await page.getByLabel('Người ký quyết định').fill('Nguyễn Văn Bình');
}

describe('with the server’s pieces', () => {
	it('an admission of a person active elsewhere: refused online, refused at sync offline', async (context) => {
		if (!hasRegistry) context.skip();
		const page = await phone(thucLuyen);
		await fillAdmission(page);
		// A number from the unit's register while online (or, before the server keeps registers,
		// the request to type it).
		await page.getByRole('button', { name: 'Lấy số tự động' }).click();
		const note = page.getByTestId('number-note');
		await expect.poll(() => note.textContent()).toMatch(/Đã lấy số 01-QĐ\/ĐTN|nhập tay/);
		if ((await note.textContent())?.includes('nhập tay')) {
			await page.getByLabel('Số quyết định').fill('01-QĐ/ĐTN');
		}
		await page.getByRole('button', { name: 'Ghi kết nạp' }).click();
		await expect
			.poll(() => page.getByTestId('form-errors').textContent())
			.toContain('đang là đoàn viên sinh hoạt tại Đoàn xã Thanh Sơn');

		// Offline the registry cannot be asked: recorded, then refused when it syncs.
		await page.context().setOffline(true);
		await page.getByRole('button', { name: 'Ghi kết nạp' }).click();
		const done = page.getByTestId('operation-done');
		await expect.poll(() => done.textContent()).toContain('máy chủ sẽ kiểm tra lại');
		await done.getByRole('link', { name: 'Mở hồ sơ' }).click();
		await page.context().setOffline(false);
		await expect
			.poll(() => page.getByTestId('refused-banner').textContent(), { timeout: 30_000 })
			.toContain('Máy chủ từ chối: Số CCCD này đang sinh hoạt tại Đoàn xã Thanh Sơn');
		await page.context().close();
	});

	it('a transfer: requested in Thanh Sơn, accepted in Thục Luyện, the record leaves Thanh Sơn', async (context) => {
		if (!hasTransfers) context.skip();
		const sending = await phone(thanhSon);
		const receiving = await phone(thucLuyen);

		await sending.goto(`${server.url}/doan-vien/${KEY}`);
		await sending.getByRole('link', { name: 'Chuyển sinh hoạt đến đơn vị khác' }).click();
		await sending.getByLabel('Đơn vị chuyển đến').fill('Thục Luyện');
		await sending.getByRole('button', { name: 'Tìm' }).click();
		await sending.getByRole('button', { name: /Đoàn xã Thục Luyện/ }).click();
		await sending.getByLabel('Lý do chuyển').fill('Chuyển nơi ở');
		await sending.getByLabel('Nhận xét của chi đoàn').fill('Hoàn thành tốt nhiệm vụ.');
		await sending.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await sending.waitForURL(`**/doan-vien/${KEY}`);
		await expect
			.poll(() => sending.getByTestId('timeline').textContent())
			.toContain('Đề nghị chuyển sinh hoạt');

		await receiving.goto(`${server.url}/nghiep-vu/chuyen-sinh-hoat`);
		const offers = receiving.getByTestId('incoming-offers');
		await expect.poll(() => offers.textContent(), { timeout: 30_000 }).toContain('Hà Thị Hoa');
		await offers.getByRole('button', { name: 'Tiếp nhận' }).click();
		await offers.getByLabel('Chi đoàn tiếp nhận').selectOption('branch:thucluyen1');
		await offers.getByRole('button', { name: 'Tiếp nhận' }).click();
		await expect.poll(() => offers.textContent()).toContain('Đơn vị nhận đã tiếp nhận');

		await receiving.goto(`${server.url}/doan-vien/${KEY}`);
		await expect
			.poll(() => receiving.getByTestId('timeline').textContent(), { timeout: 30_000 })
			.toContain('Nhận chuyển sinh hoạt đến');
		await sending.goto(`${server.url}/nghiep-vu/chuyen-sinh-hoat`);
		await expect
			.poll(() => sending.getByTestId('outgoing-transfers').textContent(), { timeout: 30_000 })
			.toContain('Đơn vị nhận đã tiếp nhận');
		await sending.goto(`${server.url}/doan-vien`);
		await expect
			.poll(() => sending.getByTestId('member-item').count(), { timeout: 30_000 })
			.toBe(0);
		await sending.context().close();
		await receiving.context().close();
	});
});
