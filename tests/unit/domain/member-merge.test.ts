import { describe, expect, it } from 'vitest';
import {
	MARKERS_SINCE,
	applyMemberPatch,
	commonAncestor,
	compareRevs,
	mergeMemberLeaves,
	resolveMemberConflicts,
	revisionList,
	type MemberDoc,
	type MemberPatch,
	type MergeLeaf
} from '$lib/domain';
import { expectValidMember, member } from './operation-fixtures';

// The common ancestor: revision 2, seen by both phones before they went offline.
const ancestor = member({ _rev: '2-anc', phone: '0912345678', fieldRevs: {} });
const HISTORY = ['2-anc', '1-new'];

/** A device edits `base` (at revision base._rev) and the store gives the result revision `rev`. */
function edit(base: MemberDoc, patch: MemberPatch, rev: string, by: string, at: string): MemberDoc {
	return { ...applyMemberPatch({ member: base, patch, at, by }).member, _rev: rev };
}

function leaf(doc: MemberDoc, history: readonly string[] = HISTORY): MergeLeaf {
	return { doc, revisions: [doc._rev as string, ...history] };
}

const SECRETARY = { by: 'bithu', at: '2025-11-20T08:00:00.000Z' };
const DEPUTY = { by: 'phobithu', at: '2025-11-21T09:30:00.000Z' };
const MERGER = { by: 'bithu', at: '2025-11-25T10:00:00.000Z' };

function a(patch: MemberPatch): MergeLeaf {
	return leaf(edit(ancestor, patch, '3-aaa', SECRETARY.by, SECRETARY.at));
}
function b(patch: MemberPatch): MergeLeaf {
	return leaf(edit(ancestor, patch, '3-bbb', DEPUTY.by, DEPUTY.at));
}
function merge(...leaves: MergeLeaf[]) {
	return mergeMemberLeaves({ leaves, ...MERGER });
}

describe('revisions', () => {
	it('orders leaves as CouchDB picks its winner: longer history, then greater id', () => {
		expect(compareRevs('4-aaa', '3-zzz')).toBeLessThan(0);
		expect(compareRevs('3-bbb', '3-aaa')).toBeLessThan(0);
		expect(compareRevs('3-aaa', '3-bbb')).toBeGreaterThan(0);
		expect(compareRevs('10-a', '9-z')).toBeLessThan(0);
	});

	it('expands PouchDB `_revisions` and finds the newest common ancestor', () => {
		expect(revisionList({ start: 3, ids: ['c', 'b', 'a'] })).toEqual(['3-c', '2-b', '1-a']);
		expect(commonAncestor([a({}), b({})])).toBe('2-anc');
		expect(
			commonAncestor([leaf(member({ _rev: '1-x' }), []), leaf(member({ _rev: '1-y' }), [])])
		).toBeNull();
	});
});

describe('mergeMemberLeaves: fields changed on one side only merge automatically', () => {
	it('takes both sides’ changes to different fields, on top of the winner', () => {
		const result = merge(a({ phone: '0987654321' }), b({ email: 'hoa@gmail.com' }));
		expect(result.winnerRev).toBe('3-bbb');
		expect(result.losingRevs).toEqual(['3-aaa']);
		expect(result.ancestorRev).toBe('2-anc');
		expect(result.conflicts).toEqual([]);
		expect(result.merged).toMatchObject({
			_rev: '3-bbb',
			phone: '0987654321',
			email: 'hoa@gmail.com',
			updatedBy: 'bithu',
			updatedAt: MERGER.at
		});
		expect(result.autoMerged.map((f) => [f.field, f.from.rev, f.from.by])).toEqual([
			['phone', '3-aaa', 'bithu'],
			['email', '3-bbb', 'phobithu']
		]);
		// The field taken from the losing side is marked as changed on top of the winner, by its author.
		expect(result.merged.fieldRevs?.phone).toEqual({ rev: '3-bbb', at: SECRETARY.at, by: 'bithu' });
		expectValidMember(result.merged);
	});

	it('reports nothing for the same field changed to the same value', () => {
		const result = merge(a({ phone: '0987654321' }), b({ phone: '0987654321' }));
		expect(result.conflicts).toEqual([]);
		expect(result.autoMerged).toEqual([]);
		expect(result.merged.phone).toBe('0987654321');
	});

	it('keeps a value deleted on one side when the other did not touch it', () => {
		const result = merge(a({ phone: null }), b({ email: 'hoa@gmail.com' }));
		expect(result.conflicts).toEqual([]);
		expect(result.merged).not.toHaveProperty('phone');
		expect(result.merged.email).toBe('hoa@gmail.com');
	});

	it('merges operation state too: a status change on one side, an edit on the other', () => {
		const result = merge(
			a({ status: 'removed', statusSince: '2025-11-20' }),
			b({ phone: '0987654321' })
		);
		expect(result.conflicts).toEqual([]);
		expect(result.merged).toMatchObject({
			status: 'removed',
			statusSince: '2025-11-20',
			phone: '0987654321'
		});
	});

	it('counts several offline edits on one side as that side’s change', () => {
		const first = edit(ancestor, { phone: '0911111111' }, '3-aaa', SECRETARY.by, SECRETARY.at);
		const second = edit(first, { phone: '0922222222' }, '4-aaa', SECRETARY.by, SECRETARY.at);
		const result = merge(leaf(second, ['3-aaa', ...HISTORY]), b({ email: 'hoa@gmail.com' }));
		expect(result.winnerRev).toBe('4-aaa');
		expect(result.conflicts).toEqual([]);
		expect(result.merged).toMatchObject({ phone: '0922222222', email: 'hoa@gmail.com' });
	});

	it('treats a change made before the common ancestor as no change', () => {
		const older = edit(
			member({ _rev: '1-new' }),
			{ phone: '0912345678' },
			'2-anc',
			'bithu',
			SECRETARY.at
		);
		const left = leaf(edit(older, { email: 'a@gmail.com' }, '3-aaa', 'bithu', SECRETARY.at));
		const right = leaf(edit(older, { phone: '0987654321' }, '3-bbb', 'phobithu', DEPUTY.at));
		const result = merge(left, right);
		expect(result.conflicts).toEqual([]);
		expect(result.merged).toMatchObject({ phone: '0987654321', email: 'a@gmail.com' });
	});
});

describe('mergeMemberLeaves: the same field changed differently is a conflict', () => {
	it('shows both values with who and when, the winner’s first, and keeps the winner’s meanwhile', () => {
		const result = merge(a({ phone: '0911111111' }), b({ phone: '0922222222' }));
		expect(result.conflicts).toEqual([
			{
				field: 'phone',
				label: 'Số điện thoại',
				sides: [
					{ rev: '3-bbb', value: '0922222222', at: DEPUTY.at, by: 'phobithu' },
					{ rev: '3-aaa', value: '0911111111', at: SECRETARY.at, by: 'bithu' }
				]
			}
		]);
		expect(result.merged.phone).toBe('0922222222');
	});

	it('treats a deletion against an edit of the same field as a conflict', () => {
		const result = merge(a({ phone: null }), b({ phone: '0922222222' }));
		expect(result.conflicts[0]?.sides.map((s) => s.value)).toEqual(['0922222222', null]);
	});

	it('is symmetric: the same result whichever device computes it', () => {
		const left = a({ phone: '0911111111', givenName: 'Hòa' });
		const right = b({ phone: '0922222222', email: 'hoa@gmail.com' });
		expect(merge(left, right)).toEqual(merge(right, left));
	});

	it('merges three leaves', () => {
		const c = leaf(
			edit(ancestor, { phone: '0933333333' }, '3-ccc', 'xem', '2025-11-22T00:00:00.000Z')
		);
		const result = merge(a({ email: 'a@gmail.com' }), b({ phone: '0922222222' }), c);
		expect(result.winnerRev).toBe('3-ccc');
		expect(result.losingRevs).toEqual(['3-bbb', '3-aaa']);
		expect(result.merged.email).toBe('a@gmail.com');
		expect(result.conflicts.map((x) => [x.field, x.sides.map((s) => s.value)])).toEqual([
			['phone', ['0933333333', '0922222222']]
		]);
		expect(merge(c, b({ phone: '0922222222' }), a({ email: 'a@gmail.com' }))).toEqual(result);
	});

	it('is conservative without markers: a leaf written by a version 1 app conflicts on every difference', () => {
		const v1 = { ...ancestor, _rev: '3-aaa', phone: '0911111111' };
		delete (v1 as Partial<MemberDoc>).fieldRevs;
		const result = merge(leaf(v1), b({ email: 'hoa@gmail.com' }));
		// The deputy's leaf has markers and did not touch the phone: the old app's phone is an edit.
		expect(result.merged.phone).toBe('0911111111');
		// The email: the deputy changed it, but the old app's leaf cannot say it did not.
		expect(result.conflicts.map((c) => c.field)).toEqual(['email']);
	});

	it('does not trust markers that began after the common ancestor', () => {
		const unmarked = { ...ancestor, _rev: '3-aaa', email: 'old@gmail.com' } as MemberDoc;
		delete (unmarked as Partial<MemberDoc>).fieldRevs;
		const marked = edit(unmarked, { givenName: 'Hòa' }, '4-aaa', 'bithu', SECRETARY.at);
		expect(marked.fieldRevs?.[MARKERS_SINCE]?.rev).toBe('3-aaa');
		const result = merge(leaf(marked, ['3-aaa', ...HISTORY]), b({ email: 'hoa@gmail.com' }));
		expect(result.conflicts.map((c) => c.field)).toEqual(['email']);
		expect(result.merged.givenName).toBe('Hòa');
	});

	it('shows every difference as a conflict when the leaves share no ancestor', () => {
		const one = leaf(member({ _rev: '1-x', phone: '0911111111' }), []);
		const two = leaf(member({ _rev: '1-y', phone: '0922222222' }), []);
		const result = merge(one, two);
		expect(result.ancestorRev).toBeNull();
		expect(result.conflicts.map((c) => c.field)).toEqual(['phone']);
	});

	it('refuses fewer than two leaves and leaves of different members', () => {
		expect(() => merge(a({}))).toThrow(RangeError);
		const other = leaf({ ...ancestor, _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Z', _rev: '3-ccc' });
		expect(() => merge(a({}), other)).toThrow('cùng một hồ sơ');
	});
});

describe('resolveMemberConflicts: the secretary chooses', () => {
	it('applies the chosen side of every conflict, marked as her decision', () => {
		const result = merge(
			a({ phone: '0911111111', email: 'a@gmail.com' }),
			b({ phone: null, email: 'b@gmail.com' })
		);
		const resolved = resolveMemberConflicts({
			result,
			choices: { phone: '3-bbb', email: '3-aaa' },
			at: '2025-11-26T00:00:00.000Z',
			by: 'bithu'
		});
		expect(resolved.ok).toBe(true);
		if (!resolved.ok) return;
		expect(resolved.member).not.toHaveProperty('phone');
		expect(resolved.member.email).toBe('a@gmail.com');
		expect(resolved.member.fieldRevs?.email).toEqual({
			rev: '3-bbb',
			at: '2025-11-26T00:00:00.000Z',
			by: 'bithu'
		});
		expect(resolved.member._rev).toBe('3-bbb');
		expectValidMember(resolved.member);
	});

	it('names the conflicts still without a choice', () => {
		const result = merge(
			a({ phone: '0911111111', email: 'a@gmail.com' }),
			b({ phone: '0922222222', email: 'b@gmail.com' })
		);
		expect(resolveMemberConflicts({ result, choices: { phone: '3-aaa' }, ...MERGER })).toEqual({
			ok: false,
			missing: ['Email']
		});
	});
});
