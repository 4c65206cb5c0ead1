import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { cspViolations, expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { check as checkLayout } from '../support/phone-layout';
import {
	MEMBER_SHEET_COLUMNS,
	memberCellText
} from '../../src/lib/domain/spreadsheets/member-sheet';
import { generateMembers } from '../../src/lib/synthetic';

// Issue #16's browser test: a secretary downloads the import template, fills it in Excel (here:
// exceljs writing into the downloaded file, one row with an impossible birth date), loses the
// signal, imports the file through the screen, fixes the bad row in the preview, imports; the
// roster shows the members offline, they reach the server when the signal returns, and each one's
// history says it was imported. Dates in the sheet are fixed (born 2001–2005), so neither Vietnam's
// zone nor the evening clock changes what the test sees.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string; name: string };
let secretary: { login: string; password: string };
let dir: string;

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Yên Lập' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	dir = mkdtempSync(join(tmpdir(), 'doanvu-import-'));
});

afterAll(async () => {
	await closeBrowserSite({ browser, link, server });
	if (dir) rmSync(dir, { recursive: true, force: true });
});

const PEOPLE = [
	{
		Họ: 'Đinh',
		'Tên đệm': 'Thị',
		Tên: 'Hoà',
		'Giới tính': 'Nữ',
		'Ngày sinh': '12/03/2004',
		'Số CCCD': '001304000123',
		'Dân tộc': 'Mường',
		'Tôn giáo': 'Không',
		'Giáo dục phổ thông': '12/12'
	},
	{
		Họ: 'Bàn',
		'Tên đệm': 'Văn',
		Tên: 'Quý',
		'Giới tính': 'Nam',
		// No 31st of February: the row the secretary fixes in the preview.
		'Ngày sinh': '31/02/2003',
		'Số CCCD': '002203000456',
		'Dân tộc': 'Dao',
		'Tôn giáo': 'Không',
		'Giáo dục phổ thông': '12/12'
	},
	{
		Họ: 'Lò',
		'Tên đệm': 'Thị',
		Tên: 'Mai',
		'Giới tính': 'Nữ',
		'Ngày sinh': '01/09/2001',
		'Số CCCD': '014301000789',
		'Dân tộc': 'Thái',
		'Tôn giáo': 'Không',
		'Giáo dục phổ thông': '12/12'
	}
];

const listedNames = (page: Page) =>
	page.getByTestId('member-item').locator('.name').allTextContents();

/** The members the server holds for the unit, read as the secretary through the server. */
async function serverMembers(): Promise<Record<string, unknown>[]> {
	const { cookie } = await server.signIn(secretary);
	const res = await server.request(
		`/couch/${unit.db}/_all_docs?include_docs=true&startkey=%22member%3A%22&endkey=%22member%3A%EF%BF%B0%22`,
		{ cookie }
	);
	expect(res.status).toBe(200);
	const body = (await res.json()) as { rows: { doc: Record<string, unknown> }[] };
	return body.rows.map((r) => r.doc);
}

describe('a secretary imports her roster from a spreadsheet, offline', () => {
	it('downloads the template, fills it, imports offline fixing one row, and syncs', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary });

		// From the roster to the import screen.
		await page.getByTestId('import-members').click();
		await page.waitForURL('**/doan-vien/nhap');
		await expect
			.poll(() => page.getByTestId('import-stepper').getAttribute('aria-label'))
			.toBe('Các bước nhập đoàn viên');

		await checkLayout(page, 'import: choose a file');

		// The template: made on the phone, with the roster's Vietnamese headers on its first sheet.
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('download-template').click()
		]);
		expect(download.suggestedFilename()).toBe('mau-nhap-doan-vien.xlsx');
		const templatePath = join(dir, 'mau.xlsx');
		await download.saveAs(templatePath);
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.readFile(templatePath);
		const sheet = workbook.worksheets[0]!;
		const headers = MEMBER_SHEET_COLUMNS.map((_, i) => sheet.getRow(1).getCell(i + 1).text);
		expect(headers).toEqual(MEMBER_SHEET_COLUMNS.map((c) => c.header));
		expect(sheet.actualRowCount).toBe(1);

		// The secretary fills it: one member a row under the headers, cells as typed text.
		PEOPLE.forEach((person, r) => {
			MEMBER_SHEET_COLUMNS.forEach((column, c) => {
				const text = person[column.header as keyof typeof person];
				if (text) sheet.getRow(r + 2).getCell(c + 1).value = text;
			});
		});
		const filled = join(dir, 'doan-vien-yen-lap.xlsx');
		await workbook.xlsx.writeFile(filled);

		// The signal goes: everything from here happens on the phone.
		link.cut();
		await context.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');

		await page.getByTestId('import-file').setInputFiles(filled);
		// The template's headers map themselves.
		const check = page.getByTestId('mapping-check');
		await check.waitFor({ timeout: 30_000 });
		expect(await page.getByTestId('mapping-missing').count()).toBe(0);
		await checkLayout(page, 'import: column mapping');
		await check.click();

		// The preview: two new members and one row in error, naming the column; nothing written.
		const count = (kind: string) => page.getByTestId(`count-${kind}`).locator('.n').textContent();
		await expect.poll(() => count('new'), { timeout: 30_000 }).toBe('2');
		expect(await count('invalid')).toBe('1');
		const bad = page.locator('[data-testid="import-row"][data-class="invalid"]');
		expect(await bad.getAttribute('data-row')).toBe('3');
		expect(await bad.getByTestId('import-row-errors').textContent()).toContain('Ngày sinh');
		await checkLayout(page, 'import: preview');

		// Fixed in place: the row is checked again and becomes a new member.
		await bad.getByTestId('fix-birthDate').fill('28/02/2003');
		await bad.getByTestId('fix-row').click();
		await expect.poll(() => count('new')).toBe('3');
		expect(await count('invalid')).toBe('0');

		// Confirm, then the report.
		await page.getByTestId('import-start').click();
		const dialog = page.getByRole('dialog', { name: 'Nhập 3 đoàn viên?' });
		await dialog.getByRole('button', { name: 'Nhập', exact: true }).click();
		await expect
			.poll(() => page.getByTestId('report-created').textContent(), { timeout: 60_000 })
			.toBe('3');
		expect(await page.getByTestId('import-report').textContent()).toContain(
			'doan-vien-yen-lap.xlsx'
		);

		await checkLayout(page, 'import: report');
		// The report to keep.
		const [report] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('download-report').click()
		]);
		expect(report.suggestedFilename()).toBe('bao-cao-nhap-doan-vien-yen-lap.xlsx');
		const reportPath = join(dir, 'bao-cao.xlsx');
		await report.saveAs(reportPath);
		const kept = new ExcelJS.Workbook();
		await kept.xlsx.readFile(reportPath);
		const lines: string[] = [];
		kept.worksheets[0]!.eachRow((row) =>
			lines.push([1, 2, 3].map((c) => row.getCell(c).text).join(' | '))
		);
		expect(lines).toContain('Tệp | doan-vien-yen-lap.xlsx | ');
		expect(lines).toContain('3 | Bàn Văn Quý | Đã thêm');
		expect(lines.filter((line) => line.endsWith('| Đã thêm'))).toHaveLength(3);

		// The roster has them while still offline; the server has nothing yet.
		await page.getByTestId('import-to-roster').click();
		await page.waitForURL('**/doan-vien');
		await expect
			.poll(() => listedNames(page).then((names) => names.sort()))
			.toEqual(['Bàn Văn Quý', 'Lò Thị Mai', 'Đinh Thị Hoà'].sort());
		expect(await serverMembers()).toHaveLength(0);

		// The signal returns: the import syncs.
		link.restore();
		await context.setOffline(false);
		await expect.poll(() => page.getByTestId('sync-pending').count(), { timeout: 60_000 }).toBe(0);
		await expectSyncLabel(page, 'Đã đồng bộ');
		const onServer = await serverMembers();
		expect(onServer.map((m) => m.givenName).sort()).toEqual(['Hoà', 'Mai', 'Quý']);
		expect(onServer.find((m) => m.givenName === 'Quý')).toMatchObject({
			birthDate: '2003-02-28',
			citizenId: '002203000456',
			ethnicCode: '09',
			gender: 'male',
			unitId: unit.id,
			createdBy: secretary.login
		});
		// Leading zeros kept: the citizen id is text all the way.
		expect(onServer.find((m) => m.givenName === 'Hoà')?.citizenId).toBe('001304000123');

		// A member's history says where the record came from.
		await page.getByTestId('member-item').filter({ hasText: 'Lò Thị Mai' }).click();
		await page.waitForURL(/\/doan-vien\/[0-9A-Z]{26}$/);
		await expect
			.poll(() =>
				page
					.getByTestId('timeline-item')
					.evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')))
			)
			.toEqual(['imported']);
		expect(await page.getByTestId('timeline').textContent()).toContain('doan-vien-yen-lap.xlsx');

		expect(cspViolations(context)).toEqual([]);
		await context.close();
	});

	it('cancels a large import while it writes: nothing is written, and the screen says so', async () => {
		// 3,000 synthetic members, a write long enough to be cancelled halfway (a fixed "as of" date:
		// the same people whatever the clock says).
		const members = generateMembers({
			seed: 'member-import-cancel',
			count: 3_000,
			unitId: unit.id,
			branchIds: [],
			today: '2026-11-28'
		});
		const workbook = new ExcelJS.Workbook();
		const sheet = workbook.addWorksheet('Đoàn viên');
		sheet.addRow(MEMBER_SHEET_COLUMNS.map((c) => c.header));
		for (const member of members) {
			sheet.addRow(
				MEMBER_SHEET_COLUMNS.map((column) =>
					memberCellText({ member, column, branchName: () => '' })
				)
			);
		}
		const big = join(dir, 'doan-vien-3000.xlsx');
		await workbook.xlsx.writeFile(big);

		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary });
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('3 đoàn viên');
		await page.goto(`${link.url}/doan-vien/nhap`);
		await page.getByTestId('import-file').setInputFiles(big);
		await page.getByTestId('mapping-check').click({ timeout: 60_000 });
		await page.getByTestId('import-start').click({ timeout: 60_000 });
		await page.getByRole('dialog').getByRole('button', { name: 'Nhập', exact: true }).click();
		// Cancelled once the members are being written.
		const progress = page.getByTestId('import-progress');
		await expect.poll(() => progress.textContent(), { timeout: 60_000 }).toContain('Đang ghi');
		await page.getByTestId('import-cancel').click();
		await expect
			.poll(() => page.getByTestId('import-notice').textContent(), { timeout: 60_000 })
			.toBe('Đã hủy. Chưa ghi đoàn viên nào vào máy.');
		// Back on the preview, the file still there to import again: the preview was put away
		// while the write ran (member-import-packed-plan.ts) and comes back whole.
		expect(await page.getByTestId('import-start').isVisible()).toBe(true);
		expect((await page.getByTestId('count-new').locator('.n').textContent())?.trim()).toBe('3.000');

		// Nothing on the phone, nothing waiting to upload, nothing on the server.
		await page.goto(`${link.url}/doan-vien`);
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('3 đoàn viên');
		expect(await page.getByTestId('sync-pending').count()).toBe(0);
		expect(await serverMembers()).toHaveLength(3);
		await context.close();
	});

	it('is not offered to a viewer, and refuses her if she opens it', async () => {
		const viewer = await server.createAccountIn({ unitId: unit.id, role: 'viewer' });
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: viewer });
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('3 đoàn viên');
		expect(await page.getByTestId('import-members').count()).toBe(0);
		await page.goto(`${link.url}/doan-vien/nhap`);
		await expect
			.poll(() => page.getByTestId('import-refused').textContent())
			.toContain('Chỉ bí thư, phó bí thư');
		expect(await page.getByTestId('import-file').count()).toBe(0);
		await context.close();
	});
});
