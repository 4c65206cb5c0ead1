import { formatNumber } from '../dates';
import { entriesInForce, type HistoryDoc } from '../history-schema';
import type { MemberDoc } from '../member-schema';
import { fullName } from '../names';
import type { OperationContext, OperationErrors, OperationPlan, OperationResult } from './shared';
import { planReversal } from './reversal';

// Bulk acts (coming of age at a ceremony, training registration at the start of the year, the
// annual rating): the same operation planned for many members at once. Each member gets its own
// outcome — done, or refused with the reason — so the confirmation dialog can say exactly what will
// happen, and nothing is written for a refused member. Every entry of the act carries the act's
// `bulkId`, which is how the whole act is undone: planBulkUndo reverses each of its entries still
// in force, member by member, refusing (with the reason) where a later change stands in the way.

export type BulkOutcome =
	| { memberId: string; name: string; ok: true; plan: OperationPlan }
	| { memberId: string; name: string; ok: false; errors: OperationErrors; reason: string };

export interface BulkPlan {
	bulkId: string;
	outcomes: BulkOutcome[];
	/** Every entry to write, all members together. */
	entries: HistoryDoc[];
	/** Every member document to write. */
	members: MemberDoc[];
	summary: {
		total: number;
		done: number;
		refused: number;
		/** Refusal reasons with how many members each, most frequent first. */
		reasons: { reason: string; count: number }[];
	};
	/** The sentence of the confirmation dialog. */
	confirmation: string;
}

function firstError(errors: OperationErrors): string {
	return errors.form ?? Object.values(errors).find((message) => message !== undefined) ?? '';
}

function collect(options: {
	bulkId: string;
	action: string;
	outcomes: BulkOutcome[];
	undo: boolean;
}): BulkPlan {
	const { outcomes, action } = options;
	const entries: HistoryDoc[] = [];
	const members: MemberDoc[] = [];
	const counts = new Map<string, number>();
	for (const outcome of outcomes) {
		if (outcome.ok) {
			entries.push(...outcome.plan.entries);
			if (outcome.plan.member) members.push(outcome.plan.member);
		} else {
			counts.set(outcome.reason, (counts.get(outcome.reason) ?? 0) + 1);
		}
	}
	const done = outcomes.filter((outcome) => outcome.ok).length;
	const refused = outcomes.length - done;
	const reasons = [...counts.entries()]
		.map(([reason, count]) => ({ reason, count }))
		.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
	let confirmation =
		done > 0
			? `${options.undo ? 'Hủy' : 'Ghi'} ${action} cho ${formatNumber(done)} đoàn viên.`
			: `Không đoàn viên nào ${options.undo ? 'hủy' : 'ghi'} ${action} được.`;
	if (refused > 0) {
		confirmation +=
			` ${formatNumber(refused)} đoàn viên không thực hiện được: ` +
			reasons.map((r) => `${r.reason.replace(/\.$/, '')} (${formatNumber(r.count)})`).join('; ') +
			'.';
	}
	if (done > 0 && !options.undo) confirmation += ' Có thể hủy cả đợt này sau đó.';
	return {
		bulkId: options.bulkId,
		outcomes,
		entries,
		members,
		summary: { total: outcomes.length, done, refused, reasons },
		confirmation
	};
}

/**
 * Plans one operation for many members. `plan` is the operation for one member (planComingOfAge,
 * planTrainingRegistration, planRating… with its input), called with the context carrying the act's
 * `bulkId`. `action` names the act in the confirmation: "trưởng thành Đoàn".
 */
export function planBulk<M extends MemberDoc>(options: {
	context: OperationContext;
	members: readonly M[];
	action: string;
	plan: (member: M, context: OperationContext) => OperationResult;
}): BulkPlan {
	const bulkId = options.context.newUlid();
	const context = { ...options.context, bulkId };
	const outcomes = options.members.map((member): BulkOutcome => {
		const result = options.plan(member, context);
		const base = { memberId: member._id, name: fullName(member) };
		return result.ok
			? { ...base, ok: true, plan: result.plan }
			: { ...base, ok: false, errors: result.errors, reason: firstError(result.errors) };
	});
	return collect({ bulkId, action: options.action, outcomes, undo: false });
}

/**
 * Undoes a bulk act: reverses, member by member, each entry of the act still in force. A member
 * changed since by another operation is refused with the reason (reverse that one first), the
 * others are reversed.
 */
export function planBulkUndo(options: {
	context: OperationContext;
	bulkId: string;
	members: readonly MemberDoc[];
	/** The history of these members (any order). */
	history: readonly HistoryDoc[];
	reason: string;
	action: string;
}): BulkPlan {
	const undoId = options.context.newUlid();
	const context = { ...options.context, bulkId: undoId };
	const outcomes: BulkOutcome[] = [];
	for (const member of options.members) {
		const history = options.history.filter((entry) => entry.memberId === member._id);
		const ofAct = entriesInForce(history).filter((entry) => entry.bulkId === options.bulkId);
		const name = fullName(member);
		for (const entry of ofAct) {
			const result = planReversal({
				...context,
				member,
				entry,
				history,
				input: { reason: options.reason }
			});
			outcomes.push(
				result.ok
					? { memberId: member._id, name, ok: true, plan: result.plan }
					: {
							memberId: member._id,
							name,
							ok: false,
							errors: result.errors,
							reason: firstError(result.errors)
						}
			);
		}
	}
	return collect({ bulkId: undoId, action: options.action, outcomes, undo: true });
}
