import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

// Human passwords: PBKDF2-SHA256 with a per-account salt. The iteration count is stored with each
// hash so it can be raised later without invalidating existing passwords.

const pbkdf2Async = promisify(pbkdf2);

// TypeScript 6's esnext lib gives Uint8Array methods that @types/node 20's Buffer does not declare:
// a plain view over the same memory satisfies both.
const bytes = (buffer: Buffer): Uint8Array =>
	new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

export const PASSWORD_ITERATIONS = 210_000;
const KEY_BYTES = 32;

/** `iterations` is lowered only by the test harness (every hash records its own count). */
export async function hashPassword(
	password: string,
	iterations: number = PASSWORD_ITERATIONS
): Promise<string> {
	const salt = bytes(randomBytes(16));
	const key = await pbkdf2Async(password.normalize('NFC'), salt, iterations, KEY_BYTES, 'sha256');
	return [
		'pbkdf2-sha256',
		iterations,
		Buffer.from(salt).toString('base64'),
		key.toString('base64')
	].join('$');
}

export async function verifyPassword(options: {
	password: string;
	hash: string;
}): Promise<boolean> {
	const [scheme, iterations, salt, expected] = options.hash.split('$');
	if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !expected) return false;
	const expectedKey = bytes(Buffer.from(expected, 'base64'));
	const key = await pbkdf2Async(
		options.password.normalize('NFC'),
		bytes(Buffer.from(salt, 'base64')),
		Number(iterations),
		expectedKey.length,
		'sha256'
	);
	return key.length === expectedKey.length && timingSafeEqual(bytes(key), expectedKey);
}

// Verifying against this when the login is unknown keeps the answer time the same as for a wrong
// password, so timing does not reveal which logins exist.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
	dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
	await verifyPassword({ password, hash: await dummyHash });
}
