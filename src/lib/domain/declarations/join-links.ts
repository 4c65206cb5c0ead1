import { DECLARATION_SCHEMA_VERSION, joinLinkId, type JoinLinkDoc } from './declaration-schema';

// The rules of a unit's join links (ADR 0019 "Links and receipt codes"), as plain planners: each
// takes what the device holds and returns the one document to write, or a Vietnamese refusal.
//   - one link for the unit (`join-link:unit`) and at most one per chi đoàn, only for a chi đoàn
//     still active (a merged or closed one takes no new members);
//   - a link is never deleted: the unit pauses it (`enabled: false`, the server answers 410) and
//     may open it again; rotating gives it a new code, so the old poster stops working (404);
//   - the code comes from the caller (newJoinCode(), the platform's CSPRNG), so tests can fix it.

export type JoinLinkPlan = { ok: true; doc: JoinLinkDoc } | { ok: false; message: string };

/** What a planner needs of a chi đoàn (branch-schema.ts). */
export interface JoinLinkBranch {
	_id: string;
	name: string;
	status: string;
}

interface Act {
	now: string;
	login: string;
}

const INACTIVE_BRANCH =
	'Chi đoàn này đã hợp nhất hoặc giải thể nên không nhận khai báo mới qua đường dẫn.';

/** A new link for the unit (no branch) or one of its active chi đoàn. */
export function planCreateJoinLink(
	options: Act & {
		unitId: string;
		branch?: JoinLinkBranch | null;
		/** The link already on the device under the same id, if any. */
		existing: JoinLinkDoc | null;
		code: string;
	}
): JoinLinkPlan {
	const { branch } = options;
	if (options.existing) {
		return {
			ok: false,
			message: 'Đã có đường dẫn khai báo này. Hãy dùng "Đổi mã" nếu cần mã mới.'
		};
	}
	if (branch && branch.status !== 'active') return { ok: false, message: INACTIVE_BRANCH };
	return {
		ok: true,
		doc: {
			_id: joinLinkId(branch?._id),
			type: 'join-link',
			v: DECLARATION_SCHEMA_VERSION,
			unitId: options.unitId,
			...(branch ? { branchId: branch._id } : {}),
			code: options.code,
			enabled: true,
			createdAt: options.now,
			createdBy: options.login,
			updatedAt: options.now,
			updatedBy: options.login
		}
	};
}

/** A new code for the link: the old one (and every poster of it) stops working. */
export function planRotateJoinLink(
	options: Act & { link: JoinLinkDoc; code: string }
): JoinLinkPlan {
	if (options.code === options.link.code) {
		return { ok: false, message: 'Mã mới trùng mã cũ. Hãy thử lại.' };
	}
	return {
		ok: true,
		doc: {
			...options.link,
			code: options.code,
			rotatedAt: options.now,
			updatedAt: options.now,
			updatedBy: options.login
		}
	};
}

/** Pauses the link (declarations through it are refused) or opens it again. */
export function planSetJoinLinkEnabled(
	options: Act & { link: JoinLinkDoc; enabled: boolean; branch?: JoinLinkBranch | null }
): JoinLinkPlan {
	const { link, enabled } = options;
	if (link.enabled === enabled) return { ok: true, doc: link };
	if (enabled && link.branchId && options.branch?.status !== 'active') {
		return { ok: false, message: INACTIVE_BRANCH };
	}
	return {
		ok: true,
		doc: { ...link, enabled, updatedAt: options.now, updatedBy: options.login }
	};
}
