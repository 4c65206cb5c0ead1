import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { api } from './org-api';
import type { TestServer } from './test-server';

// A push service of our own, for the Web Push tests (docs/decisions/0022-web-push.md): a plain HTTP
// server on 127.0.0.1 standing where FCM or Mozilla's autopush would, recording what it is sent and
// answering each subscription's endpoint as told (201 by default, 410 for one that is gone). And a
// browser's side of a subscription: an ECDH P-256 key pair and a 16-byte auth secret, which is all a
// phone holds to read what it receives (RFC 8291), so a test can decrypt exactly what a phone would.

export interface PushRequest {
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

export interface LocalPushService {
	url: string;
	requests: PushRequest[];
	/** Requests that reached one subscription's endpoint. */
	requestsFor(subscription: TestSubscription): PushRequest[];
	/** What the endpoint of this path answers from now on. */
	answer(path: string, status: number): void;
	/** Answers wait this long (a push service that is slow or unreachable). */
	delayMs: number;
	/** Requests received and not answered yet. */
	pending: number;
	close(): Promise<void>;
}

export async function startPushService(): Promise<LocalPushService> {
	const requests: PushRequest[] = [];
	const answers = new Map<string, number>();
	const state = { delayMs: 0, pending: 0 };
	const server: Server = createServer((req, res) => {
		const chunks: Uint8Array[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(new Uint8Array(chunk)));
		req.on('end', () => {
			const path = req.url ?? '/';
			requests.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
			state.pending++;
			setTimeout(() => {
				state.pending--;
				res.statusCode = answers.get(path) ?? 201;
				res.end();
			}, state.delayMs);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;
	return {
		url,
		requests,
		get delayMs() {
			return state.delayMs;
		},
		set delayMs(ms: number) {
			state.delayMs = ms;
		},
		get pending() {
			return state.pending;
		},
		requestsFor: (subscription) =>
			requests.filter((request) => `${url}${request.path}` === subscription.endpoint),
		answer: (path, status) => answers.set(path, status),
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

export interface TestSubscription {
	endpoint: string;
	keys: { p256dh: string; auth: string };
	/** The browser's private half: never sent anywhere. */
	ecdh: ECDH;
}

/** What a browser's PushManager.subscribe() would make, at an endpoint of the local service. */
export function newSubscription(service: LocalPushService): TestSubscription {
	const ecdh = createECDH('prime256v1');
	ecdh.generateKeys();
	const auth = randomBytes(16).toString('base64url');
	return {
		endpoint: `${service.url}/push/${randomBytes(8).toString('hex')}`,
		keys: { p256dh: ecdh.getPublicKey('base64url'), auth },
		ecdh
	};
}

/** A phone of this account subscribes through the API, as the account screen's switch does. */
export async function subscribePhone(options: {
	server: TestServer;
	service: LocalPushService;
	cookie: string;
}): Promise<TestSubscription> {
	const subscription = newSubscription(options.service);
	const { endpoint, keys } = subscription;
	const res = await api(options.server, '/push/subscription', {
		cookie: options.cookie,
		body: { endpoint, keys, expirationTime: null }
	});
	if (res.status !== 200) throw new Error(`subscription refused: ${res.status}`);
	return subscription;
}

/** The body as the phone's browser would decrypt it (aes128gcm, RFC 8188 / 8291). */
export function decryptPush(subscription: TestSubscription, body: Buffer): unknown {
	const plain = ece.decrypt(body, {
		version: 'aes128gcm',
		privateKey: subscription.ecdh,
		authSecret: subscription.keys.auth
	});
	return JSON.parse(plain.toString('utf8'));
}

export interface VapidClaims {
	aud: string;
	exp: number;
	sub: string;
	/** The `k=` of the Authorization header: the sender's public key. */
	publicKey: string;
}

/**
 * The VAPID `Authorization: vapid t=<jwt>, k=<key>` header checked as a push service checks it
 * (RFC 8292): an ES256 JWT signed by the key named in `k`. Throws when the signature is wrong.
 */
export function verifyVapid(header: string | undefined): VapidClaims {
	const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
	if (!match) throw new Error(`not a VAPID Authorization header: ${header}`);
	const [, token = '', publicKey = ''] = match;
	const [head = '', payload = '', signature = ''] = token.split('.');
	const header64 = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
	if (header64.alg !== 'ES256') throw new Error(`VAPID JWT alg ${header64.alg}`);
	const point = Buffer.from(publicKey, 'base64url');
	const key = createPublicKey({
		key: {
			kty: 'EC',
			crv: 'P-256',
			x: point.subarray(1, 33).toString('base64url'),
			y: point.subarray(33, 65).toString('base64url')
		},
		format: 'jwk'
	});
	const ok = verify(
		'sha256',
		new TextEncoder().encode(`${head}.${payload}`),
		{ key, dsaEncoding: 'ieee-p1363' },
		new Uint8Array(Buffer.from(signature, 'base64url'))
	);
	if (!ok) throw new Error('VAPID JWT signature does not verify');
	const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Omit<
		VapidClaims,
		'publicKey'
	>;
	return { ...claims, publicKey };
}
