import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { JoinLinkDocSchema } from '../../../src/lib/domain/declarations/declaration-schema';
import {
	planCreateJoinLink,
	planRotateJoinLink,
	planSetJoinLinkEnabled
} from '../../../src/lib/domain/declarations/join-links';

// The join links' rules (ADR 0019): one per unit and per active chi đoàn, rotated to a new code,
// paused and opened again, never deleted; every planned document passes the contract's schema.

const act = { now: '2026-12-07T01:00:00.000Z', login: 'bithu' };
const active = { _id: 'branch:xaabc-01', name: 'Chi đoàn Thôn 1', status: 'active' };
const merged = { ...active, status: 'merged' };

function unitLink() {
	const plan = planCreateJoinLink({
		...act,
		unitId: 'xaabc',
		existing: null,
		code: '7K3M9QW2TZ'
	});
	if (!plan.ok) throw new Error(plan.message);
	return plan.doc;
}

describe('join link planners', () => {
	it('creates the unit link and a chi đoàn link that the schema accepts', () => {
		const doc = unitLink();
		expect(doc).toMatchObject({ _id: 'join-link:unit', enabled: true, code: '7K3M9QW2TZ' });
		expect(v.safeParse(JoinLinkDocSchema, doc).success).toBe(true);
		const branch = planCreateJoinLink({
			...act,
			unitId: 'xaabc',
			branch: active,
			existing: null,
			code: 'ABCDEFGH12'
		});
		expect(branch.ok && branch.doc).toMatchObject({
			_id: 'join-link:xaabc-01',
			branchId: 'branch:xaabc-01'
		});
		expect(branch.ok && v.safeParse(JoinLinkDocSchema, branch.doc).success).toBe(true);
	});

	it('refuses a second link of the same scope and a link of a merged chi đoàn', () => {
		const again = planCreateJoinLink({
			...act,
			unitId: 'xaabc',
			existing: unitLink(),
			code: 'ABCDEFGH12'
		});
		expect(again.ok).toBe(false);
		const closed = planCreateJoinLink({
			...act,
			unitId: 'xaabc',
			branch: merged,
			existing: null,
			code: 'ABCDEFGH12'
		});
		expect(!closed.ok && closed.message).toContain('không nhận khai báo mới');
	});

	it('rotates to a new code, keeping who made it', () => {
		const later = { now: '2026-12-08T01:00:00.000Z', login: 'phobithu' };
		const plan = planRotateJoinLink({ ...later, link: unitLink(), code: 'ZZZZZZZZZZ' });
		expect(plan.ok && plan.doc).toMatchObject({
			code: 'ZZZZZZZZZZ',
			rotatedAt: later.now,
			createdBy: 'bithu',
			updatedBy: 'phobithu'
		});
		expect(planRotateJoinLink({ ...act, link: unitLink(), code: '7K3M9QW2TZ' }).ok).toBe(false);
	});

	it('pauses and opens again; a merged chi đoàn link stays paused', () => {
		const paused = planSetJoinLinkEnabled({ ...act, link: unitLink(), enabled: false });
		expect(paused.ok && paused.doc.enabled).toBe(false);
		if (!paused.ok) return;
		const open = planSetJoinLinkEnabled({ ...act, link: paused.doc, enabled: true });
		expect(open.ok && open.doc.enabled).toBe(true);
		const branchLink = { ...paused.doc, _id: 'join-link:xaabc-01', branchId: active._id };
		const refused = planSetJoinLinkEnabled({
			...act,
			link: branchLink,
			enabled: true,
			branch: merged
		});
		expect(refused.ok).toBe(false);
	});
});
