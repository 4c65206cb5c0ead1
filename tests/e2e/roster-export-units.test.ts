import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { phoneContext, signIn } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { vietnamToday } from '../support/clock';
import { seedActiveMembers } from '../support/member-fixture';
import { createProvince } from '../support/org-setup';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { MEMBER_SHEET_COLUMNS } from '../../src/lib/domain/spreadsheets/member-sheet';
import { EXPORT_HEADER_ROW } from '../../src/lib/data/spreadsheets/roster-export-sheet';

// A superior's roster over several units, exported (docs/spreadsheets.md, "Exports"): a province
// pins two communes, her list holds both, and "Xuất Excel" gives one file whose first column,
// "Đơn vị", names each member's commune — read back here with exceljs, member by member — and the
// audit trail of each commune records the export with that commune's own row count.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let province: { id: string; name: string };
let admin: { login: string; password: string };
const communes: { id: string; db: string; name: string; members: MemberDoc[] }[] = [];

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Xuất Nhiều Đơn Vị');
	province = top.unit;
	admin = { login: top.login, password: top.password };
	for (const [name, seed, count] of [
		['Đoàn xã Hương Cần', 31, 4],
		['Đoàn xã Yên Lập', 32, 3]
	] as const) {
		const { unit } = await server.createUnitWithAccount({ name, parentId: province.id });
		const members = await seedActiveMembers(server, { unit, seed, count });
		communes.push({ ...unit, name, members });
	}
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const count = (page: Page) => page.getByTestId('member-count').textContent();

/** Every data row of the sheet (under the title and the header), by header. */
function records(sheet: ExcelJS.Worksheet): Record<string, string>[] {
	const headers = Array.from({ length: sheet.columnCount }, (_, c) =>
		String(sheet.getCell(EXPORT_HEADER_ROW, c + 1).value ?? '')
	);
	const rows: Record<string, string>[] = [];
	for (let r = EXPORT_HEADER_ROW + 1; r <= sheet.rowCount; r++) {
		rows.push(
			Object.fromEntries(
				headers.map((header, c) => [header, String(sheet.getCell(r, c + 1).value ?? '')])
			)
		);
	}
	return rows;
}

describe('a superior exports her list over several units', () => {
	it('names each member’s unit in the "Đơn vị" column, and each unit’s trail counts its own rows', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signIn(page, { url: link.url, account: admin, landing: '/tong-quan' });
		for (const commune of communes) {
			await page.goto(`${link.url}/don-vi/${commune.id}`);
			await page.getByTestId('pin-unit').click();
			await expect.poll(() => page.getByTestId('pin-unit').textContent()).toContain('Bỏ ghim');
		}
		const total = communes.reduce((sum, c) => sum + c.members.length, 0);
		await page.getByRole('link', { name: 'Đoàn viên' }).click();
		await expect.poll(() => count(page), { timeout: 30_000 }).toBe(`${total} đoàn viên`);

		const [file] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('export-xlsx').click()
		]);
		expect(file.suggestedFilename()).toBe(`doan-vien-${province.id}-${vietnamToday()}.xlsx`);
		const book = new ExcelJS.Workbook();
		await book.xlsx.readFile((await file.path())!);
		const sheet = book.getWorksheet('Đoàn viên')!;
		expect(String(sheet.getCell(1, 1).value)).toContain(province.name);
		expect(String(sheet.getCell(1, 1).value)).toContain(
			vietnamToday().split('-').reverse().join('/')
		);
		// "Đơn vị" first, then the roster's own columns, unchanged (the file imports back).
		expect(sheet.getCell(EXPORT_HEADER_ROW, 1).value).toBe('Đơn vị');
		expect(sheet.getCell(EXPORT_HEADER_ROW, 2).value).toBe(MEMBER_SHEET_COLUMNS[0]!.header);

		// Every member once, under her own commune's name (found by citizen id).
		const rows = records(sheet);
		expect(rows).toHaveLength(total);
		const unitOf = new Map(rows.map((row) => [row['Số CCCD'], row['Đơn vị']]));
		expect(unitOf.size).toBe(total);
		for (const commune of communes) {
			for (const member of commune.members) {
				expect(member.citizenId, 'the generator gives every member a citizen id').toBeTruthy();
				expect(unitOf.get(member.citizenId ?? '')).toBe(commune.name);
			}
		}
		await expect
			.poll(() => page.getByTestId('export-xlsx-done').textContent())
			.toContain(`Đã xuất ${total} dòng`);

		// One audit entry per commune, each with its own members' count, made by the province.
		for (const commune of communes) {
			await expect
				.poll(
					async () =>
						(await server.audit.listFor({ type: 'unit', id: commune.id }))
							.filter((e) => e.action === 'export')
							.map((e) => ({ actor: e.actor, rows: e.details?.rows, kind: e.details?.kind })),
					{ timeout: 20_000 }
				)
				.toEqual([{ actor: admin.login, rows: commune.members.length, kind: 'roster' }]);
		}
		await context.close();
	});
});
