// Branch ids in URLs: `/chi-doan/<key>` carries the id without its `branch:` prefix.
export const BRANCH_PREFIX = 'branch:';

/** The part of a branch's id used in URLs. */
export function branchKey(docId: string): string {
	return docId.startsWith(BRANCH_PREFIX) ? docId.slice(BRANCH_PREFIX.length) : docId;
}

export function branchDocId(key: string): string {
	return BRANCH_PREFIX + key;
}
