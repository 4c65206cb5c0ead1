import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeclarationDoc, DeclaredFields } from '$lib/domain/declarations';
import type { MemberDoc } from '$lib/domain/member-schema';
import {
	approveDeclaration,
	approveDeclarations,
	readDeclarationRevision,
	rejectDeclaration
} from '../../../src/lib/data/commands/declarations';
import {
	declarationCounts,
	declarationDetail,
	declarationQueue
} from '../../../src/lib/data/queries/declarations';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { membersOfDb } from '../../../src/lib/data/read-model/member-store';
import { declarationDoc, declaredPerson } from '../../support/declaration-review-fixture';

// The review queue's data on the device: declarations synced into the unit's database are listed
// pending first and oldest first, each matched against the unit's records; an approval through
// the one writer changes only the ticked fields and waits in the outbox; a bulk approval leaves
// the declarations that match a record for one-by-one review.

let run = 0;
let db = '';
let unitId = '';
const now = new Date('2026-12-07T20:30:00.000Z');
const EXISTING = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y';

function declaration(ulid: string, fields: DeclaredFields, submittedAt: string): DeclarationDoc {
	return declarationDoc({ unitId, ulid, fields, submittedAt });
}

const hoa = declaredPerson({
	familyName: 'Hà',
	middleName: 'Thị',
	givenName: 'Hoa',
	gender: 'female',
	birthDate: '2004-03-08',
	citizenId: '025304001234',
	ethnicCode: '06'
});

beforeEach(async () => {
	run++;
	unitId = `xathanhson${run}`;
	db = `unit_${unitId}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	const member: MemberDoc = {
		...hoa,
		_id: EXISTING,
		type: 'member',
		v: 2,
		unitId,
		phone: '0987000111',
		status: 'active',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: '2026-01-01T00:00:00.000Z',
		createdBy: 'bithu',
		updatedAt: '2026-01-01T00:00:00.000Z',
		updatedBy: 'bithu'
	};
	// As a sync brings them down: written straight into the device's PouchDB, not the outbox.
	await localDb(db).bulkDocs([
		member,
		declaration('01JE0000000000000000000003', declaredPerson({ givenName: 'Quân' }), '2026-12-07T03:00:00.000Z'),
		declaration(
			'01JE0000000000000000000002',
			{ ...hoa, phone: '0912345678', currentAddress: 'Bản Nà Lừa' },
			'2026-12-07T02:00:00.000Z'
		),
		declaration('01JE0000000000000000000001', declaredPerson(), '2026-12-07T01:00:00.000Z')
	]);
	await catchUp(db);
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('the queue', () => {
	it('lists pending declarations oldest first, each with its match', async () => {
		const queue = await declarationQueue(db);
		expect(queue.map((r) => [r.name, r.status.state, r.match])).toEqual([
			['Lò Văn Pằng', 'pending', 'none'],
			['Hà Thị Hoa', 'pending', 'citizen-id'],
			['Lò Văn Quân', 'pending', 'none']
		]);
		expect((await declarationCounts(db)).pending).toBe(3);
	});

	it('shows the differences from the matched record, only the gap ticked', async () => {
		const detail = await declarationDetail({ db, id: '01JE0000000000000000000002' });
		expect(detail?.match).toBe('citizen-id');
		const [record] = detail!.records;
		expect(record?.differences.map((d) => [d.field, d.fillsGap])).toEqual([
			['currentAddress', true],
			['phone', false]
		]);
		expect(record?.preTicked).toEqual(['currentAddress']);
	});
});

describe('deciding', () => {
	it('approves onto the record with only the ticked field, waiting to be sent', async () => {
		const result = await approveDeclaration({
			db,
			id: '01JE0000000000000000000002',
			choice: { kind: 'existing', memberId: EXISTING },
			acceptedFields: ['currentAddress'],
			actor: { login: 'bithu' },
			now
		});
		expect(result).toEqual({ ok: true, memberId: EXISTING });
		const member = await localDb(db).get<MemberDoc>(EXISTING);
		expect(member.phone).toBe('0987000111');
		expect(member.currentAddress).toBe('Bản Nà Lừa');
		await catchUp(db);
		const row = (await declarationQueue(db)).find((r) => r.name === 'Hà Thị Hoa');
		expect(row).toMatchObject({ status: { state: 'approved' }, waiting: true });
		// A second decision on it is refused.
		const again = await rejectDeclaration({
			db,
			id: '01JE0000000000000000000002',
			reason: 'Nhầm',
			actor: { login: 'bithu' },
			now
		});
		expect(again).toEqual({ ok: false, message: 'Bản khai này đã được duyệt.' });
	});

	it('bulk-approves only the declarations that match no record', async () => {
		const result = await approveDeclarations({
			db,
			ids: ['01JE0000000000000000000001', '01JE0000000000000000000002', '01JE0000000000000000000003'],
			actor: { login: 'bithu' },
			now
		});
		expect(result).toMatchObject({ approved: 2, skipped: 1 });
		await catchUp(db);
		expect(await declarationCounts(db)).toMatchObject({ pending: 1, approved: 2 });
		const created = await membersOfDb(db);
		expect(created.map((m) => m.fullName).sort()).toEqual(['Hà Thị Hoa', 'Lò Văn Pằng', 'Lò Văn Quân']);
	});

	it('a correction that crossed the approval is flagged, then read with the ticked field taken', async () => {
		const id = '01JE0000000000000000000001';
		const approved = await approveDeclaration({
			db,
			id,
			choice: { kind: 'new' },
			actor: { login: 'bithu' },
			now
		});
		if (!approved.ok) throw new Error(approved.message);
		// The member's correction, sent before she knew, comes down with a sync.
		const current = await localDb(db).get<DeclarationDoc>(`declaration:${id}`);
		await localDb(db).put({
			...current,
			revision: 2,
			fields: { ...current.fields, email: 'pang@example.vn' },
			correctedAt: now.toISOString()
		});
		await catchUp(db);
		const row = (await declarationQueue(db)).find((r) => r.id === id);
		expect(row?.status).toMatchObject({ state: 'approved', changedAfterReview: true });
		const detail = await declarationDetail({ db, id });
		expect(detail?.approvedRecord?.differences.map((d) => d.field)).toEqual(['email']);
		expect(detail?.approvedRecord?.preTicked).toEqual(['email']);

		const read = await readDeclarationRevision({
			db,
			id,
			acceptedFields: ['email'],
			actor: { login: 'bithu' },
			now
		});
		expect(read).toEqual({ ok: true, memberId: approved.memberId });
		expect((await localDb(db).get<MemberDoc>(approved.memberId!)).email).toBe('pang@example.vn');
		await catchUp(db);
		const after = (await declarationQueue(db)).find((r) => r.id === id);
		expect(after?.status).toMatchObject({ state: 'approved', changedAfterReview: false });
	});
});
