import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import {
	cspViolations,
	launchBrowser,
	phoneContext,
	waitForServiceWorker
} from '../support/browser';
import { ensureBuilt } from '../support/build';

// A brand-new server: the first visit sets up the top unit and its administrator. Then a new version
// is deployed while the app is open: it offers the update and switches only when asked.

let server: TestServer;
let browser: Browser;
let buildDir: string;

beforeAll(async () => {
	ensureBuilt();
	// A copy of the build, so this test can "deploy" a new version without touching build/.
	buildDir = mkdtempSync(join(tmpdir(), 'doanvu-build-'));
	cpSync('build', buildDir, { recursive: true });
	server = await startTestServer({ buildDir });
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.close();
	rmSync(buildDir, { recursive: true, force: true });
});

describe('first run and updates', () => {
	it('sets up the top unit on an empty server, then offers a newly deployed version', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await page.goto(`${server.url}/doan-vien`);
		await page.waitForURL('**/khoi-tao');

		await page.getByLabel('Tên đơn vị').fill('Tỉnh đoàn Phú Thọ');
		await page.getByLabel('Họ và tên người quản trị').fill('Nguyễn Văn Quản');
		await page.getByLabel('Tên đăng nhập').fill('quantri');
		await page.getByLabel('Mật khẩu', { exact: true }).fill('ngan');
		await page.getByRole('button', { name: 'Khởi tạo' }).click();
		await expect.poll(() => page.getByText('Mật khẩu phải có ít nhất 8 ký tự.').count()).toBe(1);
		await page.getByLabel('Mật khẩu', { exact: true }).fill('mat-khau-du-dai');
		await page.getByLabel('Nhập lại mật khẩu').fill('mat-khau-du-dai');
		await page.getByRole('button', { name: 'Khởi tạo' }).click();
		// A province has subordinate units: its administrator lands on the dashboard.
		await page.waitForURL('**/tong-quan');
		await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Tỉnh đoàn Phú Thọ');

		// Setup happens once: the server now refuses it.
		const again = await server.request('/api/setup');
		expect(await again.json()).toEqual({ needsSetup: false });

		await waitForServiceWorker(page);
		expect(await page.locator('meta[name="doanvu-build"]').count()).toBe(0);

		// Deploy a new version: a changed shell and a regenerated service worker.
		const index = join(buildDir, 'index.html');
		writeFileSync(
			index,
			readFileSync(index, 'utf8').replace('<head>', '<head><meta name="doanvu-build" content="v2">')
		);
		execFileSync('npx', ['tsx', 'scripts/build-sw.ts', buildDir], { stdio: 'pipe' });

		await page.evaluate(async () => {
			await (await navigator.serviceWorker.getRegistration())?.update();
		});
		const banner = page.getByText('Đã có phiên bản mới của Đoàn vụ.');
		await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(1);
		// Nothing switches until the user says so.
		expect(await page.locator('meta[name="doanvu-build"]').count()).toBe(0);

		await page.getByRole('button', { name: 'Cập nhật' }).click();
		await expect
			.poll(() => page.locator('meta[name="doanvu-build"]').count(), { timeout: 30_000 })
			.toBe(1);
		await expect.poll(() => page.getByTestId('unit-name').textContent()).toBe('Tỉnh đoàn Phú Thọ');
		expect(cspViolations(context)).toEqual([]);
		await context.close();
	});
});
