import { crockfordChars, encodeUlidTime } from '$lib/domain/org/ids';

// ULIDs for documents created on a device: two phones offline for weeks cannot collide, ids sort by
// creation time, and they reveal nothing personal (docs/decisions/0003-ids.md).
export function ulid(now: number = Date.now()): string {
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	return encodeUlidTime(now) + crockfordChars(bytes);
}

export const MEMBER_PREFIX = 'member:';

export function memberDocId(key: string): string {
	return MEMBER_PREFIX + key;
}

/** The part of a member's id used in URLs (`/doan-vien/<key>`). */
export function memberKey(docId: string): string {
	return docId.startsWith(MEMBER_PREFIX) ? docId.slice(MEMBER_PREFIX.length) : docId;
}

export { unitIdOfDb, unitDbName as dbOfUnit } from '$lib/domain/org/ids';
