import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceReportDoc } from '../../src/lib/domain/figures/device-report-schema';
import { startUnitSync, type UnitSyncHandle } from '../../src/lib/data/sync/unit-sync';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { recordOutbox } from '../../src/lib/data/sync/outbox';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { memberDoc } from '../support/member-fixture';
import { until } from '../support/org-api';
import { startTestServer, type TestServer } from '../support/test-server';

// A device reports its sync (`device-report:<deviceId>`, src/lib/data/sync/device-report.ts) into
// its unit's database after a completed sync, with the counts of its outbox — and its own report's
// push never makes it report again (the sync loop does not spin).

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

describe("a secretary's device reports its sync", () => {
	let handle: UnitSyncHandle | undefined;

	afterAll(async () => {
		handle?.stop();
	});

	it('writes the report with its counts after a sync, and only when they change', async () => {
		const created = await server.createUnitWithAccount({});
		const { cookie, session } = await server.signIn(created);
		const db = created.unit.db;
		await destroyLocalDbs([db]);
		allowLocalDbs([db]);
		await deviceDb.outbox.clear();
		// One change the server refuses (a member without its required fields), one it takes.
		const refusedMember = {
			...memberDoc({ unitId: created.unit.id, login: created.login }),
			birthDate: ''
		};
		const member = memberDoc({ unitId: created.unit.id, login: created.login });
		for (const doc of [refusedMember, member]) {
			const { rev } = await localDb(db).put(doc);
			await recordOutbox({ db, docId: doc._id, rev });
		}
		let pushes = 0;
		handle = startUnitSync({
			db,
			remote: { origin: server.url, headers: { cookie } },
			reporter: { unitId: created.unit.id, deviceId: session.device.id, login: created.login },
			listener: { onChange: ({ direction }) => void (direction === 'push' && pushes++) }
		});
		const id = `device-report:${session.device.id}`;
		const report = await until(
			async () => {
				const doc = await server.couch.getDoc<DeviceReportDoc>({ db, id });
				return doc?.refused === 1 ? doc : undefined;
			},
			{ what: 'the device report on the server' }
		);
		expect(report).toMatchObject({
			type: 'device-report',
			unitId: created.unit.id,
			deviceId: session.device.id,
			// The refused member still waits on the device; the accepted one and the report do not.
			waiting: 1,
			refused: 1,
			updatedBy: created.login
		});
		expect(Date.parse(report.syncedAt)).toBeGreaterThan(Date.now() - 60_000);

		// Settled: the report's own push did not bring another report.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const settled = await server.couch.getDoc<DeviceReportDoc>({ db, id });
		const pushesSettled = pushes;
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect((await server.couch.getDoc<DeviceReportDoc>({ db, id }))?._rev).toBe(settled?._rev);
		expect(pushes).toBe(pushesSettled);
		expect(settled?._rev).toMatch(/^[12]-/);

		// The refused change is dropped from the outbox: the next sync reports the new counts.
		await deviceDb.outbox.delete(refusedMember._id);
		handle.restart();
		const after = await until(async () => {
			const doc = await server.couch.getDoc<DeviceReportDoc>({ db, id });
			return doc?.waiting === 0 ? doc : undefined;
		});
		expect(after).toMatchObject({ waiting: 0, refused: 0 });
	});
});
