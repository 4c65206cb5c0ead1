import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	BranchDocSchema,
	planCloseBranch,
	planEditBranch,
	planFoundBranch,
	planMergeBranches,
	upgradeBranchDoc,
	type BranchDoc,
	type BranchResult,
	type MemberDoc
} from '$lib/domain';
import {
	context,
	expectValidEntry,
	expectValidMember,
	member,
	NOW,
	ulidSequence
} from './operation-fixtures';

// Branch ids come from ULIDs: one sequence for every branch of a test file keeps them distinct.
const branchUlids = ulidSequence('01HZY');

// The unit's management of its chi đoàn: found, rename (old names kept), merge (all members or
// none), close (only when empty), and the demo's version-1 documents read as the current shape.

function planOf(result: BranchResult) {
	if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
	for (const branch of result.plan.branches) {
		const parsed = v.safeParse(BranchDocSchema, branch);
		if (!parsed.success) throw new Error(JSON.stringify(parsed.issues.map((i) => i.message)));
	}
	result.plan.entries.forEach(expectValidEntry);
	result.plan.members.forEach(expectValidMember);
	return result.plan;
}

function errorsOf(result: BranchResult) {
	if (result.ok) throw new Error('expected errors, got a plan');
	return result.errors;
}

function found(name: string, branches: BranchDoc[] = [], extra = {}): BranchDoc {
	const plan = planOf(
		planFoundBranch({
			...context({ newUlid: branchUlids }),
			input: { name, kind: 'khu-dan-cu', secretaryName: 'Lò Văn Minh', ...extra },
			branches
		})
	);
	return { ...plan.branches[0]!, _rev: '1-a' };
}

let seq = 0;
function memberIn(branch: BranchDoc, overrides: Partial<MemberDoc> = {}): MemberDoc {
	seq++;
	return member({
		_id: `member:01JD3X4N5P6Q7R8S9T0V1W2X${String(seq).padStart(2, '0').replace(/0/g, 'A')}`,
		givenName: `Hoa${seq}`,
		branchId: branch._id,
		...overrides
	} as Partial<MemberDoc>);
}

describe('founding a chi đoàn', () => {
	it('writes a branch of the unit, with its kind, secretary and first name', () => {
		const branch = found('  Chi đoàn   Khu 1 ');
		expect(branch._id).toMatch(/^branch:xathanhson-[0-9A-Z]{26}$/);
		expect(branch).toMatchObject({
			type: 'branch',
			v: 2,
			unitId: 'xathanhson',
			name: 'Chi đoàn Khu 1',
			kind: 'khu-dan-cu',
			status: 'active',
			secretary: { name: 'Lò Văn Minh' },
			nameHistory: [{ name: 'Chi đoàn Khu 1', from: NOW, by: 'bithu.thanhson' }],
			createdBy: 'bithu.thanhson',
			updatedBy: 'bithu.thanhson'
		});
	});

	it('refuses an empty name, an unknown kind and a name the unit already uses', () => {
		const first = found('Chi đoàn Khu 1');
		const errors = errorsOf(
			planFoundBranch({ ...context(), input: { name: ' ', kind: 'chi-doan' }, branches: [first] })
		);
		expect(errors.name).toBe('Tên chi đoàn không được để trống.');
		expect(errors.kind).toBe('Loại chi đoàn không hợp lệ.');
		const twice = errorsOf(
			planFoundBranch({
				...context(),
				input: { name: 'chi doan khu 1', kind: 'khu-dan-cu' },
				branches: [first]
			})
		);
		expect(twice.name).toBe('Đơn vị đã có chi đoàn tên "Chi đoàn Khu 1".');
	});

	it('takes the secretary from a member of the unit, and refuses one who left', () => {
		const who = member();
		const plan = planOf(
			planFoundBranch({
				...context(),
				input: { name: 'Chi đoàn Lớp 12A1', kind: 'lop-hoc', secretaryMemberId: who._id },
				branches: [],
				secretaryMember: who
			})
		);
		expect(plan.branches[0]!.secretary).toEqual({ name: 'Hà Thị Hoa', memberId: who._id });
		const gone = member({ status: 'matured' });
		const errors = errorsOf(
			planFoundBranch({
				...context(),
				input: { name: 'Chi đoàn Lớp 12A1', kind: 'lop-hoc', secretaryMemberId: gone._id },
				branches: [],
				secretaryMember: gone
			})
		);
		expect(errors.secretaryMemberId).toContain('không còn sinh hoạt');
	});
});

describe('editing a chi đoàn', () => {
	it('keeps the old name in the name history when renamed', () => {
		const branch = found('Chi đoàn Khu 1');
		const later = context({ now: '2025-11-28T09:00:00.000Z' });
		const plan = planOf(
			planEditBranch({
				...later,
				branch,
				input: { name: 'Chi đoàn Tổ dân phố 1', kind: 'khu-dan-cu', decision: '15-QĐ/ĐTN' },
				branches: [branch]
			})
		);
		const renamed = plan.branches[0]!;
		expect(renamed.name).toBe('Chi đoàn Tổ dân phố 1');
		expect(renamed._rev).toBe('1-a');
		expect(renamed.secretary).toBeUndefined();
		expect(renamed.nameHistory).toEqual([
			{ name: 'Chi đoàn Khu 1', from: NOW, to: later.now, by: 'bithu.thanhson' },
			{
				name: 'Chi đoàn Tổ dân phố 1',
				from: later.now,
				by: 'bithu.thanhson',
				decision: '15-QĐ/ĐTN'
			}
		]);
	});

	it('says when nothing changed, and refuses a merged branch', () => {
		const branch = found('Chi đoàn Khu 1');
		const input = { name: branch.name, kind: branch.kind, secretaryName: 'Lò Văn Minh' };
		expect(errorsOf(planEditBranch({ ...context(), branch, input, branches: [branch] })).form).toBe(
			'Không có gì thay đổi.'
		);
		const merged = { ...branch, status: 'merged' as const };
		expect(
			errorsOf(planEditBranch({ ...context(), branch: merged, input, branches: [] })).form
		).toContain('đã hợp nhất');
	});
});

describe('merging two chi đoàn', () => {
	it('moves every member on the rolls with a history entry each, in one act', () => {
		const from = found('Chi đoàn Khu 1');
		const into = found('Chi đoàn Khu 2', [from]);
		const a = memberIn(from);
		const b = memberIn(from);
		const left = memberIn(from, { status: 'matured' });
		const elsewhere = memberIn(into);
		const plan = planOf(
			planMergeBranches({
				...context(),
				from,
				into,
				members: [a, b, left, elsewhere],
				input: { decision: '20-QĐ/ĐTN' }
			})
		);
		expect(plan.members.map((m) => [m._id, m.branchId])).toEqual([
			[a._id, into._id],
			[b._id, into._id]
		]);
		expect(plan.entries).toHaveLength(2);
		const bulkIds = new Set(plan.entries.map((e) => e.bulkId));
		expect(bulkIds.size).toBe(1);
		expect(plan.entries[0]).toMatchObject({
			kind: 'branch-move',
			memberId: a._id,
			at: '2025-11-28',
			data: { fromBranchId: from._id, toBranchId: into._id },
			note: 'Hợp nhất chi đoàn Chi đoàn Khu 1 vào chi đoàn Chi đoàn Khu 2.'
		});
		expect(plan.branches).toHaveLength(1);
		expect(plan.branches[0]).toMatchObject({
			_id: from._id,
			status: 'merged',
			mergedInto: into._id,
			endDecision: '20-QĐ/ĐTN',
			endedAt: NOW
		});
		expect(plan.warnings[0]).toContain('1 hồ sơ đã ra khỏi danh sách');
	});

	it('moves nobody when one member cannot move (a transfer pending)', () => {
		const from = found('Chi đoàn Khu 1');
		const into = found('Chi đoàn Khu 2', [from]);
		const errors = errorsOf(
			planMergeBranches({
				...context(),
				from,
				into,
				members: [memberIn(from), memberIn(from, { status: 'transferring' })],
				input: {}
			})
		);
		expect(errors.form).toMatch(/^Chưa hợp nhất được: 1 đoàn viên của chi đoàn Chi đoàn Khu 1/);
		expect(errors.form).toContain('đang chuyển sinh hoạt');
	});

	it('refuses a merge into itself, into a closed branch, or without a target', () => {
		const from = found('Chi đoàn Khu 1');
		const closed = { ...found('Chi đoàn Khu 2', [from]), status: 'closed' as const };
		const base = { ...context(), from, members: [], input: {} };
		expect(errorsOf(planMergeBranches({ ...base, into: from })).into).toBe(
			'Không thể hợp nhất một chi đoàn vào chính nó.'
		);
		expect(errorsOf(planMergeBranches({ ...base, into: closed })).into).toContain('đã giải thể');
		expect(errorsOf(planMergeBranches({ ...base, into: null })).into).toContain('hãy chọn');
		expect(
			errorsOf(planMergeBranches({ ...base, into: found('Khu 3'), input: { on: '01/01/2030' } })).on
		).toContain('không được sau hôm nay');
	});

	it('moves later arrivals into the branch it merged into, without touching the branch again', () => {
		const into = found('Chi đoàn Khu 2');
		const from = { ...found('Chi đoàn Khu 1'), status: 'merged' as const, mergedInto: into._id };
		const late = memberIn(from);
		const plan = planOf(
			planMergeBranches({ ...context(), from, into, members: [late], input: {} })
		);
		expect(plan.branches).toEqual([]);
		expect(plan.members[0]!.branchId).toBe(into._id);
		expect(
			errorsOf(planMergeBranches({ ...context(), from, into, members: [], input: {} })).form
		).toContain('không còn đoàn viên');
	});
});

describe('closing a chi đoàn', () => {
	it('is refused, naming how many, while the branch has members on the rolls', () => {
		const branch = found('Chi đoàn Khu 1');
		const members = [
			memberIn(branch),
			memberIn(branch, { status: 'transferring' }),
			memberIn(branch, { status: 'removed' })
		];
		expect(errorsOf(planCloseBranch({ ...context(), branch, members, input: {} })).form).toBe(
			'Không thể giải thể chi đoàn Chi đoàn Khu 1: chi đoàn còn 2 đoàn viên. Hãy chuyển các đoàn viên sang chi đoàn khác hoặc hợp nhất chi đoàn này vào chi đoàn khác.'
		);
	});

	it('closes an empty branch, keeping its document', () => {
		const branch = found('Chi đoàn Khu 1');
		const plan = planOf(
			planCloseBranch({
				...context(),
				branch,
				members: [memberIn(branch, { status: 'matured' })],
				input: { decision: '30-QĐ/ĐTN' }
			})
		);
		expect(plan.branches[0]).toMatchObject({
			_id: branch._id,
			status: 'closed',
			endDecision: '30-QĐ/ĐTN'
		});
		const again = { ...branch, status: 'closed' as const };
		expect(
			errorsOf(planCloseBranch({ ...context(), branch: again, members: [], input: {} })).form
		).toContain('đã giải thể');
	});
});

describe('stored branches', () => {
	it('reads the demo loader’s version-1 documents as active branches with a name history', () => {
		const old = {
			_id: 'branch:xathanhsonkhu3',
			_rev: '1-x',
			type: 'branch',
			v: 1,
			unitId: 'xathanhson',
			name: 'Chi đoàn khu 3',
			kind: 'chi-doan',
			createdAt: '2025-01-02T03:00:00.000Z',
			createdBy: 'bithu.xathanhson',
			updatedAt: '2025-01-02T03:00:00.000Z',
			updatedBy: 'bithu.xathanhson'
		};
		expect(upgradeBranchDoc(old)).toEqual({
			...old,
			v: 2,
			kind: 'khac',
			status: 'active',
			nameHistory: [{ name: 'Chi đoàn khu 3', from: old.createdAt, by: 'bithu.xathanhson' }]
		});
	});

	it('refuses documents it cannot read, in Vietnamese', () => {
		expect(() => upgradeBranchDoc({ _id: 'branch:abcd1', type: 'branch', v: 9 })).toThrow(
			/phiên bản mới hơn/
		);
		expect(() => upgradeBranchDoc({ ...found('Khu 1'), name: '' })).toThrow(
			/name: Không được để trống/
		);
	});
});
