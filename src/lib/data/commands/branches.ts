import {
	planCloseBranch,
	planEditBranch,
	planFoundBranch,
	planMergeBranches,
	upgradeMemberDoc,
	type BranchInput,
	type BranchResult,
	type MemberDoc,
	type MergeInput,
	type OperationErrors
} from '$lib/domain';
import { loadBranch, loadBranches } from '$lib/data/queries/branches';
import { loadMember, operationContext, type OperationCall } from '$lib/data/member-operations';
import { writeBranchPlan } from './plan-writer';
import { localDb } from '$lib/data/store/pouch';

// The unit's chi đoàn on the device, offline like every member operation: each command reads the
// truth from PouchDB, lets the domain planner decide (branch-operations.ts) and writes what it
// planned (writeBranchPlan), noted as waiting to upload. Refusals come back as the planner's
// Vietnamese messages keyed by field, with nothing written.

export type BranchOutcome =
	| { ok: true; branchId: string; moved: number; warnings: string[] }
	| { ok: false; errors: OperationErrors };

const NOT_FOUND: BranchOutcome = {
	ok: false,
	errors: { form: 'Không tìm thấy chi đoàn này trên máy. Có thể dữ liệu chưa đồng bộ.' }
};

async function write(db: string, result: BranchResult, branchId?: string): Promise<BranchOutcome> {
	if (!result.ok) return { ok: false, errors: result.errors };
	const written = await writeBranchPlan({ db, plan: result.plan });
	if (!written.ok) return { ok: false, errors: { form: written.message } };
	return {
		ok: true,
		branchId: branchId ?? result.plan.branches[0]?._id ?? '',
		moved: result.plan.members.length,
		warnings: result.plan.warnings
	};
}

async function secretaryOf(db: string, input: BranchInput): Promise<MemberDoc | null> {
	const id = typeof input.secretaryMemberId === 'string' ? input.secretaryMemberId : '';
	return id ? loadMember({ db, id }) : null;
}

/**
 * Every member of the unit whose branch is `branchId`, from PouchDB: a merge or a closure must see
 * what was written a moment ago, which the read model may not have folded in yet.
 */
async function membersOfBranch(db: string, branchId: string): Promise<MemberDoc[]> {
	const res = await localDb(db).allDocs({
		startkey: 'member:',
		endkey: 'member:\ufff0',
		include_docs: true
	});
	const members: MemberDoc[] = [];
	for (const row of res.rows) {
		if ((row.doc as { branchId?: string } | undefined)?.branchId !== branchId) continue;
		try {
			members.push(upgradeMemberDoc(row.doc));
		} catch {
			// Written by a newer app: left alone, as in the lists.
		}
	}
	return members;
}

/** Founds a chi đoàn in the unit of `call.db`. */
export async function foundBranch(call: OperationCall & { input: BranchInput }) {
	const [branches, secretaryMember] = await Promise.all([
		loadBranches(call.db),
		secretaryOf(call.db, call.input)
	]);
	const result = planFoundBranch({
		...operationContext(call),
		input: call.input,
		branches,
		secretaryMember
	});
	return write(call.db, result);
}

/** Renames a branch (its old names kept), or changes its kind or secretary. */
export async function editBranch(call: OperationCall & { branchId: string; input: BranchInput }) {
	const [branches, secretaryMember] = await Promise.all([
		loadBranches(call.db),
		secretaryOf(call.db, call.input)
	]);
	const branch = branches.find((b) => b._id === call.branchId);
	if (!branch) return NOT_FOUND;
	const result = planEditBranch({
		...operationContext(call),
		branch,
		input: call.input,
		branches,
		secretaryMember
	});
	return write(call.db, result, branch._id);
}

/** Merges `branchId` into `intoId`: its members move (each with a history entry), it closes. */
export async function mergeBranch(
	call: OperationCall & { branchId: string; intoId: string; input: MergeInput }
) {
	const [from, into, members] = await Promise.all([
		loadBranch({ db: call.db, id: call.branchId }),
		call.intoId ? loadBranch({ db: call.db, id: call.intoId }) : null,
		membersOfBranch(call.db, call.branchId)
	]);
	if (!from) return NOT_FOUND;
	const result = planMergeBranches({
		...operationContext(call),
		from,
		into,
		members,
		input: call.input
	});
	return write(call.db, result, from._id);
}

/** Closes (giải thể) a branch with nobody on its rolls. */
export async function closeBranch(
	call: OperationCall & { branchId: string; input: { decision?: string } }
) {
	const [branch, members] = await Promise.all([
		loadBranch({ db: call.db, id: call.branchId }),
		membersOfBranch(call.db, call.branchId)
	]);
	if (!branch) return NOT_FOUND;
	const result = planCloseBranch({
		...operationContext(call),
		branch,
		members,
		input: call.input
	});
	return write(call.db, result, branch._id);
}
