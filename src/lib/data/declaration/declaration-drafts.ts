import type { JoinLinkInfo } from '$lib/domain/declarations/declaration-api';
import { readJson, removeKey, writeJson } from './local-store';

// What the member has typed but not sent yet, per join link, kept as she types: closing the tab or
// losing the battery loses nothing. Cleared once the declaration is queued (the outbox holds it
// then). Beside it, the join link's answer (which unit), so the page reopens offline saying where
// she declares.

const DRAFT_PREFIX = 'doanvu.khai.draft.';
const JOIN_PREFIX = 'doanvu.khai.join.';

export function loadDraft<T>(key: string): T | null {
	return readJson<T>(DRAFT_PREFIX + key);
}

export function saveDraft(key: string, values: unknown): void {
	writeJson(DRAFT_PREFIX + key, values);
}

export function clearDraft(key: string): void {
	removeKey(DRAFT_PREFIX + key);
}

export function cachedJoinInfo(link: string): JoinLinkInfo | null {
	return readJson<JoinLinkInfo>(JOIN_PREFIX + link);
}

export function cacheJoinInfo(link: string, info: JoinLinkInfo): void {
	writeJson(JOIN_PREFIX + link, info);
}

export function forgetJoinInfo(link: string): void {
	removeKey(JOIN_PREFIX + link);
}
