import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { encode } from 'uqr';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import type { Browser } from 'playwright-core';
import { createProvince } from '../support/org-setup';
import { branchDoc } from '../support/org-api';
import { phoneContext, signInSynced } from '../support/browser';
import { check } from '../support/phone-layout';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { matrixPath } from '../../src/lib/ui/qr-svg';
import type { JoinLinkDoc } from '../../src/lib/domain/declarations/declaration-schema';

// A commune secretary's join links at 360 px (ADR 0019): she makes the unit's link and a chi đoàn's,
// sees each address with its QR code (the drawn code is the encoder's matrix of exactly the address
// shown), rotates one (the stored code changes: old posters stop), pauses one, prints the A5 poster
// (the QR and the unit's name on it); a link made with no signal says it works only after sync, and
// reaches the server when the signal returns.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: { id: string; db: string; name: string };
let secretary: { login: string; password: string };
let viewer: { login: string; password: string };
const BRANCHES = ['Chi đoàn Thôn Đồng Tâm', 'Chi đoàn Thôn Hạ'];

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	const created = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	commune = { id: created.unit.id, db: created.unit.db, name: 'Đoàn xã Thanh Sơn' };
	secretary = { login: created.login, password: created.password };
	viewer = await server.createAccountIn({ unitId: commune.id, role: 'viewer' });
	const docs = BRANCHES.map((name) => branchDoc({ unitId: commune.id, login: 'test', name }));
	const results = await server.couch.bulkDocs({ db: commune.db, docs });
	expect(results.filter((row) => row.error)).toEqual([]);
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const row = (page: Page, name: string) =>
	page.getByTestId('join-link').filter({ has: page.getByRole('heading', { name }) });

async function urlOf(card: Locator): Promise<string> {
	await card.getByTestId('link-url').waitFor();
	return ((await card.getByTestId('link-url').textContent()) ?? '').trim();
}

/** The drawn code's path, once the encoder has drawn it. */
async function drawnPath(scope: Locator): Promise<string> {
	const path = scope.locator('svg path');
	await path.waitFor();
	return (await path.getAttribute('d')) ?? '';
}

function expectedPath(url: string): string {
	return matrixPath(encode(url, { ecc: 'M', border: 4 }).data);
}

async function stored(id: string): Promise<JoinLinkDoc | undefined> {
	return server.couch.getDoc<JoinLinkDoc>({ db: commune.db, id });
}

/** What the public API answers for a join link's token (what a member's phone would get). */
async function join(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
	const token = url.slice(url.lastIndexOf('/') + 1);
	const res = await server.request(`/api/join/${token}`);
	return {
		status: res.status,
		body: (await res.json().catch(() => ({}))) as Record<string, unknown>
	};
}

async function synced(card: Locator): Promise<void> {
	await expect.poll(() => card.getByTestId('link-waiting').count(), { timeout: 30_000 }).toBe(0);
}

describe('join links', () => {
	let context: BrowserContext;

	it('are made, shown with their QR, rotated, paused and printed at 360 px', async () => {
		context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary });
		await page.goto(`${link.url}/ban-khai/duong-dan`);
		await expect.poll(() => page.getByTestId('join-link').count(), { timeout: 20_000 }).toBe(3);

		// The unit's link.
		const unitCard = row(page, `Cả đơn vị: ${commune.name}`);
		await unitCard.getByTestId('create-link').click();
		const unitUrl = await urlOf(unitCard);
		expect(unitUrl).toMatch(new RegExp(`^${link.url}/khai/${commune.id}-[0-9A-HJKMNP-TV-Z]{10}$`));
		expect(await drawnPath(unitCard)).toBe(expectedPath(unitUrl));
		await synced(unitCard);
		const first = await stored('join-link:unit');
		expect(first?.code).toBe(unitUrl.slice(-10));
		expect(first?.enabled).toBe(true);

		// A chi đoàn's link.
		const branchCard = row(page, BRANCHES[0]!);
		await branchCard.getByTestId('create-link').click();
		const branchUrl = await urlOf(branchCard);
		expect(branchUrl).not.toBe(unitUrl);
		expect(await drawnPath(branchCard)).toBe(expectedPath(branchUrl));
		const branchId = await branchCard.getAttribute('data-scope');
		await synced(branchCard);
		const branchLink = await stored(`join-link:${branchId}`);
		expect(branchLink?.branchId).toBe(`branch:${branchId}`);
		expect(branchLink?.code).toBe(branchUrl.slice(-10));

		// Nothing spills over the phone's width; every button is a thumb's size.
		await check(page, 'join-links');

		// Rotating asks first, then gives the unit's link a new code; the old one is gone.
		await unitCard.getByTestId('rotate-link').click();
		const dialog = page.getByRole('dialog');
		await expect.poll(() => dialog.textContent()).toContain('không dùng được nữa');
		await dialog.getByRole('button', { name: 'Đổi mã' }).click();
		await expect.poll(() => urlOf(unitCard)).not.toBe(unitUrl);
		const rotatedUrl = await urlOf(unitCard);
		await expect.poll(async () => drawnPath(unitCard)).toBe(expectedPath(rotatedUrl));
		await synced(unitCard);
		await expect
			.poll(async () => (await stored('join-link:unit'))?.code)
			.toBe(rotatedUrl.slice(-10));
		expect((await stored('join-link:unit'))?.rotatedAt).toBeDefined();
		expect((await stored('join-link:unit'))?.code).not.toBe(first?.code);
		// The public side agrees: the new link opens the unit's form, the old poster's does not.
		const opened = await join(rotatedUrl);
		expect(opened.status).toBe(200);
		expect(opened.body.unit).toEqual({ id: commune.id, name: commune.name });
		expect((await join(unitUrl)).status).toBe(404);
		const branchOpened = await join(branchUrl);
		expect(branchOpened.status).toBe(200);
		expect(branchOpened.body.branch).toMatchObject({ name: BRANCHES[0] });

		// Pausing the chi đoàn's link.
		await branchCard.getByTestId('pause-link').click();
		await branchCard.getByTestId('link-paused').waitFor();
		await branchCard.getByTestId('resume-link').waitFor();
		await synced(branchCard);
		await expect.poll(async () => (await stored(`join-link:${branchId}`))?.enabled).toBe(false);
		expect((await join(branchUrl)).status).toBe(410);

		// The A5 poster of the unit's link: its name, the large QR of the new address, the steps.
		await unitCard.getByTestId('poster-link').click();
		await page.waitForURL('**/in/ap-phich/don-vi');
		const poster = page.getByTestId('poster');
		await poster.waitFor();
		expect(await poster.getAttribute('data-paper')).toBe('A5');
		expect(await page.getByTestId('poster-unit').textContent()).toBe(commune.name);
		expect(await drawnPath(poster)).toBe(expectedPath(rotatedUrl));
		expect(await page.getByTestId('poster-url').textContent()).toBe(
			rotatedUrl.replace(/^https?:\/\//, '')
		);
		const text = (await poster.textContent()) ?? '';
		for (const line of [
			'Khai báo thông tin đoàn viên',
			'Quét mã',
			'Điền thông tin',
			'Giữ mã biên nhận',
			'Thông tin chỉ đơn vị Đoàn và cấp trên xem được'
		]) {
			expect(text).toContain(line);
		}
		// Printed, only the poster: the toolbar is hidden.
		await page.emulateMedia({ media: 'print' });
		expect(await page.getByTestId('print-poster').isVisible()).toBe(false);
		expect(await poster.isVisible()).toBe(true);
		await page.emulateMedia({ media: 'screen' });
		await check(page, 'poster');

		// The chi đoàn's own page leads to its link.
		await page.goto(`${link.url}/chi-doan/${branchId}`);
		await page.getByTestId('branch-join-link').click();
		await page.waitForURL(`**/ban-khai/duong-dan#link-${branchId}`);
		await row(page, BRANCHES[0]!).getByTestId('link-url').waitFor();
	});

	it('are read-only for the unit’s viewer', async () => {
		const viewerContext = await phoneContext(browser);
		const page = await viewerContext.newPage();
		await signInSynced(page, { url: link.url, account: viewer });
		await page.goto(`${link.url}/ban-khai/duong-dan`);
		await page.getByTestId('read-only').waitFor();
		const unitCard = row(page, `Cả đơn vị: ${commune.name}`);
		await expect.poll(() => urlOf(unitCard), { timeout: 20_000 }).toMatch(/\/khai\//);
		expect(await unitCard.getByTestId('poster-link').count()).toBe(1);
		for (const act of ['create-link', 'rotate-link', 'pause-link', 'resume-link']) {
			expect(await page.getByTestId(act).count(), act).toBe(0);
		}
		await viewerContext.close();
	});

	it('made with no signal, waits for sync and then reaches the server', async () => {
		const page = context.pages()[0]!;
		await page.goto(`${link.url}/ban-khai/duong-dan`);
		const card = row(page, BRANCHES[1]!);
		await card.waitFor();
		link.cut();
		await context.setOffline(true);
		await card.getByTestId('create-link').click();
		const url = await urlOf(card);
		await expect
			.poll(() => card.getByTestId('link-waiting').textContent())
			.toContain('Đường dẫn chỉ dùng được sau khi đồng bộ');
		const scope = await card.getAttribute('data-scope');
		expect(await stored(`join-link:${scope}`)).toBeUndefined();
		expect((await join(url)).status).toBe(404);

		link.restore();
		await context.setOffline(false);
		await synced(card);
		await expect
			.poll(async () => (await stored(`join-link:${scope}`))?.code, { timeout: 30_000 })
			.toBe(url.slice(-10));
		expect((await join(url)).status).toBe(200);
		await context.close();
	});
});
