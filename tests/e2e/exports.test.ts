import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { expectSyncLabel, phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { shiftDate, typedDate, vietnamToday } from '../support/clock';
import { check } from '../support/phone-layout';
import { generateMembers } from '../../src/lib/synthetic';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { TRANSFER_STATE_LABELS } from '../../src/lib/domain/operations/transfer';
import { MEMBER_SHEET_COLUMNS } from '../../src/lib/domain/spreadsheets/member-sheet';
import { EXPORT_HEADER_ROW } from '../../src/lib/data/spreadsheets/roster-export-sheet';

// Exports end to end, in Chromium on the built app: a secretary filters her roster and taps "Xuất
// Excel" — the file holds exactly the members the list shows; a member's file downloads with its two
// sheets; an export made offline reaches the audit trail once the phone syncs again. The Nghiệp vụ
// lists of coming of age and transfers download from their screens' buttons as real files, read
// back here: the rows the screen shows, in its columns, with Vietnam's dates.

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

async function exportsInTrail(of: { id: string } = unit) {
	return (await server.audit.listFor({ type: 'unit', id: of.id })).filter(
		(e) => e.action === 'export'
	);
}

/** A sheet's data rows (under the title and the header) as the texts and numbers they hold. */
function dataRows(sheet: ExcelJS.Worksheet): unknown[][] {
	const rows: unknown[][] = [];
	for (let r = EXPORT_HEADER_ROW + 1; r <= sheet.rowCount; r++) {
		const row = sheet.getRow(r);
		rows.push(Array.from({ length: sheet.columnCount }, (_, c) => row.getCell(c + 1).value ?? ''));
	}
	return rows;
}

function headerRow(sheet: ExcelJS.Worksheet): unknown[] {
	return Array.from(
		{ length: sheet.columnCount },
		(_, c) => sheet.getCell(EXPORT_HEADER_ROW, c + 1).value
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

describe('the Nghiệp vụ lists download as the screens show them', () => {
	it('coming of age and transfers: real files, read back, each export in the audit trail', async () => {
		// A unit of its own: who comes of age depends only on the birth dates chosen from Vietnam's
		// today (the tests' clock), whatever day the test runs on.
		const created = await server.createUnitWithAccount({ name: 'Đoàn xã Nghiệp Vụ' });
		const today = vietnamToday();
		const year = Number(today.slice(0, 4));
		const [over, young, thisYear] = generateMembers({
			seed: 1617,
			count: 3,
			unitId: created.unit.id,
			branchIds: [],
			today: '2026-11-28'
		}).map((m) => {
			// No office, no stay decision: nothing exempts them from coming of age.
			const { unionPosition: _office, staysUntil: _stay, ...rest } = m;
			return { ...rest, status: 'active' as const, fullTimeUnionStaff: false };
		});
		// 31 today: turned 30 last year, the ceremony is due "from last year". 20: not on the list.
		// 30 on 1 January of this year (due) — or, on 1 January itself, turning 30 today.
		const members = [
			{ ...over!, birthDate: shiftDate({ date: today, years: -31 }) },
			{ ...young!, birthDate: shiftDate({ date: today, years: -20 }) },
			{ ...thisYear!, birthDate: `${year - 30}-01-01` }
		] as MemberDoc[];
		const transferId = '01JF7T00000000000000000001';
		const requestedBy = created.login;
		const at = new Date().toISOString();
		await server.couch.bulkDocs({
			db: created.unit.db,
			docs: [
				...members,
				{
					_id: `history:${young!._id.slice('member:'.length)}:${transferId}`,
					type: 'history',
					v: 1,
					unitId: created.unit.id,
					memberId: young!._id,
					kind: 'transfer-requested',
					at: today,
					rulesVersion: 1,
					data: {
						transferId,
						toUnitId: 'xanhanthu',
						toUnitName: 'Đoàn xã Nhận Thử',
						reason: 'Chuyển nơi ở',
						assessment: 'Hoàn thành tốt nhiệm vụ.'
					},
					createdAt: at,
					createdBy: requestedBy,
					updatedAt: at,
					updatedBy: requestedBy
				}
			]
		});
		const name = (m: MemberDoc) =>
			[m.familyName, m.middleName, m.givenName].filter(Boolean).join(' ');

		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, {
			url: link.url,
			account: { login: created.login, password: created.password },
			start: '/'
		});
		await expect.poll(() => page.getByTestId('member-count').textContent()).toBe('3 đoàn viên');

		// Coming of age: the year's list, its two members due, the young one absent.
		await page.goto(`${link.url}/nghiep-vu/truong-thanh`);
		const coming = await download(page, 'export-coming-of-age');
		expect(coming.name).toBe(`truong-thanh-${year}-${created.unit.id}-${today}.xlsx`);
		const comingSheet = coming.book.getWorksheet(`Trưởng thành ${year}`)!;
		expect(String(comingSheet.getCell(1, 1).value)).toBe(
			`Danh sách trưởng thành Đoàn năm ${year} — Đoàn xã Nghiệp Vụ — ngày ${typedDate(today)}`
		);
		expect(headerRow(comingSheet)).toEqual([
			'STT',
			'Họ và tên',
			'Ngày sinh',
			'Ngày tròn 30 tuổi',
			'Tình trạng'
		]);
		const comingRows = dataRows(comingSheet);
		expect(comingRows.map((row) => row.slice(0, 4))).toEqual([
			[
				1,
				name(members[0]!),
				typedDate(members[0]!.birthDate),
				typedDate(shiftDate({ date: today, years: -1 }))
			],
			[2, name(members[2]!), `01/01/${year - 30}`, `01/01/${year}`]
		]);
		expect(comingRows[0]![4]).toBe('Đến tuổi trưởng thành (từ năm trước)');
		expect(String(comingRows[1]![4])).toMatch(/^(Đến tuổi trưởng thành|Sắp tròn 30 tuổi)/);
		await expect
			.poll(() => page.getByTestId('export-coming-of-age-done').textContent())
			.toContain('Đã xuất 2 dòng');
		await check(page, 'coming of age after an export');

		// Transfers: the request out, as the screen lists it.
		await page.goto(`${link.url}/nghiep-vu/chuyen-sinh-hoat`);
		await expect
			.poll(() => page.getByTestId('outgoing-transfers').textContent())
			.toContain('Đoàn xã Nhận Thử');
		const transfers = await download(page, 'export-transfers');
		expect(transfers.name).toBe(`chuyen-sinh-hoat-${created.unit.id}-${today}.xlsx`);
		const transferSheet = transfers.book.getWorksheet('Chuyển sinh hoạt')!;
		expect(headerRow(transferSheet)).toEqual([
			'STT',
			'Chiều',
			'Họ và tên',
			'Ngày sinh',
			'Đơn vị chuyển đi / đến',
			'Ngày đề nghị',
			'Lý do chuyển',
			'Tình trạng',
			'Ngày trả lời',
			'Lý do từ chối'
		]);
		expect(dataRows(transferSheet)).toEqual([
			[
				1,
				'Chuyển đi',
				name(members[1]!),
				'',
				'Đoàn xã Nhận Thử',
				typedDate(today),
				'',
				TRANSFER_STATE_LABELS.pending,
				'',
				''
			]
		]);
		await check(page, 'transfers after an export');

		// Both exports are in the trail, with their row counts and never a name.
		await expect.poll(async () => (await exportsInTrail(created.unit)).length).toBe(2);
		const trail = await exportsInTrail(created.unit);
		expect(trail.find((e) => e.details?.kind === 'coming-of-age')?.details).toMatchObject({
			rows: 2,
			filters: { year }
		});
		expect(trail.find((e) => e.details?.kind === 'transfers')?.details).toMatchObject({ rows: 1 });
		for (const m of members) expect(JSON.stringify(trail)).not.toContain(name(m));
		await context.close();
	});
});
