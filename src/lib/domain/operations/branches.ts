import {
	BRANCH_NAME_MAX,
	BRANCH_SCHEMA_VERSION,
	isBranchKind,
	type BranchDoc,
	type BranchKind,
	type BranchSecretary
} from '../branch-schema';
import { formatNumber } from '../dates';
import type { HistoryDoc } from '../history-schema';
import type { MemberDoc } from '../member-schema';
import { isOnRolls } from '../member-statuses';
import { fullName } from '../names';
import {
	createInputReader,
	hasErrors,
	type InputValue,
	type OperationContext,
	type OperationErrors
} from './shared';
import { fold, toNfc } from '../text';
import { planBranchMove } from './branch-move';

// The unit's own management of its chi đoàn, offline like every member operation: found one,
// change its name (the old names kept), kind or secretary, merge one into another, close an empty
// one. Each planner is a pure function that returns the documents to write or the Vietnamese
// reasons it refuses — for a merge, the whole plan or nothing: if one member cannot be moved, no
// member is, so a branch is never left half merged by the planner.

export interface BranchPlan {
	/** Branch documents to write, new or on top of their `_rev`. */
	branches: BranchDoc[];
	/** Members moved by a merge (on top of their `_rev`). */
	members: MemberDoc[];
	/** Their history entries (one `branch-move` per member, sharing the merge's bulkId). */
	entries: HistoryDoc[];
	/** Things the user should know that do not stop the act. */
	warnings: string[];
}

export type BranchResult = { ok: true; plan: BranchPlan } | { ok: false; errors: OperationErrors };

/** The branch form: founding and editing share it. */
export interface BranchInput {
	name?: InputValue;
	kind?: InputValue;
	/** The secretary's name, when she is not (or not yet) picked among the members. */
	secretaryName?: InputValue;
	/** A member of this unit as the secretary; her name is taken from her record. */
	secretaryMemberId?: InputValue;
	/** The decision behind a rename, as typed. */
	decision?: InputValue;
}

export const BRANCH_FIELD_LABELS = {
	name: 'Tên chi đoàn',
	kind: 'Loại chi đoàn',
	secretaryName: 'Bí thư chi đoàn',
	secretaryMemberId: 'Bí thư chi đoàn',
	decision: 'Số quyết định',
	into: 'Hợp nhất vào chi đoàn',
	on: 'Ngày hợp nhất'
} as const;

function cleanName(value: InputValue): string {
	return toNfc(String(value ?? ''))
		.replace(/\s+/g, ' ')
		.trim();
}

/** Reads name, kind and secretary; errors keyed by field. */
function readBranchInput(options: {
	input: BranchInput;
	today: string;
	unitId: string;
	self?: string;
	branches: readonly BranchDoc[];
	secretaryMember?: MemberDoc | null;
}): {
	errors: OperationErrors;
	name: string;
	kind: BranchKind | undefined;
	secretary: BranchSecretary | undefined;
	decision: string;
} {
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const name = cleanName(options.input.name);
	if (name === '') errors.name = `${BRANCH_FIELD_LABELS.name} không được để trống.`;
	else if (name.length > BRANCH_NAME_MAX) {
		errors.name = `${BRANCH_FIELD_LABELS.name} không được dài quá ${BRANCH_NAME_MAX} ký tự.`;
	} else {
		const same = options.branches.find(
			(b) => b._id !== options.self && b.status === 'active' && fold(b.name) === fold(name)
		);
		if (same) errors.name = `Đơn vị đã có chi đoàn tên "${same.name}".`;
	}
	const kindText = reader.text('kind', options.input.kind, BRANCH_FIELD_LABELS.kind, {
		required: true
	});
	let kind: BranchKind | undefined;
	if (kindText && isBranchKind(kindText)) kind = kindText;
	else if (kindText) errors.kind = `${BRANCH_FIELD_LABELS.kind} không hợp lệ.`;

	let secretary: BranchSecretary | undefined;
	const memberId = reader.text('secretaryMemberId', options.input.secretaryMemberId, '');
	if (memberId) {
		const found = options.secretaryMember;
		if (!found || found._id !== memberId || found.unitId !== options.unitId) {
			errors.secretaryMemberId = 'Bí thư chi đoàn: không tìm thấy đoàn viên này trong đơn vị.';
		} else if (!isOnRolls(found.status)) {
			errors.secretaryMemberId = `Bí thư chi đoàn: ${fullName(found)} không còn sinh hoạt trong đơn vị.`;
		} else {
			secretary = { name: fullName(found), memberId: found._id };
		}
	} else {
		const secretaryName = cleanName(options.input.secretaryName);
		if (secretaryName.length > BRANCH_NAME_MAX) {
			errors.secretaryName = `${BRANCH_FIELD_LABELS.secretaryName}: tên quá dài.`;
		} else if (secretaryName) secretary = { name: secretaryName };
	}
	return { errors, name, kind, secretary, decision: cleanName(options.input.decision) };
}

function emptyPlan(branches: BranchDoc[], warnings: string[] = []): BranchPlan {
	return { branches, members: [], entries: [], warnings };
}

function endedRefusal(branch: BranchDoc, action: string): string | null {
	if (branch.status === 'merged') {
		return `Không thể ${action}: chi đoàn ${branch.name} đã hợp nhất vào chi đoàn khác.`;
	}
	if (branch.status === 'closed') {
		return `Không thể ${action}: chi đoàn ${branch.name} đã giải thể.`;
	}
	return null;
}

/**
 * A new chi đoàn of the actor's unit. Its id starts with the unit's id (unique across the units a
 * device syncs, docs/architecture.md) followed by a fresh ULID (two devices offline never collide).
 * `branches` are the unit's branches, for the unique-name check.
 */
export function planFoundBranch(
	options: OperationContext & {
		input: BranchInput;
		branches: readonly BranchDoc[];
		secretaryMember?: MemberDoc | null;
	}
): BranchResult {
	const unitId = options.actor.unitId;
	const read = readBranchInput({ ...options, unitId });
	if (hasErrors(read.errors) || !read.kind) return { ok: false, errors: read.errors };
	const by = options.actor.login;
	const branch: BranchDoc = {
		_id: `branch:${unitId}-${options.newUlid()}`,
		type: 'branch',
		v: BRANCH_SCHEMA_VERSION,
		unitId,
		name: read.name,
		kind: read.kind,
		...(read.secretary ? { secretary: read.secretary } : {}),
		nameHistory: [
			{
				name: read.name,
				from: options.now,
				by,
				...(read.decision ? { decision: read.decision } : {})
			}
		],
		status: 'active',
		createdAt: options.now,
		createdBy: by,
		updatedAt: options.now,
		updatedBy: by
	};
	const warnings = read.secretary
		? []
		: ['Chi đoàn chưa có bí thư: có thể ghi sau khi chi đoàn bầu bí thư.'];
	return { ok: true, plan: emptyPlan([branch], warnings) };
}

/**
 * Changes a branch's name, kind or secretary. A new name closes the current entry of `nameHistory`
 * and opens one for the new name, so the old names stay (as units keep theirs).
 */
export function planEditBranch(
	options: OperationContext & {
		branch: BranchDoc;
		input: BranchInput;
		branches: readonly BranchDoc[];
		secretaryMember?: MemberDoc | null;
	}
): BranchResult {
	const { branch } = options;
	const refusal = endedRefusal(branch, 'sửa chi đoàn');
	if (refusal) return { ok: false, errors: { form: refusal } };
	const read = readBranchInput({ ...options, unitId: branch.unitId, self: branch._id });
	if (hasErrors(read.errors) || !read.kind) return { ok: false, errors: read.errors };
	const renamed = read.name !== branch.name;
	const sameSecretary =
		(read.secretary?.name ?? '') === (branch.secretary?.name ?? '') &&
		(read.secretary?.memberId ?? '') === (branch.secretary?.memberId ?? '');
	if (!renamed && read.kind === branch.kind && sameSecretary) {
		return { ok: false, errors: { form: 'Không có gì thay đổi.' } };
	}
	const by = options.actor.login;
	const nameHistory = renamed
		? [
				...branch.nameHistory.map((entry, i, all) =>
					i === all.length - 1 && entry.to === undefined ? { ...entry, to: options.now } : entry
				),
				{
					name: read.name,
					from: options.now,
					by,
					...(read.decision ? { decision: read.decision } : {})
				}
			]
		: branch.nameHistory;
	const { secretary: _old, ...rest } = branch;
	const next: BranchDoc = {
		...rest,
		name: read.name,
		kind: read.kind,
		...(read.secretary ? { secretary: read.secretary } : {}),
		nameHistory,
		updatedAt: options.now,
		updatedBy: by
	};
	return { ok: true, plan: emptyPlan([next]) };
}

export interface MergeInput {
	/** The day of the merge (ngày hợp nhất), dd/mm/yyyy or ISO; today when empty. */
	on?: InputValue;
	decision?: InputValue;
}

function names(members: readonly MemberDoc[]): string {
	const shown = members.slice(0, 5).map(fullName).join(', ');
	return members.length > 5 ? `${shown} và ${formatNumber(members.length - 5)} người khác` : shown;
}

/**
 * Merges `from` into `into`: every member of `from` on the rolls moves to `into` with a
 * `branch-move` history entry (all sharing one bulkId, the merge's), and `from` becomes `merged`
 * with `mergedInto`. `members` are the unit's members whose branch is `from` (any status: those no
 * longer on the rolls keep naming `from`, whose document stays). A member that cannot be moved (a
 * transfer pending) refuses the whole merge. Planning again for a branch already merged into the
 * same target moves the members that reached it since (another device, offline at the time).
 */
export function planMergeBranches(
	options: OperationContext & {
		from: BranchDoc;
		into: BranchDoc | null;
		members: readonly MemberDoc[];
		input: MergeInput;
	}
): BranchResult {
	const { from, into } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const on = reader.date('on', options.input.on || options.today, BRANCH_FIELD_LABELS.on);
	const decision = cleanName(options.input.decision);
	if (!into) errors.into = `${BRANCH_FIELD_LABELS.into}: hãy chọn một chi đoàn của đơn vị.`;
	else if (into._id === from._id) errors.into = 'Không thể hợp nhất một chi đoàn vào chính nó.';
	else if (into.unitId !== from.unitId) errors.into = 'Hai chi đoàn phải cùng một đơn vị.';
	else if (into.status !== 'active') {
		errors.into = `Chi đoàn ${into.name} đã ${into.status === 'merged' ? 'hợp nhất' : 'giải thể'}: hãy chọn chi đoàn khác.`;
	}
	const sweeping = from.status === 'merged' && !!into && from.mergedInto === into._id;
	if (from.status !== 'active' && !sweeping) {
		errors.form = endedRefusal(from, 'hợp nhất') ?? undefined;
	}
	if (hasErrors(errors) || !into || !on) return { ok: false, errors };

	const moving = options.members.filter((m) => m.branchId === from._id && isOnRolls(m.status));
	if (sweeping && moving.length === 0) {
		return {
			ok: false,
			errors: { form: `Chi đoàn ${from.name} đã hợp nhất vào ${into.name} và không còn đoàn viên.` }
		};
	}
	const bulkId = options.newUlid();
	const context: OperationContext = { ...options, bulkId };
	const note = `Hợp nhất chi đoàn ${from.name} vào chi đoàn ${into.name}.`;
	const members: MemberDoc[] = [];
	const entries: HistoryDoc[] = [];
	const refused: { member: MemberDoc; reason: string }[] = [];
	for (const member of moving) {
		const result = planBranchMove({
			...context,
			member,
			input: { toBranchId: into._id, on, note },
			branchIds: [from._id, into._id]
		});
		if (!result.ok) {
			refused.push({ member, reason: result.errors.form ?? Object.values(result.errors)[0] ?? '' });
			continue;
		}
		if (result.plan.member) members.push(result.plan.member);
		entries.push(...result.plan.entries);
	}
	if (refused.length > 0) {
		const pending = refused.map((r) => r.member);
		return {
			ok: false,
			errors: {
				form:
					`Chưa hợp nhất được: ${formatNumber(pending.length)} đoàn viên của chi đoàn ${from.name} ` +
					`không chuyển được (${names(pending)}). ${refused[0]!.reason}`
			}
		};
	}
	const branches: BranchDoc[] = sweeping
		? []
		: [
				{
					...from,
					status: 'merged',
					mergedInto: into._id,
					endedAt: options.now,
					endedBy: options.actor.login,
					...(decision ? { endDecision: decision } : {}),
					updatedAt: options.now,
					updatedBy: options.actor.login
				}
			];
	const warnings: string[] = [];
	const former = options.members.filter((m) => m.branchId === from._id && !isOnRolls(m.status));
	if (former.length > 0) {
		warnings.push(
			`${formatNumber(former.length)} hồ sơ đã ra khỏi danh sách đoàn viên (trưởng thành, chuyển đi, xóa tên…) ` +
				`vẫn ghi chi đoàn ${from.name} như khi họ còn sinh hoạt.`
		);
	}
	return { ok: true, plan: { branches, members, entries, warnings } };
}

/** How many of `members` are on the rolls in `branch`. */
export function countOnRolls(
	branch: Pick<BranchDoc, '_id'>,
	members: readonly MemberDoc[]
): number {
	return members.filter((m) => m.branchId === branch._id && isOnRolls(m.status)).length;
}

/**
 * Closes (giải thể) a branch with nobody on its rolls; refused, naming how many, while it has
 * members (active, or with a transfer pending). Its document stays, `closed`.
 */
export function planCloseBranch(
	options: OperationContext & {
		branch: BranchDoc;
		members: readonly MemberDoc[];
		input: { decision?: InputValue };
	}
): BranchResult {
	const { branch } = options;
	const refusal = endedRefusal(branch, 'giải thể');
	if (refusal) return { ok: false, errors: { form: refusal } };
	const count = countOnRolls(branch, options.members);
	if (count > 0) {
		return {
			ok: false,
			errors: {
				form:
					`Không thể giải thể chi đoàn ${branch.name}: chi đoàn còn ${formatNumber(count)} đoàn viên. ` +
					'Hãy chuyển các đoàn viên sang chi đoàn khác hoặc hợp nhất chi đoàn này vào chi đoàn khác.'
			}
		};
	}
	const decision = cleanName(options.input.decision);
	return {
		ok: true,
		plan: emptyPlan([
			{
				...branch,
				status: 'closed',
				endedAt: options.now,
				endedBy: options.actor.login,
				...(decision ? { endDecision: decision } : {}),
				updatedAt: options.now,
				updatedBy: options.actor.login
			}
		])
	};
}
