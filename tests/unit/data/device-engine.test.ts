import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceEngine, type EngineStart } from '../../../src/lib/data/sync/device-engine.svelte';
import { getMember } from '../../../src/lib/data/queries/members';
import { destroyLocalDbs } from '../../../src/lib/data/store/pouch';
import { deviceDb, type UnitRow } from '../../../src/lib/data/store/device-db';
import { getMemberRow } from '../../../src/lib/data/read-model/member-store';
import { CONFLICT_MEMBER_ID, seedConflict } from './support/member-conflict';

// The one engine owner (src/lib/data/sync/device-engine.svelte.ts): what it starts runs, what it
// stops does not. Here without a server: the unit syncs only fail as offline and retry, while the
// indexer, the conflict merger and the watches work on the device as they do in the app.

let run = 0;
let db = 'unit_engineowner0';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(options: Partial<EngineStart> = {}): void {
	void deviceEngine.start({
		dbs: [db],
		writer: null,
		onAuthProblem: () => undefined,
		onUnitMerged: () => undefined,
		...options
	});
}

function mergedUnit(name: string): UnitRow {
	return {
		db,
		id: db.slice('unit_'.length),
		name,
		kind: 'doan-xa',
		status: 'merged',
		mergedInto: 'xamoi'
	};
}

beforeEach(async () => {
	db = `unit_engineowner${++run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	deviceEngine.stop();
	await destroyLocalDbs([db]);
});

describe('the engine owner', () => {
	it('indexes and merges concurrent edits only while the account may write', async () => {
		await seedConflict({
			db,
			a: { phone: '0987654321' },
			b: { currentAddress: 'Khu 5, xã Thanh Sơn' }
		});
		start({ writer: null });
		// Its indexer folds the conflict into the read model; a viewer's device merges nothing.
		await expect
			.poll(async () => (await getMemberRow(CONFLICT_MEMBER_ID))?.hasConflict, {
				timeout: 5000
			})
			.toBe(1);
		await sleep(300);
		expect((await getMember({ db, id: CONFLICT_MEMBER_ID }))?._conflicts).toHaveLength(1);

		deviceEngine.setWriter({ login: 'bithu' });
		await expect
			.poll(async () => (await getMember({ db, id: CONFLICT_MEMBER_ID }))?._conflicts ?? [], {
				timeout: 5000
			})
			.toEqual([]);
		const merged = await getMember({ db, id: CONFLICT_MEMBER_ID });
		expect(merged?.phone).toBe('0987654321');
		expect(merged?.currentAddress).toBe('Khu 5, xã Thanh Sơn');
	});

	it('counts what waits to upload, and tells of a merged unit only once its outbox is empty', async () => {
		const told: string[] = [];
		await deviceDb.outbox.put({ docId: 'member:1', db, rev: '1-a', at: '2026-11-20T01:00:00Z' });
		// The device's own sync report is bookkeeping: never counted as waiting (outbox.ts).
		await deviceDb.outbox.put({
			docId: 'device-report:may1',
			db,
			rev: '1-r',
			at: '2026-11-20T01:00:00Z'
		});
		start({ onUnitMerged: (unit) => told.push(unit.db) });
		await expect.poll(() => deviceEngine.pending, { timeout: 3000 }).toBe(1);
		// Counted again at every change of the outbox, as the upload clears it.
		await deviceDb.outbox.put({ docId: 'member:3', db, rev: '1-c', at: '2026-11-20T01:30:00Z' });
		await expect.poll(() => deviceEngine.pending, { timeout: 3000 }).toBe(2);
		await deviceDb.outbox.delete('member:3');
		await expect.poll(() => deviceEngine.pending, { timeout: 3000 }).toBe(1);

		await deviceDb.units.put(mergedUnit('Đoàn xã Cũ'));
		await sleep(300);
		expect(told).toEqual([]);

		await deviceDb.outbox.clear();
		await expect.poll(() => told, { timeout: 3000 }).toEqual([db]);
		expect(deviceEngine.pending).toBe(0);

		// Stopped, it watches nothing: a change to the unit or the outbox is not seen.
		deviceEngine.stop();
		await deviceDb.units.put(mergedUnit('Đoàn xã Cũ (đổi tên)'));
		await deviceDb.outbox.put({ docId: 'member:2', db, rev: '1-b', at: '2026-11-20T02:00:00Z' });
		await sleep(300);
		expect(told).toEqual([db]);
		expect(deviceEngine.pending).toBe(0);
		expect(deviceEngine.phase).toBe('idle');
	});
});
