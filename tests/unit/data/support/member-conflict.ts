import { applyMemberPatch, type MemberDoc, type MemberPatch } from '$lib/domain';
import { localDb } from '../../../../src/lib/data/store/pouch';

// One member edited offline on two devices, as replication brings it: real PouchDB conflicts, two
// leaves written with `new_edits: false` (shared by the conflict and engine-owner tests).

export const CONFLICT_MEMBER_ID = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y' as MemberDoc['_id'];

function base(db: string): MemberDoc {
	return {
		_id: CONFLICT_MEMBER_ID,
		type: 'member',
		v: 2,
		unitId: db.slice('unit_'.length),
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		phone: '0912000111',
		email: 'hoa@example.vn',
		currentAddress: 'Khu 3, xã Thanh Sơn',
		partyMember: false,
		status: 'active',
		provenance: { source: 'unit' },
		createdAt: '2026-01-05T03:00:00.000Z',
		createdBy: 'bithu',
		updatedAt: '2026-01-05T03:00:00.000Z',
		updatedBy: 'bithu'
	};
}

/** A device's offline edit on top of `parent`, as the revision replication would bring. */
function leaf(options: {
	parent: MemberDoc & { _rev: string };
	patch: MemberPatch;
	by: string;
	at: string;
	hash: string;
}) {
	const { member } = applyMemberPatch({
		member: options.parent,
		patch: options.patch,
		at: options.at,
		by: options.by
	});
	const [generation, parentHash] = options.parent._rev.split('-');
	const next = Number(generation) + 1;
	return {
		...member,
		_rev: `${next}-${options.hash}`,
		_revisions: { start: next, ids: [options.hash, parentHash!] }
	};
}

/** Two devices edit the stored member offline; both revisions arrive here as a conflict. */
export async function seedConflict(options: { db: string; a: MemberPatch; b: MemberPatch }) {
	const { db, a, b } = options;
	const put = await localDb(db).put(base(db));
	const parent = { ...base(db), _rev: put.rev };
	const left = leaf({ parent, patch: a, by: 'bithu', at: '2026-11-20T01:00:00.000Z', hash: 'a'.repeat(32) });
	const right = leaf({ parent, patch: b, by: 'phobithu', at: '2026-11-21T01:00:00.000Z', hash: 'b'.repeat(32) });
	await localDb(db).bulkDocs([left, right], { new_edits: false });
	return { parent, left, right };
}

