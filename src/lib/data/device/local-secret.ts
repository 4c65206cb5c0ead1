// Verifiers of the PIN and the password, kept on the device so the app can be unlocked without the
// network (docs/design.md §3, offline identity). PBKDF2-SHA256 through WebCrypto: slow enough that a
// stolen phone's IndexedDB does not give the PIN away in seconds, fast enough on a cheap Android.

export interface SecretVerifier {
	salt: string;
	hash: string;
	iterations: number;
}

const ITERATIONS = 150_000;

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let text = '';
	for (const byte of view) text += String.fromCharCode(byte);
	return btoa(text);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
	const raw = atob(text);
	const bytes = new Uint8Array(raw.length);
	for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
	return bytes;
}

async function derive(options: {
	secret: string;
	salt: Uint8Array<ArrayBuffer>;
	iterations: number;
}): Promise<string> {
	const key = await crypto.subtle.importKey(
		'raw',
		new TextEncoder().encode(options.secret.normalize('NFC')),
		'PBKDF2',
		false,
		['deriveBits']
	);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: options.salt, iterations: options.iterations },
		key,
		256
	);
	return toBase64(bits);
}

export async function makeVerifier(secret: string): Promise<SecretVerifier> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	return {
		salt: toBase64(salt),
		iterations: ITERATIONS,
		hash: await derive({ secret, salt, iterations: ITERATIONS })
	};
}

export async function checkVerifier(options: {
	secret: string;
	verifier: SecretVerifier;
}): Promise<boolean> {
	const { verifier } = options;
	const hash = await derive({
		secret: options.secret,
		salt: fromBase64(verifier.salt),
		iterations: verifier.iterations
	});
	// Same length base64 strings; a timing difference here reveals nothing a local attacker lacks.
	return hash === verifier.hash;
}
