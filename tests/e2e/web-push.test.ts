import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import { cspViolations, launchBrowser, phoneContext, signInSynced } from '../support/browser';
import { ensureBuilt } from '../support/build';

// The phone's side of Web Push (docs/decisions/0022-web-push.md) in the built app, as far as a test
// machine can go: headless Chromium has no push service, so a real subscription and a real notice
// are checked by hand on a phone. Here: the installed service worker carries the push handlers, and
// the account screen shows the switch and says, in Vietnamese, what the browser allows.

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let account: { login: string; password: string };

beforeAll(async () => {
	ensureBuilt();
	server = await startTestServer();
	account = await server.createUnitWithAccount({ name: 'Đoàn xã Tin Báo' });
	browser = await launchBrowser();
	context = await phoneContext(browser);
	page = await context.newPage();
});

afterAll(async () => {
	await context?.close();
	await browser?.close();
	await server?.close();
});

describe('Web Push on the phone', () => {
	it('installs a service worker that handles push and notification taps', async () => {
		await signInSynced(page, { url: server.url, account });
		const scripts = await page.evaluate(async () => {
			const sw = await (await fetch('/sw.js')).text();
			const push = await fetch('/sw-push.js');
			return { sw, push: push.ok ? await push.text() : '' };
		});
		// Bundled into the worker (no importScripts: a round trip less before the install starts).
		expect(scripts.sw).toContain('addEventListener("push"');
		expect(scripts.sw).toContain('addEventListener("notificationclick"');
		expect(scripts.push).toContain("addEventListener('push'");
		expect(scripts.push).toContain("addEventListener('notificationclick'");
		// The notice is generic: no payload field is ever shown.
		expect(scripts.push).toContain('Có thư mới trong Hộp thư.');
	});

	it('shows the switch on the account screen with the state the browser allows', async () => {
		await page.goto(`${server.url}/tai-khoan`);
		const toggle = page.getByRole('switch', { name: 'Thông báo khi có thư mới' });
		await toggle.waitFor();
		const state = page.getByTestId('push-state');
		await state.waitFor();
		const permission = await page.evaluate(() => Notification.permission);
		const text = (await state.textContent()) ?? '';
		if (permission === 'denied') {
			expect(text).toContain('đã bị chặn trong cài đặt trình duyệt');
			expect(await toggle.isDisabled()).toBe(true);
		} else {
			expect(text).toContain('Đang tắt');
			expect(await toggle.isChecked()).toBe(false);
		}
		expect(cspViolations(context)).toEqual([]);
	});

	it('turned on where no push service answers: says so in Vietnamese and stays off', async () => {
		// The user's consent, as the browser's prompt would record it.
		await context.grantPermissions(['notifications'], { origin: server.url });
		await page.reload();
		const toggle = page.getByRole('switch', { name: 'Thông báo khi có thư mới' });
		await toggle.waitFor();
		await expect.poll(() => toggle.isEnabled()).toBe(true);
		await toggle.click();
		const alert = page.locator('.alert', { hasText: 'thông báo' });
		await alert.waitFor();
		expect(await alert.textContent()).toContain('Trình duyệt chưa đăng ký được thông báo');
		expect(await page.getByTestId('push-state').textContent()).toContain('Đang tắt');
		expect(await toggle.isChecked()).toBe(false);
		const devices = await server.devices.listDevices({ login: account.login });
		for (const device of devices) {
			expect((await server.devices.getDevice(device.id))?.push).toBeUndefined();
		}
	});

	it('shows the generic notice of each kind when a push reaches the installed worker', async () => {
		// The push service's part cannot run here; from the worker on, it is the real thing: CDP
		// hands the installed service worker a push event as the browser would on a notice.
		await context.grantPermissions(['notifications'], { origin: server.url });
		const cdp = await context.newCDPSession(page);
		const registrations: { registrationId: string; scopeURL: string }[] = [];
		cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
			registrations.push(...event.registrations);
		});
		await cdp.send('ServiceWorker.enable');
		await expect.poll(() => registrations.length).toBeGreaterThan(0);
		const registrationId = registrations.find(
			(r) => r.scopeURL === `${server.url}/`
		)?.registrationId;
		expect(registrationId).toBeDefined();
		const notices = async () =>
			page.evaluate(async () => {
				const registration = await navigator.serviceWorker.ready;
				const shown = await registration.getNotifications();
				return shown.map((n) => ({ tag: n.tag, body: n.body }));
			});
		expect(await notices()).toEqual([]);

		await cdp.send('ServiceWorker.deliverPushMessage', {
			origin: server.url,
			registrationId: registrationId!,
			data: JSON.stringify({ kind: 'meeting', count: 1 })
		});
		await expect.poll(notices).toContainEqual({
			tag: 'doanvu-meeting',
			body: 'Một cuộc họp đơn vị được mời sắp bắt đầu (trong vòng một giờ). Mở Hộp thư để xem.'
		});
		await cdp.send('ServiceWorker.deliverPushMessage', {
			origin: server.url,
			registrationId: registrationId!,
			data: JSON.stringify({ kind: 'mail', count: 3 })
		});
		await expect
			.poll(notices)
			.toContainEqual({ tag: 'doanvu-mail', body: 'Có 3 thư mới trong Hộp thư.' });
		await cdp.detach();
	});
});
