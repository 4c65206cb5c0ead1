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

// A phone whose read model is Dexie version 5 (ADR 0026) opens this version (6: the citizen-id,
// phone and card-number indexes dropped, those look-ups made in memory): its rows stay, nothing is
// folded again (the checkpoint stays), and the secretary still finds a member by citizen id, phone
// or card number, and the duplicate citizen id is still refused. The device database module is
// imported only after the version 5 database exists, as on a phone that updates the app.

const db = 'unit_upgrade01';
const today = '2026-11-28';

/** Version 5's member indexes, as phones hold them (store/device-db.ts before version 6). */
const V5_MEMBERS = 'id, db, branchId, birthDate, citizenId, phone, cardNumber, hasConflict';

let members: MemberDoc[];
let history: HistoryDoc[];
let app: {
	deviceDb: typeof import('../../../src/lib/data/store/device-db').deviceDb;
	searchMembers: typeof import('../../../src/lib/data/queries/members').searchMembers;
	addMember: typeof import('../../../src/lib/data/commands/members').addMember;
};

beforeAll(async () => {
	members = generateMembers({
		seed: 'upgrade',
		count: 40,
		unitId: 'upgrade01',
		branchIds: ['branch:upgrade01k1'],
		today,
		ethnicMix: 'lowland'
	}).map((m) => ({ ...m, status: 'active' as const }));
	history = generateHistory({ seed: 'upgrade', members, today });
	// The same rows version 5 wrote: whole history entries included.
	const old = new Dexie('doanvu');
	old.version(5).stores({
		members: V5_MEMBERS,
		branches: 'id, db',
		units: 'db',
		checkpoints: 'db',
		outbox: 'docId, db',
		settings: 'key',
		syncLog: '++id, db, at',
		history: 'id, db, memberId, [db+kind], bulkId',
		transfers: 'id, db, [db+state]',
		records: 'key, db, [db+type], type',
		exportLog: 'id, login, at'
	});
	await old.open();
	await old.table('members').bulkPut(members.map((m) => toMemberRow(m, db)));
	await old
		.table('history')
		.bulkPut(history.map((entry) => ({ ...toHistoryRow(entry, db), entry })));
	await old.table('checkpoints').put({ db, seq: 4242 });
	await old.table('settings').put({ key: 'kept', value: 'yes' });
	old.close();

	const store = await import('../../../src/lib/data/store/device-db');
	const queries = await import('../../../src/lib/data/queries/members');
	const commands = await import('../../../src/lib/data/commands/members');
	app = {
		deviceDb: store.deviceDb,
		searchMembers: queries.searchMembers,
		addMember: commands.addMember
	};
	await app.deviceDb.open();
});

afterAll(async () => {
	await app?.deviceDb.delete();
});

const withNumbers = () => members.filter((m) => m.citizenId && m.phone);

const historyOfDb = (of: string) =>
	app.deviceDb.history.where('[db+kind]').between([of, Dexie.minKey], [of, Dexie.maxKey]);

describe('a version 5 read model opened by version 6', () => {
	it('keeps its rows, checkpoint and settings, without the three number indexes', async () => {
		expect(app.deviceDb.verno).toBe(6);
		expect(await app.deviceDb.members.count()).toBe(members.length);
		expect(await app.deviceDb.history.count()).toBe(history.length);
		// Nothing is folded again: the indexer resumes where it stopped.
		expect(await app.deviceDb.checkpoints.get(db)).toEqual({ db, seq: 4242 });
		expect((await app.deviceDb.settings.get('kept'))?.value).toBe('yes');
		const indexes = app.deviceDb.members.schema.indexes.map((index) => index.name).sort();
		expect(indexes).toEqual(['birthDate', 'branchId', 'db', 'hasConflict']);
		const historyIndexes = app.deviceDb.history.schema.indexes.map((index) => index.name).sort();
		expect(historyIndexes).toEqual(['[db+kind]', 'bulkId']);
		// A unit's whole history is still read through the remaining index.
		expect(await historyOfDb(db).count()).toBe(history.length);
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
