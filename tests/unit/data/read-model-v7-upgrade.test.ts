import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory, generateMembers } from '../../../src/lib/synthetic';
import {
	historyForRow,
	toHistoryRow,
	toMemberRow
} from '../../../src/lib/data/read-model/rows';
import type { MemberDoc } from '../../../src/lib/domain';
import type { HistoryDoc } from '../../../src/lib/domain/history-schema';
import { allowLocalDbs, destroyLocalDbs, syncLocalDb } from '../../../src/lib/data/store/pouch';

// A phone whose read model is Dexie version 6 (one IndexedDB record per member row and per history
// entry) opens this version (7: rows packed ~100 members to a record, ADR 0026 third addendum).
// The old tables go and the indexer's checkpoints are cleared, so the indexer folds the unit's
// PouchDB again into packs: the roster, a member's history, the citizen-id look-up and the unit's
// decisions come back; what cannot be rebuilt (the outbox, settings, the sync log) stays. The
// device database module is imported only after the version 6 database exists, as on a phone that
// updates the app.

const db = 'unit_upgrade01';
const today = '2026-11-28';

/** Version 6's stores, as phones hold them (store/device-db.ts before version 7). */
const V6_STORES = {
	members: 'id, db, branchId, birthDate, hasConflict',
	branches: 'id, db',
	units: 'db',
	checkpoints: 'db',
	outbox: 'docId, db',
	settings: 'key',
	syncLog: '++id, db, at',
	history: 'id, [db+kind], bulkId',
	transfers: 'id, db, [db+state]',
	records: 'key, db, [db+type], type',
	exportLog: 'id, login, at'
};

let members: MemberDoc[];
let history: HistoryDoc[];
let app: {
	deviceDb: typeof import('../../../src/lib/data/store/device-db').deviceDb;
	searchMembers: typeof import('../../../src/lib/data/queries/members').searchMembers;
	addMember: typeof import('../../../src/lib/data/commands/members').addMember;
	catchUp: typeof import('../../../src/lib/data/read-model/indexer').catchUp;
	store: typeof import('../../../src/lib/data/read-model/member-store');
};

beforeAll(async () => {
	members = generateMembers({
		seed: 'upgrade',
		count: 240,
		unitId: 'upgrade01',
		branchIds: ['branch:upgrade01k1'],
		today,
		ethnicMix: 'lowland'
	}).map((m) => ({ ...m, status: 'active' as const }));
	history = generateHistory({ seed: 'upgrade', members, today });
	// The truth on the phone: its PouchDB copy of the unit (written as the sync engine writes it, before
	// the device database module is loaded).
	allowLocalDbs([db]);
	await syncLocalDb(db).bulkDocs([...members, ...history]);
	// The same rows version 6 wrote, with the checkpoint at the end of the feed.
	const old = new Dexie('doanvu');
	old.version(6).stores(V6_STORES);
	await old.open();
	await old.table('members').bulkPut(members.map((m) => toMemberRow(m, db)));
	await old.table('history').bulkPut(history.map((entry) => toHistoryRow(entry, db)));
	await old.table('checkpoints').put({ db, seq: 4242 });
	await old.table('settings').put({ key: 'kept', value: 'yes' });
	await old
		.table('outbox')
		.put({ docId: 'member:waiting', db, rev: '1-a', at: '2026-11-27T01:00:00Z' });
	await old.table('syncLog').add({ db, at: '2026-11-27T01:00:00Z', kind: 'synced', pulled: 3, pushed: 1 });
	old.close();

	const device = await import('../../../src/lib/data/store/device-db');
	const queries = await import('../../../src/lib/data/queries/members');
	const commands = await import('../../../src/lib/data/commands/members');
	const indexer = await import('../../../src/lib/data/read-model/indexer');
	const store = await import('../../../src/lib/data/read-model/member-store');
	app = {
		deviceDb: device.deviceDb,
		searchMembers: queries.searchMembers,
		addMember: commands.addMember,
		catchUp: indexer.catchUp,
		store
	};
	await app.deviceDb.open();
});

afterAll(async () => {
	await app?.deviceDb.delete();
	await destroyLocalDbs([db]);
});

const withNumbers = () => members.filter((m) => m.citizenId && m.phone);

describe('a version 6 read model opened by version 7', () => {
	it('drops the tables of one record per row and clears the checkpoints; the outbox and settings stay', async () => {
		expect(app.deviceDb.verno).toBeGreaterThanOrEqual(7);
		const tables = app.deviceDb.tables.map((table) => table.name);
		expect(tables).toContain('memberPacks');
		expect(tables).not.toContain('members');
		expect(tables).not.toContain('history');
		// The indexer starts over: nothing is half in the old shape.
		expect(await app.deviceDb.checkpoints.get(db)).toBeUndefined();
		expect(await app.deviceDb.memberPacks.count()).toBe(0);
		expect((await app.deviceDb.settings.get('kept'))?.value).toBe('yes');
		expect(await app.deviceDb.outbox.get('member:waiting')).toMatchObject({ db, rev: '1-a' });
		expect(await app.deviceDb.syncLog.count()).toBe(1);
	});

	it('finds the roster and each member’s history again once the indexer has run', async () => {
		expect((await app.searchMembers({ dbs: [db], today })).total).toBe(0);
		await app.catchUp(db);
		const roster = await app.searchMembers({ dbs: [db], today, limit: 1000 });
		expect(roster.total).toBe(members.length);
		expect(new Set(roster.rows.map((row) => row.id))).toEqual(new Set(members.map((m) => m._id)));
		// Packed, not one record per member.
		const packs = await app.deviceDb.memberPacks.count();
		expect(packs).toBeGreaterThan(1);
		expect(packs).toBeLessThan(members.length / 5);
		const someone = history[0]!.memberId;
		const own = history.filter((entry) => entry.memberId === someone).map((entry) => entry._id);
		expect((await app.store.historyOfMember(someone)).map((row) => row.id).sort()).toEqual(own.sort());
		expect(await app.store.historyOfDb({ db })).toHaveLength(history.length);
		expect(await app.store.countMembersOf([db])).toBe(members.length);
		// The indexer's checkpoint is back, at the end of the unit's feed.
		expect(await app.deviceDb.checkpoints.get(db)).toBeDefined();
	});

	it('still finds a member by citizen id, by phone and by card number', async () => {
		const member = withNumbers()[0]!;
		const find = async (query: string) =>
			(await app.searchMembers({ dbs: [db], query, today })).rows.map((row) => row.id);
		expect(await find(member.citizenId!)).toEqual([member._id]);
		// The first digits, typed with spaces as secretaries do.
		expect(await find(`${member.citizenId!.slice(0, 6)} ${member.citizenId!.slice(6, 9)}`)).toContain(
			member._id
		);
		expect(await find(member.phone!)).toEqual([member._id]);
		const carded = members.find((m) => m.cardNumber);
		if (carded) expect(await find(carded.cardNumber!)).toContain(carded._id);
		// A number nobody has finds nobody.
		expect(await find('099999999999')).toEqual([]);
	});

	it('still refuses a second member with a citizen id already on the rolls', async () => {
		const holder = withNumbers()[1]!;
		const result = await app.addMember({
			db,
			actor: { login: 'bithu.upgrade01' },
			input: {
				familyName: 'Lê',
				middleName: 'Thị',
				givenName: 'Mai',
				// The holder's gender and birth year: the number itself is valid for this person.
				gender: holder.gender,
				birthDate: holder.birthDate.split('-').reverse().join('/'),
				ethnicCode: '01',
				religion: 'Không',
				generalEducation: '12/12',
				status: 'active',
				partyMember: false,
				citizenId: holder.citizenId!
			}
		});
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.citizenId).toContain(`${holder.familyName} `);
	});

	it('writes history rows without the entry’s effect from now on', async () => {
		// As the app writes an admission: its effect holds the whole record (the generator's has none).
		const written = history.find((entry) => entry.kind === 'admission')!;
		const member = members.find((m) => m._id === written.memberId)!;
		const admission = {
			...written,
			_rev: '1-abc',
			effect: { before: { status: null }, after: { ...member } }
		} as HistoryDoc;
		const row = toHistoryRow(admission, db);
		expect(row.entry).not.toHaveProperty('effect');
		expect(row.entry).not.toHaveProperty('_rev');
		expect(row.entry.kind).toBe(admission.kind);
		expect(row.entry.data).toEqual(admission.data);
	});

	it('takes a current history entry as it is, and still refuses one it cannot read', () => {
		const entry = history[0]!;
		expect(historyForRow({ ...entry })).toEqual(entry);
		// A newer app's entry, or one missing what its row needs, goes through the schema: refused.
		expect(() => historyForRow({ ...entry, v: 99 })).toThrow();
		expect(() => historyForRow({ ...entry, kind: 'unknown-kind' })).toThrow();
		expect(() => historyForRow({ ...entry, at: 42 })).toThrow();
	});
});
