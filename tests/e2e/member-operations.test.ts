import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { shiftDate, typedDate, vietnamToday } from '../support/clock';

// A secretary's day of member operations with no signal, in Chromium on the built app served by
// the real server: she admits a young person, moves the new member to another branch, rates the
// member (undoing a wrong grade), prints the admission decision, and holds a coming-of-age
// ceremony for a member past 30 — all offline — then the signal returns and the server holds
// every member document and history entry.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };

// Dates as Vietnam's, from the tests' clock: the app runs in Asia/Ho_Chi_Minh whatever the machine's
// zone, and between 17:00 and 24:00 UTC its "today" is the machine's tomorrow.
const today = vietnamToday();
/** A member whose 30th birthday was two months ago: the ceremony is due. */
const thirtyAndMore = shiftDate({ date: today, years: -30, months: -2 });

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thanh Sơn' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	const at = new Date().toISOString();
	const base = { type: 'branch', v: 1, unitId: unit.id, createdAt: at, createdBy: 'test' };
	for (const branch of [
		{ _id: 'branch:khu3', name: 'Chi đoàn khu 3' },
		{ _id: 'branch:khu5', name: 'Chi đoàn khu 5' }
	]) {
		await server.couch.putDoc({
			db: unit.db,
			doc: { ...base, ...branch, updatedAt: at, updatedBy: 'test' }
		});
	}
	await server.couch.putDoc({
		db: unit.db,
		doc: {
			_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
			type: 'member',
			v: 2,
			unitId: unit.id,
			familyName: 'Hà',
			middleName: 'Văn',
			givenName: 'Thắng',
			gender: 'male',
			birthDate: thirtyAndMore,
			ethnicCode: '06',
			religion: 'Không',
			nationality: 'Việt Nam',
			joinedOn: '2012-03-26',
			branchId: 'branch:khu3',
			partyMember: false,
			status: 'active',
			provenance: { source: 'unit' },
			fieldRevs: {},
			createdAt: at,
			createdBy: 'test',
			updatedAt: at,
			updatedBy: 'test'
		}
	});
});

afterAll(() => closeBrowserSite({ browser, link, server }));

async function signInReady(page: Page) {
	await signInSynced(page, { url: link.url, account: secretary, start: '/' });
	await expect
		.poll(() => page.getByTestId('member-item').locator('.name').allTextContents())
		.toEqual(['Hà Văn Thắng']);
}

const timelineKinds = (page: Page) =>
	page
		.getByTestId('timeline-item')
		.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));

describe('member operations offline', () => {
	it('admission, branch move, rating and a coming-of-age ceremony offline, then sync', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInReady(page);

		link.cut();
		await context.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');

		// Admission: the person, the steps, the decision.
		await page.getByTestId('admit-member').click();
		await page.waitForURL('**/doan-vien/ket-nap');
		await page.getByLabel('Họ', { exact: true }).fill('Đinh');
		await page.getByLabel('Tên đệm').fill('Thị');
		await page.getByLabel('Tên', { exact: true }).fill('Hoà');
		await page.getByLabel('Giới tính').selectOption('female');
		await page.getByLabel('Ngày sinh').fill('12/03/2004');
		await page.getByLabel('Số định danh cá nhân (CCCD)').fill('025304012345');
		await page.getByLabel('Dân tộc').selectOption('06');
		await page.getByLabel('Tôn giáo', { exact: true }).fill('Không');
		await page.getByLabel('Giáo dục phổ thông').fill('12/12');
		await page.getByLabel('Chi đoàn', { exact: true }).selectOption('branch:khu3');
		await page.getByLabel('Ngày nộp đơn xin vào Đoàn').fill(typedDate(today));
		await page.getByLabel('Ngày học xong lớp tìm hiểu Điều lệ Đoàn').fill(typedDate(today));
		await page.getByLabel('Tên tổ chức giới thiệu').fill('Chi hội thanh niên khu 3');
		await page.getByLabel('Số đoàn viên có mặt').fill('12');
		// Too few votes in favour: refused on the field, nothing recorded.
		await page.getByLabel('Số đoàn viên tán thành').fill('5');
		// No number can be issued offline: the number is typed from the paper register.
		await page.getByRole('button', { name: 'Lấy số tự động' }).click();
		await expect.poll(() => page.getByTestId('number-note').textContent()).toContain('nhập tay');
		await page.getByLabel('Số quyết định').fill('05-QĐ/ĐTN');
		await page.getByLabel('Ngày quyết định').fill(typedDate(today));
		await page.getByLabel('Người ký quyết định').fill('Nguyễn Văn An');
		await page.getByRole('button', { name: 'Ghi kết nạp' }).click();
		await expect.poll(() => page.getByTestId('form-errors').textContent()).toContain('quá nửa');
		await page.getByLabel('Số đoàn viên tán thành').fill('11');
		await page.getByRole('button', { name: 'Ghi kết nạp' }).click();
		// Offline, the national registry could not be asked: recorded, with the server to check.
		const done = page.getByTestId('operation-done');
		await expect.poll(() => done.textContent()).toContain('máy chủ sẽ kiểm tra lại');
		await done.getByRole('link', { name: 'Mở hồ sơ' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		const profile = page.url();
		await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Đinh Thị Hoà');
		await expect.poll(() => timelineKinds(page)).toEqual(['admission']);
		expect(await page.getByTestId('timeline').textContent()).toContain('Quyết định số 05-QĐ/ĐTN');

		// A branch move. Its decision first gets the admission's number again, typed by mistake:
		// flagged on the field before anything is written.
		await page.getByRole('link', { name: 'Chuyển chi đoàn' }).click();
		await page.getByLabel('Chi đoàn chuyển đến').selectOption('branch:khu5');
		const numberField = page.getByLabel('Số quyết định');
		await numberField.fill('05-QĐ/ĐTN');
		await page.getByLabel('Ngày quyết định').fill(typedDate(today));
		await page.getByLabel('Người ký quyết định').fill('Nguyễn Văn An');
		await page.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await expect.poll(() => numberField.getAttribute('aria-invalid')).toBe('true');
		expect(await page.getByRole('alert').allTextContents()).toContain(
			`Số 05-QĐ/ĐTN đã dùng cho văn bản "quyết định ngày ${typedDate(today)}" trong năm; hãy chọn số khác.`
		);
		await numberField.fill('06-QĐ/ĐTN');
		await page.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await page.waitForURL(profile);
		await expect.poll(() => timelineKinds(page)).toEqual(['branch-move', 'admission']);
		await expect.poll(() => page.locator('dd', { hasText: 'Chi đoàn khu 5' }).count()).toBe(1);

		// The annual rating, on the current scale.
		await page.getByRole('link', { name: 'Đánh giá, xếp loại' }).click();
		await page.getByLabel('Mức xếp loại').selectOption({ label: 'Hoàn thành tốt nhiệm vụ' });
		await page.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await page.waitForURL(profile);
		await expect.poll(() => timelineKinds(page)).toEqual(['rating', 'branch-move', 'admission']);
		expect(await page.getByTestId('timeline').textContent()).toContain('Hoàn thành tốt nhiệm vụ');

		// A mistaken grade is undone with a reason and given again: the timeline keeps all three.
		await page
			.locator('[data-testid="timeline-item"][data-kind="rating"]')
			.getByRole('button', { name: 'Hoàn tác' })
			.click();
		const dialog = page.getByRole('dialog');
		await dialog.getByLabel('Lý do hủy').fill('Ghi nhầm mức xếp loại');
		await dialog.getByRole('button', { name: 'Hoàn tác' }).click();
		await expect
			.poll(() => timelineKinds(page))
			.toEqual(['reversal', 'rating', 'branch-move', 'admission']);
		await page.getByRole('link', { name: 'Đánh giá, xếp loại' }).click();
		await page.getByLabel('Mức xếp loại').selectOption({ label: 'Hoàn thành xuất sắc nhiệm vụ' });
		await page.getByRole('button', { name: 'Ghi nghiệp vụ' }).click();
		await page.waitForURL(profile);
		await expect
			.poll(() => timelineKinds(page))
			.toEqual(['rating', 'reversal', 'rating', 'branch-move', 'admission']);

		// The admission's decision prints in the administrative layout, offline.
		await page
			.locator('[data-testid="timeline-item"][data-kind="admission"]')
			.getByRole('link', { name: 'In quyết định' })
			.click();
		const sheet = page.getByTestId('decision-sheet');
		await expect.poll(() => sheet.textContent()).toContain('Số: 05-QĐ/ĐTN');
		expect(await sheet.textContent()).toContain('về việc kết nạp đoàn viên');
		expect(await sheet.textContent()).toContain('Kết nạp đồng chí Đinh Thị Hoà');
		await page.goto(profile);

		// The coming-of-age ceremony, from the unit-wide list, with its confirmation.
		await page.getByRole('link', { name: 'Nghiệp vụ', exact: true }).click();
		await page.getByRole('link', { name: /Trưởng thành Đoàn/ }).click();
		await page.waitForURL('**/nghiep-vu/truong-thanh');
		const due = page.getByTestId('coming-of-age-due');
		await expect.poll(() => due.textContent()).toContain('Hà Văn Thắng');
		await due.getByRole('checkbox').check();
		await page.getByRole('button', { name: 'Ghi trưởng thành cho 1 đoàn viên' }).click();
		await expect
			.poll(() => page.getByTestId('bulk-confirmation').textContent())
			.toContain('Ghi trưởng thành Đoàn cho 1 đoàn viên.');
		await page.getByRole('button', { name: 'Ghi trưởng thành', exact: true }).click();
		await expect
			.poll(() => page.getByTestId('bulk-result').textContent())
			.toContain('Đã ghi trưởng thành Đoàn cho 1 đoàn viên.');
		// The act can be undone as a whole, and its certificates printed.
		const acts = page.getByTestId('bulk-acts');
		await expect.poll(() => acts.getByRole('button', { name: 'Hủy cả đợt' }).count()).toBe(1);
		await expect.poll(() => due.count()).toBe(0);
		await page.getByTestId('bulk-result').getByRole('link', { name: 'In giấy chứng nhận' }).click();
		await expect.poll(() => page.getByText('GIẤY CHỨNG NHẬN', { exact: true }).count()).toBe(1);
		expect(await page.getByText('Đồng chí: HÀ VĂN THẮNG').count()).toBe(1);

		// Nothing has reached the server yet; a reload offline keeps everything.
		expect((await serverDocs()).filter((d) => d.type === 'history')).toHaveLength(0);
		await page.goto(profile);
		await expect
			.poll(() => timelineKinds(page))
			.toEqual(['rating', 'reversal', 'rating', 'branch-move', 'admission']);

		// The signal returns.
		link.restore();
		await context.setOffline(false);
		await expect
			.poll(() => page.getByTestId('sync-pending').count(), { timeout: 30_000 })
			.toBe(0)
			.catch(async (error) => {
				// Say what is stuck: the documents still waiting, and the server's reasons if refused.
				throw new Error(`${error}\nstill waiting: ${JSON.stringify(await outbox(page))}`);
			});
		await expectSyncLabel(page, 'Đã đồng bộ');

		const docs = await serverDocs();
		const hoa = docs.find((d) => d.type === 'member' && d.givenName === 'Hoà');
		expect(hoa).toMatchObject({
			status: 'active',
			branchId: 'branch:khu5',
			joinedOn: today,
			citizenId: '025304012345',
			unitId: unit.id,
			updatedBy: secretary.login
		});
		const thang = docs.find((d) => d._id === 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y');
		expect(thang).toMatchObject({ status: 'matured', statusSince: today });
		const history = docs.filter((d) => d.type === 'history');
		expect(
			history
				.filter((d) => d.memberId === hoa?._id)
				.map((d) => d.kind)
				.sort()
		).toEqual(['admission', 'branch-move', 'rating', 'rating', 'reversal']);
		const ceremony = history.find((d) => d.memberId === thang?._id);
		expect(ceremony).toMatchObject({ kind: 'coming-of-age', at: today });
		expect(typeof ceremony?.bulkId).toBe('string');
		expect(history.find((d) => d.kind === 'admission')).toMatchObject({
			decision: { number: '05-QĐ/ĐTN', signer: 'Nguyễn Văn An' },
			data: { registryChecked: false, vote: { present: 12, inFavour: 11 } }
		});
		await context.close();
	});
});

/** The device's outbox (documents written and not yet accepted by the server). */
function outbox(page: Page): Promise<unknown[]> {
	return page.evaluate(
		() =>
			new Promise<unknown[]>((resolve, reject) => {
				const open = indexedDB.open('doanvu');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('outbox').objectStore('outbox').getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
					request.onerror = () => reject(request.error);
				};
			})
	);
}

interface ServerDoc {
	_id: string;
	type?: string;
	kind?: string;
	memberId?: string;
	givenName?: string;
	[key: string]: unknown;
}

/** Everything in the unit's database, read through the server with a signed-in cookie. */
async function serverDocs(): Promise<ServerDoc[]> {
	const { cookie } = await server.signIn(secretary);
	const res = await server.request(`/couch/${unit.db}/_all_docs?include_docs=true`, { cookie });
	expect(res.status).toBe(200);
	const body = (await res.json()) as { rows: { doc: ServerDoc }[] };
	return body.rows.map((r) => r.doc);
}
