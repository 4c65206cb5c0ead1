// ULIDs for documents created on a device: two phones offline for weeks cannot collide, ids sort by
// creation time, and they reveal nothing personal (docs/decisions/0003-ids.md).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now: number = Date.now()): string {
	let time = '';
	let t = now;
	for (let i = 0; i < 10; i++) {
		time = ALPHABET[t % 32] + time;
		t = Math.floor(t / 32);
	}
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	let random = '';
	for (let i = 0; i < 16; i++) random += ALPHABET[(bytes[i] ?? 0) % 32];
	return time + random;
}

export const MEMBER_PREFIX = 'member:';

export function memberDocId(key: string): string {
	return MEMBER_PREFIX + key;
}

/** The part of a member's id used in URLs (`/doan-vien/<key>`). */
export function memberKey(docId: string): string {
	return docId.startsWith(MEMBER_PREFIX) ? docId.slice(MEMBER_PREFIX.length) : docId;
}

/** The unit a unit database belongs to (`unit_<id>`, docs/decisions/0003-ids.md). */
export function unitIdOfDb(db: string): string {
	return db.startsWith('unit_') ? db.slice('unit_'.length) : db;
}

export function dbOfUnit(unitId: string): string {
	return `unit_${unitId}`;
}
