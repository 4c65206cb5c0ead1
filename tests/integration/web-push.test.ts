import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { SessionInfo } from '../../server/accounts/session-controller';
import { copiesIn, mailDoc, mailStatusOf } from '../support/mail-fixture';
import { api, until } from '../support/org-api';
import {
	createCommuneWithPeople,
	createProvince,
	signedIn,
	type SignedIn
} from '../support/org-setup';
import {
	decryptPush,
	startPushService,
	subscribePhone,
	verifyVapid,
	type LocalPushService,
	type TestSubscription
} from '../support/push-service';
import { putThroughProxy } from '../support/reminder-fixture';
import { startTestServer, type TestServer } from '../support/test-server';

// Web Push of mail (docs/decisions/0022-web-push.md) against the real server and a real push
// service of the test's own on 127.0.0.1 (the test flag lets the server send to http there): phones
// subscribe through the API with keys made here as a browser makes them; a province writes to a
// commune; the push service must receive one request per subscribed phone of that commune, signed
// with the server's VAPID key, encrypted so that only the phone reads it, and saying nothing
// personal. A push service's 410, a revocation and a sign-out each stop the notices.

const CONTACT = 'mailto:quantri@doanvu.invalid';
const SUBJECT = 'Họp khẩn Ban Thường vụ về nhân sự';

describe('Web Push: mail arriving in a commune notifies its subscribed phones', () => {
	let server: TestServer;
	let service: LocalPushService;
	let province: { unit: UnitRecord; admin: SignedIn; secretary: SignedIn };
	let a: { unit: UnitRecord; people: Record<'secretary' | 'deputy' | 'viewer', SignedIn> };
	let b: { unit: UnitRecord; secretary: SignedIn };
	const subs: Record<'sec' | 'dep' | 'view' | 'b', TestSubscription> = {} as never;
	let publicKey: string;

	beforeAll(async () => {
		service = await startPushService();
		server = await startTestServer({
			push: { contact: CONTACT, allowLocalHttpEndpoints: true }
		});
		const top = await createProvince(server, 'Tỉnh đoàn Báo Tin');
		const sec = await server.createAccountIn({ unitId: top.unit.id, role: 'secretary' });
		province = {
			unit: top.unit,
			admin: await signedIn(server, top),
			secretary: await signedIn(server, sec)
		};
		const communeA = await createCommuneWithPeople(server, {
			parentId: top.unit.id,
			name: 'Đoàn xã An Phú'
		});
		a = { unit: communeA.commune, people: communeA.people };
		const communeB = await createCommuneWithPeople(server, {
			parentId: top.unit.id,
			name: 'Đoàn xã Bình Minh'
		});
		b = { unit: communeB.commune, secretary: communeB.people.secretary };

		const key = await api<{ publicKey: string }>(server, '/push/key', {
			cookie: a.people.secretary.cookie
		});
		expect(key.status).toBe(200);
		publicKey = key.body.publicKey;
		subs.sec = await subscribe(a.people.secretary);
		subs.dep = await subscribe(a.people.deputy);
		subs.view = await subscribe(a.people.viewer);
		subs.b = await subscribe(b.secretary);
	});

	afterAll(async () => {
		await server?.close();
		await service?.close();
	});

	function subscribe(who: SignedIn): Promise<TestSubscription> {
		return subscribePhone({ server, service, cookie: who.cookie });
	}

	async function deviceIdOf(who: SignedIn): Promise<string> {
		const res = await api<SessionInfo>(server, '/session', { cookie: who.cookie });
		return res.body.device.id;
	}

	async function sendMail(to: UnitRecord[], subject = SUBJECT): Promise<void> {
		const mail = mailDoc({
			unitId: province.unit.id,
			login: province.secretary.login,
			recipients: to.map((unit) => unit.id),
			subject
		});
		const res = await putThroughProxy(server, {
			db: province.unit.db,
			doc: mail,
			cookie: province.secretary.cookie
		});
		expect(res.status).toBe(201);
		for (const unit of to) {
			await until(
				async () => (await copiesIn(server, unit)).some((c) => c.mailId === mail._id.slice(5)),
				{
					what: `the copy in ${unit.name}`
				}
			);
		}
	}

	/** Everything the post office queued has been sent (the queue is filled as copies are written). */
	async function settled(): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, 150));
		await server.workers.push.idle();
	}

	it('sends one encrypted, VAPID-signed notice per subscribed phone of the commune, nothing personal', async () => {
		const before = Date.now();
		await sendMail([a.unit]);
		await until(() => service.requestsFor(subs.view).length > 0, { what: 'the viewer’s notice' });
		await settled();

		expect(service.requestsFor(subs.sec)).toHaveLength(1);
		expect(service.requestsFor(subs.dep)).toHaveLength(1);
		expect(service.requestsFor(subs.view)).toHaveLength(1);
		// Another unit's phone hears nothing of a mail that is not its own.
		expect(service.requestsFor(subs.b)).toHaveLength(0);

		for (const key of ['sec', 'dep', 'view'] as const) {
			const [request] = service.requestsFor(subs[key]);
			if (!request) throw new Error('no request');
			const vapid = verifyVapid(request.headers.authorization as string);
			expect(vapid.aud).toBe(service.url);
			expect(vapid.sub).toBe(CONTACT);
			expect(vapid.publicKey).toBe(publicKey);
			expect(vapid.exp * 1000).toBeGreaterThan(before);
			expect(vapid.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 60 * 60_000);
			expect(request.headers.ttl).toBe(String(24 * 60 * 60));
			expect(request.headers['content-encoding']).toBe('aes128gcm');
			expect(request.headers.topic).toBe('mail');

			// The phone, and only the phone, reads it: and it says only that mail came.
			expect(request.body.includes(Buffer.from('mail'))).toBe(false);
			const payload = decryptPush(subs[key], request.body);
			expect(payload).toEqual({ kind: 'mail', count: 1 });
			const text = JSON.stringify(payload);
			for (const personal of [SUBJECT, 'Họp', province.unit.name, province.secretary.login]) {
				expect(text).not.toContain(personal);
			}
			// Another subscription's keys cannot read it.
			expect(() => decryptPush(subs.b, request.body)).toThrow();
		}
	});

	it('drops a subscription the push service says is gone (410), and a revoked phone’s', async () => {
		const viewerDevice = await deviceIdOf(a.people.viewer);
		const deputyDevice = await deviceIdOf(a.people.deputy);
		service.answer(new URL(subs.view.endpoint).pathname, 410);
		const revoked = await api(server, `/devices/${deputyDevice}/revoke`, {
			cookie: province.admin.cookie,
			body: {}
		});
		expect(revoked.status).toBe(200);
		expect((await server.devices.getDevice(deputyDevice))?.push).toBeUndefined();

		await sendMail([a.unit], 'Thư thứ hai');
		await until(() => service.requestsFor(subs.view).length > 1, { what: 'the 410' });
		await settled();
		expect(service.requestsFor(subs.sec)).toHaveLength(2);
		// Revoked: told nothing more.
		expect(service.requestsFor(subs.dep)).toHaveLength(1);
		await until(async () => !(await server.devices.getDevice(viewerDevice))?.push, {
			what: 'the gone subscription dropped'
		});

		await sendMail([a.unit], 'Thư thứ ba');
		await until(() => service.requestsFor(subs.sec).length > 2, { what: 'the third notice' });
		await settled();
		// Gone is gone: the push service is not asked again.
		expect(service.requestsFor(subs.view)).toHaveLength(2);
		expect(service.requestsFor(subs.dep)).toHaveLength(1);
		expect(service.requestsFor(subs.b)).toHaveLength(0);
	});

	it('stops when the phone turns notices off, and when it signs out', async () => {
		const off = await api(server, '/push/subscription', {
			cookie: b.secretary.cookie,
			method: 'DELETE'
		});
		expect(off.status).toBe(200);
		const secretaryDevice = await deviceIdOf(a.people.secretary);
		const out = await api(server, '/session', {
			cookie: a.people.secretary.cookie,
			method: 'DELETE'
		});
		expect(out.status).toBe(200);
		expect((await server.devices.getDevice(secretaryDevice))?.push).toBeUndefined();

		const sent = service.requests.length;
		await sendMail([a.unit, b.unit], 'Thư thứ tư');
		await settled();
		expect(service.requests.length).toBe(sent);
	});

	it('never holds delivery back: the copy and its status are written while the push service hangs', async () => {
		const deputy = await signedIn(
			server,
			await server.createAccountIn({ unitId: b.unit.id, role: 'deputy' })
		);
		const slow = await subscribe(deputy);
		service.delayMs = 3000;
		try {
			const mail = mailDoc({
				unitId: province.unit.id,
				login: province.secretary.login,
				recipients: [b.unit.id],
				subject: 'Thư khi dịch vụ thông báo chậm'
			});
			const res = await putThroughProxy(server, {
				db: province.unit.db,
				doc: mail,
				cookie: province.secretary.cookie
			});
			expect(res.status).toBe(201);
			const mailId = mail._id.slice('mail:'.length);
			await until(
				async () =>
					(await mailStatusOf(server, province.unit, mailId))?.recipients[b.unit.id]?.state ===
					'delivered',
				{ what: 'the delivered status' }
			);
			// Delivered and recorded; the notice, sent after, is still unanswered.
			await until(() => service.requestsFor(slow).length === 1, { what: 'the slow notice' });
			expect(service.pending).toBe(1);
			await server.workers.push.idle();
			expect(service.pending).toBe(0);
		} finally {
			service.delayMs = 0;
		}
	});

	it('keeps one key pair, in the server-only accounts database', async () => {
		const again = await api<{ publicKey: string }>(server, '/push/key', {
			cookie: b.secretary.cookie
		});
		expect(again.body.publicKey).toBe(publicKey);
		const doc = await server.couch.getDoc<{ _id: string; publicKey: string; privateKey: string }>({
			db: server.provision.names.accounts,
			id: 'push:vapid'
		});
		expect(doc?.publicKey).toBe(publicKey);
		expect(doc?.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
	});
});
