import type { HistoryDoc } from '../history-schema';
import type { MemberDoc } from '../member-schema';
import type { CitizenIdRegistryAnswer } from '../operations/admission';
import type { OperationContext } from '../operations/shared';
import {
	DECLARATION_SCHEMA_VERSION,
	declarationReviewId,
	type DeclarationDoc,
	type DeclarationReviewDoc,
	type ReviewDecision
} from './declaration-schema';
import { declarationStatus } from './declaration-status';

// What every decision on a declaration plans (docs/decisions/0019-self-declarations.md, "The unit's
// review"): the plan's shape, the one `declaration-review:` document per declaration, and the
// refusals shared by the approval (review-approval.ts) and the decisions with a reason
// (review-reasons.ts).

export interface ReviewPlan {
	/** The member created or changed; null when an approval changed no field. */
	member: MemberDoc | null;
	entries: HistoryDoc[];
	review: DeclarationReviewDoc;
}

export type ReviewResult = { ok: true; plan: ReviewPlan } | { ok: false; message: string };

/** The registry's answer means the citizen id is on the rolls of another unit. */
export function isRegistryClash(
	answer: CitizenIdRegistryAnswer | undefined
): answer is { status: 'active'; unitName: string } {
	return answer?.status === 'active';
}

/** Why no decision can be taken any more, or null. */
export function closedRefusal(
	declaration: DeclarationDoc,
	review: DeclarationReviewDoc | null | undefined
): string | null {
	const status = declarationStatus(declaration, review);
	if (status.state === 'approved') return 'Bản khai này đã được duyệt.';
	if (status.state === 'rejected') return 'Bản khai này đã bị từ chối.';
	if (status.state === 'withdrawn') return 'Đoàn viên đã rút bản khai này.';
	return null;
}

/** The review document of a decision, on top of the earlier one if any. */
export function reviewDoc(options: {
	context: OperationContext;
	declaration: DeclarationDoc;
	review: DeclarationReviewDoc | null | undefined;
	decision: ReviewDecision;
	reason?: string;
	memberId?: string;
}): DeclarationReviewDoc {
	const { context, declaration, review } = options;
	// One review document per declaration: a later decision (approval after a correction request)
	// replaces the earlier one on top of its revision; it keeps when the review was first written.
	return {
		_id: declarationReviewId(declaration._id),
		...(review?._rev ? { _rev: review._rev } : {}),
		type: 'declaration-review',
		v: DECLARATION_SCHEMA_VERSION,
		unitId: declaration.unitId,
		declarationId: declaration._id,
		decision: options.decision,
		revision: declaration.revision,
		...(options.reason ? { reason: options.reason } : {}),
		...(options.memberId ? { memberId: options.memberId } : {}),
		decidedAt: context.now,
		decidedBy: context.actor.login,
		createdAt: review?.createdAt ?? context.now,
		createdBy: review?.createdBy ?? context.actor.login,
		updatedAt: context.now,
		updatedBy: context.actor.login
	};
}
