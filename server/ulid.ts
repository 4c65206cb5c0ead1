import { createHash, randomBytes } from 'node:crypto';
import { CROCKFORD_ALPHABET, encodeUlidTime } from '../src/lib/domain/org/ids';

// ULIDs (docs/decisions/0003-ids.md): 48 bits of time in milliseconds and 80 more bits, 26 characters
// of Crockford base32, sorting by time. The server makes two kinds: random ones for what happens
// once (an audit entry for a request), and derived ones for what a worker may write again after a
// crash — the same seed gives the same id, so the retried write is refused as a duplicate (409)
// instead of recorded twice.

/** 80 bits (10 bytes) as 16 base32 characters. */
function encodeBits(bytes: Uint8Array): string {
	let value = 0n;
	for (const byte of bytes.subarray(0, 10)) value = (value << 8n) | BigInt(byte);
	let out = '';
	for (let i = 0; i < 16; i++) {
		out = CROCKFORD_ALPHABET.charAt(Number(value & 31n)) + out;
		value >>= 5n;
	}
	return out;
}

export function ulid(time: number = Date.now()): string {
	return encodeUlidTime(time) + encodeBits(new Uint8Array(randomBytes(10)));
}

/** A ULID whose time is `time` and whose other 80 bits come from `seed`: same inputs, same id. */
export function derivedUlid(options: { time: number; seed: string }): string {
	const digest = new Uint8Array(createHash('sha256').update(options.seed).digest());
	return encodeUlidTime(options.time) + encodeBits(digest);
}
