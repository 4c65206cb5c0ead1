import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { memberDoc } from '../support/member-fixture';
import { branchDoc, historyDoc } from '../support/org-api';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';

// `createdBy` bound to the writer when a document is created (finding 7 of issue 9): a secretary
// created a history entry "created by" the province, with a made-up decision. Every device-written
// type, every way a device writes (PUT, _bulk_docs, new_edits:false as replication does).

type Doc = Record<string, unknown> & { _id: string };
type Row = { id?: string; ok?: boolean; error?: string };

let server: TestServer;
let province: { unit: UnitRecord; login: string };
let commune: { unit: UnitRecord; login: string; cookie: string };

beforeAll(async () => {
	server = await startTestServer();
	const top = await server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin' });
	province = { unit: top.unit, login: top.login };
	const c = await server.createUnitWithAccount({ parentId: top.unit.id });
	commune = { unit: c.unit, login: c.login, cookie: (await server.signIn(c)).cookie };
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

async function put(doc: Doc): Promise<Response> {
	return server.request(`/couch/${commune.unit.db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		cookie: commune.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(doc)
	});
}

async function bulk(docs: Doc[], newEdits = true): Promise<Row[]> {
	const res = await server.request(`/couch/${commune.unit.db}/_bulk_docs`, {
		method: 'POST',
		cookie: commune.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(newEdits ? { docs } : { docs, new_edits: false })
	});
	expect(res.status).toBe(201);
	return (await res.json()) as Row[];
}

async function stored(id: string): Promise<unknown> {
	return server.couch.getDoc({ db: commune.unit.db, id });
}

/** Each device-written type, created by the commune's secretary but claiming the province made it. */
function forged(): { name: string; doc: Doc }[] {
	const member = memberDoc({ unitId: commune.unit.id, login: commune.login });
	const history = {
		...historyDoc({
			unitId: commune.unit.id,
			login: commune.login,
			memberId: member._id,
			kind: 'commendation'
		}),
		data: { decision: { number: '99/QĐ-TĐ', signedBy: 'Tỉnh đoàn' } }
	};
	const branch = branchDoc({ unitId: commune.unit.id, login: commune.login, name: 'Chi đoàn giả' });
	const numbering = {
		_id: 'numbering:2031',
		type: 'numbering',
		v: 1,
		unitId: commune.unit.id,
		year: 2031,
		blocks: [],
		createdAt: member.createdAt,
		createdBy: commune.login,
		updatedAt: member.createdAt,
		updatedBy: commune.login
	};
	return [
		{ name: 'history entry', doc: history },
		{ name: 'member', doc: member },
		{ name: 'branch', doc: branch },
		{ name: 'numbering register', doc: numbering }
	].map(({ name, doc }) => ({ name, doc: { ...doc, createdBy: province.login } }));
}

describe('a device cannot create a document in someone else’s name', () => {
	it('by PUT', async () => {
		for (const { name, doc } of forged()) {
			const res = await put(doc);
			expectRefused(
				`createdBy forged on create (PUT ${name})`,
				res.status === 403 && (await stored(doc._id)) === undefined,
				`HTTP ${res.status}`
			);
		}
	});

	it('by _bulk_docs', async () => {
		const cases = forged();
		const rows = await bulk(cases.map((c) => c.doc));
		for (const [i, { name, doc }] of cases.entries()) {
			expectRefused(
				`createdBy forged on create (_bulk_docs ${name})`,
				rows[i]?.error === 'forbidden' && (await stored(doc._id)) === undefined,
				JSON.stringify(rows[i])
			);
		}
	});

	it('by replication (new_edits:false, no old revision on the server)', async () => {
		const cases = forged().map(({ name, doc }) => ({
			name,
			doc: { ...doc, _rev: '2-0123456789abcdef0123456789abcdef' }
		}));
		const rows = await bulk(
			cases.map((c) => c.doc),
			false
		);
		for (const { name, doc } of cases) {
			const row = rows.find((r) => r.id === doc._id);
			expectRefused(
				`createdBy forged on create (replicated ${name})`,
				row?.error === 'forbidden' && (await stored(doc._id)) === undefined,
				JSON.stringify(row)
			);
		}
	});

	it('documents created in the writer’s own name are stored, replicated or not', async () => {
		const own = forged().map(({ doc }) => ({ ...doc, createdBy: commune.login }));
		const rows = await bulk(own.slice(0, 2));
		expect(rows.every((row) => row.ok)).toBe(true);
		const replicated = await bulk(
			own.slice(2).map((doc) => ({ ...doc, _rev: '3-0123456789abcdef0123456789abcdef' })),
			false
		);
		expect(replicated).toEqual([]);
		for (const doc of own) expect(await stored(doc._id)).toBeTruthy();
	});

	it('the server itself (an admin write) may still record another creator', async () => {
		const doc = {
			...memberDoc({ unitId: commune.unit.id, login: commune.login }),
			createdBy: 'system'
		};
		await server.couch.bulkDocs({ db: commune.unit.db, docs: [doc] });
		expect(await stored(doc._id)).toBeTruthy();
	});
});
