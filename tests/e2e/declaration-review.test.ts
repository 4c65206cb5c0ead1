import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../support/test-server';
import type { LinkCutter } from '../support/link-cutter';
import { createProvince } from '../support/org-setup';
import { phoneContext, signInSynced } from '../support/browser';
import { closeBrowserSite, startBrowserSite } from '../support/browser-site';
import {
	declarationDoc,
	declaredPerson,
	seedDeclarations
} from '../support/declaration-review-fixture';
import type { DeclarationDoc, DeclaredFields } from '../../src/lib/domain/declarations';

// The unit's review of members' own declarations (ADR 0019, issue #14) at 360 px against the real
// server: three declarations delivered into Thanh Sơn's database — a new person, one whose citizen
// id is a record of the unit (a different phone, a missing address), one whose citizen id is on
// the rolls of Tân Lập. The secretary approves the new one with no signal and sees it at once; the
// record of the matching one takes only the gap she leaves ticked; the clash is flagged and cannot
// become a new member; she rejects it with a reason. Her decisions reach the server.

let server: TestServer;
let link: LinkCutter;
let browser: Browser;
let thanhSon: { unit: { id: string; db: string }; login: string; password: string };
let tanLap: { unit: { id: string; db: string }; login: string; password: string };
let fresh: DeclarationDoc;
let matching: DeclarationDoc;
let clashing: DeclarationDoc;

const EXISTING = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y';
const ELSEWHERE = 'member:01JD3X4N5P6Q7R8S9T0V1W2X40';
const UNIT_PHONE = '0987000111';
const DECLARED_PHONE = '0912345678';
const ADDRESS = 'Bản Nà Lừa, xã Thanh Sơn';

function memberDoc(options: {
	id: string;
	unitId: string;
	login: string;
	fields: DeclaredFields;
}): Record<string, unknown> {
	const at = new Date().toISOString();
	return {
		_id: options.id,
		type: 'member',
		v: 2,
		unitId: options.unitId,
		...options.fields,
		status: 'active',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

beforeAll(async () => {
	({ server, link, browser } = await startBrowserSite());
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	thanhSon = await server.createUnitWithAccount({
		name: 'Đoàn xã Thanh Sơn',
		parentId: top.unit.id
	});
	tanLap = await server.createUnitWithAccount({ name: 'Đoàn xã Tân Lập', parentId: top.unit.id });

	// The two records, written through /couch as a phone would, so the registry knows them.
	const hoa = declaredPerson({
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		citizenId: '025304001234',
		ethnicCode: '06'
	});
	const own = await server.signIn(thanhSon);
	await server.remoteDb({ db: thanhSon.unit.db, cookie: own.cookie }).put(
		memberDoc({
			id: EXISTING,
			unitId: thanhSon.unit.id,
			login: thanhSon.login,
			fields: { ...hoa, phone: UNIT_PHONE }
		})
	);
	const quan = declaredPerson({
		givenName: 'Quân',
		birthDate: '2002-01-15',
		citizenId: '011202000777'
	});
	const other = await server.signIn(tanLap);
	await server
		.remoteDb({ db: tanLap.unit.db, cookie: other.cookie })
		.put(memberDoc({ id: ELSEWHERE, unitId: tanLap.unit.id, login: tanLap.login, fields: quan }));

	// Three declarations, oldest first, delivered by the server.
	const minutes = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
	fresh = declarationDoc({
		unitId: thanhSon.unit.id,
		fields: declaredPerson({ citizenId: '011205009999', phone: '0911222333' }),
		submittedAt: minutes(30)
	});
	matching = declarationDoc({
		unitId: thanhSon.unit.id,
		fields: { ...hoa, phone: DECLARED_PHONE, currentAddress: ADDRESS },
		submittedAt: minutes(20)
	});
	clashing = declarationDoc({ unitId: thanhSon.unit.id, fields: quan, submittedAt: minutes(10) });
	await seedDeclarations(server, { db: thanhSon.unit.db, docs: [fresh, matching, clashing] });
});

afterAll(() => closeBrowserSite({ browser, link, server }));

const ulidOf = (doc: DeclarationDoc) => doc._id.slice('declaration:'.length);

async function openDeclaration(page: Page, name: string) {
	await page.getByTestId('declaration-row').filter({ hasText: name }).getByRole('link').click();
	await expect.poll(() => page.getByTestId('declaration-name').textContent()).toContain(name);
}

async function serverReview(id: string) {
	return server.couch.getDoc<{
		_id: string;
		decision?: string;
		memberId?: string;
		reason?: string;
	}>({
		db: thanhSon.unit.db,
		id: `declaration-review:${id}`
	});
}

describe('the review queue', () => {
	it('approves offline, keeps what the unit typed, refuses a clash as a new member, and syncs', async () => {
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: thanhSon });

		// The roster says what waits; the queue lists the three, oldest first.
		const card = page.getByTestId('declarations-card');
		await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('3');
		expect(await card.textContent()).toContain('bản khai chờ duyệt');
		await card.click();
		await page.waitForURL('**/ban-khai');
		const rows = page.getByTestId('declaration-row');
		await expect.poll(() => rows.count()).toBe(3);
		expect(await rows.first().textContent()).toContain('Lò Văn Pằng');
		expect(await page.getByTestId('filter-pending').textContent()).toContain('(3)');

		// No signal: she approves the new person; the registry cannot be asked, and says so.
		link.cut();
		await context.setOffline(true);
		await openDeclaration(page, 'Lò Văn Pằng');
		await expect
			.poll(() => page.getByTestId('clash-unchecked').textContent())
			.toContain('chưa kiểm tra được (không có mạng); máy chủ sẽ kiểm tra khi đồng bộ');
		expect(await page.getByTestId('match-kind').textContent()).toContain('Hồ sơ mới');
		await page.getByTestId('approve').click();
		await expect.poll(() => page.getByTestId('approved').textContent()).toContain('Đã duyệt');
		await expect.poll(() => page.getByTestId('review-waiting').textContent()).toContain('chờ gửi');
		await page.getByTestId('approved-member-link').click();
		await expect
			.poll(() => page.getByTestId('provenance').textContent())
			.toContain('Tự khai, duyệt bởi ' + thanhSon.login);
		expect(await serverReview(ulidOf(fresh))).toBeUndefined();

		// The signal returns: the review and the new member reach the server.
		link.restore();
		await context.setOffline(false);
		await expect
			.poll(async () => (await serverReview(ulidOf(fresh)))?.decision, { timeout: 30_000 })
			.toBe('approved');
		const created = (await serverReview(ulidOf(fresh)))!.memberId!;
		await expect
			.poll(
				async () =>
					(
						await server.couch.getDoc<{ _id: string; provenance?: { source: string } }>({
							db: thanhSon.unit.db,
							id: created
						})
					)?.provenance?.source,
				{ timeout: 30_000 }
			)
			.toBe('self');

		// The one matching a record: the gap comes ticked, the unit's phone does not.
		await page.goto(`${link.url}/ban-khai`);
		await openDeclaration(page, 'Hà Thị Hoa');
		expect(await page.getByTestId('match-kind').textContent()).toContain('Trùng CCCD');
		const phoneRow = page.getByTestId('difference-phone');
		const addressRow = page.getByTestId('difference-currentAddress');
		expect(await phoneRow.textContent()).toContain(UNIT_PHONE);
		expect(await addressRow.textContent()).toContain('ô trống');
		expect(await addressRow.getByRole('checkbox').isChecked()).toBe(true);
		expect(await phoneRow.getByRole('checkbox').isChecked()).toBe(false);
		// The differences table fits the 360 px screen.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			360
		);
		await page.getByTestId('approve').click();
		await expect.poll(() => page.getByTestId('approved').textContent()).toContain('Đã duyệt');
		await page.getByTestId('approved-member-link').click();
		await page.waitForURL(`**/doan-vien/${EXISTING.slice('member:'.length)}`);
		await expect.poll(() => page.locator('main').textContent()).toContain(ADDRESS);
		expect(await page.locator('main').textContent()).toContain(UNIT_PHONE);
		expect(await page.locator('main').textContent()).not.toContain(DECLARED_PHONE);
		expect(await page.getByTestId('provenance').textContent()).toContain('Đơn vị nhập');

		// The clash: flagged, and approving her as a new member is refused.
		await page.goto(`${link.url}/ban-khai`);
		await openDeclaration(page, 'Lò Văn Quân');
		await expect
			.poll(() => page.getByTestId('clash-flag').textContent())
			.toContain('đang sinh hoạt tại Đoàn xã Tân Lập');
		await page.getByTestId('approve').click();
		await expect
			.poll(() => page.getByTestId('review-error').textContent())
			.toContain('không duyệt thành đoàn viên mới được');
		expect(await page.getByTestId('approved').count()).toBe(0);

		// Rejected with a reason she will read; an empty reason is refused first.
		await page.getByTestId('reject').click();
		await page.getByTestId('confirm-decision').click();
		await expect
			.poll(() => page.locator('#f-reason-error').textContent())
			.toContain('Cần ghi lý do');
		await page
			.getByLabel('Lý do không duyệt (đoàn viên sẽ đọc)')
			.fill('Bạn đang sinh hoạt ở Đoàn xã Tân Lập.');
		await page.getByTestId('confirm-decision').click();
		await expect
			.poll(() => page.getByTestId('declaration-state').textContent())
			.toBe('Không duyệt');

		// Both decisions reach the server; the record in the server kept the unit's phone.
		await expect
			.poll(async () => (await serverReview(ulidOf(matching)))?.memberId, { timeout: 30_000 })
			.toBe(EXISTING);
		await expect
			.poll(async () => (await serverReview(ulidOf(clashing)))?.reason, { timeout: 30_000 })
			.toBe('Bạn đang sinh hoạt ở Đoàn xã Tân Lập.');
		const record = await server.couch.getDoc<{
			_id: string;
			phone?: string;
			currentAddress?: string;
		}>({
			db: thanhSon.unit.db,
			id: EXISTING
		});
		expect(record).toMatchObject({ phone: UNIT_PHONE, currentAddress: ADDRESS });

		// Nothing waits any more; nothing overflows the 360 px screen.
		await page.goto(`${link.url}/ban-khai`);
		await expect.poll(() => page.getByTestId('filter-pending').textContent()).toContain('(0)');
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			360
		);
		await context.close();
	});

	it('a viewer of the unit sees the queue and the decisions, and cannot decide', async () => {
		const viewer = await server.createAccountIn({ unitId: thanhSon.unit.id, role: 'viewer' });
		const context = await phoneContext(browser);
		const page = await context.newPage();
		await signInSynced(page, { url: link.url, account: viewer });
		await page.goto(`${link.url}/ban-khai`);
		await expect.poll(() => page.getByTestId('read-only').textContent()).toContain('bạn chỉ xem');
		await page.getByTestId('filter-all').click();
		await expect.poll(() => page.getByTestId('declaration-row').count()).toBe(3);
		expect(await page.getByTestId('bulk-approve').count()).toBe(0);
		await openDeclaration(page, 'Lò Văn Quân');
		expect(await page.getByTestId('declaration-state').textContent()).toBe('Không duyệt');
		expect(await page.getByTestId('approve').count()).toBe(0);
		await context.close();
	});
});
