import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneContext } from '../support/browser';
import { closeBrowserSite, startBrowserSite, type BrowserSite } from '../support/browser-site';
import { declarationReviewId } from '../../src/lib/domain/declarations';
import { createJoinLink, submitDeclaration, type JoinLink } from '../support/declaration-fixture';
import { layoutProblems } from '../support/phone-layout';

// The members' public page (/khai/<link>, docs/decisions/0019-self-declarations.md) on a 360 px
// phone, built and served by the real server: what it downloads before the form is usable (60 KB of
// JavaScript, gzip, none of the app's sync engine, PouchDB or Dexie), the form's Vietnamese errors,
// the consent refused when unticked, an unknown link, and a declaration queued without signal that
// survives a reload with no network (the page's own service worker).

const BUDGET = 60 * 1024;
// A well-formed link of a unit and code nobody made.
const LINK = 'tinhdoanpt01-ABCDEFGH12';
// What only the app's data code holds: Dexie's and PouchDB's names, the sync engine's checkpoint.
const APP_DATA_CODE = /Dexie|PouchDB|doanvu-sync-pull/;

let site: BrowserSite;
beforeAll(async () => {
	site = await startBrowserSite();
});
afterAll(async () => {
	await closeBrowserSite(site);
});

/** The form on screen, the join link's check failing as without signal (it must still show). */
async function openForm(context: BrowserContext): Promise<Page> {
	const page = await context.newPage();
	await page.route('**/api/join/**', (route) => route.abort('internetdisconnected'));
	await page.goto(`${site.server.url}/khai/${LINK}`);
	await page.locator('#f-familyName').waitFor();
	return page;
}

function gzipOfBuilt(path: string): number {
	return gzipSync(new Uint8Array(readFileSync(join('build', path)))).length;
}

/** The page's own worker has taken the page (clientsClaim): from here it opens offline. */
async function untilControlled(page: Page) {
	await page.waitForFunction(
		() => navigator.serviceWorker?.controller?.scriptURL.endsWith('/khai/sw.js'),
		null,
		{ timeout: 30_000 }
	);
	await page.waitForLoadState('networkidle');
}

async function fillValid(page: Page) {
	await page.locator('#f-familyName').fill('Nguyễn');
	await page.locator('#f-givenName').fill('Hoa');
	await page.locator('#f-gender').selectOption('female');
	await page.locator('#f-birthDate').fill('05/01/2003');
	await page.locator('#f-ethnicCode').fill('Kinh');
	await page.locator('#f-religion').fill('Không');
	await page.locator('#f-generalEducation').fill('12/12');
}

describe('the declaration page', () => {
	it('is usable with less than 60 KB of JavaScript, none of it the app’s data code', async () => {
		// Measured on the Performance timeline, which a faked clock would empty.
		const context = await phoneContext(site.browser, { realClock: true });
		const page = await openForm(context);
		await page.waitForFunction(() => performance.getEntriesByName('declaration-form-ready').length);
		const scripts = await page.evaluate(() => {
			const ready = performance.getEntriesByName('declaration-form-ready')[0]!.startTime;
			return (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
				.filter((r) => new URL(r.name).pathname.endsWith('.js'))
				.map((r) => ({ path: new URL(r.name).pathname, before: r.startTime <= ready }));
		});
		const before = scripts.filter((s) => s.before);
		const bytes = before.reduce((sum, s) => sum + gzipOfBuilt(s.path), 0);
		expect(before.length).toBeGreaterThan(3);
		expect(bytes, before.map((s) => s.path).join(', ')).toBeLessThan(BUDGET);
		// Everything it loaded, the checks fetched after the form showed included.
		await page.waitForLoadState('networkidle');
		const all = await page.evaluate(() =>
			(performance.getEntriesByType('resource') as PerformanceResourceTiming[])
				.map((r) => new URL(r.name).pathname)
				.filter((path) => path.endsWith('.js'))
		);
		for (const path of all) {
			expect(APP_DATA_CODE.test(readFileSync(join('build', path), 'utf8')), path).toBe(false);
		}
		await context.close();
	});

	it('says in Vietnamese what is wrong, beside each field, and focuses the first', async () => {
		const context = await phoneContext(site.browser);
		const page = await openForm(context);
		await page.locator('#f-familyName').fill('Nguyễn');
		await page.locator('#f-birthDate').fill('31/02/2003');
		await page.getByRole('button', { name: 'Gửi' }).click();
		await expect
			.poll(() => page.locator('#f-givenName-error').textContent())
			.toBe('Tên không được để trống.');
		expect(await page.locator('#f-birthDate-error').textContent()).toContain('không có ngày');
		expect(await page.locator('#f-ethnicCode-error').textContent()).toBe(
			'Dân tộc không được để trống.'
		);
		expect(await page.getByTestId('form-errors').textContent()).toContain('chỗ cần sửa');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-givenName');
		expect(await page.locator('#f-givenName').getAttribute('aria-describedby')).toBe(
			'f-givenName-error'
		);
		await context.close();
	});

	it('fits a 360 px phone with every section open, keeps what she typed, finds "muong" in the list', async () => {
		const context = await phoneContext(site.browser);
		const page = await openForm(context);
		for (const summary of await page.locator('summary').all()) await summary.click();
		await page.locator('#f-ethnicCode').fill('muong');
		const list = page.locator('#f-ethnicCode-list');
		await expect.poll(() => list.getByRole('option').allTextContents()).toEqual(['Mường']);
		await list.getByRole('button', { name: 'Mường' }).click();
		expect(await page.locator('#f-ethnicCode').inputValue()).toBe('Mường');
		expect(await layoutProblems(page)).toEqual([]);

		// Closed before sending: what she typed is there when she opens the link again.
		await page.locator('#f-familyName').fill('Lò');
		await page.locator('#f-birthDate').fill('05/01/2003');
		await page.reload();
		await page.locator('#f-familyName').waitFor();
		expect(await page.locator('#f-familyName').inputValue()).toBe('Lò');
		expect(await page.locator('#f-birthDate').inputValue()).toBe('05/01/2003');
		expect(await page.locator('#f-ethnicCode').inputValue()).toBe('Mường');
		await context.close();
	});

	it('refuses to send without the consent box ticked, with the consent text shown', async () => {
		const context = await phoneContext(site.browser);
		const page = await openForm(context);
		await fillValid(page);
		const consent = page.getByTestId('consent');
		expect(await consent.textContent()).toContain('Quyền của bạn');
		expect(await page.locator('#f-consent').isChecked()).toBe(false);
		await page.getByRole('button', { name: 'Gửi' }).click();
		await expect
			.poll(() => page.locator('#f-consent-error').textContent())
			.toBe('Cần đánh dấu đồng ý xử lý thông tin cá nhân để gửi bản khai.');
		expect(await page.getByTestId('receipt').count()).toBe(0);
		await context.close();
	});

	it('says a link that cannot be one, or that the server does not know, in Vietnamese', async () => {
		const context = await phoneContext(site.browser);
		const page = await context.newPage();
		await page.goto(`${site.server.url}/khai/khong-phai-duong-dan`);
		expect(await page.getByTestId('link-problem').textContent()).toContain(
			'Đường dẫn khai báo này không đúng'
		);
		await page.goto(`${site.server.url}/khai/${LINK}`);
		await expect
			.poll(() => page.getByTestId('link-problem').textContent(), { timeout: 15_000 })
			.toContain('Đường dẫn khai báo này không đúng');
		expect(await page.locator('#f-familyName').count()).toBe(0);
		await context.close();
	});

	it('queues a declaration sent without signal, and reopens offline still showing it', async () => {
		const context = await phoneContext(site.browser);
		const page = await openForm(context);
		await untilControlled(page);
		await context.setOffline(true);
		await fillValid(page);
		await page.locator('#f-consent').check();
		await page.getByRole('button', { name: 'Gửi' }).click();
		await expect.poll(() => page.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');
		const code = (await page.getByTestId('receipt-code').textContent())!;
		expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

		await page.reload();
		await page.getByTestId('receipt').waitFor({ timeout: 30_000 });
		expect(await page.getByTestId('receipt-code').textContent()).toBe(code);
		expect(await page.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');

		// The receipt page, offline too, lists it among this phone's declarations.
		await page.goto(`${site.server.url}/khai/bien-nhan`);
		await expect
			.poll(() => page.getByTestId('local-receipts').textContent(), { timeout: 30_000 })
			.toContain(code);
		await context.close();
	});

	it('sends a queued declaration when the signal returns; the receipt shows it, corrects it, withdraws it', async () => {
		const { unit } = await site.server.createUnitWithAccount({ name: 'Đoàn xã Khai Báo' });
		const link = await createJoinLink({ server: site.server, unit });
		const context = await phoneContext(site.browser);
		const page = await context.newPage();
		await page.goto(`${site.server.url}/khai/${link.token}`);
		await expect
			.poll(() => page.getByTestId('join-unit').textContent(), { timeout: 15_000 })
			.toContain('Đoàn xã Khai Báo');
		await untilControlled(page);

		await context.setOffline(true);
		await fillValid(page);
		await page.locator('#f-consent').check();
		await page.getByRole('button', { name: 'Gửi' }).click();
		await expect.poll(() => page.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');
		const code = (await page.getByTestId('receipt-code').textContent())!;
		await page.reload();
		await page.getByTestId('receipt').waitFor({ timeout: 30_000 });
		expect(await page.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');

		// The signal returns: the page sends it by itself (the `online` event).
		await context.setOffline(false);
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 45_000 })
			.toBe('Đã gửi');
		expect(await page.getByTestId('receipt-code').textContent()).toBe(code);

		await page.goto(`${site.server.url}/khai/bien-nhan#${code}`);
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 15_000 })
			.toBe('Đã gửi, chờ duyệt');
		expect(await page.getByTestId('receipt-revision').textContent()).toContain('Lần khai: 1');

		await page.getByRole('button', { name: 'Sửa bản khai' }).click();
		expect(await page.locator('#f-birthDate').inputValue()).toBe('05/01/2003');
		await page.locator('#f-religion').fill('Phật giáo');
		await page.locator('#f-consent').check();
		await page.getByRole('button', { name: 'Gửi bản đã sửa' }).click();
		await expect
			.poll(() => page.getByTestId('receipt-revision').textContent(), { timeout: 15_000 })
			.toContain('Lần khai: 2');

		await page.getByRole('button', { name: 'Rút bản khai' }).click();
		await page.getByRole('button', { name: 'Đồng ý rút' }).click();
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 15_000 })
			.toBe('Đã rút');
		expect(await page.getByRole('button', { name: 'Sửa bản khai' }).count()).toBe(0);
		await context.close();
	});

	it('shows a refusal (the link disabled meanwhile) and does not send it again', async () => {
		const { unit } = await site.server.createUnitWithAccount({ name: 'Đoàn xã Tắt Link' });
		const link = await createJoinLink({ server: site.server, unit });
		const context = await phoneContext(site.browser);
		const page = await context.newPage();
		await page.goto(`${site.server.url}/khai/${link.token}`);
		await page.getByTestId('join-unit').waitFor({ timeout: 15_000 });
		await untilControlled(page);
		await context.setOffline(true);
		await fillValid(page);
		await page.locator('#f-consent').check();
		await page.getByRole('button', { name: 'Gửi' }).click();
		await expect.poll(() => page.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');

		// The unit turns the link off while the phone has no signal.
		await createJoinLink({
			server: site.server,
			unit,
			secretaryCookie: link.cookie,
			code: link.doc.code,
			enabled: false
		});
		let posts = 0;
		page.on('request', (request) => {
			if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/declarations')
				posts++;
		});
		await context.setOffline(false);
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 45_000 })
			.toBe('Chưa gửi được');
		expect(await page.getByTestId('refusal').textContent()).toContain('tắt');
		const afterRefusal = posts;
		// Another `online` and the page opening again: nothing is sent again.
		await page.evaluate(() => window.dispatchEvent(new Event('online')));
		await page.reload();
		// The page says the link is off, and still shows her refused declaration.
		await page.getByTestId('link-problem').waitFor({ timeout: 15_000 });
		expect(await page.getByTestId('refusal').isVisible()).toBe(true);
		await page.waitForTimeout(1_000);
		expect(afterRefusal).toBe(1);
		expect(posts).toBe(1);
		await context.close();
	});

	it('shows the unit’s correction request with its reason, then its approval, on the receipt page', async () => {
		const { unit } = await site.server.createUnitWithAccount({ name: 'Đoàn xã Duyệt Khai' });
		const link = await createJoinLink({ server: site.server, unit });
		const sent = await submitDeclaration({ server: site.server, token: link.token });
		expect(sent.res.status).toBe(201);
		const [row] = await site.server.couch.allDocs<{ _id: string }>({
			db: unit.db,
			startkey: 'declaration:',
			endkey: 'declaration:\ufff0'
		});
		const declarationId = row!.id;
		const reason = 'Ngày sinh chưa khớp giấy khai sinh, hãy kiểm tra lại.';
		await review(link, {
			unitId: unit.id,
			db: unit.db,
			declarationId,
			decision: 'correction-requested',
			revision: 1,
			reason
		});

		const context = await phoneContext(site.browser);
		const page = await context.newPage();
		await page.goto(`${site.server.url}/khai/bien-nhan#${sent.receipt}`);
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 15_000 })
			.toBe('Cần sửa');
		expect(await page.getByTestId('receipt-reason').textContent()).toContain(reason);

		await page.getByRole('button', { name: 'Sửa bản khai' }).click();
		await page.locator('#f-religion').fill('Công giáo');
		await page.locator('#f-consent').check();
		await page.getByRole('button', { name: 'Gửi bản đã sửa' }).click();
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 15_000 })
			.toBe('Đã gửi, chờ duyệt');
		expect(await page.getByTestId('receipt-revision').textContent()).toContain('Lần khai: 2');

		await review(link, {
			unitId: unit.id,
			db: unit.db,
			declarationId,
			decision: 'approved',
			revision: 2
		});
		await page.reload();
		await expect
			.poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 15_000 })
			.toBe('Đã duyệt');
		expect(await page.getByRole('button', { name: 'Sửa bản khai' }).count()).toBe(0);
		expect(await page.getByRole('button', { name: 'Rút bản khai' }).count()).toBe(0);
		await context.close();
	});

	// Last: it spends this address's allowance of unknown receipt codes.
	it('says which codes it does not know, then asks a guesser to wait, in Vietnamese', async () => {
		const context = await phoneContext(site.browser);
		const page = await context.newPage();
		await page.goto(`${site.server.url}/khai/bien-nhan`);
		const problem = page.getByTestId('receipt-problem');
		await page.locator('#receipt-code').fill('12345');
		await page.getByRole('button', { name: 'Xem' }).click();
		await expect.poll(() => problem.textContent()).toContain('Mã biên nhận gồm 12 chữ và số');
		let said = '';
		for (let i = 0; i < 12 && !/thử lại sau/.test(said); i++) {
			await page.locator('#receipt-code').fill(`0000-0000-${String(i).padStart(4, '0')}`);
			await page.getByRole('button', { name: 'Xem' }).click();
			await expect.poll(() => page.getByText('Đang xem…').count()).toBe(0);
			said = (await problem.textContent()) ?? '';
			if (i === 0) expect(said).toContain('Không tìm thấy bản khai');
		}
		expect(said).toMatch(/thử lại sau \d+ phút/);
		await context.close();
	});
});

/** The unit's decision, written by its secretary through /couch as her phone's sync would. */
async function review(
	link: JoinLink,
	options: {
		unitId: string;
		db: string;
		declarationId: string;
		decision: 'approved' | 'correction-requested';
		revision: number;
		reason?: string;
	}
) {
	const id = declarationReviewId(options.declarationId);
	const path = `/couch/${options.db}/${encodeURIComponent(id)}`;
	const current = await site.server.request(path, { cookie: link.cookie });
	const before = current.ok
		? ((await current.json()) as { _rev: string; createdAt: string })
		: undefined;
	const at = new Date().toISOString();
	const res = await site.server.request(path, {
		method: 'PUT',
		cookie: link.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			_id: id,
			...(before ? { _rev: before._rev } : {}),
			type: 'declaration-review',
			v: 1,
			unitId: options.unitId,
			declarationId: options.declarationId,
			decision: options.decision,
			revision: options.revision,
			...(options.reason ? { reason: options.reason } : {}),
			decidedAt: at,
			decidedBy: link.login,
			createdAt: before?.createdAt ?? at,
			createdBy: link.login,
			updatedAt: at,
			updatedBy: link.login
		})
	});
	expect(res.status).toBe(201);
}
