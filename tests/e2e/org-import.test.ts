import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { readOrgSheet } from '../../src/lib/data/spreadsheets/org-import-file';
import { cspViolations } from '../support/browser';
import { check } from '../support/phone-layout';
import { adminPhone, closeProvinceSite, startProvinceSite } from '../support/province-site';
import { uniqueLogin, type TestServer } from '../support/test-server';

// A province's secretary imports three communes and their secretaries from a sheet on her phone:
// she downloads the template, picks her own CSV, sees the invalid rows named in the preview, fixes
// one in place (the server checks the rows again) and leaves the other out (taken back once, then
// left out again), confirms, follows the progress, and gets the passwords once — leaving the page
// asks first. The secretaries then sign in with them; the row left out founded nothing.

let server: TestServer;
let browser: Browser;
let province: { id: string; name: string };
let admin: { login: string; password: string };

beforeAll(async () => {
	({ server, browser, province, admin } = await startProvinceSite('Tỉnh đoàn Quảng Trị'));
}, 120_000);

afterAll(() => closeProvinceSite({ browser, server }));

function csv(rows: string[][]): { name: string; mimeType: string; buffer: Buffer } {
	const text = [
		'Tên đơn vị;Loại đơn vị;Họ tên bí thư;Tên đăng nhập',
		...rows.map((r) => r.join(';'))
	];
	return { name: 'xa.csv', mimeType: 'text/csv', buffer: Buffer.from(text.join('\n'), 'utf8') };
}

describe('the organisation from a sheet, on a phone', () => {
	it('previews, refuses an invalid row, imports, and shows the passwords once', async () => {
		const { context, page } = await adminPhone({ server, browser, admin });
		await page.goto(`${server.url}/don-vi/${province.id}`);
		await page.getByRole('link', { name: 'Nhập đơn vị và tài khoản bí thư từ bảng tính' }).click();
		await page.waitForURL(`**/don-vi/${province.id}/nhap`);

		// The template reads back as a sheet the import understands.
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: 'Tải tệp mẫu' }).click()
		]);
		const template = await readFile((await download.path()) ?? '');
		expect((await readOrgSheet(new File([new Uint8Array(template)], 'mau.xlsx'))).length).toBe(2);

		const prefix = uniqueLogin('q').slice(0, 9);
		const rows = [
			['Đoàn xã Gio Linh', 'Đoàn xã', 'Lê Thị Một', `${prefix}1`],
			['Đoàn xã Cam Lộ', 'Chi đoàn', 'Lê Thị Hai', `${prefix}2`],
			['Đoàn phường Đông Hà', 'Đoàn phường', 'Lê Thị Ba', `${prefix}3`],
			['Đoàn xã Hải Lăng', 'Đoàn xã', 'Lê Thị Bốn', 'sai tên!']
		];
		await page.getByTestId('org-import-file').setInputFiles(csv(rows));
		const counts = () => page.getByTestId('org-import-counts').textContent();
		await expect.poll(counts, { timeout: 20_000 }).toMatch(/2\s*đơn vị mới.*2\s*dòng có lỗi/s);
		const line = (n: number) => page.locator(`[data-testid="org-import-row"][data-line="${n}"]`);
		expect(await line(3).textContent()).toContain('Có lỗi');
		expect(await line(3).textContent()).toContain('không phải đơn vị riêng');
		expect(await line(5).textContent()).toContain('Tên đăng nhập');
		expect(await page.getByTestId('org-import-start').isDisabled()).toBe(true);

		// She fixes the kind in place: the server checks the rows again, the row is to be founded.
		await line(3).getByLabel('Loại đơn vị').selectOption('doan-xa');
		await line(3).getByTestId('org-fix-row').click();
		await expect.poll(counts, { timeout: 20_000 }).toMatch(/3\s*đơn vị mới.*1\s*dòng có lỗi/s);
		expect(await line(3).textContent()).toContain('Sẽ tạo · đã sửa');
		expect(await line(3).getByTestId('org-fix-row').count()).toBe(0);

		// The other she leaves out; taken back, it is invalid again; left out again, nothing is.
		await line(5).getByTestId('org-skip-row').click();
		await expect.poll(counts, { timeout: 20_000 }).toMatch(/3\s*đơn vị mới.*0\s*dòng có lỗi/s);
		const skipped = page.getByTestId('org-import-skipped');
		expect(await skipped.textContent()).toContain('Dòng 5: Đoàn xã Hải Lăng');
		await skipped.getByRole('button', { name: 'Lấy lại' }).click();
		await expect.poll(counts, { timeout: 20_000 }).toMatch(/1\s*dòng có lỗi/);
		expect(await skipped.count()).toBe(0);
		await line(5).getByTestId('org-skip-row').click();
		await expect.poll(counts, { timeout: 20_000 }).toMatch(/3\s*đơn vị mới.*0\s*dòng có lỗi/s);
		await check(page, 'organisation preview after a fix and a row left out');
		await page.getByTestId('org-import-start').click();
		await page.getByRole('dialog').getByRole('button', { name: 'Tạo' }).click();

		const list = page.getByTestId('org-import-passwords');
		await expect.poll(() => list.count(), { timeout: 60_000 }).toBe(1);
		expect(await page.getByText('Chỉ hiển thị một lần.').count()).toBe(1);
		const cells = await list
			.locator('tbody tr')
			.evaluateAll((trs) =>
				trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''))
			);
		expect(cells.map((row) => row[2]).sort()).toEqual([`${prefix}1`, `${prefix}2`, `${prefix}3`]);
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(360);

		// Leaving asks first; declining keeps the list on screen.
		page.once('dialog', (dialog) => void dialog.dismiss());
		await page.getByRole('link', { name: /Tỉnh đoàn Quảng Trị/ }).click();
		await page.waitForTimeout(300);
		expect(page.url()).toContain('/nhap');
		expect(await list.count()).toBe(1);

		// Each secretary signs in with her temporary password, and must change it.
		for (const [, , login, password] of cells) {
			const res = await server.request('/api/session', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ login, password })
			});
			expect(res.status).toBe(200);
			expect(((await res.json()) as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
		}
		const children = await server.provision.listChildren(province.id);
		expect(children.map((unit) => unit.name).sort()).toEqual(
			['Đoàn phường Đông Hà', 'Đoàn xã Cam Lộ', 'Đoàn xã Gio Linh'].sort()
		);
		expect(cspViolations(context)).toEqual([]);
		await context.close();
	}, 180_000);
});
