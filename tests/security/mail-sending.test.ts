import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/org-api';
import { fileDocOf, mailDoc, mailIdOf, mailReceiptDoc } from '../support/mail-fixture';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { attachment, SHA_MISSING, SHA_OTHER, startMailOrg, type MailOrg } from './support/mail-org';
import { couch, type Actor, type Org } from './support/org-fixture';

// Mail between units (docs/decisions/0021-mail-between-units.md), sent and answered by those who may
// not: a directive sideways or upwards, a message sideways, by every write path; a mail sent as a
// subordinate unit, by a viewer, signed with another unit's name, or naming a file its unit never
// uploaded nor received; a sent mail rewritten or deleted; a meeting's attendance recorded by
// another; receipts written from outside the unit, in another account's name, or moving a time.

let m: MailOrg;
let org: Org;
let mailId: string;
const ids = () => m.ids;
const statusDoc = () => m.statusDoc();
const put: MailOrg['put'] = (...args) => m.put(...args);

beforeAll(async () => {
	m = await startMailOrg();
	org = m.org;
	mailId = m.mailId;
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

describe('sending what one may not', () => {
	async function attemptMail(
		name: string,
		actor: Actor,
		options: {
			db: string;
			unitId: string;
			recipients: string[];
			kind?: 'message' | 'directive' | 'meeting';
			attachments?: ReturnType<typeof attachment>[];
			bulk?: 'edits' | 'replicated';
			reason?: string;
		}
	) {
		const doc = mailDoc({
			unitId: options.unitId,
			login: org.logins[actor],
			recipients: options.recipients,
			kind: options.kind ?? 'directive',
			...(options.attachments ? { attachments: options.attachments } : {})
		});
		let refused: boolean;
		let reason: string | undefined;
		if (options.bulk) {
			const res = await couch(org.server, `/${options.db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body:
					options.bulk === 'replicated'
						? { docs: [{ ...doc, _rev: '1-abc' }], new_edits: false }
						: { docs: [doc] }
			});
			const rows = (await res.json().catch(() => [])) as { error?: string; reason?: string }[];
			refused = res.status >= 400 || rows.some((row) => row.error === 'forbidden');
			reason = rows.find((row) => row.error === 'forbidden')?.reason;
		} else {
			const res = await put(actor, options.db, doc);
			refused = res.status === 403;
			reason = ((await res.json().catch(() => ({}))) as { reason?: string }).reason;
		}
		const stored = await org.server.couch.getDoc({ db: options.db, id: doc._id });
		expectRefused(name, refused && !stored, reason);
		if (options.reason && options.bulk !== 'replicated') expect(reason).toBe(options.reason);
	}

	it('a directive sideways or upwards, a message sideways, by every write path', async () => {
		const { province, communeA, communeB, otherProvince } = org.units;
		for (const bulk of [undefined, 'edits', 'replicated'] as const) {
			const how = bulk ?? 'put';
			await attemptMail(`secretaryA sends a directive to its sibling B (${how})`, 'secretaryA', {
				db: communeA.unit.db,
				unitId: communeA.unit.id,
				recipients: [communeB.unit.id],
				bulk,
				reason: 'Văn bản chỉ đạo chỉ gửi cho các đơn vị trực thuộc.'
			});
			await attemptMail(`secretaryA invites its superior to a meeting (${how})`, 'secretaryA', {
				db: communeA.unit.db,
				unitId: communeA.unit.id,
				recipients: [province.unit.id],
				kind: 'meeting',
				bulk
			});
			await attemptMail(`secretaryA messages its sibling B (${how})`, 'secretaryA', {
				db: communeA.unit.db,
				unitId: communeA.unit.id,
				recipients: [communeB.unit.id],
				kind: 'message',
				bulk
			});
			await attemptMail(`provinceAdmin writes to another province (${how})`, 'provinceAdmin', {
				db: province.unit.db,
				unitId: province.unit.id,
				recipients: [communeA.unit.id, otherProvince.unit.id],
				kind: 'message',
				bulk
			});
		}
	});

	it('a mail in the name of a subordinate unit, or by a viewer', async () => {
		const { province, communeA } = org.units;
		await attemptMail('provinceAdmin sends as commune A (to the province)', 'provinceAdmin', {
			db: communeA.unit.db,
			unitId: communeA.unit.id,
			recipients: [province.unit.id],
			kind: 'message'
		});
		await attemptMail('viewerA sends a message to the province', 'viewerA', {
			db: communeA.unit.db,
			unitId: communeA.unit.id,
			recipients: [province.unit.id],
			kind: 'message'
		});
	});

	it('a mail naming a file its unit never uploaded nor received', async () => {
		const { province, communeA } = org.units;
		for (const bulk of [undefined, 'edits', 'replicated'] as const) {
			const how = bulk ?? 'put';
			await attemptMail(
				`provinceAdmin attaches another province's file (${how})`,
				'provinceAdmin',
				{
					db: province.unit.db,
					unitId: province.unit.id,
					recipients: [communeA.unit.id],
					attachments: [attachment(SHA_OTHER)],
					bulk,
					reason: 'Tệp đính kèm chưa được tải lên từ đơn vị này.'
				}
			);
			await attemptMail(`provinceAdmin attaches a file never uploaded (${how})`, 'provinceAdmin', {
				db: province.unit.db,
				unitId: province.unit.id,
				recipients: [communeA.unit.id],
				attachments: [attachment(SHA_MISSING)],
				bulk,
				reason: 'Tệp đính kèm chưa được tải lên từ đơn vị này.'
			});
		}
		const other = await fileDocOf(org.server, SHA_OTHER);
		expectRefused(
			'the other province file gained no reader',
			JSON.stringify(other?.readers) === JSON.stringify([org.units.otherProvince.unit.id])
		);
	});

	it('a sent mail is never rewritten nor deleted', async () => {
		const db = org.units.province.unit.db;
		const sent = await org.server.couch.getDoc<
			Record<string, unknown> & { _id: string; _rev: string }
		>({ db, id: ids().mail });
		await expectRefusedResponse(
			'provinceAdmin adds a recipient to a sent mail',
			await put('provinceAdmin', db, {
				...sent!,
				recipients: [org.units.communeA.unit.id, org.units.communeB.unit.id]
			})
		);
		await expectRefusedResponse(
			'provinceAdmin deletes a sent mail',
			await couch(org.server, `/${db}/${encodeURIComponent(ids().mail)}?rev=${sent!._rev}`, {
				method: 'DELETE',
				cookie: org.cookies.provinceAdmin
			})
		);
		const bulk = await couch(org.server, `/${db}/_bulk_docs`, {
			method: 'POST',
			cookie: org.cookies.provinceAdmin,
			body: { docs: [{ _id: ids().mail, _rev: sent!._rev, _deleted: true }] }
		});
		const rows = (await bulk.json()) as { error?: string }[];
		expectRefused('provinceAdmin deletes a sent mail (_bulk_docs)', rows[0]?.error === 'forbidden');
		expect(
			(await org.server.couch.getDoc<{ _id: string; _rev: string }>({ db, id: ids().mail }))?._rev
		).toBe(sent!._rev);
	});
});

describe('signing and recording in the name of another', () => {
	it("a mail signed with another unit's name arrives under its sender's own name", async () => {
		const mail = {
			...mailDoc({
				unitId: org.units.communeA.unit.id,
				login: org.logins.secretaryA,
				recipients: [org.units.province.unit.id]
			}),
			fromName: 'Ban Bí thư Trung ương Đoàn'
		};
		expect((await put('secretaryA', org.units.communeA.unit.db, mail)).status).toBe(201);
		const copy = await until(() =>
			org.server.couch.getDoc<{ _id: string; fromName?: string }>({
				db: org.units.province.unit.db,
				id: `mail-received:${org.units.communeA.unit.id}:${mailIdOf(mail)}`
			})
		);
		expectRefused(
			'secretaryA signs a message as the central committee',
			copy.fromName === org.units.communeA.unit.name,
			copy.fromName
		);
	});

	it("a meeting's attendance is the inviting unit's own record, never deleted", async () => {
		const at = new Date().toISOString();
		const attendance = (unitId: string, login: string) => ({
			_id: `meeting-attendance:${mailId}`,
			type: 'meeting-attendance',
			v: 1,
			unitId,
			mailId,
			units: { [org.units.communeA.unit.id]: { present: true } },
			recordedAt: at,
			recordedBy: login,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		});
		const a = org.units.communeA.unit;
		await expectRefusedResponse(
			"provinceAdmin records attendance in commune A's database",
			await put('provinceAdmin', a.db, attendance(a.id, org.logins.provinceAdmin))
		);
		await expectRefusedResponse(
			'viewerA records attendance',
			await put('viewerA', a.db, attendance(a.id, org.logins.viewerA))
		);
		const db = org.units.province.unit.db;
		const own = await put(
			'provinceAdmin',
			db,
			attendance(org.units.province.unit.id, org.logins.provinceAdmin)
		);
		expect(own.status).toBe(201);
		const { rev } = (await own.json()) as { rev: string };
		await expectRefusedResponse(
			'provinceAdmin deletes its meeting attendance',
			await couch(
				org.server,
				`/${db}/${encodeURIComponent(`meeting-attendance:${mailId}`)}?rev=${rev}`,
				{ method: 'DELETE', cookie: org.cookies.provinceAdmin }
			)
		);
		await expectRefusedResponse(
			'provinceAdmin records attendance for another meeting under this id',
			await put('provinceAdmin', db, {
				...attendance(org.units.province.unit.id, org.logins.provinceAdmin),
				_rev: rev,
				mailId: '01J0000000000000000000ABCD'
			})
		);
	});
});

describe('receipts that did not happen', () => {
	const receiptOf = (login: string, extra = {}) =>
		mailReceiptDoc({
			unitId: org.units.communeA.unit.id,
			login,
			fromUnitId: org.units.province.unit.id,
			mailId,
			extra
		});

	it("the superior cannot acknowledge the mail in the recipient's database", async () => {
		const at = new Date().toISOString();
		await expectRefusedResponse(
			'provinceAdmin writes an acknowledged receipt for commune A',
			await put(
				'provinceAdmin',
				org.units.communeA.unit.db,
				receiptOf(org.logins.provinceAdmin, {
					acknowledgedAt: at,
					acknowledgedBy: org.logins.provinceAdmin
				})
			)
		);
		await expectRefusedResponse(
			'secretaryB writes a receipt in commune A',
			await put('secretaryB', org.units.communeA.unit.db, receiptOf(org.logins.secretaryB))
		);
		await expectRefusedResponse(
			'viewerA writes a receipt',
			await put('viewerA', org.units.communeA.unit.db, receiptOf(org.logins.viewerA))
		);
	});

	it('an opened, acknowledged or answered receipt must name its writer', async () => {
		const at = new Date().toISOString();
		const db = org.units.communeA.unit.db;
		const forgeries: [string, Record<string, unknown>][] = [
			['openedBy', { openedAt: at, openedBy: org.logins.secretaryA }],
			['acknowledgedBy', { acknowledgedAt: at, acknowledgedBy: org.logins.secretaryA }],
			['response.by', { response: { answer: 'attending', at, by: org.logins.secretaryA } }]
		];
		for (const [field, extra] of forgeries) {
			await expectRefusedResponse(
				`deputyA records secretaryA in ${field}`,
				await put('deputyA', db, receiptOf(org.logins.deputyA, extra))
			);
		}
		await expectRefusedResponse(
			'deputyA writes a receipt whose id names another mail',
			await put('deputyA', db, {
				...receiptOf(org.logins.deputyA),
				_id: `mail-receipt:${org.units.province.unit.id}:01J0000000000000000000ABCD`
			})
		);
	});

	it('an opened time once recorded is never moved, and a receipt is never deleted', async () => {
		const db = org.units.communeA.unit.db;
		const first = receiptOf(org.logins.secretaryA, {
			openedAt: '2026-12-07T01:00:00.000Z',
			openedBy: org.logins.secretaryA
		});
		const res = await put('secretaryA', db, first);
		expect(res.status).toBe(201);
		const { rev } = (await res.json()) as { rev: string };
		await expectRefusedResponse(
			'deputyA moves the opened time and reader',
			await put('deputyA', db, {
				...first,
				_rev: rev,
				openedAt: '2026-12-07T03:00:00.000Z',
				openedBy: org.logins.deputyA,
				updatedBy: org.logins.deputyA
			})
		);
		await expectRefusedResponse(
			'secretaryA deletes the receipt',
			await couch(org.server, `/${db}/${encodeURIComponent(first._id)}?rev=${rev}`, {
				method: 'DELETE',
				cookie: org.cookies.secretaryA
			})
		);
		// The status shows the time the receipt first said.
		const status = await until(async () => {
			const doc = await statusDoc();
			return doc?.recipients[org.units.communeA.unit.id]?.openedAt ? doc : undefined;
		});
		expect(status.recipients[org.units.communeA.unit.id]).toMatchObject({
			openedAt: '2026-12-07T01:00:00.000Z',
			openedBy: org.logins.secretaryA
		});
	});

	it('a unit the mail was not sent to cannot appear in the status by writing a receipt', async () => {
		const doc = mailReceiptDoc({
			unitId: org.units.communeB.unit.id,
			login: org.logins.secretaryB,
			fromUnitId: org.units.province.unit.id,
			mailId,
			extra: { acknowledgedAt: new Date().toISOString(), acknowledgedBy: org.logins.secretaryB }
		});
		const res = await put('secretaryB', org.units.communeB.unit.db, doc);
		expect(res.status).toBe(201);
		const before = await statusDoc();
		org.server.workers.reminders.nudge(org.units.communeB.unit.db);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const after = await statusDoc();
		expectRefused(
			'secretaryB: a receipt for a mail sent to A only',
			!after?.recipients[org.units.communeB.unit.id] && after?._rev === before?._rev
		);
	});
});
