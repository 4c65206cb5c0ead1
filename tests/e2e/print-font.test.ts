import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import { launchBrowser, phoneContext, signIn } from '../support/browser';
import { ensureBuilt } from '../support/build';
import { deviceContext, validMember, vietnamToday } from '../support/domain-fixture';
import { buildEntry } from '../../src/lib/domain/operations/shared';

// A printed decision is set in the self-hosted Tinos (Times-metric, every Vietnamese letter), not in
// whatever serif the device has — and the app's own screens never load that font.

let server: TestServer;
let browser: Browser;
let secretary: { login: string; password: string };
let printPath: string;

beforeAll(async () => {
	ensureBuilt();
	server = await startTestServer();
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thanh Sơn' });
	secretary = { login: created.login, password: created.password };
	const member = validMember({
		unitId: created.unit.id,
		login: created.login,
		givenName: 'Hoà'
	});
	member.familyName = 'Nguyễn';
	member.middleName = 'Thị Thuỷ';
	const entry = buildEntry({
		context: deviceContext({ login: created.login, unitId: created.unit.id }),
		member,
		kind: 'reward',
		at: vietnamToday(),
		data: {
			formId: 'giay-khen',
			formLabel: 'Giấy khen',
			levelId: 'co-so',
			levelLabel: 'cơ sở',
			achievement: 'Có thành tích xuất sắc trong phong trào tình nguyện'
		},
		decision: {
			number: '07-QĐ/ĐTN',
			date: vietnamToday(),
			signer: 'Đặng Văn Dũng',
			signerTitle: 'Bí thư',
			issuer: 'Ban Chấp hành Đoàn xã Thanh Sơn'
		}
	});
	await server.couch.putDoc({ db: created.unit.db, doc: member });
	await server.couch.putDoc({ db: created.unit.db, doc: entry });
	const memberKey = member._id.slice('member:'.length);
	const entryKey = entry._id.split(':').at(-1);
	printPath = `/in/quyet-dinh/${memberKey}/${entryKey}`;
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.close();
});

/** The Tinos faces the page knows of, with their load status. */
const tinosFaces = () =>
	[...document.fonts]
		.filter((face) => face.family.replace(/["']/g, '') === 'Tinos')
		.map((face) => ({ status: face.status, style: face.style, weight: face.weight }));

describe('the print font', () => {
	it('is loaded by a print page, sets the decision’s text, and stays out of the app’s screens', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signIn(page, { url: server.url, account: secretary });
		await expect.poll(() => page.getByTestId('member-item').count(), { timeout: 30_000 }).toBe(1);
		await page.evaluate(() => document.fonts.ready.then(() => undefined));
		expect(await page.evaluate(tinosFaces), 'the roster loads no print font').toEqual([]);

		await page.goto(`${server.url}${printPath}`);
		const sheet = page.getByTestId('decision-sheet');
		await sheet.waitFor();
		expect(await sheet.textContent()).toContain('Nguyễn Thị Thuỷ Hoà');
		await page.evaluate(() => document.fonts.ready.then(() => undefined));

		const family = await sheet
			.locator('article')
			.first()
			.evaluate((el) => getComputedStyle(el).fontFamily);
		expect((family.split(',')[0] ?? '').replace(/["']/g, '').trim()).toBe('Tinos');

		// The faces the decision's text needed were fetched and loaded: Latin letters and the
		// Vietnamese ones (ễ, ủ, ọ…) alike, in regular and bold.
		const loaded = (await page.evaluate(tinosFaces)).filter((f) => f.status === 'loaded');
		expect(loaded.length).toBeGreaterThanOrEqual(3);
		expect(loaded.some((f) => f.weight === '700')).toBe(true);
		expect(
			await page.evaluate(() => document.fonts.check('13pt Tinos', 'Nguyễn Thị Thuỷ Hoà ĐOÀN'))
		).toBe(true);
		await context.close();
	});
});
