import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberPatch } from '$lib/domain';
import {
	autoMergeMember,
	listConflicts,
	memberConflict,
	resolveConflict,
	startConflictMerger
} from '../../../src/lib/data/sync/conflict-resolution';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { getMember } from '../../../src/lib/data/queries/members';
import { clearPushed } from '../../../src/lib/data/sync/outbox';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { getMemberRow } from '../../../src/lib/data/read-model/member-store';
import { CONFLICT_MEMBER_ID, seedConflict } from './support/member-conflict';

// Concurrent edits of one member (ADR 0006), with real PouchDB conflicts: two leaves written with
// `new_edits: false` as replication writes them. Edits of different fields merge by themselves in
// one write that also deletes the losing leaf; the same field edited differently waits for the
// secretary's choice, and nothing is lost meanwhile.

// A fresh database per test: a destroyed one stays closed on this device (store/pouch.ts).
let run = 0;
let db = 'unit_xathanhson0';
const ID = CONFLICT_MEMBER_ID;
const conflict = (a: MemberPatch, b: MemberPatch) => seedConflict({ db, a, b });

beforeEach(async () => {
	db = `unit_xathanhson${++run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('automatic merge', () => {
	it('keeps both edits of different fields and deletes the losing leaf in the same write', async () => {
		await conflict(
			{ phone: '0987654321' },
			{ currentAddress: 'Khu 5, xã Thanh Sơn' }
		);
		expect((await getMember({ db, id: ID }))?._conflicts).toHaveLength(1);
		expect(await autoMergeMember({ db, id: ID, login: 'bithu' })).toBe('merged');
		const merged = await getMember({ db, id: ID });
		expect(merged).toMatchObject({
			phone: '0987654321',
			currentAddress: 'Khu 5, xã Thanh Sơn',
			email: 'hoa@example.vn',
			updatedBy: 'bithu'
		});
		expect(merged?._conflicts ?? []).toEqual([]);
		// The merge is a child of CouchDB's winner (the greater revision id: "b…").
		expect(merged?._rev).toMatch(/^3-/);
		// The losing leaf is a full deletion: the server refuses bare ones.
		const leaves = (await localDb(db).get(ID, { open_revs: 'all' })) as unknown as {
			ok: Record<string, unknown>;
		}[];
		const deleted = leaves.map((l) => l.ok).find((doc) => doc._deleted);
		expect(deleted).toMatchObject({
			_deleted: true,
			type: 'member',
			unitId: db.slice('unit_'.length),
			updatedBy: 'bithu'
		});
		// Both written revisions wait to upload; a push of both clears the entry.
		const waiting = await deviceDb.outbox.get(ID);
		expect(waiting).toBeDefined();
		await clearPushed({
			db,
			docs: [
				{ _id: ID, _rev: merged!._rev! },
				{ _id: ID, _rev: String(deleted?._rev) }
			].reverse()
		});
		expect(await deviceDb.outbox.get(ID)).toBeUndefined();
	});

	it('only deletes the loser when the merge equals the winner (two devices merging agree)', async () => {
		await conflict({ phone: '0987654321' }, { phone: '0987654321' });
		const winner = (await getMember({ db, id: ID }))?._rev;
		expect(await autoMergeMember({ db, id: ID, login: 'bithu' })).toBe('merged');
		const after = await getMember({ db, id: ID });
		expect(after?._rev).toBe(winner);
		expect(after?._conflicts ?? []).toEqual([]);
	});

	it('leaves a real conflict alone and lists it with both values, who and when', async () => {
		await conflict(
			{ phone: '0987654321', email: 'hoa.moi@example.vn' },
			{ currentAddress: 'Khu 5, xã Thanh Sơn', email: 'hoa.ha@example.vn' }
		);
		const before = await getMember({ db, id: ID });
		expect(await autoMergeMember({ db, id: ID, login: 'bithu' })).toBe('needs-choice');
		expect((await getMember({ db, id: ID }))?._rev).toBe(before?._rev);

		await catchUp(db);
		expect(await listConflicts({ dbs: [db], login: 'bithu' })).toEqual([
			{ id: ID, db, name: 'Hà Thị Hoa', fields: ['Email'] }
		]);
		const view = await memberConflict({ db, id: ID, login: 'bithu' });
		expect(view?.autoMerged.map((f) => f.field).sort()).toEqual(['currentAddress', 'phone']);
		// The preview already holds both automatic merges.
		expect(view?.merged).toMatchObject({
			phone: '0987654321',
			currentAddress: 'Khu 5, xã Thanh Sơn'
		});
		expect(view?.conflicts[0]?.sides.map((s) => [s.value, s.by, s.at])).toEqual([
			['hoa.ha@example.vn', 'phobithu', '2026-11-21T01:00:00.000Z'],
			['hoa.moi@example.vn', 'bithu', '2026-11-20T01:00:00.000Z']
		]);
	});

	it('resolves with the secretary’s choice and nothing else lost', async () => {
		const { left } = await conflict(
			{ phone: '0987654321', email: 'hoa.moi@example.vn' },
			{ currentAddress: 'Khu 5, xã Thanh Sơn', email: 'hoa.ha@example.vn' }
		);
		const view = await memberConflict({ db, id: ID, login: 'bithu' });
		if (!view) throw new Error('no conflict');
		const missing = await resolveConflict({
			db,
			id: ID,
			login: 'bithu',
			winnerRev: view.winnerRev,
			losingRevs: view.losingRevs,
			choices: {}
		});
		expect(missing).toMatchObject({ ok: false, missing: ['Email'] });
		const stale = await resolveConflict({
			db,
			id: ID,
			login: 'bithu',
			winnerRev: '9-zzz',
			losingRevs: view.losingRevs,
			choices: { email: left._rev }
		});
		expect(stale.ok).toBe(false);
		const done = await resolveConflict({
			db,
			id: ID,
			login: 'bithu',
			winnerRev: view.winnerRev,
			losingRevs: view.losingRevs,
			choices: { email: left._rev }
		});
		expect(done).toEqual({ ok: true });
		const resolved = await getMember({ db, id: ID });
		expect(resolved).toMatchObject({
			phone: '0987654321',
			currentAddress: 'Khu 5, xã Thanh Sơn',
			email: 'hoa.moi@example.vn',
			updatedBy: 'bithu'
		});
		expect(resolved?._conflicts ?? []).toEqual([]);
		expect(resolved?.fieldRevs?.email).toMatchObject({ rev: view.winnerRev, by: 'bithu' });
		await catchUp(db);
		expect(await listConflicts({ dbs: [db], login: 'bithu' })).toEqual([]);
	});

	it('the merger merges what it can as the read model learns of conflicts', async () => {
		await conflict({ phone: '0987654321' }, { currentAddress: 'Khu 5, xã Thanh Sơn' });
		await catchUp(db);
		const stop = startConflictMerger({ dbs: [db], login: 'bithu' });
		try {
			await expect
				.poll(async () => (await getMember({ db, id: ID }))?._conflicts ?? [], { timeout: 3000 })
				.toEqual([]);
			await catchUp(db);
			expect((await getMemberRow(ID))?.hasConflict).toBe(0);
		} finally {
			stop();
		}
	});
});
