import { createHash, randomBytes } from 'node:crypto';

// ULIDs (docs/decisions/0003-ids.md): 48 bits of time in milliseconds and 80 more bits, 26 characters
// of Crockford base32, sorting by time. The server makes two kinds: random ones for what happens
// once (an audit entry for a request), and derived ones for what a worker may write again after a
// crash — the same seed gives the same id, so the retried write is refused as a duplicate (409)
// instead of recorded twice.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;

function encodeTime(time: number): string {
	if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) {
		throw new RangeError(`ulid: invalid time ${time}`);
	}
	let out = '';
	let rest = time;
	for (let i = 0; i < 10; i++) {
		out = CROCKFORD[rest % 32] + out;
		rest = Math.floor(rest / 32);
	}
	return out;
}

/** 80 bits (10 bytes) as 16 base32 characters. */
function encodeBits(bytes: Uint8Array): string {
	let value = 0n;
	for (const byte of bytes.subarray(0, 10)) value = (value << 8n) | BigInt(byte);
	let out = '';
	for (let i = 0; i < 16; i++) {
		out = CROCKFORD[Number(value & 31n)] + out;
		value >>= 5n;
	}
	return out;
}

export function ulid(time: number = Date.now()): string {
	return encodeTime(time) + encodeBits(new Uint8Array(randomBytes(10)));
}

/** A ULID whose time is `time` and whose other 80 bits come from `seed`: same inputs, same id. */
export function derivedUlid(options: { time: number; seed: string }): string {
	const digest = new Uint8Array(createHash('sha256').update(options.seed).digest());
	return encodeTime(options.time) + encodeBits(digest);
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
