import type { DeclarationDoc, DeclarationReviewDoc } from './declaration-schema';

// What a declaration's state is, from the member's document and the unit's review (ADR 0019): the
// one derivation the member's status page, the unit's queue, the server and the figures all use.

export type DeclarationState =
	/** Waiting for the unit (new, or corrected after a correction request). */
	| 'pending'
	/** The unit asked her to correct something (reason given). */
	| 'correction-requested'
	| 'approved'
	| 'rejected'
	/** She withdrew it before the unit decided. */
	| 'withdrawn';

export interface DeclarationStatus {
	state: DeclarationState;
	/** The unit's reason (rejection, correction request). */
	reason?: string;
	/** The member changed it after the unit decided on an earlier revision (two offline acts
	 * crossing): the unit should read it again. */
	changedAfterReview: boolean;
	/** The member can still correct or withdraw it. */
	open: boolean;
}

export const DECLARATION_STATE_LABELS: Readonly<Record<DeclarationState, string>> = {
	pending: 'Chờ duyệt',
	'correction-requested': 'Cần sửa',
	approved: 'Đã duyệt',
	rejected: 'Không duyệt',
	withdrawn: 'Đã rút'
};

export function declarationStatus(
	declaration: Pick<DeclarationDoc, 'state' | 'revision'>,
	review?: Pick<DeclarationReviewDoc, 'decision' | 'revision' | 'reason'> | null
): DeclarationStatus {
	const changedAfterReview = !!review && declaration.revision > review.revision;
	// A final decision stands even if a correction crossed it; the unit is told (changedAfterReview).
	if (review?.decision === 'approved' || review?.decision === 'rejected') {
		return { state: review.decision, reason: review.reason, changedAfterReview, open: false };
	}
	if (declaration.state === 'withdrawn') {
		return { state: 'withdrawn', changedAfterReview: false, open: false };
	}
	if (review?.decision === 'correction-requested' && !changedAfterReview) {
		return { state: 'correction-requested', reason: review.reason, changedAfterReview, open: true };
	}
	return { state: 'pending', changedAfterReview: false, open: true };
}
