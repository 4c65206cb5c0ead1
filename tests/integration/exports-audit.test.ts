import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	pendingExports,
	recordExport,
	sendPendingExports
} from '../../src/lib/data/spreadsheets/export-log-store';
import { deviceDb, putSetting } from '../../src/lib/data/store/device-db';
import { startTestServer, type TestServer } from '../support/test-server';

// An export made on the phone while offline waits in the device's log (IndexedDB) and is in the
// server's audit trail after the phone is back in touch — once, however often it is sent; an entry
// the server refuses is kept as refused and does not hold the others back.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

async function exportsIn(unitId: string) {
	return (await server.audit.listFor({ type: 'unit', id: unitId })).filter(
		(e) => e.action === 'export'
	);
}

describe('exports reach the audit trail', () => {
	it('an export made offline is recorded after sync, once', async () => {
		const created = await server.createUnitWithAccount({});
		const other = await server.createUnitWithAccount({});
		const { cookie, session } = await server.signIn(created);
		await Promise.all(deviceDb.tables.map((t) => t.clear()));
		await putSetting('session', session);
		const remote = { origin: server.url, headers: { cookie } };

		// Offline: the file is made, the entry waits on the device.
		const kept = await recordExport({
			entry: {
				unitId: created.unit.id,
				kind: 'roster',
				rows: 3,
				filters: { status: 'active', search: true }
			},
			login: created.login
		});
		expect(await sendPendingExports({ origin: 'http://127.0.0.1:9', headers: { cookie } })).toBe(0);
		expect((await pendingExports(created.login)).map((r) => r.id)).toEqual([kept.id]);
		expect(await exportsIn(created.unit.id)).toHaveLength(0);

		// Back online, with one entry the server must refuse (another unit's) among them.
		const foreign = await recordExport({
			entry: { unitId: other.unit.id, kind: 'roster', rows: 9, filters: {} },
			login: created.login
		});
		expect(await sendPendingExports(remote)).toBe(1);
		const trail = await exportsIn(created.unit.id);
		expect(trail).toHaveLength(1);
		expect(trail[0]).toMatchObject({
			actor: created.login,
			action: 'export',
			target: { type: 'unit', id: created.unit.id },
			details: {
				exportId: kept.id,
				kind: 'roster',
				rows: 3,
				filters: { status: 'active', search: true },
				description: 'đang sinh hoạt, theo từ khóa tìm kiếm',
				exportedAt: kept.at,
				deviceId: session.device.id
			}
		});
		expect(await pendingExports(created.login)).toHaveLength(0);
		expect((await deviceDb.exportLog.get(foreign.id))?.refused).toMatch(/đơn vị/);
		expect(await exportsIn(other.unit.id)).toHaveLength(0);

		// The answer was lost: the phone sends the same entry again; the trail keeps one.
		await deviceDb.exportLog.update(kept.id, { sentAt: undefined });
		expect(await sendPendingExports(remote)).toBe(1);
		expect(await exportsIn(created.unit.id)).toHaveLength(1);

		// Entries another account made on this phone are never sent in this account's name.
		await deviceDb.exportLog.put({
			...kept,
			id: '01KBZZZZZZZZZZZZZZZZZZZZZZ',
			login: 'ai-khac',
			sentAt: undefined
		});
		expect(await sendPendingExports(remote)).toBe(0);
		expect(await exportsIn(created.unit.id)).toHaveLength(1);
	});
});
