import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { communeRows, sheetRow } from '../support/org-import-fixture';
import {
	createCommuneWithPeople,
	createProvince,
	signedIn,
	type SignedIn
} from '../support/org-setup';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// The organisation import against those who may not found units where they ask, and against
// bodies meant to hurt: a commune founding beside itself under its province, a viewer or a deputy
// of the province, a province reaching into another's tree or its own commune's, no session, a
// temporary password, bodies too big or too many rows, names of 10,000 characters or with control
// and direction characters. Every attempt is refused and nothing is created.

let server: TestServer;
let province: UnitRecord;
let otherProvince: UnitRecord;
let commune: UnitRecord;
let admin: SignedIn;
let otherAdmin: SignedIn;
let people: Awaited<ReturnType<typeof createCommuneWithPeople>>['people'];
let provinceViewer: SignedIn;
let provinceDeputy: SignedIn;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Được Bảo Vệ');
	province = top.unit;
	admin = await signedIn(server, top);
	const other = await createProvince(server, 'Tỉnh đoàn Bên Cạnh');
	otherProvince = other.unit;
	otherAdmin = await signedIn(server, other);
	const made = await createCommuneWithPeople(server, {
		parentId: province.id,
		name: 'Đoàn xã Con'
	});
	commune = made.commune;
	people = made.people;
	provinceViewer = await signedIn(
		server,
		await server.createAccountIn({ unitId: province.id, role: 'viewer' })
	);
	provinceDeputy = await signedIn(
		server,
		await server.createAccountIn({ unitId: province.id, role: 'deputy' })
	);
}, 60_000);

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function post(unitId: string, body: unknown, cookie?: string): Promise<Response> {
	return server.request(`/api/units/${unitId}/import`, {
		method: 'POST',
		cookie,
		headers: { 'content-type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
}

/** Every unit beneath both provinces, and whether any login of the rows got an account. */
async function snapshot(logins: string[]) {
	const units = [
		...(await server.provision.listDescendants(province.id)),
		...(await server.provision.listDescendants(otherProvince.id))
	]
		.map((unit) => unit.id)
		.sort();
	const accounts = (
		await Promise.all(logins.map((login) => server.accounts.getAccount(login)))
	).filter(Boolean).length;
	return { units, accounts };
}

async function expectNothingCreated(logins: string[], run: () => Promise<void>) {
	const before = await snapshot(logins);
	await run();
	// A refused import never started: nothing appears later either.
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(await snapshot(logins)).toEqual({ units: before.units, accounts: 0 });
}

describe('who may import', () => {
	const rows = () => communeRows({ count: 3, prefix: uniqueLogin('a').slice(0, 9) });
	const logins = (list: ReturnType<typeof rows>) => list.map(({ row }) => row.login);

	it('refuses a commune founding units under its province', async () => {
		const list = rows();
		await expectNothingCreated(logins(list), async () => {
			for (const role of ['secretary', 'deputy', 'viewer'] as const) {
				await expectRefusedResponse(
					`org import: commune ${role} imports under its province`,
					await post(province.id, { rows: list }, people[role].cookie),
					[403]
				);
			}
		});
	});

	it("refuses the province's viewer and deputy", async () => {
		const list = rows();
		await expectNothingCreated(logins(list), async () => {
			for (const [who, account] of [
				['viewer', provinceViewer],
				['deputy', provinceDeputy]
			] as const) {
				await expectRefusedResponse(
					`org import: province ${who} imports`,
					await post(province.id, { rows: list }, account.cookie),
					[403]
				);
				await expectRefusedResponse(
					`org import: province ${who} previews`,
					await post(province.id, { rows: list, dryRun: true }, account.cookie),
					[403]
				);
			}
		});
	});

	it('refuses a unit outside the tree, and a subordinate unit that is not the own one', async () => {
		const list = rows();
		await expectNothingCreated(logins(list), async () => {
			await expectRefusedResponse(
				'org import: province imports into another province',
				await post(otherProvince.id, { rows: list }, admin.cookie),
				[403]
			);
			await expectRefusedResponse(
				'org import: province imports directly into its commune',
				await post(commune.id, { rows: list }, admin.cookie),
				[403]
			);
			await expectRefusedResponse(
				'org import: unknown unit',
				await post('zzzz0000zzzz', { rows: list }, admin.cookie),
				[404]
			);
			await expectRefusedResponse(
				'org import: no session',
				await post(province.id, { rows: list }),
				[401]
			);
		});
	});

	it('refuses an account that has not changed its temporary password', async () => {
		const temporary = await server.accounts.issueAccount({
			login: uniqueLogin('tmp'),
			fullName: 'Tạm Thời',
			unitId: province.id,
			role: 'secretary',
			createdBy: 'test'
		});
		const session = await server.signIn({
			login: temporary.account.login,
			password: temporary.temporaryPassword
		});
		const list = rows();
		await expectNothingCreated(logins(list), async () => {
			await expectRefusedResponse(
				'org import: temporary password',
				await post(province.id, { rows: list }, session.cookie),
				[403]
			);
		});
	});

	it("refuses reading another tree's sheet or another unit's import", async () => {
		await expectRefusedResponse(
			'org sheet: another province',
			await server.request(`/api/units/${province.id}/org-sheet`, { cookie: otherAdmin.cookie }),
			[403]
		);
		await expectRefusedResponse(
			'org sheet: a viewer',
			await server.request(`/api/units/${province.id}/org-sheet`, {
				cookie: provinceViewer.cookie
			}),
			[403]
		);
		await expectRefusedResponse(
			'org import view: another province',
			await server.request(`/api/units/${province.id}/import/01M980AG35JAM9P3477QNMPW54`, {
				cookie: otherAdmin.cookie
			}),
			[403]
		);
		await expectRefusedResponse(
			'org import view: id of a path trick',
			await server.request(`/api/units/${province.id}/import/..%2F_all_docs`, {
				cookie: admin.cookie
			}),
			[404]
		);
	});
});

describe('hostile bodies', () => {
	it('refuses bodies over the limit and more than 1,000 rows', async () => {
		const prefix = uniqueLogin('b').slice(0, 9);
		const many = communeRows({ count: 1001, prefix });
		await expectNothingCreated([`${prefix}1`, `${prefix}1001`], async () => {
			await expectRefusedResponse(
				'org import: 1,001 rows',
				await post(province.id, { rows: many }, admin.cookie),
				[422]
			);
			const huge = JSON.stringify({
				rows: communeRows({ count: 1000, prefix }).map((entry) => ({
					...entry,
					row: {
						...entry.row,
						name: 'x'.repeat(290),
						fullName: 'x'.repeat(290),
						parent: 'x'.repeat(290),
						phone: 'x'.repeat(290)
					}
				}))
			});
			expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
			await expectRefusedResponse(
				'org import: body over 1 MB',
				await post(province.id, huge, admin.cookie),
				[413]
			);
			await expectRefusedResponse(
				'org import: not JSON',
				await server.request(`/api/units/${province.id}/import`, {
					method: 'POST',
					cookie: admin.cookie,
					headers: { 'content-type': 'text/plain' },
					body: JSON.stringify({ rows: many.slice(0, 2) })
				})
			);
			await expectRefusedResponse(
				'org import: rows not an array',
				await post(province.id, { rows: { 0: many[0] } }, admin.cookie),
				[422]
			);
		});
	});

	it('refuses names of 10,000 characters and names with control or direction characters', async () => {
		const login = uniqueLogin('c');
		await expectNothingCreated([login], async () => {
			await expectRefusedResponse(
				'org import: 10,000-character name',
				await post(
					province.id,
					{
						rows: [
							{
								line: 2,
								row: sheetRow({
									name: 'A'.repeat(10_000),
									kind: 'Đoàn xã',
									fullName: 'Lê A',
									login
								})
							}
						]
					},
					admin.cookie
				),
				[422]
			);
			for (const [what, name] of [
				['a NUL', 'Đoàn xã\u0000 Ẩn'],
				['a right-to-left override', 'Đoàn xã \u202eếhT'],
				['a newline', 'Đoàn xã\nHai dòng'],
				['an escape', 'Đoàn xã \u001b[31m Đỏ']
			] as const) {
				const res = await post(
					province.id,
					{
						rows: [{ line: 2, row: sheetRow({ name, kind: 'Đoàn xã', fullName: 'Lê A', login }) }]
					},
					admin.cookie
				);
				const body = (await res.clone().json()) as {
					error?: string;
					plan?: { rows: { errors: { field: string }[] }[] };
				};
				expectRefused(
					`org import: a unit name with ${what}`,
					res.status === 422 &&
						body.error === 'invalid_rows' &&
						body.plan?.rows[0]?.errors[0]?.field === 'name',
					`HTTP ${res.status}`
				);
			}
			const res = await post(
				province.id,
				{
					rows: [
						{
							line: 2,
							row: sheetRow({ name: 'Đoàn xã Tốt', kind: 'Đoàn xã', fullName: 'Lê\u200f A', login })
						}
					]
				},
				admin.cookie
			);
			expectRefused('org import: a secretary name with a direction mark', res.status === 422);
		});
	});
});
