import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { unitSecurity, type UnitRecord } from '../../server/couch/provision-service';
import { DESIGN_DOC_ID } from '../../server/couch/design-doc';
import { unitDbName } from '../../server/couch/db-names';
import type { OrgImportJournal } from '../../server/org/org-import-journal';
import type { OrgImportHooks } from '../../server/org/org-import-service';
import type {
	IssuedAccount,
	OrgImportPlan,
	OrgImportView
} from '../../src/lib/domain/spreadsheets/org-import-plan';
import { api, expectRefusal } from '../support/org-api';
import { communeRows, sheetRow, waitForImport } from '../support/org-import-fixture';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';

// Units and their secretaries' accounts from a sheet, through the endpoint a province's screen
// calls: 120 communes founded whole (databases with their access list and design document, every
// secretary able to sign in once with the temporary password and made to change it), and nothing at
// all left when one row is invalid, when a login is taken half-way, or when the process dies.

type CommitAnswer = { plan: OrgImportPlan; import: OrgImportView; accounts: IssuedAccount[] };

let server: TestServer;
let province: UnitRecord;
let admin: SignedIn;
let beforeUnit: OrgImportHooks['beforeUnit'];

beforeAll(async () => {
	server = await startTestServer({
		loginLimits: { perLogin: 10, perIp: 10_000, windowMs: 60_000, maxBlockMs: 60_000 },
		orgImport: { leaseMs: 3000, hooks: { beforeUnit: (info) => beforeUnit?.(info) } }
	});
	const top = await createProvince(server, 'Tỉnh đoàn Nhập Hàng Loạt');
	province = top.unit;
	admin = await signedIn(server, top);
}, 60_000);

afterAll(async () => {
	await server?.close();
});

async function commit(rows: unknown[]) {
	return api<CommitAnswer>(server, `/units/${province.id}/import`, {
		cookie: admin.cookie,
		body: { rows, dryRun: false }
	});
}

async function childNames(): Promise<string[]> {
	return (await server.provision.listChildren(province.id)).map((unit) => unit.name);
}

async function journalOf(importId: string): Promise<OrgImportJournal> {
	const journal = await server.couch.getDoc<OrgImportJournal>({
		db: server.provision.names.directory,
		id: `orgimport:${importId}`
	});
	if (!journal) throw new Error('no journal');
	return journal;
}

/** Nothing of the import is left: no directory entry, database, account or CouchDB user. */
async function expectNothingLeft(journal: OrgImportJournal, keepLogins: string[] = []) {
	for (const unit of journal.units) {
		expect(await server.provision.getUnit(unit.id)).toBeUndefined();
		// At once: a deleted database stays deleted, even when a worker named it meanwhile
		// (server/store/database-lifecycle.ts).
		expect(await server.couch.databaseExists(unitDbName(unit.id))).toBe(false);
		if (unit.login && !keepLogins.includes(unit.login)) {
			expect(await server.accounts.getAccount(unit.login)).toBeUndefined();
			expect(
				await server.couch.getDoc({ db: '_users', id: `org.couchdb.user:${unit.login}` })
			).toBeUndefined();
		}
	}
}

async function signInRaw(login: string, password: string) {
	const res = await server.request('/api/session', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ login, password })
	});
	const cookie = res.headers.getSetCookie()[0]?.split(';', 1)[0] ?? '';
	return { status: res.status, cookie, body: (await res.json()) as SessionInfo };
}

describe('120 communes under a province', () => {
	it('previews, then founds every unit with its database and its secretary', async () => {
		const prefix = uniqueLogin('x').slice(0, 9);
		const rows = communeRows({ count: 120, prefix });

		const preview = await api<{ plan: OrgImportPlan }>(server, `/units/${province.id}/import`, {
			cookie: admin.cookie,
			body: { rows, dryRun: true }
		});
		expect(preview.status).toBe(200);
		expect(preview.body.plan.counts).toEqual({ new: 120, existing: 0, invalid: 0, accounts: 120 });
		// A preview writes nothing.
		expect(await childNames()).toEqual([]);

		const started = await commit(rows);
		expect(started.status).toBe(202);
		expect(started.body.accounts).toHaveLength(120);
		const done = await waitForImport(server, {
			cookie: admin.cookie,
			rootId: province.id,
			importId: started.body.import.importId
		});
		expect(done).toMatchObject({ state: 'done', progress: { done: 120, total: 120 } });

		const children = await server.provision.listChildren(province.id);
		expect(children.map((unit) => unit.name).sort()).toEqual(
			rows.map(({ row }) => row.name).sort()
		);
		for (const unit of children) {
			expect(unit).toMatchObject({ kind: 'doan-xa', ancestors: [province.id], status: 'active' });
			expect(await server.couch.getSecurity(unit.db)).toEqual(unitSecurity(unit));
			expect(await server.couch.getDoc({ db: unit.db, id: DESIGN_DOC_ID })).toBeDefined();
			expect(await server.couch.getDoc({ db: unit.db, id: 'unit' })).toMatchObject({
				unitId: unit.id,
				name: unit.name
			});
		}

		// Every secretary signs in once with the temporary password, and is made to change it.
		const byName = new Map(children.map((unit) => [unit.name, unit.id]));
		for (const issued of started.body.accounts) {
			const first = await signInRaw(issued.login, issued.temporaryPassword);
			expect(first.status).toBe(200);
			expect(first.body).toMatchObject({
				mustChangePassword: true,
				unit: { id: byName.get(issued.unitName) }
			});
			const blocked = await api(server, `/units/${byName.get(issued.unitName)}`, {
				cookie: first.cookie
			});
			expectRefusal(blocked, 403, 'password_change_required');
		}
		const one = started.body.accounts[0];
		if (!one) throw new Error('no account');
		const session = await signInRaw(one.login, one.temporaryPassword);
		const changed = await server.request('/api/session/password', {
			method: 'POST',
			cookie: session.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ oldPassword: one.temporaryPassword, newPassword: 'mat-khau-moi-1' })
		});
		expect(changed.status).toBe(200);
		expect((await signInRaw(one.login, 'mat-khau-moi-1')).body.mustChangePassword).toBe(false);
		expect((await signInRaw(one.login, one.temporaryPassword)).status).toBe(401);

		// The passwords live only in the answer: not in the journal, not in the audit.
		const journal = JSON.stringify(await journalOf(started.body.import.importId));
		const audit = JSON.stringify(
			await server.couch.allDocs({ db: server.provision.names.audit, includeDocs: true })
		);
		for (const issued of started.body.accounts) {
			expect(journal).not.toContain(issued.temporaryPassword);
			expect(audit).not.toContain(issued.temporaryPassword);
		}
		expect(audit).toContain('"unit.import"');
	}, 600_000);

	it('creates nothing when one row of the 120 is invalid', async () => {
		const before = await childNames();
		const prefix = uniqueLogin('y').slice(0, 9);
		const rows = communeRows({ count: 120, prefix, namePrefix: 'Đoàn phường Sai' });
		const bad = rows[77];
		if (!bad) throw new Error('no row');
		bad.row.kind = 'Huyện đoàn';
		bad.row.parent = 'Đoàn phường Sai 3';
		const answer = await commit(rows);
		expectRefusal(answer, 422, 'invalid_rows');
		const refused = answer.body.plan.rows.filter((row) => row.status === 'invalid');
		expect(refused.map((row) => [row.line, row.errors[0]?.message])).toEqual([
			[
				79,
				'Huyện đoàn (cấp huyện và tương đương) không thể trực thuộc Đoàn xã (Đoàn phường Sai 3).'
			]
		]);
		expect(await childNames()).toEqual(before);
		expect(await server.accounts.getAccount(`${prefix}1`)).toBeUndefined();
	}, 120_000);
});

describe('all or nothing', () => {
	it('undoes everything when a login is taken between the check and its account', async () => {
		const before = await childNames();
		const prefix = uniqueLogin('z').slice(0, 9);
		const rows = communeRows({ count: 20, prefix, namePrefix: 'Đoàn xã Tranh' });
		const stolen = `${prefix}15`;
		beforeUnit = async ({ index }) => {
			if (index !== 8) return;
			// Someone else takes row 15's login half-way through the import.
			await server.accounts.createAccount({
				login: stolen,
				password: 'mat-khau-khac',
				fullName: 'Người Khác',
				unitId: province.id,
				role: 'viewer',
				mustChangePassword: false,
				createdBy: 'test'
			});
		};
		try {
			const started = await commit(rows);
			expect(started.status).toBe(202);
			const ended = await waitForImport(server, {
				cookie: admin.cookie,
				rootId: province.id,
				importId: started.body.import.importId
			});
			expect(ended.state).toBe('failed');
			expect(ended.error).toMatch(/Tên đăng nhập này đã được dùng/);
			expect(ended.error).toMatch(/Đoàn xã Tranh 15/);
			await expectNothingLeft(await journalOf(ended.importId), [stolen]);
			expect(await childNames()).toEqual(before);
			// The other account was not the import's: it stays, and still signs in.
			expect(await server.accounts.getAccount(stolen)).toMatchObject({ unitId: province.id });
			expect((await signInRaw(stolen, 'mat-khau-khac')).status).toBe(200);
		} finally {
			beforeUnit = undefined;
		}
	}, 120_000);

	it('rolls back an import whose process died half-way, once its lease runs out', async () => {
		const before = await childNames();
		const prefix = uniqueLogin('w').slice(0, 9);
		const rows = communeRows({ count: 10, prefix, namePrefix: 'Đoàn xã Gãy' });
		let died: () => void = () => {};
		const dead = new Promise<void>((resolve) => (died = resolve));
		beforeUnit = ({ index }) => {
			if (index !== 6) return;
			died();
			return 'crash';
		};
		try {
			const started = await commit(rows);
			expect(started.status).toBe(202);
			const importId = started.body.import.importId;
			// Six units and accounts exist while the dead import still holds its lease.
			await dead;
			const journal = await journalOf(importId);
			expect(journal).toMatchObject({ state: 'running', done: 6 });
			expect((await childNames()).length).toBe(before.length + 6);
			// Another import under the same unit waits for it.
			expectRefusal(
				await commit(communeRows({ count: 1, prefix: `${prefix}b` })),
				409,
				'import_running'
			);

			const ended = await waitForImport(server, {
				cookie: admin.cookie,
				rootId: province.id,
				importId
			});
			expect(ended.state).toBe('failed');
			expect(ended.error).toMatch(/Máy chủ dừng giữa chừng/);
			await expectNothingLeft(journal);
			expect(await childNames()).toEqual(before);
		} finally {
			beforeUnit = undefined;
		}
	}, 120_000);
});

describe('a sheet with nested rows, exported and imported again', () => {
	it('founds a district with its communes, keeps its secretary’s phone, exports the tree, and imports only the new rows', async () => {
		const login = uniqueLogin('h');
		const started = await commit([
			{
				line: 2,
				row: sheetRow({ name: 'Đoàn xã Dưới Huyện', kind: 'Đoàn xã', parent: 'Huyện đoàn Mẫu' })
			},
			{
				line: 3,
				// Typed as people type it: the country code, dots and spaces.
				row: sheetRow({
					name: 'Huyện đoàn Mẫu',
					kind: 'Huyện đoàn',
					fullName: 'Lê Huyện',
					login,
					phone: '+84 912.345.678'
				})
			}
		]);
		expect(started.status).toBe(202);
		const done = await waitForImport(server, {
			cookie: admin.cookie,
			rootId: province.id,
			importId: started.body.import.importId
		});
		expect(done.state).toBe('done');
		const district = (await server.provision.listChildren(province.id)).find(
			(unit) => unit.name === 'Huyện đoàn Mẫu'
		);
		if (!district) throw new Error('no district');
		const [commune] = await server.provision.listChildren(district.id);
		expect(commune).toMatchObject({
			name: 'Đoàn xã Dưới Huyện',
			ancestors: [province.id, district.id]
		});
		expect(await server.couch.getSecurity(commune?.db ?? '')).toEqual(
			unitSecurity(commune as UnitRecord)
		);
		// The secretary's phone is stored with her account: her superiors read it on the unit's
		// accounts (the screen's call), the commune without a secretary has none.
		const accounts = await api<{ login: string; phone?: string }[]>(
			server,
			`/units/${district.id}/accounts`,
			{ cookie: admin.cookie }
		);
		expect(accounts.status).toBe(200);
		expect(accounts.body.find((account) => account.login === login)?.phone).toBe('0912345678');

		const exported = await api<{ rows: ReturnType<typeof sheetRow>[] }>(
			server,
			`/units/${province.id}/org-sheet`,
			{ cookie: admin.cookie }
		);
		expect(exported.status).toBe(200);
		expect(exported.body.rows).toContainEqual(
			sheetRow({
				unitId: district.id,
				name: 'Huyện đoàn Mẫu',
				kind: 'huyen-doan',
				fullName: 'Lê Huyện',
				login,
				phone: '0912345678'
			})
		);
		expect(JSON.stringify(exported.body)).not.toMatch(/password/i);

		const again = [
			...exported.body.rows.map((row, index) => ({ line: index + 2, row })),
			{ line: 999, row: sheetRow({ name: 'Đoàn phường Thêm', kind: 'Đoàn phường' }) }
		];
		const plan = await api<{ plan: OrgImportPlan }>(server, `/units/${province.id}/import`, {
			cookie: admin.cookie,
			body: { rows: again, dryRun: true }
		});
		expect(plan.body.plan.counts).toMatchObject({
			new: 1,
			existing: exported.body.rows.length,
			invalid: 0
		});
	}, 120_000);
});
