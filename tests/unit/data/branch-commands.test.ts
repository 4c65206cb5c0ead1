import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberDoc } from '$lib/domain';
import {
	closeBranch,
	editBranch,
	foundBranch,
	mergeBranch
} from '../../../src/lib/data/commands/branches';
import {
	branchDetail,
	branchFilterOptions,
	branchSummaries,
	loadBranch
} from '../../../src/lib/data/queries/branches';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { branchIdsOf, moveBranch } from '../../../src/lib/data/member-operations';
import { listBranches } from '../../../src/lib/data/queries/members';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { historyOfDb } from '../../../src/lib/data/read-model/member-store';

// The chi đoàn commands on the device, with real PouchDB (memory) and Dexie (fake-indexeddb): each
// writes what its planner planned and notes it as waiting to upload; a merge moves every member
// with a history entry before the branch is marked merged; the read model then counts members per
// branch and keeps merged or closed branches out of the pickers.

let run = 0;
let db = '';
let unitId = '';
const actor = { login: 'phobithu.thanhson' };
const now = new Date('2026-11-28T03:00:00.000Z');

let counter = 0;
function memberDoc(branchId: string, overrides: Partial<MemberDoc> = {}): MemberDoc {
	counter++;
	return {
		_id: `member:01JD3X4N5P6Q7R8S9T0V1W2${String(counter).padStart(3, '0')}` as MemberDoc['_id'],
		type: 'member',
		v: 2,
		unitId,
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: `Hoa ${counter}`,
		gender: 'female',
		birthDate: '2004-03-08',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2020-03-26',
		branchId,
		partyMember: false,
		status: 'active',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: '2024-04-30T03:00:00.000Z',
		createdBy: 'bithu.thanhson',
		updatedAt: '2024-05-01T02:00:00.000Z',
		updatedBy: 'bithu.thanhson',
		...overrides
	};
}

async function found(name: string): Promise<string> {
	const result = await foundBranch({
		db,
		actor,
		now,
		input: { name, kind: 'khu-dan-cu', secretaryName: 'Lò Văn Minh' }
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.branchId;
}

beforeEach(async () => {
	run++;
	db = `unit_xabranch${run}`;
	unitId = `xabranch${run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('branch commands on the device', () => {
	it('founds and renames a branch, each write waiting to upload', async () => {
		const id = await found('Chi đoàn thôn Đồng Tâm');
		expect(id.startsWith(`branch:${unitId}-`)).toBe(true);
		const renamed = await editBranch({
			db,
			actor,
			now: new Date('2026-11-29T03:00:00.000Z'),
			branchId: id,
			input: { name: 'Chi đoàn thôn Đồng Tâm 1', kind: 'khu-dan-cu', secretaryName: 'Lò Văn Minh' }
		});
		expect(renamed.ok).toBe(true);
		const stored = await loadBranch({ db, id });
		expect(stored?.nameHistory.map((e) => e.name)).toEqual([
			'Chi đoàn thôn Đồng Tâm',
			'Chi đoàn thôn Đồng Tâm 1'
		]);
		expect(stored?.updatedBy).toBe(actor.login);
		const outbox = await deviceDb.outbox.get(id);
		expect(outbox?.rev.startsWith('2-')).toBe(true);
	});

	it('merges: members moved with an entry each, the branch merged, counts and pickers follow', async () => {
		const a = await found('Chi đoàn A');
		const b = await found('Chi đoàn B');
		const movers = [memberDoc(a), memberDoc(a), memberDoc(a, { status: 'matured' })];
		await localDb(db).bulkDocs([...movers, memberDoc(b)]);
		await catchUp(db);
		expect((await branchSummaries(db)).map((s) => [s.branch.name, s.onRolls])).toEqual([
			['Chi đoàn A', 2],
			['Chi đoàn B', 1]
		]);

		// Closing A is refused while it has members, naming how many; nothing is written.
		const refused = await closeBranch({ db, actor, now, branchId: a, input: {} });
		expect(refused).toEqual({
			ok: false,
			errors: {
				form: 'Không thể giải thể chi đoàn Chi đoàn A: chi đoàn còn 2 đoàn viên. Hãy chuyển các đoàn viên sang chi đoàn khác hoặc hợp nhất chi đoàn này vào chi đoàn khác.'
			}
		});

		const merged = await mergeBranch({ db, actor, now, branchId: a, intoId: b, input: {} });
		expect(merged).toMatchObject({ ok: true, moved: 2 });
		await catchUp(db);
		const history = await historyOfDb({ db });
		expect(history.map((h) => [h.memberId, h.kind])).toEqual(
			expect.arrayContaining([
				[movers[0]!._id, 'branch-move'],
				[movers[1]!._id, 'branch-move']
			])
		);
		expect(history).toHaveLength(2);
		expect((await loadBranch({ db, id: a }))?.status).toBe('merged');
		expect((await branchSummaries(db)).map((s) => [s.branch.name, s.onRolls])).toEqual([
			['Chi đoàn B', 3],
			['Chi đoàn A', 0]
		]);
		// A merged branch takes no one any more; the former member keeps naming it in the filter.
		expect((await listBranches([db], { open: true })).map((r) => r.name)).toEqual(['Chi đoàn B']);
		expect(await branchIdsOf(db)).toEqual([b]);
		expect(
			(await branchFilterOptions({ dbs: [db], status: '' })).map((o) => [o.name, o.count])
		).toEqual([
			['Chi đoàn A', 1],
			['Chi đoàn B', 3]
		]);
		expect(
			(await branchFilterOptions({ dbs: [db], status: 'active' })).map((o) => [o.name, o.count])
		).toEqual([['Chi đoàn B', 3]]);
		const moveBack = await moveBranch({
			db,
			actor,
			now,
			memberId: movers[0]!._id,
			input: { toBranchId: a, on: '28/11/2026' }
		});
		expect(moveBack.ok).toBe(false);

		// Every write waits to upload.
		const waiting = (await deviceDb.outbox.where('db').equals(db).toArray()).map((e) => e.docId);
		expect(waiting).toEqual(
			expect.arrayContaining([a, movers[0]!._id, movers[1]!._id, ...history.map((h) => h.id)])
		);
		const detail = await branchDetail({ id: b, fallbackDb: db });
		expect(detail?.members.map((m) => m.givenName)).toHaveLength(3);
	});

	it('closes an empty branch, which then leaves the pickers', async () => {
		const a = await found('Chi đoàn Trống');
		await catchUp(db);
		expect((await closeBranch({ db, actor, now, branchId: a, input: {} })).ok).toBe(true);
		await catchUp(db);
		expect((await loadBranch({ db, id: a }))?.status).toBe('closed');
		expect(await listBranches([db], { open: true })).toEqual([]);
	});
});
