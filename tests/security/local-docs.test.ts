import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESIGN_DOC_ID } from '../../server/couch/design-doc';
import { unitRole, unitSecurity, type UnitRecord } from '../../server/couch/provision-service';
import { until } from '../support/org-api';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// Finding 1 of issue 9: the embedded store keeps a database's access list as the local document
// `_local/_security`, and the proxy forwarded `PUT /couch/<db>/_local/<anything>` for any member. A
// viewer made itself admin of its unit's database, replaced the design document and rewrote the
// server-only `unit` document. Here every way to reach that document is tried, and the server puts
// a changed design document or access list back by itself.

let server: TestServer;
let province: UnitRecord;
let unitA: UnitRecord;
let unitB: UnitRecord;
const cookies = { viewerA: '', secretaryA: '', secretaryB: '' };
let viewerLogin = '';

beforeAll(async () => {
	server = await startTestServer();
	const top = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	province = top.unit;
	const a = await server.createUnitWithAccount({ parentId: province.id });
	const b = await server.createUnitWithAccount({ parentId: province.id });
	unitA = a.unit;
	unitB = b.unit;
	const viewer = await server.createAccountIn({ unitId: unitA.id, role: 'viewer' });
	cookies.viewerA = (await server.signIn(viewer)).cookie;
	viewerLogin = viewer.login;
	cookies.secretaryA = (await server.signIn(a)).cookie;
	cookies.secretaryB = (await server.signIn(b)).cookie;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function couch(
	path: string,
	options: { cookie: string; method?: string; body?: unknown }
): Promise<Response> {
	return server.request(`/couch${path}`, {
		method: options.method ?? 'GET',
		cookie: options.cookie,
		headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
}

/** The access list a viewer would like: itself as admin, another unit let in. */
function takenOver(): Record<string, unknown> {
	return {
		admins: { names: [], roles: ['role:viewer', unitRole(unitA.id)] },
		members: { names: [], roles: [unitRole(unitA.id), unitRole(unitB.id)] }
	};
}

async function securityUnchanged(record: UnitRecord): Promise<boolean> {
	const security = await server.couch.getSecurity(record.db);
	return JSON.stringify(security) === JSON.stringify(unitSecurity(record));
}

describe('the access list of a unit database', () => {
	it('cannot be read or written through /couch however its id is spelled', async () => {
		const db = unitA.db;
		const spellings = [
			'_local/_security',
			'_local/%5Fsecurity',
			'_local/%5fsecurity',
			'_local%2F_security',
			'_local%2f_security',
			'_local/_security?rev=0-1',
			'_local/_pouch_dependentDbs',
			'_local/compaction',
			'_local/purges',
			'_local/anything-else'
		];
		for (const cookie of [cookies.viewerA, cookies.secretaryA]) {
			for (const spelling of spellings) {
				const who = cookie === cookies.viewerA ? 'viewer' : 'secretary';
				await expectRefusedResponse(
					`${who} GET /couch/<db>/${spelling}`,
					await couch(`/${db}/${spelling}`, { cookie })
				);
				await expectRefusedResponse(
					`${who} PUT /couch/<db>/${spelling} (own role as admin)`,
					await couch(`/${db}/${spelling}`, {
						cookie,
						method: 'PUT',
						body: { _id: '_local/_security', security: takenOver(), ...takenOver() }
					})
				);
				await expectRefusedResponse(
					`${who} DELETE /couch/<db>/${spelling}`,
					await couch(`/${db}/${spelling}`, { cookie, method: 'DELETE' })
				);
			}
		}
		expectRefused('access list unchanged after direct writes', await securityUnchanged(unitA));
	});

	it('cannot be written or read inside a batch', async () => {
		const db = unitA.db;
		const res = await couch(`/${db}/_bulk_docs`, {
			cookie: cookies.secretaryA,
			method: 'POST',
			body: { docs: [{ _id: '_local/_security', security: takenOver() }] }
		});
		await res.arrayBuffer();
		expectRefused(
			'secretary _bulk_docs with _local/_security',
			await securityUnchanged(unitA),
			`HTTP ${res.status}`
		);
		const read = await couch(`/${db}/_bulk_get`, {
			cookie: cookies.viewerA,
			method: 'POST',
			body: { docs: [{ id: '_local/_security' }] }
		});
		const text = await read.text();
		expectRefused(
			'viewer _bulk_get of _local/_security',
			!text.includes(unitRole(province.id)),
			`HTTP ${read.status} ${text.slice(0, 200)}`
		);
		const keys = await couch(`/${db}/_all_docs?include_docs=true`, {
			cookie: cookies.viewerA,
			method: 'POST',
			body: { keys: ['_local/_security'] }
		});
		const keysText = await keys.text();
		expectRefused(
			'viewer _all_docs keys=[_local/_security]',
			!keysText.includes(unitRole(province.id)),
			`HTTP ${keys.status} ${keysText.slice(0, 200)}`
		);
	});

	it('leaves the rest of the escalation closed: design document, unit document, other units', async () => {
		const db = unitA.db;
		const design = await server.couch.getDoc<{ _id: string; _rev: string }>({
			db,
			id: DESIGN_DOC_ID
		});
		await expectRefusedResponse(
			'viewer replaces _design/doanvu',
			await couch(`/${db}/_design/doanvu`, {
				cookie: cookies.viewerA,
				method: 'PUT',
				body: { _rev: design?._rev, validate_doc_update: 'function () {}' }
			})
		);
		const unit = await server.couch.getDoc<{ _id: string; _rev: string }>({ db, id: 'unit' });
		await expectRefusedResponse(
			'viewer rewrites the unit document',
			await couch(`/${db}/unit`, {
				cookie: cookies.viewerA,
				method: 'PUT',
				body: { ...unit, name: 'Bị chiếm', updatedBy: 'x' }
			})
		);
		await expectRefusedResponse(
			'secretary of another unit reads the database',
			await couch(`/${db}/_all_docs`, { cookie: cookies.secretaryB }),
			[403]
		);
	});

	it('is out of a user’s reach inside the embedded store too, behind the proxy', async () => {
		const store = server.embeddedStore;
		if (!store) return; // Apache CouchDB: `_security` is not a document there.
		const account = await server.accounts.getAccount(viewerLogin);
		const { cookie } = await server.couch.createSession({
			name: viewerLogin,
			password: account!.serviceSecret
		});
		const direct = (path: string, init: RequestInit = {}) =>
			fetch(new URL(`${unitA.db}/${path}`, store.url), {
				...init,
				headers: { cookie, 'content-type': 'application/json', accept: 'application/json' }
			});
		const attempts: [string, Promise<Response>][] = [
			['GET _local/_security', direct('_local/_security')],
			[
				'PUT _local/_security',
				direct('_local/_security', {
					method: 'PUT',
					body: JSON.stringify({ security: takenOver() })
				})
			],
			['DELETE _local/_security', direct('_local/_security', { method: 'DELETE' })],
			[
				'_bulk_docs _local/_security',
				direct('_bulk_docs', {
					method: 'POST',
					body: JSON.stringify({ docs: [{ _id: '_local/_security', security: takenOver() }] })
				})
			],
			[
				'_bulk_get _local/_security',
				direct('_bulk_get', {
					method: 'POST',
					body: JSON.stringify({ docs: [{ id: '_local/_security' }] })
				})
			],
			[
				'_all_docs keys _local/_security',
				direct('_all_docs', {
					method: 'POST',
					body: JSON.stringify({ keys: ['_local/_security'] })
				})
			]
		];
		for (const [name, pending] of attempts) {
			const res = await pending;
			const text = await res.text();
			expectRefused(
				`viewer straight to the store: ${name}`,
				res.status >= 400 || !text.includes(unitRole(province.id)),
				`HTTP ${res.status} ${text.slice(0, 160)}`
			);
		}
		expectRefused('access list unchanged inside the store', await securityUnchanged(unitA));
	});

	it('lets the checkpoints of replication through', async () => {
		const db = unitA.db;
		for (const id of ['doanvu-sync-push', 'Ab0_.cdefghijklmnopqrs==', '_bcdefghijklmnopqrstuv==']) {
			const put = await couch(`/${db}/_local/${encodeURIComponent(id)}`, {
				cookie: cookies.secretaryA,
				method: 'PUT',
				body: { last_seq: '1' }
			});
			expect({ id, status: put.status }).toEqual({ id, status: 201 });
			const get = await couch(`/${db}/_local/${encodeURIComponent(id)}`, {
				cookie: cookies.secretaryA
			});
			expect(await get.json()).toMatchObject({ last_seq: '1' });
		}
	});
});

describe('the server restores what somebody changed', () => {
	async function tamper(server: TestServer, record: UnitRecord): Promise<void> {
		const design = await server.couch.getDoc<{ _id: string; _rev: string }>({
			db: record.db,
			id: DESIGN_DOC_ID
		});
		await server.couch.putDoc({
			db: record.db,
			doc: { ...design!, validate_doc_update: 'function () {}' }
		});
		await server.couch.putSecurity({
			db: record.db,
			security: {
				admins: { names: [], roles: [unitRole(record.id)] },
				members: { names: [], roles: [unitRole(record.id), 'unit:someoneelse'] }
			}
		});
	}

	async function isRestored(server: TestServer, record: UnitRecord): Promise<boolean> {
		const design = await server.couch.getDoc<{ _id: string; validate_doc_update: string }>({
			db: record.db,
			id: DESIGN_DOC_ID
		});
		const security = await server.couch.getSecurity(record.db);
		return (
			design?.validate_doc_update.includes('UNIT_ID') === true &&
			JSON.stringify(security) === JSON.stringify(unitSecurity(record))
		);
	}

	it('when asked: design document and access list back as the directory says', async () => {
		await tamper(server, unitB);
		expect(await isRestored(server, unitB)).toBe(false);
		const { restored } = await server.provision.restoreUnitDatabases();
		expect(restored).toBeGreaterThanOrEqual(1);
		expect(await isRestored(server, unitB)).toBe(true);
		// Nothing changed since: nothing is written again.
		expect((await server.provision.restoreUnitDatabases()).restored).toBe(0);
	});

	it('at every start, on the same data', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'doanvu-restore-'));
		try {
			// One prefix for both starts: against Apache CouchDB each test server otherwise isolates
			// itself with a prefix of its own, and the second would not see the first's databases.
			const dbPrefix = `t${randomBytes(4).toString('hex')}_`;
			const first = await startTestServer({ store: 'leveldb', dataDir, dbPrefix });
			const { unit } = await first.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
			await tamper(first, unit);
			expect(await isRestored(first, unit)).toBe(false);
			await first.close({ keepData: true });
			const second = await startTestServer({ store: 'leveldb', dataDir, dbPrefix });
			try {
				expectRefused(
					'tampered design document and access list survive a restart',
					await until(() => isRestored(second, unit), { ms: 20_000 }).catch(() => false)
				);
			} finally {
				await second.close();
			}
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});
