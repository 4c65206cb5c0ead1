import type { DeclarationMatch, MatchableMember } from '$lib/domain/declarations';
import type { SessionInfo } from '$lib/data/session/sign-in';

// Who may decide on declarations: the unit's own secretary, deputy or admin, in the unit's own
// database (the server's validate_doc_update refuses anyone else's review, superiors included).

const REVIEWERS = new Set(['secretary', 'deputy', 'admin']);

export function canReviewDeclarations(options: {
	info: SessionInfo | null | undefined;
	db: string;
}): boolean {
	const { info, db } = options;
	return !!info && db === info.unit.db && REVIEWERS.has(info.user.role);
}

export function matchLabel(kind: DeclarationMatch<MatchableMember>['kind']): string {
	if (kind === 'citizen-id') return 'Trùng CCCD với hồ sơ của đơn vị';
	if (kind === 'name-and-birth') return 'Trùng họ tên và ngày sinh';
	return 'Hồ sơ mới';
}
