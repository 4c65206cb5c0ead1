import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateHistory, generateMembers } from '../../../src/lib/synthetic';
import { toHistoryRow, toMemberRow } from '../../../src/lib/data/read-model/rows';
import {
	countMembersOf,
	getMemberRow,
	historyOfDb,
	historyOfMember,
	membersOfDb
} from '../../../src/lib/data/read-model/member-store';
import { clearMemberRows, saveMemberRows } from '../../../src/lib/data/read-model/member-pack-writer';
import { PACK_MEMBERS } from '../../../src/lib/data/read-model/member-directory';
import { deviceDb } from '../../../src/lib/data/store/device-db';

// The packed member and history rows (ADR 0026, third addendum) answer as the tables of one record
// per row did: a member's history is found whether it came before or after the member, a unit's
// roster holds its own members only, and a member whose transfer put it in a second unit on this
// device is listed once, in the unit that wrote it last, with its history.

const today = '2026-11-28';
const a = 'unit_store0a';
const b = 'unit_store0b';

const members = generateMembers({
	seed: 'member-store',
	count: 250,
	unitId: 'store0a',
	branchIds: ['branch:store0ak1'],
	today,
	ethnicMix: 'lowland'
});
const history = generateHistory({ seed: 'member-store', members, today });

beforeEach(async () => {
	await clearMemberRows();
});

describe('the packed member rows', () => {
	it('finds each member and its history, whichever came first, in packs of PACK_MEMBERS', async () => {
		// History of the first 50 members before their rows (the feed's order can do that).
		const early = new Set<string>(members.slice(0, 50).map((m) => m._id));
		const historyRows = history.map((entry) => toHistoryRow(entry, a));
		await saveMemberRows({ db: a, history: historyRows.filter((h) => early.has(h.memberId)) });
		await saveMemberRows({ db: a, members: members.map((m) => toMemberRow(m, a)) });
		await saveMemberRows({ db: a, history: historyRows.filter((h) => !early.has(h.memberId)) });

		expect(await countMembersOf([a])).toBe(members.length);
		expect((await membersOfDb(a)).map((row) => row.id).sort()).toEqual(
			members.map((m) => m._id).sort()
		);
		for (const member of [members[0]!, members[120]!, members[249]!]) {
			const own = history.filter((h) => h.memberId === member._id).map((h) => h._id);
			expect((await historyOfMember(member._id)).map((row) => row.id).sort()).toEqual(own.sort());
		}
		expect(await historyOfDb({ db: a })).toHaveLength(history.length);
		const packs = await deviceDb.memberPacks.count();
		expect(packs).toBeGreaterThanOrEqual(Math.ceil(members.length / PACK_MEMBERS));
		expect(packs).toBeLessThanOrEqual(Math.ceil(members.length / PACK_MEMBERS) + 1);
	});

	it('rewrites a member in its pack, and deletes a member and an entry', async () => {
		await saveMemberRows({
			db: a,
			members: members.map((m) => toMemberRow(m, a)),
			history: history.map((h) => toHistoryRow(h, a))
		});
		const packs = await deviceDb.memberPacks.count();
		const one = members[7]!;
		await saveMemberRows({ db: a, members: [toMemberRow({ ...one, givenName: 'Xuyến' }, a)] });
		expect((await getMemberRow(one._id))?.givenName).toBe('Xuyến');
		expect(await deviceDb.memberPacks.count()).toBe(packs);

		const entry = history.find((h) => h.memberId !== one._id)!;
		await saveMemberRows({ db: a, deleted: [one._id, entry._id] });
		expect(await getMemberRow(one._id)).toBeUndefined();
		expect(await countMembersOf([a])).toBe(members.length - 1);
		expect((await historyOfMember(entry.memberId)).map((row) => row.id)).not.toContain(entry._id);
	});

	it('lists a member transferred between two units on this device once, where it was written last', async () => {
		const moving = members[3]!;
		const itsHistory = history.filter((h) => h.memberId === moving._id);
		await saveMemberRows({
			db: a,
			members: members.map((m) => toMemberRow(m, a)),
			history: history.map((h) => toHistoryRow(h, a))
		});
		// The receiving unit's copy arrives: the member and its history.
		await saveMemberRows({
			db: b,
			members: [toMemberRow(moving, b)],
			history: itsHistory.map((h) => toHistoryRow(h, b))
		});
		expect((await membersOfDb(b)).map((row) => row.id)).toEqual([moving._id]);
		expect((await membersOfDb(a)).map((row) => row.id)).not.toContain(moving._id);
		expect(await historyOfMember(moving._id)).toHaveLength(itsHistory.length);
		// Then the sending unit deletes its copies: the receiving unit's stay.
		await saveMemberRows({ db: a, deleted: [moving._id, ...itsHistory.map((h) => h._id)] });
		expect((await getMemberRow(moving._id))?.db).toBe(b);
		expect(await historyOfDb({ db: b })).toHaveLength(itsHistory.length);
		expect(await countMembersOf([a])).toBe(members.length - 1);
	});
});
