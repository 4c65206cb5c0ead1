import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { MailReceiptDoc } from '../../src/lib/domain/mail';
import { until } from '../support/org-api';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import {
	copiesIn,
	createUnits,
	fileDocOf,
	mailDoc,
	mailIdOf,
	mailReceiptDoc,
	mailStatusOf,
	putFileDoc
} from '../support/mail-fixture';
import { putThroughProxy } from '../support/reminder-fixture';
import { useServersOnOneStore } from '../support/shared-store-servers';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// Mail between units on the post office (docs/decisions/0021-mail-between-units.md), against the
// real server: a unit's secretary writes `mail:` in her own database through /couch; the post office
// delivers one copy into each recipient's database, adds the recipients to the attached files'
// readers, and carries the recipients' receipts (and replies) back into the sender's status.

const SHA_A = 'a'.repeat(64);

describe('a directive to 300 communes, the post office killed mid-way', () => {
	const shared = useServersOnOneStore({ ...TEST_WORKERS, leaseMs: 300 });
	const serverOnHost = shared.onHost;
	let host: TestServer;
	beforeAll(() => {
		host = shared.host();
	});

	it('delivers exactly one copy to each, and the file may be read by all of them', async () => {
		const province = await createProvince(host, 'Tỉnh đoàn Ba Trăm');
		const secretary = await host.createAccountIn({ unitId: province.unit.id, role: 'secretary' });
		const communes = await createUnits(host, {
			parentId: province.unit.id,
			count: 300,
			name: 'Đoàn xã Số'
		});
		await putFileDoc(host, { sha256: SHA_A, readers: [province.unit.id] });

		let fired = false;
		const first = await serverOnHost({
			afterMailDelivery: ({ index }) =>
				index === 120 && !fired ? ((fired = true), 'crash') : undefined
		});
		const mail = mailDoc({
			unitId: province.unit.id,
			login: secretary.login,
			kind: 'directive',
			recipients: communes.map((unit) => unit.id),
			attachments: [{ id: SHA_A, name: 'ke-hoach.pdf', type: 'application/pdf', size: 1024 }]
		});
		const mailId = mailIdOf(mail);
		const cookie = (await first.signIn(secretary)).cookie;
		const put = await putThroughProxy(first, { db: province.unit.db, doc: mail, cookie });
		expect(put.status).toBe(201);
		await until(() => first.workers.reminders.crashed, { what: 'the simulated crash' });

		// Dead mid-way: some copies, no status; every recipient may already read the file.
		const partial = await Promise.all(communes.map((unit) => copiesIn(host, unit)));
		const delivered = partial.filter((copies) => copies.length === 1).length;
		expect(delivered).toBeGreaterThanOrEqual(120);
		expect(delivered).toBeLessThan(300);
		expect(await mailStatusOf(host, province.unit, mailId)).toBeUndefined();
		expect((await fileDocOf(host, SHA_A))?.readers).toEqual([
			province.unit.id,
			...communes.map((unit) => unit.id)
		]);

		await serverOnHost(); // takes over; closed with the others
		const status = await until(
			async () => {
				const doc = await mailStatusOf(host, province.unit, mailId);
				return doc && Object.keys(doc.recipients).length === 300 ? doc : undefined;
			},
			{ what: 'the takeover to finish the deliveries', ms: 60_000 }
		);
		for (const unit of communes) {
			const copies = await copiesIn(host, unit);
			expect(copies).toHaveLength(1);
			expect(copies[0]!._rev).toMatch(/^1-/);
			expect(copies[0]).toMatchObject({
				_id: `mail-received:${province.unit.id}:${mailId}`,
				type: 'mail-received',
				unitId: unit.id,
				fromUnitId: province.unit.id,
				kind: 'directive',
				subject: mail.subject,
				directive: mail.directive,
				fromName: province.unit.name,
				sentBy: secretary.login
			});
			expect(status.recipients[unit.id]).toEqual({
				state: 'delivered',
				deliveredAt: copies[0]!.createdAt
			});
		}
	}, 180_000);
});

interface Org {
	province: UnitRecord;
	provinceSecretary: SignedIn;
	a: { unit: UnitRecord; secretary: SignedIn; deputy: SignedIn };
	b: { unit: UnitRecord; secretary: SignedIn };
}

async function org(server: TestServer): Promise<Org> {
	const top = await createProvince(server, 'Tỉnh đoàn Thư Từ');
	const provinceSecretary = await signedIn(
		server,
		await server.createAccountIn({ unitId: top.unit.id, role: 'secretary' })
	);
	const a = await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Xã Thanh Sơn' });
	const deputy = await server.createAccountIn({ unitId: a.unit.id, role: 'deputy' });
	const b = await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Xã Tân Phú' });
	return {
		province: top.unit,
		provinceSecretary,
		a: {
			unit: a.unit,
			secretary: await signedIn(server, a),
			deputy: await signedIn(server, deputy)
		},
		b: { unit: b.unit, secretary: await signedIn(server, b) }
	};
}

describe('a province and two communes write to each other', () => {
	let server: TestServer;
	let o: Org;

	beforeAll(async () => {
		server = await startTestServer();
		o = await org(server);
	});

	afterAll(async () => {
		await server?.close();
	});

	function statusWith(
		unit: UnitRecord,
		mailId: string,
		ok: (s: Record<string, unknown>) => boolean
	) {
		return until(
			async () => {
				const doc = await mailStatusOf(server, unit, mailId);
				return doc && ok(doc.recipients) ? doc : undefined;
			},
			{ what: 'the status document' }
		);
	}

	async function putReceipt(
		who: { unit: UnitRecord; secretary: SignedIn },
		receipt: MailReceiptDoc
	): Promise<string> {
		const res = await putThroughProxy(server, {
			db: who.unit.db,
			doc: receipt,
			cookie: who.secretary.cookie
		});
		expect(res.status).toBe(201);
		return ((await res.json()) as { rev: string }).rev;
	}

	it('carries received, opened, acknowledged and the meeting answer into the status', async () => {
		const meeting = mailDoc({
			unitId: o.province.id,
			login: o.provinceSecretary.login,
			kind: 'meeting',
			recipients: [o.a.unit.id, o.b.unit.id]
		});
		const mailId = mailIdOf(meeting);
		const put = await putThroughProxy(server, {
			db: o.province.db,
			doc: meeting,
			cookie: o.provinceSecretary.cookie
		});
		expect(put.status).toBe(201);
		await statusWith(o.province, mailId, (r) => Object.keys(r).length === 2);

		// Commune A: received, then opened and acknowledged by its deputy, then its answer.
		const from = { fromUnitId: o.province.id, mailId };
		const receipt = mailReceiptDoc({ unitId: o.a.unit.id, login: o.a.secretary.login, ...from });
		let rev = await putReceipt(o.a, receipt);
		const opened = {
			...receipt,
			_rev: rev,
			openedAt: '2026-12-07T02:00:00.000Z',
			openedBy: o.a.deputy.login,
			acknowledgedAt: '2026-12-07T02:01:00.000Z',
			acknowledgedBy: o.a.deputy.login,
			updatedBy: o.a.deputy.login
		};
		const byDeputy = await putThroughProxy(server, {
			db: o.a.unit.db,
			doc: opened,
			cookie: o.a.deputy.cookie
		});
		expect(byDeputy.status).toBe(201);
		rev = ((await byDeputy.json()) as { rev: string }).rev;
		const response = {
			answer: 'delegate' as const,
			delegate: 'Đ/c Lê Văn Bình, Phó Bí thư',
			at: '2026-12-07T02:05:00.000Z',
			by: o.a.secretary.login
		};
		await putReceipt(o.a, {
			...opened,
			_rev: rev,
			response,
			updatedBy: o.a.secretary.login
		});

		const status = await statusWith(
			o.province,
			mailId,
			(r) => (r[o.a.unit.id] as { response?: unknown } | undefined)?.response !== undefined
		);
		expect(status.recipients[o.a.unit.id]).toMatchObject({
			state: 'delivered',
			receivedAt: receipt.receivedAt,
			openedAt: opened.openedAt,
			openedBy: o.a.deputy.login,
			acknowledgedAt: opened.acknowledgedAt,
			acknowledgedBy: o.a.deputy.login,
			response
		});
		// Commune B said nothing yet.
		expect(status.recipients[o.b.unit.id]).toEqual({
			state: 'delivered',
			deliveredAt: expect.any(String)
		});
	});

	it('marks the original replied when a commune answers it', async () => {
		const original = mailDoc({
			unitId: o.province.id,
			login: o.provinceSecretary.login,
			kind: 'directive',
			recipients: [o.a.unit.id]
		});
		const originalId = mailIdOf(original);
		await putThroughProxy(server, {
			db: o.province.db,
			doc: original,
			cookie: o.provinceSecretary.cookie
		});
		await statusWith(o.province, originalId, (r) => Boolean(r[o.a.unit.id]));

		const reply = mailDoc({
			unitId: o.a.unit.id,
			login: o.a.secretary.login,
			kind: 'message',
			subject: 'Báo cáo kết quả triển khai',
			recipients: [o.province.id],
			inReplyTo: { unitId: o.province.id, mailId: originalId }
		});
		const put = await putThroughProxy(server, {
			db: o.a.unit.db,
			doc: reply,
			cookie: o.a.secretary.cookie
		});
		expect(put.status).toBe(201);

		// The message to the superior is delivered…
		const replyStatus = await statusWith(o.a.unit, mailIdOf(reply), (r) =>
			Boolean(r[o.province.id])
		);
		expect(replyStatus.recipients[o.province.id]).toMatchObject({ state: 'delivered' });
		const copies = await copiesIn(server, o.province);
		expect(copies.filter((c) => c.mailId === mailIdOf(reply))).toHaveLength(1);
		// …and the province sees the directive answered.
		const status = await statusWith(
			o.province,
			originalId,
			(r) => (r[o.a.unit.id] as { repliedAt?: string } | undefined)?.repliedAt !== undefined
		);
		expect(status.recipients[o.a.unit.id]).toMatchObject({
			state: 'delivered',
			repliedAt: reply.createdAt
		});
	});

	it('refuses a directive to a sibling or to the superior at the door', async () => {
		for (const recipient of [o.b.unit.id, o.province.id]) {
			const mail = mailDoc({
				unitId: o.a.unit.id,
				login: o.a.secretary.login,
				kind: 'directive',
				recipients: [recipient]
			});
			const res = await putThroughProxy(server, {
				db: o.a.unit.db,
				doc: mail,
				cookie: o.a.secretary.cookie
			});
			expect(res.status).toBe(403);
			expect(((await res.json()) as { reason: string }).reason).toBe(
				'Văn bản chỉ đạo chỉ gửi cho các đơn vị trực thuộc.'
			);
		}
		// A message sideways to a sibling too.
		const sideways = mailDoc({
			unitId: o.a.unit.id,
			login: o.a.secretary.login,
			recipients: [o.b.unit.id]
		});
		const res = await putThroughProxy(server, {
			db: o.a.unit.db,
			doc: sideways,
			cookie: o.a.secretary.cookie
		});
		expect(res.status).toBe(403);
		expect(((await res.json()) as { reason: string }).reason).toMatch(/cấp trên/);
	});

	it('refuses them again at delivery when they reached the store by another path', async () => {
		const mail = mailDoc({
			unitId: o.a.unit.id,
			login: o.a.secretary.login,
			kind: 'directive',
			recipients: [o.b.unit.id, o.province.id]
		});
		// Written as the server's admin: past the write guard, as a restored backup would be.
		await server.couch.putDoc({ db: o.a.unit.db, doc: mail });
		server.workers.reminders.nudge(o.a.unit.db);
		const status = await statusWith(o.a.unit, mailIdOf(mail), (r) => Object.keys(r).length === 2);
		for (const id of [o.b.unit.id, o.province.id]) {
			expect(status.recipients[id]).toEqual({
				state: 'refused',
				reason: 'Văn bản chỉ đạo chỉ gửi cho các đơn vị trực thuộc.'
			});
		}
		expect((await copiesIn(server, o.b.unit)).filter((c) => c.mailId === mailIdOf(mail))).toEqual(
			[]
		);
	});
});
