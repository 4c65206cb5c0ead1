import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { createProvince } from '../support/org-setup';
import { phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import { createJoinLink, type JoinLink } from '../support/declaration-fixture';

// Issue #14's path end to end on two 360 px phones against the real server: a member with no
// account opens her commune's join link, loses the signal, fills and sends her profile (kept on
// the phone, "Chờ gửi"), and it leaves by itself when the signal returns ("Đã gửi"). The commune's
// secretary — already signed in, syncing — finds it in her queue, sees it matches nobody, approves
// it. The member looks her receipt code up: "Đã duyệt". The roster lists her, self-declared.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let commune: Awaited<ReturnType<TestServer['createUnitWithAccount']>>;
let joinLink: JoinLink;

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	commune = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	const { cookie } = await server.signIn(commune);
	joinLink = await createJoinLink({ server, unit: commune.unit, secretaryCookie: cookie });
});

afterAll(() => closeBrowserSite({ browser, link, server }));

/** The page's own service worker holds the page: from here it reopens without signal. */
async function untilControlled(page: Page) {
	await page.waitForFunction(
		() => navigator.serviceWorker?.controller?.scriptURL.endsWith('/khai/sw.js'),
		null,
		{ timeout: 30_000 }
	);
}

describe('a member declares herself; her unit approves', () => {
	it('from an offline phone to the roster, with the receipt saying so', async () => {
		const secretaryContext = await phoneContext(browser);
		const secretary = await secretaryContext.newPage();
		await signInSynced(secretary, { url: link.url, account: commune });

		// The member opens the link from the poster: it names her commune.
		const memberContext = await phoneContext(browser);
		const member = await memberContext.newPage();
		await member.goto(`${link.url}/khai/${joinLink.token}`);
		await expect
			.poll(() => member.getByTestId('join-unit').textContent(), { timeout: 15_000 })
			.toContain('Đoàn xã Thanh Sơn');
		await untilControlled(member);

		// No signal (on a bus): she fills her profile — her name typed with combining marks, as some
		// keyboards send it — ticks the consent herself and sends. It waits on her phone.
		await memberContext.setOffline(true);
		await member.locator('#f-familyName').fill('Ha\u0300');
		await member.locator('#f-middleName').fill('Thi\u0323');
		await member.locator('#f-givenName').fill('Mây');
		await member.locator('#f-gender').selectOption('female');
		await member.locator('#f-birthDate').fill('08/03/2004');
		await member.locator('#f-ethnicCode').fill('Mường');
		await member.locator('#f-religion').fill('Không');
		await member.locator('#f-generalEducation').fill('12/12');
		await member.locator('#f-consent').check();
		await member.getByRole('button', { name: 'Gửi' }).click();
		await expect.poll(() => member.getByTestId('receipt-status').textContent()).toBe('Chờ gửi');
		const code = (await member.getByTestId('receipt-code').textContent())!.trim();
		expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

		// The signal returns: it leaves by itself.
		await memberContext.setOffline(false);
		await expect
			.poll(() => member.getByTestId('receipt-status').textContent(), { timeout: 45_000 })
			.toBe('Đã gửi');

		// The secretary's phone, syncing, has it: her roster's card, then the queue.
		const card = secretary.getByTestId('declarations-card');
		await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('1');
		await card.click();
		await secretary.waitForURL('**/ban-khai');
		const row = secretary.getByTestId('declaration-row').filter({ hasText: 'Hà Thị Mây' });
		await row.getByRole('link').click();
		await expect
			.poll(() => secretary.getByTestId('declaration-name').textContent())
			.toContain('Hà Thị Mây');
		expect(await secretary.getByTestId('match-kind').textContent()).toContain('Hồ sơ mới');
		await secretary.getByTestId('approve').click();
		await expect.poll(() => secretary.getByTestId('approved').textContent()).toContain('Đã duyệt');

		// The member looks her receipt up: approved (once the secretary's phone has pushed).
		await expect
			.poll(
				async () => {
					await member.goto(`${link.url}/khai/bien-nhan#${code}`);
					return member.getByTestId('receipt-status').textContent({ timeout: 10_000 });
				},
				{ timeout: 45_000, interval: 1_000 }
			)
			.toBe('Đã duyệt');

		// The roster lists her, self-declared; her profile says who approved it.
		await secretary.goto(`${link.url}/doan-vien`);
		const item = secretary.getByTestId('member-item').filter({ hasText: 'Hà Thị Mây' });
		await expect.poll(() => item.getByTestId('self-declared').textContent()).toBe('Tự khai');
		await item.click();
		await expect
			.poll(() => secretary.getByTestId('provenance').textContent())
			.toContain('Tự khai, duyệt bởi ' + commune.login);
		await memberContext.close();
		await secretaryContext.close();
	});
});
