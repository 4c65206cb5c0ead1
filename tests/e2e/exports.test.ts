import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { vietnamToday } from '../support/clock';
import { check } from '../support/phone-layout';
import { generateMembers } from '../../src/lib/synthetic';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { MEMBER_SHEET_COLUMNS } from '../../src/lib/domain/spreadsheets/member-sheet';
import { EXPORT_HEADER_ROW } from '../../src/lib/data/spreadsheets/roster-export-sheet';

// Exports end to end, in Chromium on the built app: a secretary filters her roster and taps "Xuất
// Excel" — the file holds exactly the members the list shows; a member's file downloads with its two
// sheets; an export made offline reaches the audit trail once the phone syncs again.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let unit: { id: string; db: string };
let secretary: { login: string; password: string };
let members: MemberDoc[];

function branch(id: string, name: string) {
	const at = new Date().toISOString();
	return {
		_id: id,
		type: 'branch',
		v: 1,
		unitId: unit.id,
		name,
		createdAt: at,
		createdBy: 'test',
		updatedAt: at,
		updatedBy: 'test'
	};
}

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Xuất Thử' });
	unit = created.unit;
	secretary = { login: created.login, password: created.password };
	// Fixed birth dates (the generator's own "today"): nothing here depends on the test clock's date.
	members = generateMembers({
		seed: 1616,
		count: 12,
		unitId: unit.id,
		branchIds: ['branch:khu3', 'branch:khu5'],
		today: '2026-11-28',
		ethnicMix: 'mountain-district'
	}).map((m) => ({ ...m, status: 'active' as const }));
	await server.couch.bulkDocs({
		db: unit.db,
		docs: [
			branch('branch:khu3', 'Chi đoàn khu 3'),
			branch('branch:khu5', 'Chi đoàn khu 5'),
			...members
		]
	});
});

afterAll(() => closeBrowserSite({ browser, link, server }));

async function download(
	page: Page,
	testid: string
): Promise<{ name: string; book: ExcelJS.Workbook }> {
	const [file] = await Promise.all([
		page.waitForEvent('download'),
		page.getByTestId(testid).click()
	]);
	const book = new ExcelJS.Workbook();
	await book.xlsx.readFile((await file.path())!);
	return { name: file.suggestedFilename(), book };
}

function column(sheet: ExcelJS.Worksheet, header: string): string[] {
	const index = MEMBER_SHEET_COLUMNS.findIndex((c) => c.header === header) + 1;
	const values: string[] = [];
	for (let r = EXPORT_HEADER_ROW + 1; r <= sheet.rowCount; r++) {
		values.push(String(sheet.getCell(r, index).value ?? ''));
	}
	return values;
}

async function exportsInTrail() {
	return (await server.audit.listFor({ type: 'unit', id: unit.id })).filter(
		(e) => e.action === 'export'
	);
}

describe('a secretary exports what her superiors ask for', () => {
	it('exports the filtered roster and a member’s file, and every export reaches the audit trail', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: secretary, start: '/' });
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('12 đoàn viên');

		// The list filtered to one chi đoàn: the file holds exactly those members.
		const expected = members.filter((m) => m.branchId === 'branch:khu3');
		expect(expected.length).toBeGreaterThan(0);
		expect(expected.length).toBeLessThan(members.length);
		await page.getByRole('button', { name: 'Lọc' }).click();
		await page.getByLabel('Chi đoàn').selectOption('branch:khu3');
		await expect
			.poll(() => page.getByTestId('member-count').textContent())
			.toBe(`${expected.length} đoàn viên`);
		const roster = await download(page, 'export-xlsx');
		expect(roster.name).toBe(`doan-vien-${unit.id}-${vietnamToday()}.xlsx`);
		const sheet = roster.book.getWorksheet('Đoàn viên')!;
		expect(String(sheet.getCell(1, 1).value)).toContain('chi đoàn Chi đoàn khu 3');
		expect(String(sheet.getCell(1, 1).value)).toContain(
			vietnamToday().split('-').reverse().join('/')
		);
		expect(sheet.getRow(EXPORT_HEADER_ROW).getCell(1).value).toBe(MEMBER_SHEET_COLUMNS[0]!.header);
		expect(column(sheet, 'Số CCCD').sort()).toEqual(expected.map((m) => m.citizenId ?? '').sort());
		expect(column(sheet, 'Tên').sort()).toEqual(expected.map((m) => m.givenName).sort());
		// Ids keep their leading zeros (the province codes start with 0), dates read dd/mm/yyyy.
		const ids = column(sheet, 'Số CCCD').filter(Boolean);
		expect(ids.length).toBeGreaterThan(0);
		expect(ids.every((id) => /^0\d{11}$/.test(id))).toBe(true);
		expect(column(sheet, 'Ngày sinh').sort()).toEqual(
			expected.map((m) => m.birthDate.split('-').reverse().join('/')).sort()
		);
		expect(new Set(column(sheet, 'Chi đoàn'))).toEqual(new Set(['Chi đoàn khu 3']));
		await expect
			.poll(() => page.getByTestId('export-xlsx-done').textContent())
			.toContain(`Đã xuất ${expected.length} dòng`);
		await check(page, 'roster after an export');
		await expect.poll(async () => (await exportsInTrail()).length).toBe(1);
		expect((await exportsInTrail())[0]).toMatchObject({
			actor: secretary.login,
			details: {
				kind: 'roster',
				rows: expected.length,
				filters: { status: 'active', branchId: 'branch:khu3' }
			}
		});

		// A member's file: the profile and the history, two sheets.
		const first = expected[0]!;
		await page.goto(`${link.url}/doan-vien/${first._id.slice('member:'.length)}`);
		await expect.poll(() => page.getByTestId('member-name').isVisible()).toBe(true);
		const file = await download(page, 'export-member-file');
		expect(file.book.worksheets.map((s) => s.name)).toEqual(['Hồ sơ', 'Quá trình']);
		const profile = file.book.getWorksheet('Hồ sơ')!;
		const pairs = new Map<string, string>();
		profile.eachRow((row, n) => {
			if (n > EXPORT_HEADER_ROW)
				pairs.set(String(row.getCell(2).value), String(row.getCell(3).value ?? ''));
		});
		expect(pairs.get('Họ và tên')).toBe(await page.getByTestId('member-name').textContent());
		expect(pairs.get('Chi đoàn')).toBe('Chi đoàn khu 3');
		expect(pairs.get('Ngày sinh')).toBe(first.birthDate.split('-').reverse().join('/'));
		expect(file.book.getWorksheet('Quá trình')!.getCell(EXPORT_HEADER_ROW, 2).value).toBe(
			'Nghiệp vụ'
		);
		await expect.poll(async () => (await exportsInTrail()).length).toBe(2);
		expect(
			(await exportsInTrail()).find((e) => e.details?.kind === 'member-file')?.details
		).toMatchObject({
			memberId: first._id,
			filters: {}
		});

		await check(page, 'profile after an export');

		// The year's ratings as the Nghiệp vụ screen lists them: every member on the rolls.
		await page.goto(`${link.url}/nghiep-vu/xep-loai`);
		const year = vietnamToday().slice(0, 4);
		const ratings = await download(page, 'export-ratings');
		expect(ratings.name).toBe(`xep-loai-${year}-${unit.id}-${vietnamToday()}.xlsx`);
		const ratingSheet = ratings.book.getWorksheet(`Xếp loại ${year}`)!;
		expect(ratingSheet.getCell(EXPORT_HEADER_ROW, 2).value).toBe('Họ và tên');
		expect(ratingSheet.rowCount).toBe(EXPORT_HEADER_ROW + members.length);
		expect(ratingSheet.getCell(EXPORT_HEADER_ROW + members.length, 1).value).toBe(members.length);
		await expect.poll(async () => (await exportsInTrail()).length).toBe(3);
		expect(
			(await exportsInTrail()).find((e) => e.details?.kind === 'ratings')?.details
		).toMatchObject({ rows: members.length, filters: { year: Number(year) } });

		// Offline (the spreadsheet tool was kept at its first use): the export is made, and logged on
		// the phone; the trail has it once the phone syncs again.
		await page.goto(`${link.url}/doan-vien`);
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('12 đoàn viên');
		link.cut();
		await context.setOffline(true);
		await expectSyncLabel(page, 'Đang ngoại tuyến');
		const offline = await download(page, 'export-xlsx');
		expect(column(offline.book.getWorksheet('Đoàn viên')!, 'Số CCCD')).toHaveLength(12);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(await exportsInTrail()).toHaveLength(3);
		link.restore();
		await context.setOffline(false);
		await expectSyncLabel(page, 'Đã đồng bộ');
		await expect.poll(async () => (await exportsInTrail()).length, { timeout: 30_000 }).toBe(4);
		const trail = JSON.stringify(await exportsInTrail());
		// Nothing personal in the trail: no name, no citizen id.
		for (const m of members) {
			if (m.citizenId) expect(trail).not.toContain(m.citizenId);
			expect(trail).not.toContain(m.givenName);
		}
		await context.close();
	});
});
