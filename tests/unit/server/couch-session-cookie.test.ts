import { describe, expect, it } from 'vitest';
import { mintedAtMs } from '../../../server/couch/session-cache';

// CouchDB's AuthSession cookie carries the second it was made: base64url("name:HEXSECONDS:hash").
// The session cache reads it to avoid handing out, after a refusal, a cookie about to die.

function cookieOf(name: string, seconds: number): string {
	const value = Buffer.from(
		`${name}:${seconds.toString(16).toUpperCase()}:\u0001\u00fe:x`,
		'latin1'
	);
	return `AuthSession=${value.toString('base64url')}`;
}

describe('the moment CouchDB made a session cookie', () => {
	it('is read from the cookie, with or without its name', () => {
		const seconds = Date.UTC(2026, 11, 6, 20, 30, 0) / 1000;
		expect(mintedAtMs(cookieOf('bithu.xathanhson', seconds))).toBe(seconds * 1000);
		expect(mintedAtMs(cookieOf('u1', 1).slice('AuthSession='.length))).toBe(1000);
	});

	it('is unknown for anything else', () => {
		expect(mintedAtMs('AuthSession=')).toBeUndefined();
		expect(mintedAtMs('AuthSession=%%%')).toBeUndefined();
		expect(
			mintedAtMs(`AuthSession=${Buffer.from('bithu:khong-phai-so:x').toString('base64url')}`)
		).toBeUndefined();
	});
});
