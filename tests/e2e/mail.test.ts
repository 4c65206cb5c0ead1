import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import { TEST_WORKERS } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { cspViolations, expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { pdfBytes, sha256 } from '../support/attachment-fixture';
import { addDays, todayIso } from '../../src/lib/domain/dates';

// Issue #15 on two phones at 360 px with the real post office and file store: the province sends a
// directive (numbered from its register, with a PDF) and a meeting invitation to a commune; the
// commune's secretary, offline, has nothing; online, she finds both unread, with the count in the
// header; she opens the directive and its PDF and presses "Đã nhận", then with no signal opens it
// and its PDF again and answers the invitation "Tham dự"; back online, the province's sent table shows the directive opened and acknowledged,
// and the invitation answered "Tham dự"; her reply to the directive reaches the province's inbox and
// thread, and its table says "đã trả lời".

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: { id: string; db: string };
let secretary: { login: string; password: string };
let province: { login: string; password: string };

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite({ workers: { ...TEST_WORKERS } }));
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

async function progressOf(page: Page): Promise<string | null> {
	const row = page.locator(`[data-unit="${commune.id}"]`);
	return (await row.count()) === 0 ? null : row.getAttribute('data-progress');
}

/** The bytes the phone keeps for a file (Cache Storage), hashed in the page; null when not kept. */
async function keptHash(page: Page, id: string): Promise<string | null> {
	return page.evaluate(async (fileId) => {
		const cache = await caches.open('doanvu-attachments');
		const hit = await cache.match(new URL(`/api/attachments/${fileId}`, location.origin).href);
		if (!hit) return null;
		const digest = await crypto.subtle.digest('SHA-256', await hit.arrayBuffer());
		return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
	}, id);
}

async function noOverflow(page: Page): Promise<void> {
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

describe('a directive and a meeting invitation from the province to a commune', () => {
	it('arrive, are opened, acknowledged and answered, with the commune offline in between', async () => {
		const provinceContext = await phoneContext(browser);
		const communeContext = await phoneContext(browser);
		const provincePage = await provinceContext.newPage();
		const communePage = await communeContext.newPage();
		await signInSynced(communePage, { url: link.url, account: secretary });
		await signInSynced(provincePage, { url: link.url, account: province, landing: '/tong-quan' });
		// The commune loses its signal before anything is sent.
		await communeContext.setOffline(true);

		// The directive, its number from the province's register.
		await provincePage.getByTestId('mail-link').click();
		await provincePage.waitForURL('**/hop-thu');
		await provincePage.getByTestId('compose-mail').click();
		await provincePage.waitForURL('**/hop-thu/soan');
		await provincePage.getByLabel('Văn bản chỉ đạo').check();
		const choice = provincePage.getByRole('checkbox', { name: 'Đoàn xã Thanh Sơn' });
		await expect.poll(() => choice.count(), { timeout: 30_000 }).toBe(1);
		await choice.check();
		await provincePage.getByLabel('Tiêu đề').fill('Tổng kết công tác Đoàn năm 2026');
		await provincePage.getByLabel('Loại văn bản').selectOption('CV');
		const number = provincePage.getByLabel('Số văn bản');
		await expect.poll(() => number.inputValue(), { timeout: 30_000 }).toMatch(/^\d{2}-CV\/TĐTN$/);
		const directiveNumber = await number.inputValue();
		await provincePage
			.getByLabel('Trích yếu')
			.fill('V/v tổng kết công tác Đoàn và phong trào thanh niên');
		// The directive's scan, uploaded as soon as it is chosen.
		const pdf = pdfBytes(300_000);
		await provincePage.getByTestId('attachment-input').setInputFiles({
			name: 'Công văn 15-CV.pdf',
			mimeType: 'application/pdf',
			buffer: pdf
		});
		await expect
			.poll(() => provincePage.getByTestId('attachment-row').textContent(), { timeout: 30_000 })
			.toContain('Công văn 15-CV.pdf');
		await noOverflow(provincePage);
		await provincePage.getByTestId('send-mail').click();
		await provincePage.waitForURL(/\/hop-thu\/gui\/[0-9A-Z]{26}$/);
		const directiveUrl = provincePage.url();
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('delivered');

		// The meeting invitation, tomorrow at 08:00 in Vietnam.
		const tomorrow = addDays({ date: todayIso(), days: 1 });
		await provincePage.goto(`${link.url}/hop-thu/soan`);
		await provincePage.getByLabel('Giấy mời họp').check();
		await provincePage.getByRole('checkbox', { name: 'Đoàn xã Thanh Sơn' }).check();
		await provincePage.getByLabel('Tiêu đề').fill('Họp triển khai nhiệm vụ năm 2027');
		await provincePage.getByLabel('Ngày họp').fill(tomorrow);
		await provincePage.getByLabel('Giờ họp').fill('08:00');
		await provincePage.getByLabel('Địa điểm', { exact: true }).fill('Hội trường Tỉnh đoàn');
		await noOverflow(provincePage);
		await provincePage.getByTestId('send-mail').click();
		await provincePage.waitForURL(/\/hop-thu\/gui\/[0-9A-Z]{26}$/);
		const meetingUrl = provincePage.url();
		expect(meetingUrl).not.toBe(directiveUrl);
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('delivered');

		// The commune, offline, has nothing.
		expect(await communePage.getByTestId('mail-unread').count()).toBe(0);
		expect(await communePage.getByTestId('mail-card').count()).toBe(0);

		// Online: both unread, the count in the header on every screen, the meeting on top.
		await communeContext.setOffline(false);
		const unread = communePage.getByTestId('mail-unread');
		await expect.poll(() => unread.textContent(), { timeout: 30_000 }).toBe('2');
		expect(await communePage.getByTestId('mail-link').getAttribute('aria-label')).toBe(
			'Hộp thư: 2 thư chưa đọc'
		);
		await expect
			.poll(() => communePage.getByTestId('mail-card').textContent())
			.toContain('2 thư chưa đọc');
		const box = await communePage.getByTestId('mail-link').boundingBox();
		expect(box!.height).toBeGreaterThanOrEqual(44);
		expect(box!.width).toBeGreaterThanOrEqual(44);
		await communePage.getByTestId('mail-link').click();
		await communePage.waitForURL('**/hop-thu');
		const items = communePage.locator('[data-testid="inbox"] a');
		await expect.poll(() => items.count()).toBe(2);
		expect(await communePage.locator('[data-testid="inbox"] a[data-unread="true"]').count()).toBe(
			2
		);
		expect(await communePage.getByTestId('meeting-banner').textContent()).toContain(
			'Họp lúc 08:00 ngày mai'
		);
		await noOverflow(communePage);
		// Received on her device: the province sees it.
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('received');

		// She opens the directive and acknowledges it.
		await communePage.getByTestId('tab-directive').click();
		expect(await items.count()).toBe(1);
		await items.first().click();
		await communePage.waitForURL(/\/hop-thu\/[a-z0-9]+\.[0-9A-Z]{26}$/);
		const directivePage = communePage.url();
		await expect
			.poll(() => communePage.getByTestId('directive-number').textContent())
			.toBe(directiveNumber);
		await communePage.getByTestId('acknowledge').click();
		await expect
			.poll(() => communePage.getByTestId('acknowledged').textContent())
			.toContain(secretary.login);
		await expect.poll(() => unread.textContent()).toBe('1');
		// Its PDF: fetched when opened, the very bytes the province sent, then kept on the phone.
		const file = communePage.getByTestId('attachment');
		expect(await file.textContent()).toContain('Công văn 15-CV.pdf');
		expect(await file.getAttribute('data-kept')).toBe('false');
		await communePage.getByTestId('attachment-open').click();
		const fileLink = communePage.getByTestId('attachment-link');
		await expect.poll(() => fileLink.getAttribute('href'), { timeout: 30_000 }).toMatch(/^blob:/);
		expect(await fileLink.getAttribute('data-from-cache')).toBe('false');
		expect(await keptHash(communePage, sha256(pdf))).toBe(sha256(pdf));
		await expectSyncLabel(communePage, 'Đã đồng bộ');

		// No signal: the directive opens again, and she answers the invitation.
		await communeContext.setOffline(true);
		await communePage.goto(directivePage);
		await expect
			.poll(() => communePage.getByTestId('directive-number').textContent(), { timeout: 30_000 })
			.toBe(directiveNumber);
		// …and its PDF opens from the phone's copy.
		await expect.poll(() => file.getAttribute('data-kept')).toBe('true');
		await communePage.getByTestId('attachment-open').click();
		await expect.poll(() => fileLink.getAttribute('href')).toMatch(/^blob:/);
		expect(await fileLink.getAttribute('data-from-cache')).toBe('true');
		await communePage.goto(`${link.url}/hop-thu`);
		await communePage.getByTestId('tab-meeting').click();
		await items.first().click();
		await communePage.getByLabel('Tham dự').check();
		await communePage.getByTestId('send-answer').click();
		await expect
			.poll(() => communePage.getByTestId('meeting-answer').textContent())
			.toContain('Tham dự');
		await noOverflow(communePage);

		// Back online: the province's sent table says so.
		await communeContext.setOffline(false);
		await expectSyncLabel(communePage, 'Đã đồng bộ', { timeout: 30_000 });
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('answered');
		const meetingRow = provincePage.locator(`[data-unit="${commune.id}"]`);
		expect(await meetingRow.getByTestId('answer').textContent()).toBe('Tham dự');
		expect(await meetingRow.getByTestId('opened').textContent()).toContain(secretary.login);

		await provincePage.goto(directiveUrl);
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('acknowledged');
		const directiveRow = provincePage.locator(`[data-unit="${commune.id}"]`);
		expect(await directiveRow.getByTestId('opened').textContent()).toContain('Đã mở');
		expect(await directiveRow.getByTestId('acknowledged').textContent()).toContain('Đã xác nhận');
		// Nobody is left without opening or acknowledging it.
		await provincePage.getByTestId('filter-unacknowledged').click();
		expect(await provincePage.locator('[data-testid="recipients"] li').count()).toBe(0);
		await provincePage.getByTestId('filter-unanswered').click();
		expect(await provincePage.getByTestId('remind-units').getAttribute('href')).toBe(
			`/tong-quan/don-doc?units=${commune.id}`
		);
		await noOverflow(provincePage);

		// She replies to the directive: the province finds the reply in its inbox, in the thread,
		// and the commune "đã trả lời" in its table.
		await communePage.goto(directivePage);
		await communePage.getByTestId('reply').click();
		await communePage.waitForURL('**/hop-thu/soan?reply=*');
		await expect
			.poll(() => communePage.getByLabel('Tiêu đề').inputValue())
			.toBe('Trả lời: Tổng kết công tác Đoàn năm 2026');
		await communePage.getByLabel('Nội dung').fill('Đoàn xã đã triển khai đến các chi đoàn.');
		await communePage.getByTestId('send-mail').click();
		await communePage.waitForURL(/\/hop-thu\/gui\/[0-9A-Z]{26}$/);
		expect(await communePage.getByTestId('mail-thread').textContent()).toContain(
			'Tổng kết công tác Đoàn năm 2026'
		);
		await provincePage.goto(directiveUrl);
		await expect.poll(() => progressOf(provincePage), { timeout: 30_000 }).toBe('replied');
		await expect
			.poll(() => provincePage.getByTestId('mail-thread').textContent(), { timeout: 30_000 })
			.toContain('Trả lời: Tổng kết công tác Đoàn năm 2026');
		await expect.poll(() => provincePage.getByTestId('mail-unread').textContent()).toBe('1');

		// Nothing on either phone broke the page's security policy (the files are opened as blobs).
		expect(cspViolations(communeContext)).toEqual([]);
		expect(cspViolations(provinceContext)).toEqual([]);
		await communeContext.close();
		await provinceContext.close();
	});
});
