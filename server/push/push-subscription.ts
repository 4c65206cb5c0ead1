import * as v from 'valibot';

// What a phone may register as its push subscription (POST /api/push/subscription): the JSON of the
// browser's PushSubscription. Checked hard, because the post office will send requests to whatever
// endpoint is stored here: an https URL of bounded length (no credentials in it, no other scheme —
// the server must not become a way to make requests into its own network), and keys of exactly the
// sizes RFC 8291 gives (an uncompressed P-256 point, a 16-byte secret).

export const PUSH_ENDPOINT_MAX_LENGTH = 1024;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function base64urlBytes(value: string): Uint8Array | undefined {
	if (!BASE64URL.test(value)) return undefined;
	return new Uint8Array(Buffer.from(value.replace(/=+$/, ''), 'base64url'));
}

/** Where a push may be sent: https only, unless a test runs its own push service on loopback. */
export function pushEndpointAllowed(endpoint: string, allowLocalHttp: boolean): boolean {
	if (!URL.canParse(endpoint)) return false;
	const url = new URL(endpoint);
	if (url.username || url.password) return false;
	if (url.protocol === 'https:') return url.hostname !== '';
	return (
		allowLocalHttp &&
		url.protocol === 'http:' &&
		(url.hostname === '127.0.0.1' || url.hostname === 'localhost')
	);
}

const INVALID = 'Thông tin đăng ký thông báo không hợp lệ.';

export function pushSubscriptionSchema(options: { allowLocalHttp: boolean }) {
	return v.object(
		{
			endpoint: v.pipe(
				v.string(INVALID),
				v.maxLength(PUSH_ENDPOINT_MAX_LENGTH, INVALID),
				v.check(
					(value) => pushEndpointAllowed(value, options.allowLocalHttp),
					'Địa chỉ nhận thông báo phải là một địa chỉ https.'
				)
			),
			expirationTime: v.optional(v.nullable(v.number(INVALID))),
			keys: v.object(
				{
					p256dh: v.pipe(
						v.string(INVALID),
						v.maxLength(100, INVALID),
						v.check((value) => {
							const bytes = base64urlBytes(value);
							return bytes?.length === 65 && bytes[0] === 0x04;
						}, INVALID)
					),
					auth: v.pipe(
						v.string(INVALID),
						v.maxLength(30, INVALID),
						v.check((value) => base64urlBytes(value)?.length === 16, INVALID)
					)
				},
				INVALID
			)
		},
		INVALID
	);
}
