import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { MailDoc } from '../../src/lib/domain/mail';
import { copiesIn, mailDoc, mailIdOf, mailReceiptDoc } from '../support/mail-fixture';
import { until } from '../support/org-api';
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
	type LocalPushService,
	type TestSubscription
} from '../support/push-service';
import { putThroughProxy } from '../support/reminder-fixture';
import { startTestServer, type TestServer } from '../support/test-server';

// The notice an hour before a meeting (server/push/meeting-notices.ts), against the real server and
// the test's own push service. The server's meeting clock is the test's: a province invites two
// communes to a meeting three hours away; nothing is said about the meeting until the clock is
// inside the hour before it; then the commune that will attend hears once — "a meeting starts
// within the hour", nothing more — and the one that answered "absent" hears nothing. A meeting
// already under way, or one still days off, says nothing.

const HOUR = 60 * 60_000;

describe('Web Push: the hour before a meeting', () => {
	let server: TestServer;
	let service: LocalPushService;
	let offset = 0;
	let province: { unit: UnitRecord; secretary: SignedIn };
	let a: { unit: UnitRecord; secretary: SignedIn };
	let b: { unit: UnitRecord; secretary: SignedIn };
	let subA: TestSubscription;
	let subB: TestSubscription;

	beforeAll(async () => {
		service = await startPushService();
		server = await startTestServer({
			push: {
				contact: 'mailto:quantri@doanvu.invalid',
				allowLocalHttpEndpoints: true,
				meetingNotice: { pollMs: 50, now: () => new Date(Date.now() + offset) }
			}
		});
		const top = await createProvince(server, 'Tỉnh đoàn Giờ Họp');
		province = {
			unit: top.unit,
			secretary: await signedIn(
				server,
				await server.createAccountIn({ unitId: top.unit.id, role: 'secretary' })
			)
		};
		for (const [name, assign] of [
			['Đoàn xã Đúng Giờ', (x: typeof a) => (a = x)],
			['Đoàn xã Vắng Mặt', (x: typeof b) => (b = x)]
		] as const) {
			const commune = await createCommuneWithPeople(server, { parentId: top.unit.id, name });
			assign({ unit: commune.commune, secretary: commune.people.secretary });
		}
		subA = await subscribe(a.secretary);
		subB = await subscribe(b.secretary);
	});

	afterAll(async () => {
		await server?.close();
		await service?.close();
	});

	function subscribe(who: SignedIn): Promise<TestSubscription> {
		return subscribePhone({ server, service, cookie: who.cookie });
	}

	/** The decrypted notices of one kind that reached a phone. */
	function notices(subscription: TestSubscription, kind: 'mail' | 'meeting'): unknown[] {
		return service
			.requestsFor(subscription)
			.map((request) => decryptPush(subscription, request.body) as { kind: string })
			.filter((payload) => payload.kind === kind);
	}

	async function invite(options: { startsInMs: number; subject: string }): Promise<MailDoc> {
		const base = mailDoc({
			unitId: province.unit.id,
			login: province.secretary.login,
			recipients: [a.unit.id, b.unit.id],
			kind: 'meeting',
			subject: options.subject
		});
		const startsAt = new Date(Date.now() + offset + options.startsInMs).toISOString();
		const mail: MailDoc = {
			...base,
			meeting: { startsAt, place: 'Hội trường Tỉnh đoàn', agenda: 'Nhân sự' }
		};
		const res = await putThroughProxy(server, {
			db: province.unit.db,
			doc: mail,
			cookie: province.secretary.cookie
		});
		expect(res.status).toBe(201);
		for (const unit of [a.unit, b.unit]) {
			await until(
				async () => (await copiesIn(server, unit)).some((c) => c.mailId === mailIdOf(mail)),
				{ what: `the invitation in ${unit.name}` }
			);
		}
		return mail;
	}

	async function settle(ms = 400): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, ms));
		await server.workers.push.idle();
	}

	it('says nothing three hours before, then once within the hour, not to the unit that declined', async () => {
		const mail = await invite({ startsInMs: 3 * HOUR, subject: 'Họp bàn nhân sự Đại hội' });
		// The invitation's own "mail arrived" notices come; no meeting notice yet.
		await until(() => notices(subA, 'mail').length === 1, { what: 'the mail notice' });
		await settle();
		expect(notices(subA, 'meeting')).toHaveLength(0);
		expect(notices(subB, 'meeting')).toHaveLength(0);

		// Commune B answers that it will not attend.
		const receipt = mailReceiptDoc({
			unitId: b.unit.id,
			login: b.secretary.login,
			fromUnitId: province.unit.id,
			mailId: mailIdOf(mail),
			extra: {
				response: {
					answer: 'absent',
					reason: 'Trùng lịch tiếp dân',
					at: new Date().toISOString(),
					by: b.secretary.login
				}
			}
		});
		const answered = await putThroughProxy(server, {
			db: b.unit.db,
			doc: receipt,
			cookie: b.secretary.cookie
		});
		expect(answered.status).toBe(201);

		// Two and a half hours later: the meeting is 30 minutes away.
		offset = 2.5 * HOUR;
		await until(() => notices(subA, 'meeting').length > 0, { what: 'the meeting notice' });
		await settle(600);
		expect(notices(subA, 'meeting')).toEqual([{ kind: 'meeting', count: 1 }]);
		const [request] = service
			.requestsFor(subA)
			.filter((r) => (decryptPush(subA, r.body) as { kind: string }).kind === 'meeting');
		expect(request?.headers.topic).toBe('meeting');
		// Nothing personal travels, not even encrypted: no subject, no place.
		const text = JSON.stringify(notices(subA, 'meeting'));
		for (const personal of ['Họp bàn', 'Hội trường', province.unit.name]) {
			expect(text).not.toContain(personal);
		}
		expect(notices(subB, 'meeting')).toHaveLength(0);

		// Many polls later, and ten minutes closer: still once.
		offset = 2.5 * HOUR + 10 * 60_000;
		await settle(600);
		expect(notices(subA, 'meeting')).toHaveLength(1);
	});

	it('says nothing of a meeting already under way, or of one still days off', async () => {
		const before = notices(subA, 'meeting').length;
		await invite({ startsInMs: -10 * 60_000, subject: 'Họp đã bắt đầu' });
		await invite({ startsInMs: 3 * 24 * HOUR, subject: 'Họp tuần sau' });
		await settle(800);
		expect(notices(subA, 'meeting')).toHaveLength(before);
		expect(notices(subB, 'meeting')).toHaveLength(0);
	});

	it('an invitation delivered inside the hour is announced at once', async () => {
		const before = notices(subA, 'meeting').length;
		await invite({ startsInMs: 20 * 60_000, subject: 'Họp khẩn' });
		await until(() => notices(subA, 'meeting').length === before + 1, {
			what: 'the notice of a meeting 20 minutes away'
		});
		// B did not answer this one: it hears of it too.
		await until(() => notices(subB, 'meeting').length === 1, { what: 'B’s notice' });
	});
});
