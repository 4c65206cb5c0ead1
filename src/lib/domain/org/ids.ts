// Identifiers of the organisation (docs/decisions/0003-ids.md), shared by the server, the device
// and the synthetic data: ULIDs for documents, random [a-z0-9] ids for units, and the database
// each unit owns (`unit_<id>`).

/** Crockford's base32: no I, L, O or U, so an id read aloud or retyped is not misread. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 characters of Crockford base32: 10 of time in milliseconds, 16 of other bits. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const MAX_TIME = 2 ** 48 - 1;

/** The first 10 characters of a ULID: `time` (milliseconds since 1970), so ids sort by time. */
export function encodeUlidTime(time: number): string {
	if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) {
		throw new RangeError(`ulid: invalid time ${time}`);
	}
	let out = '';
	let rest = time;
	for (let i = 0; i < 10; i++) {
		out = CROCKFORD_ALPHABET.charAt(rest % 32) + out;
		rest = Math.floor(rest / 32);
	}
	return out;
}

/** One character per number, taken modulo 32 (the random part of a ULID). */
export function crockfordChars(values: Iterable<number>): string {
	let out = '';
	for (const value of values) out += CROCKFORD_ALPHABET.charAt(value % 32);
	return out;
}

export const UNIT_ID_PATTERN = /^[a-z0-9]{4,24}$/;
export const UNIT_DB_PATTERN = /^unit_([a-z0-9]{4,24})$/;

export function unitDbName(unitId: string): string {
	return `unit_${unitId}`;
}

/** Whether `db` is a unit's database (and not the directory, the accounts, `_users`…). */
export function isUnitDb(db: string): boolean {
	return UNIT_DB_PATTERN.test(db);
}

/** The unit a unit database belongs to; a name that is not `unit_<id>` is a bug, refused loudly. */
export function unitIdOfDb(db: string): string {
	const id = UNIT_DB_PATTERN.exec(db)?.[1];
	if (id === undefined) throw new RangeError(`Không phải cơ sở dữ liệu của một đơn vị: "${db}".`);
	return id;
}
