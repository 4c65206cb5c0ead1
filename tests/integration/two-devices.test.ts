import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberDoc, type TestMember } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';

// Two phones of one unit (the secretary's and her deputy's), each with its own device cookie and a
// local PouchDB, replicating through the /couch proxy exactly as the app does.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

interface Phone {
	login: string;
	local: PouchDB.Database<TestMember>;
	remote: PouchDB.Database<TestMember>;
}

async function syncOnce(phone: Phone): Promise<void> {
	const pushed = await phone.local.replicate.to(phone.remote);
	const pulled = await phone.local.replicate.from(phone.remote);
	expect(pushed.doc_write_failures).toBe(0);
	expect(pulled.doc_write_failures).toBe(0);
}

async function snapshot(db: PouchDB.Database<TestMember>) {
	const all = await db.allDocs({ include_docs: true, conflicts: true });
	return all.rows
		.filter((row) => !row.id.startsWith('_design/'))
		.map((row) => ({
			id: row.id,
			rev: row.value.rev,
			conflicts: [...((row.doc as { _conflicts?: string[] })._conflicts ?? [])].sort()
		}));
}

describe('two devices of one unit', () => {
	it('edit offline, then sync: both end with every change and identical revisions', async () => {
		const { unit, login, password } = await server.createUnitWithAccount({});
		const deputy = await server.createAccountIn({ unitId: unit.id, role: 'deputy' });
		const phones: Phone[] = [];
		for (const account of [{ login, password }, deputy]) {
			const { cookie } = await server.signIn(account);
			phones.push({
				login: account.login,
				local: new PouchDB<TestMember>(`phone-${randomBytes(6).toString('hex')}`),
				remote: server.remoteDb({ db: unit.db, cookie }) as PouchDB.Database<TestMember>
			});
		}
		const [a, b] = phones as [Phone, Phone];

		// Both start from the same member, entered on phone A and synced.
		const shared = memberDoc({ unitId: unit.id, login: a.login, givenName: 'Lan' });
		await a.local.put(shared);
		await syncOnce(a);
		await syncOnce(b);
		const onB = await b.local.get(shared._id);
		expect(onB.givenName).toBe('Lan');

		// Offline: local writes only, no sync. Each adds a member; both edit the shared one.
		const fromA = memberDoc({ unitId: unit.id, login: a.login, givenName: 'Minh' });
		const fromB = memberDoc({ unitId: unit.id, login: b.login, givenName: 'Tuấn' });
		await a.local.put(fromA);
		await b.local.put(fromB);
		const sharedOnA = await a.local.get(shared._id);
		await a.local.put({
			...sharedOnA,
			phone: '0912345678',
			updatedBy: a.login,
			updatedAt: new Date().toISOString()
		});
		await b.local.put({
			...onB,
			address: 'Thôn Đồng Xe',
			updatedBy: b.login,
			updatedAt: new Date().toISOString()
		});

		// Back online, in the order phones happen to reconnect.
		await syncOnce(a);
		await syncOnce(b);
		await syncOnce(a);

		const [snapA, snapB] = [await snapshot(a.local), await snapshot(b.local)];
		expect(snapA).toEqual(snapB);
		const ids = snapA.map((row) => row.id);
		expect(ids).toEqual(expect.arrayContaining([shared._id, fromA._id, fromB._id, 'unit']));
		// The concurrent edit is kept as a conflict on both, never dropped silently.
		const sharedRow = snapA.find((row) => row.id === shared._id);
		expect(sharedRow?.conflicts).toHaveLength(1);
		expect((await b.local.get(fromA._id)).givenName).toBe('Minh');
		expect((await a.local.get(fromB._id)).givenName).toBe('Tuấn');

		// And the server holds the same (the embedded store used to drop replicated edits of existing
		// documents: see keepReplicatedRevisions in server/store/embedded-store.ts).
		const serverSnap = await snapshot(a.remote);
		expect(serverSnap).toEqual(snapA);
	});
});
