import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { api } from '../support/org-api';
import { createCommuneWithPeople, createProvince, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// The Web Push endpoints (docs/decisions/0022-web-push.md), attacked on a server as production runs
// it (no test flag: https endpoints only). A stored subscription is where the post office will send
// requests, so what may be stored is the attack surface: someone else's device, an endpoint inside
// the server's network, junk keys, a body too large to be a subscription. And a subscription, once
// stored, must never be shown back (whoever holds it can notify the phone).

let server: TestServer;
let people: Record<'secretary' | 'deputy' | 'viewer', SignedIn>;
let admin: SignedIn;
let communeId: string;

beforeAll(async () => {
	server = await startTestServer();
	const province = await createProvince(server, 'Tỉnh đoàn An Ninh');
	admin = { ...province, cookie: (await server.signIn(province)).cookie };
	const commune = await createCommuneWithPeople(server, {
		parentId: province.unit.id,
		name: 'Đoàn xã Kiểm Tra'
	});
	people = commune.people;
	communeId = commune.commune.id;
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function validKeys(): { p256dh: string; auth: string } {
	const ecdh = createECDH('prime256v1');
	ecdh.generateKeys();
	return { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') };
}

const HTTPS_ENDPOINT = () => `https://push.example.com/send/${randomBytes(8).toString('hex')}`;

function post(cookie: string | undefined, body: unknown, raw?: string): Promise<Response> {
	return server.request('/api/push/subscription', {
		method: 'POST',
		...(cookie ? { cookie } : {}),
		headers: { 'content-type': 'application/json' },
		body: raw ?? JSON.stringify(body)
	});
}

async function deviceIdOf(who: SignedIn): Promise<string> {
	return (await api<SessionInfo>(server, '/session', { cookie: who.cookie })).body.device.id;
}

describe('the push endpoints without a session', () => {
	it('refuses the key, a subscription and its removal', async () => {
		await expectRefusedResponse(
			'push: GET key, no cookie',
			await server.request('/api/push/key'),
			[401]
		);
		await expectRefusedResponse(
			'push: POST subscription, no cookie',
			await post(undefined, { endpoint: HTTPS_ENDPOINT(), keys: validKeys() }),
			[401]
		);
		await expectRefusedResponse(
			'push: DELETE subscription, no cookie',
			await server.request('/api/push/subscription', { method: 'DELETE' }),
			[401]
		);
		await expectRefusedResponse(
			'push: POST subscription, forged cookie',
			await post(`dv_session=${'a'.repeat(32)}.${'b'.repeat(43)}`, {
				endpoint: HTTPS_ENDPOINT(),
				keys: validKeys()
			}),
			[401]
		);
	});
});

describe('a signed-in viewer', () => {
	it('subscribes its own phone, and only its own, whatever the body names', async () => {
		const secretaryDevice = await deviceIdOf(people.secretary);
		const viewerDevice = await deviceIdOf(people.viewer);
		const endpoint = HTTPS_ENDPOINT();
		const res = await post(people.viewer.cookie, {
			endpoint,
			keys: validKeys(),
			deviceId: secretaryDevice,
			login: people.secretary.login
		});
		// A viewer's phone receives its unit's mail too: its own subscription is accepted.
		expect(res.status).toBe(200);
		expect((await server.devices.getDevice(viewerDevice))?.push?.endpoint).toBe(endpoint);
		const secretary = await server.devices.getDevice(secretaryDevice);
		expectRefused(
			'push: subscribe another account’s device (deviceId in the body)',
			secretary?.push === undefined,
			JSON.stringify(secretary?.push)
		);
	});

	it('never sees a subscription in the device lists', async () => {
		await post(people.secretary.cookie, { endpoint: HTTPS_ENDPOINT(), keys: validKeys() });
		const list = await api(server, `/units/${communeId}/accounts`, { cookie: admin.cookie });
		expect(list.status).toBe(200);
		const text = JSON.stringify(list.body);
		expectRefused(
			'push: read subscriptions through GET /api/units/<id>/accounts',
			!text.includes('push.example.com') && !text.includes('p256dh'),
			text.slice(0, 200)
		);
	});
});

describe('what may be stored as a subscription', () => {
	const refusals: [string, unknown][] = [
		['http endpoint on loopback', { endpoint: 'http://127.0.0.1:5984/_users', keys: 'valid' }],
		['http endpoint on localhost', { endpoint: 'http://localhost/push', keys: 'valid' }],
		['http endpoint elsewhere', { endpoint: 'http://push.example.com/x', keys: 'valid' }],
		['file: endpoint', { endpoint: 'file:///etc/passwd', keys: 'valid' }],
		['javascript: endpoint', { endpoint: 'javascript:alert(1)', keys: 'valid' }],
		['credentials in the endpoint', { endpoint: 'https://u:p@push.example.com/x', keys: 'valid' }],
		['not a URL', { endpoint: 'push.example.com/x', keys: 'valid' }],
		[
			'endpoint too long',
			{ endpoint: `https://push.example.com/${'a'.repeat(1100)}`, keys: 'valid' }
		],
		['no keys', { endpoint: HTTPS_ENDPOINT() }],
		['p256dh too short', { endpoint: HTTPS_ENDPOINT(), keys: { p256dh: 'AAAA', auth: 'x' } }],
		[
			'p256dh not a P-256 point',
			{
				endpoint: HTTPS_ENDPOINT(),
				keys: { p256dh: Buffer.alloc(65, 7).toString('base64url'), auth: 'valid' }
			}
		],
		['auth of 8 bytes', { endpoint: HTTPS_ENDPOINT(), keys: { auth: randomBytes(8) } }],
		['keys as numbers', { endpoint: HTTPS_ENDPOINT(), keys: { p256dh: 1, auth: 2 } }],
		['an array', [{ endpoint: HTTPS_ENDPOINT(), keys: 'valid' }]],
		['endpoint an object', { endpoint: { href: HTTPS_ENDPOINT() }, keys: 'valid' }]
	];

	/** 'valid' stands for a valid pair, a Buffer for its base64url (a valid p256dh, a wrong auth). */
	function materialise(body: unknown): unknown {
		if (Array.isArray(body)) return body.map(materialise);
		if (!body || typeof body !== 'object') return body;
		const b = body as { keys?: unknown };
		if (b.keys === 'valid') return { ...b, keys: validKeys() };
		if (b.keys && typeof b.keys === 'object') {
			const keys = { ...validKeys(), ...(b.keys as Record<string, unknown>) };
			if (keys.auth === 'valid') keys.auth = validKeys().auth;
			if (Buffer.isBuffer(keys.auth)) keys.auth = keys.auth.toString('base64url');
			return { ...b, keys };
		}
		return body;
	}

	it('refuses non-https endpoints and malformed keys, in Vietnamese, storing nothing', async () => {
		const deputyDevice = await deviceIdOf(people.deputy);
		for (const [name, body] of refusals) {
			const res = await post(people.deputy.cookie, materialise(body));
			await expectRefusedResponse(`push: subscription with ${name}`, res, [400]);
		}
		const bad = await post(people.deputy.cookie, {
			endpoint: 'http://127.0.0.1/x',
			keys: validKeys()
		});
		expect(((await bad.json()) as { reason: string }).reason).toMatch(/https/);
		await expectRefusedResponse(
			'push: subscription that is not JSON',
			await post(people.deputy.cookie, undefined, '{"endpoint":'),
			[400]
		);
		expectRefused(
			'push: malformed subscriptions stored nothing',
			(await server.devices.getDevice(deputyDevice))?.push === undefined
		);
	});

	it('refuses a body larger than a subscription before reading it as one', async () => {
		const res = await post(people.deputy.cookie, {
			endpoint: HTTPS_ENDPOINT(),
			keys: validKeys(),
			padding: 'x'.repeat(8 * 1024)
		});
		await expectRefusedResponse('push: 8 KB subscription body', res, [413]);
	});
});
