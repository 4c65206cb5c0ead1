import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import type { UnitRecord } from '../../server/couch/provision-service';
import {
	formatCell,
	PERCENT_COLUMN,
	PROGRESS_COLUMNS
} from '../../src/lib/domain/figures/progress-table';
import { HEADER_ROW } from '../../src/lib/data/spreadsheets/progress-xlsx';
import {
	cspViolations,
	expectSyncLabel,
	phoneContext,
	signIn,
	waitForServiceWorker,
	type Credentials
} from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { createProvince } from '../support/org-setup';
import { seedFigures, type FiguresSeedUnit } from '../support/figures-fixture';
import { shiftDate, vietnamToday } from '../support/clock';
import { check } from '../support/phone-layout';

// The superior's morning screen on a 360 px phone, in Chromium on the built app: the province signs
// in and lands on /tong-quan, which says plainly that no figures have come yet; the figures arrive
// by sync (seeded as the figures worker writes them), the laggards come first, the chosen units go
// to the reminder page, the drill-down reaches a grassroots unit's chi đoàn, the .xlsx download
// reads back as the screen's table, and the dashboard opens again with the signal gone.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let admin: Credentials;
let province: UnitRecord;
const units: Record<string, UnitRecord> = {};

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = top.unit;
	admin = { login: top.login, password: top.password };
	const found = async (key: string, name: string, kind: UnitRecord['kind'], parentId: string) => {
		units[key] = await server.provision.createUnit({ name, kind, parentId, createdBy: 'test' });
	};
	await found('thanhSon', 'Đoàn xã Thanh Sơn', 'doan-xa', province.id);
	await found('tanSon', 'Đoàn xã Tân Sơn', 'doan-xa', province.id);
	await found('kietSon', 'Đoàn xã Kiệt Sơn', 'doan-xa', province.id);
	await found('khoi', 'Đoàn Khối các cơ quan tỉnh', 'doan-khoi', province.id);
	await found('benhVien', 'Đoàn cơ sở Bệnh viện tỉnh', 'doan-co-so', units.khoi!.id);
});

afterAll(() => closeBrowserSite({ browser, link, server }));

/** The figures as the worker would write them today: targets from last year's December count. */
function figuresTree(): FiguresSeedUnit[] {
	const today = vietnamToday();
	const lastDecember = `${Number(today.slice(0, 4)) - 1}-12`;
	const recent = new Date(Date.now() - 3_600_000).toISOString();
	const seed = (
		unit: UnitRecord,
		onRolls: number,
		lastYear: number | null,
		extra: Partial<FiguresSeedUnit> = {}
	): FiguresSeedUnit => ({
		unit,
		own: { onRolls },
		series: lastYear === null ? {} : { [lastDecember]: lastYear },
		lastWriteAt: recent,
		...extra
	});
	return [
		seed(province, 0, 400),
		seed(units.thanhSon!, 95, 100), // 95 %: on track
		seed(units.tanSon!, 20, 80, {
			// Its members' declarations: 3 new and 1 sent back for a correction wait for review.
			own: {
				onRolls: 20,
				declarations: { pending: 3, correctionRequested: 1, approved: 5, rejected: 2, withdrawn: 1 }
			},
			// 25 %: the laggard, and its phone has not synced for twelve days.
			lastWriteAt: `${shiftDate({ date: today, days: -12 })}T03:00:00.000Z`,
			devices: [
				{
					id: 'dev0tans',
					login: 'bithu.tanson',
					state: 'active',
					lastSyncAt: `${shiftDate({ date: today, days: -12 })}T03:00:00.000Z`
				}
			]
		}),
		seed(units.kietSon!, 70, 100), // 70 %: needs attention
		seed(units.khoi!, 0, 50),
		seed(units.benhVien!, 45, 50, {
			branches: [
				{ id: 'branch:noi', name: 'Chi đoàn Khoa Nội', onRolls: 25 },
				{ id: 'branch:ngoai', name: 'Chi đoàn Khoa Ngoại', onRolls: 20 }
			]
		})
	];
}

/** The province's direct subordinates as the list orders them by default: laggards first. */
const LAGGARDS_FIRST = [
	'Đoàn xã Tân Sơn',
	'Đoàn xã Kiệt Sơn',
	'Đoàn Khối các cơ quan tỉnh',
	'Đoàn xã Thanh Sơn'
];

/** The progress list as the screen shows it: one array of cell texts per unit, in order. */
function screenRows(page: Page): Promise<string[][]> {
	return page
		.getByTestId('progress-row')
		.evaluateAll((rows) =>
			rows.map((row) =>
				[...row.querySelectorAll('[data-col]')]
					.sort((a, b) => Number(a.getAttribute('data-col')) - Number(b.getAttribute('data-col')))
					.map((cell) => cell.getAttribute('data-value') ?? (cell.textContent ?? '').trim())
			)
		);
}

const names = async (page: Page) => (await screenRows(page)).map((row) => row[0]);

describe('the province’s morning screen', () => {
	it('lands on /tong-quan, shows the laggards first, drills down, exports and opens offline', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signIn(page, { url: link.url, account: admin, landing: '/tong-quan' });
		await waitForServiceWorker(page);
		await expectSyncLabel(page, 'Đã đồng bộ');
		await expect
			.poll(() => page.getByTestId('dashboard-empty').textContent())
			.toContain('Chưa có số liệu tổng hợp: số liệu sẽ có sau lần đồng bộ tới');
		expect(await page.getByRole('link', { name: 'Tổng quan' }).getAttribute('aria-current')).toBe(
			'page'
		);

		// The figures arrive with the next sync: the open screen fills in by itself.
		await seedFigures(server, {
			units: figuresTree(),
			today: vietnamToday(),
			computedAt: new Date().toISOString()
		});
		await expect
			.poll(() => page.getByTestId('headline-onrolls').textContent(), { timeout: 30_000 })
			.toBe('230');
		await expect.poll(() => names(page)).toEqual(LAGGARDS_FIRST);
		const rows = await screenRows(page);
		expect(rows[0]!.slice(1, 4)).toEqual(['Chậm tiến độ', '80', '20']);
		expect(rows[0]![PERCENT_COLUMN]).toBe('25%');
		// Declarations waiting for Tân Sơn (pending and sent back), none for Kiệt Sơn.
		expect(rows[0]![PROGRESS_COLUMNS.indexOf('Chờ duyệt')]).toBe('4');
		expect(rows[1]![PROGRESS_COLUMNS.indexOf('Chờ duyệt')]).toBe('0');
		expect(await page.getByTestId('headline-pending').textContent()).toContain('4');
		expect(await page.getByTestId('headline-approved').textContent()).toContain('5');
		expect(await page.getByTestId('headline-rejected').textContent()).toContain('2');
		expect(rows[1]![1]).toBe('Cần chú ý');
		expect(rows[3]![1]).toBe('Đạt tiến độ');
		await expect
			.poll(() => page.getByTestId('sync-health').textContent())
			.toContain('1 đơn vị quá 7 ngày chưa đồng bộ');
		await page.getByText('Xem bảng số liệu').first().waitFor();
		await check(page, 'dashboard');

		// Sorting by name puts Thanh Sơn's neighbours in the alphabet's order instead.
		await page.getByLabel('Sắp xếp').selectOption('name');
		await expect
			.poll(() => names(page))
			.toEqual([
				'Đoàn Khối các cơ quan tỉnh',
				'Đoàn xã Kiệt Sơn',
				'Đoàn xã Tân Sơn',
				'Đoàn xã Thanh Sơn'
			]);
		await page.getByLabel('Sắp xếp').selectOption('laggards');
		await expect.poll(async () => (await names(page))[0]).toBe('Đoàn xã Tân Sơn');

		// The export: what the screen shows, as numbers, under a title with the unit and the date.
		const shown = await screenRows(page);
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Tải bảng Excel' }).click()
		]);
		expect(download.suggestedFilename()).toBe(`tien-do-${province.id}-${vietnamToday()}.xlsx`);
		const book = new ExcelJS.Workbook();
		await book.xlsx.readFile((await download.path())!);
		const sheet = book.getWorksheet('Tiến độ')!;
		expect(String(sheet.getCell(1, 1).value)).toContain('Tỉnh đoàn Phú Thọ');
		const [y, m, d] = vietnamToday().split('-');
		expect(String(sheet.getCell(1, 1).value)).toContain(`${d}/${m}/${y}`);
		expect(sheet.getCell(HEADER_ROW, 1).value).toBe('Đơn vị');
		expect(sheet.getCell(HEADER_ROW, PROGRESS_COLUMNS.indexOf('Chờ duyệt') + 1).value).toBe(
			'Chờ duyệt'
		);
		const fromFile = shown.map((_, r) =>
			shown[0]!.map((__, c) => {
				const value = sheet.getCell(HEADER_ROW + 1 + r, c + 1).value as string | number | null;
				const text = formatCell(value ?? null);
				return c === PERCENT_COLUMN && value !== null ? `${text}%` : text;
			})
		);
		expect(fromFile).toEqual(shown);
		expect(typeof sheet.getCell(HEADER_ROW + 1, 4).value).toBe('number');

		// Choosing the laggards for a reminder opens the reminder page with them.
		await page.getByLabel('Chọn Đoàn xã Tân Sơn').check();
		await page.getByLabel('Chọn Đoàn xã Kiệt Sơn').check();
		await page.getByRole('button', { name: 'Gửi đôn đốc (2)' }).click();
		await page.waitForURL(
			(url) =>
				url.pathname === '/tong-quan/don-doc' &&
				url.searchParams.get('units') === `${units.tanSon!.id},${units.kietSon!.id}`
		);

		// Level by level: the Đoàn khối, then its grassroots unit and that unit's chi đoàn.
		await page.goto(`${link.url}/tong-quan`);
		await page.getByRole('link', { name: 'Đoàn Khối các cơ quan tỉnh' }).click();
		await page.waitForURL(`**/tong-quan/${units.khoi!.id}`);
		await expect
			.poll(() => page.getByTestId('dashboard-title').textContent())
			.toContain('Đoàn Khối các cơ quan tỉnh');
		await expect.poll(() => names(page)).toEqual(['Đoàn cơ sở Bệnh viện tỉnh']);

		// The province sets the Đoàn khối's target for the year: its 45 members are now 75 % of 60.
		const year = vietnamToday().slice(0, 4);
		await page.getByLabel(`Chỉ tiêu đoàn viên năm ${year}`).fill('60');
		await page.getByRole('button', { name: 'Lưu chỉ tiêu' }).click();
		await expect
			.poll(() => page.getByRole('status').filter({ hasText: 'Đã đặt chỉ tiêu' }).textContent())
			.toBe('Đã đặt chỉ tiêu 60 đoàn viên.');
		// It syncs like any document: the server has it in the province's database.
		await expect
			.poll(
				async () =>
					(
						await server.couch.getDoc<{ _id: string; members?: number }>({
							db: province.db,
							id: `target:${units.khoi!.id}:${year}`
						})
					)?.members,
				{ timeout: 15_000 }
			)
			.toBe(60);
		await page.getByRole('link', { name: 'Tổng quan' }).click();
		await page.waitForURL('**/tong-quan');
		await expect
			.poll(async () =>
				(await screenRows(page)).find((row) => row[0] === 'Đoàn Khối các cơ quan tỉnh')
			)
			.toEqual(expect.arrayContaining(['Cần chú ý', '60', '45', '75%']));
		await page.getByRole('link', { name: 'Đoàn Khối các cơ quan tỉnh' }).click();
		await page.waitForURL(`**/tong-quan/${units.khoi!.id}`);
		await expect.poll(() => names(page)).toEqual(['Đoàn cơ sở Bệnh viện tỉnh']);
		await page.getByRole('link', { name: 'Đoàn cơ sở Bệnh viện tỉnh' }).click();
		await page.waitForURL(`**/tong-quan/${units.benhVien!.id}`);
		const branches = page.getByTestId('branch-figures');
		await expect.poll(() => branches.textContent()).toContain('Chi đoàn Khoa Nội');
		expect((await branches.textContent())?.replace(/\s+/g, ' ')).toContain(
			'Chi đoàn Khoa Ngoại 20 đoàn viên'
		);
		await check(page, 'grassroots dashboard');
		// The way back up names the levels above.
		await page.getByRole('link', { name: 'Tỉnh đoàn Phú Thọ' }).click();
		await page.waitForURL(`**/tong-quan/${province.id}`);

		// No signal: the dashboard opens from the figures on the phone.
		link.cut();
		await context.setOffline(true);
		await page.goto(`${link.url}/tong-quan`);
		await expect
			.poll(() => page.getByTestId('headline-onrolls').textContent(), { timeout: 20_000 })
			.toBe('230');
		await expect.poll(() => names(page)).toEqual(LAGGARDS_FIRST);
		link.restore();
		await context.setOffline(false);
		expect(cspViolations(context)).toEqual([]);
		await context.close();
	});
});
