// http_ece ships no types; this is the part the Web Push tests use to decrypt what a phone receives.
declare module 'http_ece' {
	import type { ECDH } from 'node:crypto';

	interface DecryptParams {
		version: 'aes128gcm';
		privateKey: ECDH;
		authSecret: string;
	}

	const ece: { decrypt(buffer: Buffer, params: DecryptParams): Buffer };
	export default ece;
}
