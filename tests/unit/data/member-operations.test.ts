import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberDoc } from '$lib/domain';
import {
	admitMember,
	loadMember,
	moveBranch,
	payDues,
	rateMember,
	recordComingOfAge,
	removeMember,
	reverseEntry,
	scoreTraining,
	trainingSubmitted
} from '../../../src/lib/data/member-operations';
import {
	commitBulk,
	prepareBulkRating,
	prepareBulkTrainingRegistration,
	prepareBulkUndo,
	prepareComingOfAgeCeremony
} from '../../../src/lib/data/commands/bulk-operations';
import { submitTrainingYear } from '../../../src/lib/data/commands/training-year';
import {
	buildTimeline,
	bulkActs,
	historyOfKind,
	memberHistory,
	refusedForMember
} from '../../../src/lib/data/queries/history';
import { comingOfAgeRows, ratingsOfYear, trainingOfYear } from '../../../src/lib/data/queries/unit-lists';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { markRefused } from '../../../src/lib/data/sync/outbox';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';

// The member operations on the device, with real PouchDB (memory) and Dexie (fake-indexeddb): each
// command writes exactly what its planner planned, a refusal writes nothing, bulk acts can be
// undone, and the history reads back in timeline order.

// A fresh database per test: a destroyed one stays closed on this device (store/pouch.ts).
let run = 0;
let db = 'unit_xathanhson0';
let unitId = 'xathanhson0';
const actor = { login: 'bithu.thanhson' };
const now = new Date('2026-11-28T03:00:00.000Z');
const today = '2026-11-28';
const DECISION = {
	number: '12-QĐ/ĐTN',
	date: '20/11/2026',
	signer: 'Nguyễn Văn An',
	signerTitle: 'Bí thư',
	issuer: 'Ban Chấp hành Đoàn xã Thanh Sơn'
};

let counter = 0;
function memberId(): MemberDoc['_id'] {
	counter++;
	return `member:01JD3X4N5P6Q7R8S9T0V1W2${String(counter).padStart(3, '0')}` as MemberDoc['_id'];
}

function memberDoc(overrides: Partial<MemberDoc> = {}): MemberDoc {
	return {
		_id: memberId(),
		type: 'member',
		v: 2,
		unitId,
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2020-03-26',
		branchId: 'branch:khu3',
		partyMember: false,
		status: 'active',
		duesCategory: 'khong-luong',
		duesPaidThrough: '2026-10',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: '2024-04-30T03:00:00.000Z',
		createdBy: 'bithu.thanhson',
		updatedAt: '2024-05-01T02:00:00.000Z',
		updatedBy: 'bithu.thanhson',
		...overrides
	};
}

async function seed(overrides: Partial<MemberDoc> = {}): Promise<MemberDoc> {
	const doc = memberDoc(overrides);
	const res = await localDb(db).put(doc);
	return { ...doc, _rev: res.rev };
}

async function allIds(): Promise<string[]> {
	return (await localDb(db).allDocs()).rows.map((row) => row.id);
}

async function outboxIds(): Promise<string[]> {
	return (await deviceDb.outbox.toArray()).map((entry) => entry.docId).sort();
}

let call = { db, actor, now };

beforeEach(async () => {
	run++;
	db = `unit_xathanhson${run}`;
	unitId = `xathanhson${run}`;
	call = { db, actor, now };
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	const at = now.toISOString();
	for (const [id, name] of [
		['branch:khu3', 'Chi đoàn khu 3'],
		['branch:khu5', 'Chi đoàn khu 5']
	]) {
		await localDb(db).put({
			_id: id,
			type: 'branch',
			v: 1,
			unitId,
			name,
			createdAt: at,
			createdBy: 'test',
			updatedAt: at,
			updatedBy: 'test'
		});
	}
	await catchUp(db);
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('one member', () => {
	it('moves a member to another branch: the new state and the entry, both waiting to upload', async () => {
		const member = await seed();
		const result = await moveBranch({
			...call,
			memberId: member._id,
			input: { toBranchId: 'branch:khu5', on: '25/11/2026' }
		});
		expect(result).toMatchObject({ ok: true, memberId: member._id });
		if (!result.ok) return;
		const stored = await loadMember({ db, id: member._id });
		expect(stored).toMatchObject({ branchId: 'branch:khu5', updatedBy: actor.login });
		// The change is marked for the conflict merge, on top of the revision it was made on.
		expect(stored?.fieldRevs?.branchId).toEqual({
			rev: member._rev,
			at: now.toISOString(),
			by: actor.login
		});
		const { entries } = await memberHistory({ db, memberId: member._id });
		expect(entries).toHaveLength(1);
		expect(entries[0]).toMatchObject({
			_id: result.entryIds[0],
			kind: 'branch-move',
			at: '2026-11-25',
			unitId,
			data: { fromBranchId: 'branch:khu3', toBranchId: 'branch:khu5' },
			effect: { before: { branchId: 'branch:khu3' }, after: { branchId: 'branch:khu5' } },
			createdBy: actor.login
		});
		expect(await outboxIds()).toEqual([member._id, result.entryIds[0]].sort());
	});

	it('refuses with the planner’s field errors and writes nothing', async () => {
		const member = await seed();
		const before = await allIds();
		const same = await moveBranch({
			...call,
			memberId: member._id,
			input: { toBranchId: 'branch:khu3', on: '31/02/2026' }
		});
		expect(same.ok).toBe(false);
		if (same.ok) return;
		expect(same.errors.toBranchId).toMatch(/đang sinh hoạt ở chi đoàn này/);
		expect(same.errors.on).toMatch(/không có ngày 31\/02\/2026/);
		const unknown = await moveBranch({
			...call,
			memberId: member._id,
			input: { toBranchId: 'branch:khac', on: '25/11/2026' }
		});
		expect(unknown.ok ? {} : unknown.errors).toMatchObject({
			toBranchId: 'Chi đoàn chuyển đến không có trong đơn vị.'
		});
		const removal = await removeMember({
			...call,
			memberId: member._id,
			input: { reasonId: 'bo-sinh-hoat', on: '25/11/2026', monthsMissed: '2' }
		});
		expect(removal.ok ? {} : removal.errors).toMatchObject({
			monthsMissed: expect.stringMatching(/từ 3 tháng/),
			'decision.number': expect.stringMatching(/Số quyết định/)
		});
		expect(await allIds()).toEqual(before);
		expect(await outboxIds()).toEqual([]);
		expect((await loadMember({ db, id: member._id }))?._rev).toBe(member._rev);
	});

	it('rates once per stage and year, and keeps the rating on the current scale', async () => {
		const member = await seed();
		const input = { year: '2026', stage: 'branch', gradeId: 'hoan-thanh-tot', on: '28/11/2026' };
		const first = await rateMember({ ...call, memberId: member._id, input });
		expect(first.ok).toBe(true);
		const second = await rateMember({ ...call, memberId: member._id, input });
		expect(second.ok ? {} : second.errors).toMatchObject({
			form: expect.stringMatching(/đã ghi \(Hoàn thành tốt nhiệm vụ\)/)
		});
		const old = await rateMember({
			...call,
			memberId: member._id,
			input: { ...input, year: '2025', gradeId: 'kha' }
		});
		expect(old.ok ? {} : old.errors).toMatchObject({ gradeId: expect.stringMatching(/thang hiện hành/) });
		await catchUp(db);
		const rows = await historyOfKind({ db, kind: 'rating', year: 2026 });
		expect(rows.map((r) => r.entry.data)).toEqual([
			{
				year: 2026,
				stage: 'branch',
				scaleId: 'nhiem-vu',
				gradeId: 'hoan-thanh-tot',
				gradeLabel: 'Hoàn thành tốt nhiệm vụ'
			}
		]);
	});

	it('reverses an entry once, putting back what it changed, and shows both in the timeline', async () => {
		const member = await seed();
		const dues = await payDues({
			...call,
			memberId: member._id,
			input: { through: '11/2026', amount: '2.000', paidOn: '27/11/2026' }
		});
		expect(dues.ok).toBe(true);
		expect((await loadMember({ db, id: member._id }))?.duesPaidThrough).toBe('2026-11');
		const move = await moveBranch({
			...call,
			memberId: member._id,
			input: { toBranchId: 'branch:khu5', on: '28/11/2026' }
		});
		if (!move.ok) throw new Error('move refused');
		const undo = await reverseEntry({
			...call,
			memberId: member._id,
			entryId: move.entryIds[0]!,
			input: { reason: 'Ghi nhầm chi đoàn' }
		});
		expect(undo.ok).toBe(true);
		const stored = await loadMember({ db, id: member._id });
		expect(stored).toMatchObject({ branchId: 'branch:khu3', duesPaidThrough: '2026-11' });
		const again = await reverseEntry({
			...call,
			memberId: member._id,
			entryId: move.entryIds[0]!,
			input: { reason: 'Lần nữa' }
		});
		expect(again.ok ? {} : again.errors).toMatchObject({ form: expect.stringMatching(/đã được hủy/) });

		const { entries } = await memberHistory({ db, memberId: member._id });
		// Timeline order: by effective date, then by creation.
		expect(entries.map((e) => [e.kind, e.at])).toEqual([
			['dues-payment', '2026-11-27'],
			['branch-move', '2026-11-28'],
			['reversal', '2026-11-28']
		]);
		const timeline = buildTimeline({ member: stored!, entries });
		expect(timeline.map((item) => item.entry.kind)).toEqual([
			'reversal',
			'branch-move',
			'dues-payment'
		]);
		expect(timeline[1]?.reversedBy?.kind).toBe('reversal');
		expect(timeline[1]?.reversalRefusal).toMatch(/đã được hủy/);
		expect(timeline[2]?.reversalRefusal).toBeNull();
		expect(timeline[0]?.reversalRefusal).toMatch(/Không hủy một lần hủy/);
	});

	it('marks entries with a decision as printable', async () => {
		const member = await seed({ birthDate: '1996-10-15' });
		const result = await recordComingOfAge({
			...call,
			memberId: member._id,
			input: { on: '28/11/2026', decision: DECISION }
		});
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.warnings[0]).toMatch(/không phải ngày lễ trưởng thành thường lệ/);
		const stored = await loadMember({ db, id: member._id });
		const { entries } = await memberHistory({ db, memberId: member._id });
		const [item] = buildTimeline({ member: stored!, entries });
		expect(item).toMatchObject({ printable: true, reversalRefusal: null });
		expect(item?.entry.decision?.number).toBe('12-QĐ/ĐTN');
	});

	it('shows what the server refused of a member and its history', async () => {
		const member = await seed();
		const result = await moveBranch({
			...call,
			memberId: member._id,
			input: { toBranchId: 'branch:khu5', on: '28/11/2026' }
		});
		if (!result.ok) throw new Error('refused');
		expect(await refusedForMember(member._id)).toEqual([]);
		await markRefused({ docId: result.entryIds[0]!, reason: 'Số CCCD đang sinh hoạt tại nơi khác.' });
		expect((await refusedForMember(member._id)).map((e) => e.refused)).toEqual([
			'Số CCCD đang sinh hoạt tại nơi khác.'
		]);
	});
});

describe('admission', () => {
	const person = {
		familyName: 'Đinh',
		middleName: 'Thị',
		givenName: 'Hoà',
		gender: 'female',
		birthDate: '12/03/2004',
		citizenId: '025304012345',
		ethnicCode: '06',
		religion: 'Không',
		generalEducation: '12/12',
		partyMember: false
	};
	const steps = {
		branchId: 'branch:khu3',
		applicationDate: '01/09/2026',
		charterCourseDate: '15/10/2026',
		sponsorKind: 'organisation',
		sponsorName: 'Chi hội thanh niên khu 3',
		voteDate: '01/11/2026',
		votePresent: '12',
		voteInFavour: '11',
		decision: DECISION
	};

	it('creates the member, active from the decision date, with its admission entry', async () => {
		const result = await admitMember({
			...call,
			person,
			input: steps,
			checkRegistry: async () => ({ status: 'free' })
		});
		expect(result).toMatchObject({ ok: true, registry: 'free' });
		if (!result.ok) return;
		const member = await loadMember({ db, id: result.memberId });
		expect(member).toMatchObject({
			status: 'active',
			joinedOn: '2026-11-20',
			statusSince: '2026-11-20',
			branchId: 'branch:khu3',
			unitId,
			citizenId: '025304012345',
			joinedPlace: 'Ban Chấp hành Đoàn xã Thanh Sơn'
		});
		const { entries } = await memberHistory({ db, memberId: result.memberId });
		expect(entries[0]).toMatchObject({
			kind: 'admission',
			at: '2026-11-20',
			decision: { number: '12-QĐ/ĐTN', signer: 'Nguyễn Văn An' },
			data: { registryChecked: true, vote: { present: 12, inFavour: 11 } }
		});
	});

	it('offline, admits with a warning that the server checks the citizen id at sync', async () => {
		const result = await admitMember({
			...call,
			person,
			input: steps,
			checkRegistry: async () => ({ status: 'unavailable' })
		});
		expect(result).toMatchObject({ ok: true, registry: 'unavailable' });
		if (!result.ok) return;
		expect(result.warnings.join(' ')).toMatch(/máy chủ sẽ kiểm tra lại/);
	});

	it('refuses a person active elsewhere, an age out of range, and shows every error at once', async () => {
		const elsewhere = await admitMember({
			...call,
			person,
			input: steps,
			checkRegistry: async () => ({ status: 'active', unitName: 'Đoàn phường Tân Dân' })
		});
		expect(elsewhere.ok ? {} : elsewhere.errors).toMatchObject({
			citizenId: expect.stringMatching(/Đoàn phường Tân Dân.*chuyển sinh hoạt/)
		});
		const tooOld = await admitMember({
			...call,
			person: { ...person, birthDate: '01/01/1990', citizenId: '' },
			input: steps
		});
		expect(tooOld.ok ? {} : tooOld.errors).toMatchObject({ 'decision.date': expect.stringMatching(/tuổi/) });
		const both = await admitMember({
			...call,
			person: { ...person, givenName: '' },
			input: { ...steps, voteInFavour: '5' }
		});
		expect(both.ok ? {} : both.errors).toMatchObject({
			givenName: expect.any(String),
			voteInFavour: expect.stringMatching(/quá nửa/)
		});
		expect((await allIds()).filter((id) => !id.startsWith('branch:'))).toEqual([]);
	});

	it('refuses a citizen id already on this unit’s rolls without asking the registry', async () => {
		await seed({ citizenId: '025304012345' });
		await catchUp(db);
		let asked = false;
		const result = await admitMember({
			...call,
			person,
			input: steps,
			checkRegistry: async () => {
				asked = true;
				return { status: 'free' };
			}
		});
		expect(result.ok ? {} : result.errors).toMatchObject({ citizenId: expect.stringMatching(/Hà Thị Hoa/) });
		expect(asked).toBe(false);
	});
});

describe('bulk acts', () => {
	it('a coming-of-age ceremony: confirmation, write, then undo of the whole act', async () => {
		const over = await seed({ givenName: 'An', birthDate: '1996-05-02' });
		const also = await seed({ givenName: 'Bình', birthDate: '1995-12-01' });
		const young = await seed({ givenName: 'Chi', birthDate: '2001-01-01' });
		const office = await seed({ givenName: 'Dũng', birthDate: '1996-01-10', unionPosition: 'Bí thư chi đoàn' });
		await catchUp(db);

		const list = await comingOfAgeRows({ db, year: 2026, today });
		expect(list.map((r) => [r.member.givenName, r.category, r.exemption, r.due])).toEqual([
			['Bình', 'already-over', null, true],
			['Dũng', 'turns-this-year', 'elected-office', false],
			['An', 'turns-this-year', null, true]
		]);

		const prepared = await prepareComingOfAgeCeremony({
			...call,
			memberIds: [over._id, also._id, young._id, office._id],
			input: { on: '28/11/2026', decision: DECISION }
		});
		expect(prepared.plan.summary).toMatchObject({ total: 4, done: 2, refused: 2 });
		expect(prepared.plan.confirmation).toMatch(/^Ghi trưởng thành Đoàn cho 2 đoàn viên\. 2 đoàn viên không/);
		// Nothing is written before the confirmation.
		expect((await loadMember({ db, id: over._id }))?.status).toBe('active');

		const committed = await commitBulk(prepared);
		expect(committed).toMatchObject({ written: 2, failed: [] });
		expect((await loadMember({ db, id: over._id }))?.status).toBe('matured');
		expect((await loadMember({ db, id: also._id }))?.status).toBe('matured');
		expect((await loadMember({ db, id: young._id }))?.status).toBe('active');
		await catchUp(db);
		const [act] = await bulkActs({ db });
		expect(act).toMatchObject({
			bulkId: prepared.plan.bulkId,
			kind: 'coming-of-age',
			count: 2,
			inForce: 2,
			decision: { number: '12-QĐ/ĐTN' }
		});

		const undo = await prepareBulkUndo({
			...call,
			bulkId: prepared.plan.bulkId,
			reason: 'Ghi nhầm ngày lễ',
			action: 'trưởng thành Đoàn'
		});
		expect(undo.plan.confirmation).toBe('Hủy trưởng thành Đoàn cho 2 đoàn viên.');
		expect(await commitBulk(undo)).toMatchObject({ written: 2 });
		expect((await loadMember({ db, id: over._id }))?.status).toBe('active');
		await catchUp(db);
		const [after] = await bulkActs({ db });
		expect(after).toMatchObject({ count: 2, inForce: 0 });
	});

	it('reports the common input error on its field when nobody can be done', async () => {
		const a = await seed({ birthDate: '1996-05-02' });
		const prepared = await prepareComingOfAgeCeremony({ ...call, memberIds: [a._id], input: {} });
		expect(prepared.plan.summary.done).toBe(0);
		expect(prepared.fieldErrors).toEqual({ on: 'Ngày trưởng thành không được để trống.' });
		expect(await commitBulk(prepared)).toMatchObject({ written: 0 });
	});

	it('bulk ratings refuse members already rated for that stage and year', async () => {
		const a = await seed({ givenName: 'An' });
		const b = await seed({ givenName: 'Bình' });
		const input = { year: '2026', stage: 'branch', gradeId: 'hoan-thanh', on: '28/11/2026' };
		await rateMember({ ...call, memberId: a._id, input });
		const prepared = await prepareBulkRating({ ...call, memberIds: [a._id, b._id], input });
		expect(prepared.plan.summary).toMatchObject({ done: 1, refused: 1 });
		expect(prepared.plan.outcomes.find((o) => !o.ok)?.name).toBe('Hà Thị An');
		await commitBulk(prepared);
		await catchUp(db);
		const rows = await historyOfKind({ db, kind: 'rating', year: 2026 });
		expect(rows.map((r) => r.memberId).sort()).toEqual([a._id, b._id].sort());
		expect(rows.find((r) => r.memberId === b._id)?.bulkId).toBe(prepared.plan.bulkId);
	});

	it('training: bulk registration, bounded scores, submission that locks the year', async () => {
		const a = await seed({ givenName: 'An' });
		const b = await seed({ givenName: 'Bình' });
		const registration = await prepareBulkTrainingRegistration({
			...call,
			memberIds: [a._id, b._id],
			input: { year: '2026', contentIds: ['hoc-nghi-quyet', 'tinh-nguyen'], on: '05/01/2026' }
		});
		expect(await commitBulk(registration)).toMatchObject({ written: 2 });
		const scores = {
			'chinh-tri': '25',
			'hoc-tap': '20,5',
			'tinh-nguyen': '15',
			'the-chat': '8',
			'nhiem-vu': '9'
		};
		const over = await scoreTraining({
			...call,
			memberId: a._id,
			input: { year: '2026', scores: { ...scores, 'the-chat': '12' } }
		});
		expect(over.ok ? {} : over.errors).toMatchObject({
			'scores.the-chat': expect.stringMatching(/không được quá 10/)
		});
		expect((await scoreTraining({ ...call, memberId: a._id, input: { year: '2026', scores } })).ok).toBe(
			true
		);
		const early = await submitTrainingYear({ ...call, year: 2026 });
		expect(early).toMatchObject({ ok: false, missing: ['Hà Thị Bình'] });
		await scoreTraining({ ...call, memberId: b._id, input: { year: '2026', scores } });
		expect(await submitTrainingYear({ ...call, year: 2026 })).toMatchObject({
			ok: true,
			id: 'training:2026'
		});
		expect(await trainingSubmitted({ db, year: 2026 })).toBe(true);
		const locked = await scoreTraining({ ...call, memberId: a._id, input: { year: '2026', scores } });
		expect(locked.ok ? {} : locked.errors).toMatchObject({
			form: expect.stringMatching(/đã chuyển cấp trên/)
		});
		const submission = (await localDb(db).get('training:2026')) as unknown as Record<string, unknown>;
		expect(submission).toMatchObject({
			type: 'training-submission',
			registered: 2,
			scored: 2,
			averageTotal: 77.5,
			unitId,
			updatedBy: actor.login
		});
		await catchUp(db);
		const year = await trainingOfYear({ db, year: 2026 });
		expect(year.registrations.size).toBe(2);
		expect(year.scores.get(a._id)?.[0]?.data).toMatchObject({ total: 77.5, bandLabel: 'Tốt' });
		expect(await ratingsOfYear({ db, year: 2026 })).toEqual(new Map());
	});
});
