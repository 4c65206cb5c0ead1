import type { MemberDoc } from '../member-schema';
import { defineOperation } from './entry';
import {
	activeRefusal,
	createInputReader,
	hasErrors,
	planMemberChange,
	readDecision,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';

// Chuyển chi đoàn (docs/domain.md §3): within one grassroots unit a member moves from branch to
// branch in one step. Between units it is a transfer (transfer-request.ts, transfer.ts).

export interface BranchMoveInput {
	toBranchId?: InputValue;
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export function planBranchMove(
	options: OperationContext & {
		member: MemberDoc;
		input: BranchMoveInput;
		/** The unit's branch ids, when known: the target must be one of them. */
		branchIds?: readonly string[];
	}
): OperationResult {
	const { member, input } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = activeRefusal({ member, action: 'chuyển chi đoàn' });
	if (refusal) errors.form = refusal;
	const toBranchId = reader.text('toBranchId', input.toBranchId, 'Chi đoàn chuyển đến', {
		required: true
	});
	if (toBranchId && toBranchId === member.branchId) {
		errors.toBranchId = 'Chi đoàn chuyển đến: đoàn viên đang sinh hoạt ở chi đoàn này.';
	} else if (toBranchId && options.branchIds && !options.branchIds.includes(toBranchId)) {
		errors.toBranchId = 'Chi đoàn chuyển đến không có trong đơn vị.';
	}
	const on = reader.date('on', input.on, 'Ngày chuyển', { required: true });
	const decision = readDecision({ reader, input: input.decision, required: false });
	if (hasErrors(errors) || !on) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'branch-move',
		at: on,
		data: {
			...(member.branchId ? { fromBranchId: member.branchId } : {}),
			toBranchId
		},
		patch: { branchId: toBranchId },
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

export const BRANCH_MOVE = defineOperation<BranchMoveInput>({
	slug: 'chuyen-chi-doan',
	title: 'Chuyển chi đoàn',
	availability: { whileTransferring: false },
	decision: { use: 'optional', kind: 'branch-move' },
	fields: ({ member, branches }) => [
		{
			kind: 'select',
			name: 'toBranchId',
			label: 'Chi đoàn chuyển đến',
			placeholder: '— Chọn chi đoàn —',
			options: branches
				.filter((b) => b.id !== member.branchId)
				.map((b) => ({ value: b.id, label: b.name }))
		},
		{ kind: 'date', name: 'on', label: 'Ngày chuyển' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	needs: () => ({ openBranchIds: true }),
	plan: (options) => planBranchMove({ ...options, branchIds: options.facts.openBranchIds })
});
