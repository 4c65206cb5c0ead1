import { describe, expect, it } from 'vitest';
import type { RevDoc } from '../../../server/workers/doc-copier';
import { planSplit } from '../../../server/workers/split-plan';

// Which documents a split moves (ADR 0028): a declaration goes with the member it is about — the
// member its approval names, else the one it matches — and a newcomer's with the chi đoàn whose link
// she used; a declaration that could be about someone who stays, stays. Join links never move.

const GO = 'branch:xa1-go';
const STAY = 'branch:xa1-stay';
let n = 0;

function doc(fields: Record<string, unknown>): RevDoc {
	n += 1;
	return { _id: `doc:${n}`, _rev: '1-a', ...fields };
}

function member(id: string, branchId: string, extra: Record<string, unknown> = {}): RevDoc {
	return {
		_id: id,
		_rev: '1-a',
		type: 'member',
		status: 'active',
		familyName: 'Lò',
		middleName: 'Thị',
		givenName: id.slice(-3),
		birthDate: '2005-01-02',
		branchId,
		...extra
	};
}

function declaration(ulid: string, fields: Record<string, unknown>, branchId?: string): RevDoc {
	return {
		_id: `declaration:${ulid}`,
		_rev: '1-a',
		type: 'declaration',
		fields: { familyName: 'Lò', middleName: 'Thị', birthDate: '2005-01-02', ...fields },
		...(branchId ? { branchId } : {})
	};
}

describe('planSplit', () => {
	const leaver = member('member:AAA', GO, { citizenId: '001305000001' });
	const stayer = member('member:BBB', STAY);
	const twinGo = member('member:TW1', GO, { givenName: 'Hai' });
	const twinStay = member('member:TW2', STAY, { givenName: 'Hai' });
	const docs: RevDoc[] = [
		doc({ _id: GO, type: 'branch' }),
		doc({ _id: STAY, type: 'branch' }),
		leaver,
		stayer,
		twinGo,
		twinStay,
		// By citizen id, whatever the name says.
		declaration('0000000000000000000000000A', { givenName: 'Khác', citizenId: '001305000001' }),
		// By name and birth date: the stayer.
		declaration('0000000000000000000000000B', { givenName: 'BBB' }, GO),
		// Two records fit, one stays: the old unit's secretary still chooses.
		declaration('0000000000000000000000000C', { givenName: 'Hai' }),
		// A newcomer through the moving chi đoàn's link, and one through the unit's.
		declaration('0000000000000000000000000D', { givenName: 'Mới' }, GO),
		declaration('0000000000000000000000000E', { givenName: 'Mới' }),
		// Approved onto the stayer although she matches nobody by name now: the approval decides.
		declaration('0000000000000000000000000F', { givenName: 'Đổi Tên' }, GO),
		{
			_id: 'declaration-review:0000000000000000000000000F',
			_rev: '1-a',
			type: 'declaration-review',
			declarationId: 'declaration:0000000000000000000000000F',
			memberId: 'member:BBB'
		},
		{
			_id: 'declaration-review:0000000000000000000000000D',
			_rev: '1-a',
			type: 'declaration-review',
			declarationId: 'declaration:0000000000000000000000000D'
		},
		doc({ _id: 'join-link:unit', type: 'join-link' }),
		doc({ _id: 'join-link:xa1-go', type: 'join-link', branchId: GO }),
		doc({ _id: 'history:AAA:1', type: 'history', memberId: 'member:AAA' })
	];

	it('moves the members’ declarations with their reviews, and lists the links it leaves', () => {
		const plan = planSplit({ docs, branchIds: new Set([GO]) });
		expect(new Set(plan.movedIds)).toEqual(
			new Set([
				GO,
				'member:AAA',
				'member:TW1',
				'history:AAA:1',
				'declaration:0000000000000000000000000A',
				'declaration:0000000000000000000000000D',
				'declaration-review:0000000000000000000000000D'
			])
		);
		expect(plan.joinLinksLeft).toEqual(['join-link:xa1-go']);
	});

	it('moves nothing of the declarations when no member or chi đoàn of theirs moves', () => {
		const plan = planSplit({ docs, branchIds: new Set(['branch:none']) });
		expect(plan.movedIds).toEqual([]);
		expect(plan.joinLinksLeft).toEqual([]);
	});
});
