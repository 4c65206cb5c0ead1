import type { OperationContext } from '../operations/shared';
import {
	REVIEW_REASON_MAX,
	type DeclarationDoc,
	type DeclarationReviewDoc
} from './declaration-schema';
import { closedRefusal, reviewDoc, type ReviewResult } from './review-document';

// The unit's decisions on a declaration that the member reads a reason for: rejected (final) or
// sent back for correction (docs/decisions/0019-self-declarations.md, "The unit's review").

/** The reason the member reads: required, at most REVIEW_REASON_MAX characters. */
export function checkReviewReason(reason: unknown):
	| { ok: true; value: string }
	| {
			ok: false;
			message: string;
	  } {
	const text = typeof reason === 'string' ? reason.normalize('NFC').trim() : '';
	if (text === '') return { ok: false, message: 'Cần ghi lý do: đoàn viên sẽ đọc lý do này.' };
	if (text.length > REVIEW_REASON_MAX) {
		return { ok: false, message: `Lý do không quá ${REVIEW_REASON_MAX} ký tự.` };
	}
	return { ok: true, value: text };
}

function planWithReason(
	decision: 'rejected' | 'correction-requested',
	options: OperationContext & {
		declaration: DeclarationDoc;
		review?: DeclarationReviewDoc | null;
		reason: unknown;
	}
): ReviewResult {
	const { declaration, review } = options;
	if (declaration.unitId !== options.actor.unitId) {
		return { ok: false, message: 'Bản khai này không thuộc đơn vị của bạn.' };
	}
	const closed = closedRefusal(declaration, review);
	if (closed) return { ok: false, message: closed };
	const reason = checkReviewReason(options.reason);
	if (!reason.ok) return reason;
	return {
		ok: true,
		plan: {
			member: null,
			entries: [],
			review: reviewDoc({ context: options, declaration, review, decision, reason: reason.value })
		}
	};
}

/** Not approved, with the reason the member sees. Final: she cannot correct it afterwards. */
export function planRejection(
	options: OperationContext & {
		declaration: DeclarationDoc;
		review?: DeclarationReviewDoc | null;
		reason: unknown;
	}
): ReviewResult {
	return planWithReason('rejected', options);
}

/** Sent back to the member with what to correct; it is pending again once she corrects it. */
export function planCorrectionRequest(
	options: OperationContext & {
		declaration: DeclarationDoc;
		review?: DeclarationReviewDoc | null;
		reason: unknown;
	}
): ReviewResult {
	return planWithReason('correction-requested', options);
}
