import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailStatusDoc, ReceivedMailDoc } from '$lib/domain/mail';
import {
	acknowledgeMail,
	answerMeeting,
	markMailOpened,
	recordAttendance,
	recordMailReceived,
	sendMail
} from '../../../src/lib/data/commands/mail';
import {
	inbox,
	receivedMail,
	receivedMails,
	sentMail,
	sentMails,
	unreadMailCounts,
	upcomingMeetings
} from '../../../src/lib/data/queries/mail';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { clearPushed } from '../../../src/lib/data/sync/outbox';

// The mail screens' data on the device: a mail written through the one writer is "chờ gửi" until
// pushed, then shows the server's status per recipient; a received copy is counted unread until
// opened, its receipt written once and never moved; a reply marks the original replied.

let run = 0;
let db = '';
const now = new Date('2026-12-07T14:30:00.000Z'); // 21:30 on 7 December in Vietnam
const ULID_A = '01JEZ0000000000000000000AB';
const ULID_M = '01JEZ0000000000000000000MM';
const units = [{ id: 'xaa1', name: 'Đoàn xã A1', parentId: 'tinhpt', status: 'active' }];

beforeEach(async () => {
	run++;
	db = `unit_xaa${run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

function copy(options: { mailId: string; kind: 'directive' | 'meeting'; startsAt?: string }): ReceivedMailDoc {
	return {
		_id: `mail-received:tinhpt:${options.mailId}`,
		type: 'mail-received',
		v: 1,
		unitId: 'xaa1',
		mailId: options.mailId,
		fromUnitId: 'tinhpt',
		fromName: 'Tỉnh đoàn Phú Thọ',
		kind: options.kind,
		subject: options.kind === 'directive' ? 'Tổng kết năm' : 'Họp triển khai',
		recipients: ['xaa1'],
		...(options.kind === 'directive'
			? {
					directive: {
						docType: 'CV' as const,
						number: '15-CV/TĐTN',
						date: '2026-12-07',
						summary: 'V/v tổng kết'
					}
				}
			: { meeting: { startsAt: options.startsAt!, place: 'Hội trường' } }),
		sentAt: now.toISOString(),
		sentBy: 'bithu.tinh',
		createdAt: now.toISOString(),
		createdBy: 'bithu.tinh',
		updatedAt: now.toISOString(),
		updatedBy: 'bithu.tinh'
	};
}

describe('sending', () => {
	it('writes the mail, waiting until pushed, then shows each recipient’s progress', async () => {
		const sent = await sendMail({
			db: `unit_tinhpt${run}`,
			unit: { id: 'tinhpt', name: 'Tỉnh đoàn Phú Thọ' },
			input: { kind: 'message', mode: 'children', recipients: [], subject: 'Lịch trực', body: 'Xem' },
			units,
			actor: { login: 'bithu.tinh' },
			now
		});
		if (!sent.ok) throw new Error(JSON.stringify(sent.errors));
		const senderDb = `unit_tinhpt${run}`;
		await catchUp(senderDb);
		expect(await sentMails(senderDb)).toMatchObject([
			{ id: sent.id, recipients: 1, waiting: true, opened: 0 }
		]);
		await clearPushed({ db: senderDb, docs: [await localDb(senderDb).get(`mail:${sent.id}`)] });
		const status: MailStatusDoc = {
			_id: `mail-status:${sent.id}`,
			type: 'mail-status',
			v: 1,
			unitId: 'tinhpt',
			mailId: sent.id,
			recipients: {
				xaa1: { state: 'delivered', deliveredAt: now.toISOString(), openedAt: now.toISOString(), openedBy: 'bithu.xa' }
			},
			createdAt: now.toISOString(),
			createdBy: 'server',
			updatedAt: now.toISOString(),
			updatedBy: 'server'
		};
		await localDb(senderDb).put(status);
		await catchUp(senderDb);
		const detail = await sentMail({ db: senderDb, id: sent.id });
		expect(detail?.summary).toMatchObject({ waiting: false, opened: 1, delivered: 1 });
		expect(detail?.recipients).toMatchObject([{ unitId: 'xaa1', name: 'Đoàn xã A1', progress: 'opened' }]);
		await destroyLocalDbs([senderDb]);
	});
});

describe('receiving', () => {
	it('counts unread until opened; receipts record once and never move', async () => {
		await localDb(db).bulkDocs([
			copy({ mailId: ULID_A, kind: 'directive' }),
			copy({ mailId: ULID_M, kind: 'meeting', startsAt: '2026-12-08T01:00:00.000Z' })
		]);
		await catchUp(db);
		expect(await unreadMailCounts(db)).toEqual({ total: 2, message: 0, directive: 1, meeting: 1 });
		expect((await inbox({ db, kind: 'meeting' })).map((r) => r.mailId)).toEqual([ULID_M]);
		const rows = await receivedMails(db);
		expect(rows.every((r) => !r.received)).toBe(true);

		await recordMailReceived({ db, unitId: 'xaa1', mails: rows, actor: { login: 'bithu.xa' } });
		await catchUp(db);
		const firstSight = (await receivedMails(db)).map((r) => r.received);
		expect(firstSight).toEqual([true, true]);
		const receipt = await localDb(db).get<{ receivedAt: string; _rev: string }>(
			`mail-receipt:tinhpt:${ULID_A}`
		);
		// Seen again on another screen: nothing is written.
		await recordMailReceived({ db, unitId: 'xaa1', mails: rows, actor: { login: 'pho.xa' } });
		expect((await localDb(db).get(`mail-receipt:tinhpt:${ULID_A}`))._rev).toBe(receipt._rev);

		const ref = { fromUnitId: 'tinhpt', mailId: ULID_A };
		await markMailOpened({ db, unitId: 'xaa1', mail: ref, actor: { login: 'bithu.xa' } });
		await acknowledgeMail({ db, unitId: 'xaa1', mail: ref, actor: { login: 'bithu.xa' } });
		await catchUp(db);
		const opened = await receivedMail({ db, ...ref });
		expect(opened).toMatchObject({ openedBy: 'bithu.xa', acknowledgedBy: 'bithu.xa' });
		await markMailOpened({ db, unitId: 'xaa1', mail: ref, actor: { login: 'pho.xa' } });
		await catchUp(db);
		expect((await receivedMail({ db, ...ref }))?.openedAt).toBe(opened?.openedAt);
		expect(await unreadMailCounts(db)).toEqual({ total: 1, message: 0, directive: 0, meeting: 1 });

		// The meeting is answered; the reminder list keeps it; an absence takes it off.
		const mail = { fromUnitId: 'tinhpt', mailId: ULID_M };
		const before = new Date('2026-12-07T20:00:00.000Z');
		expect((await upcomingMeetings({ db, now: before })).map((m) => m.mailId)).toEqual([ULID_M]);
		const missing = await answerMeeting({
			db,
			unitId: 'xaa1',
			mail,
			startsAt: '2026-12-08T01:00:00.000Z',
			input: { answer: 'absent', reason: '', delegate: '' },
			actor: { login: 'bithu.xa' },
			now: before
		});
		expect(missing).toEqual({ ok: false, errors: { reason: 'Hãy nhập lý do vắng mặt.' } });
		const absent = await answerMeeting({
			db,
			unitId: 'xaa1',
			mail,
			startsAt: '2026-12-08T01:00:00.000Z',
			input: { answer: 'absent', reason: 'Trùng lịch tiếp dân', delegate: '' },
			actor: { login: 'bithu.xa' },
			now: before
		});
		expect(absent).toEqual({ ok: true });
		await catchUp(db);
		expect(await upcomingMeetings({ db, now: before })).toEqual([]);
		expect(await unreadMailCounts(db)).toMatchObject({ total: 0 });
	});

	it('a reply goes to the sender and marks the original replied, in one write', async () => {
		await localDb(db).put(copy({ mailId: ULID_A, kind: 'directive' }));
		await catchUp(db);
		const reply = await sendMail({
			db,
			unit: { id: 'xaa1', name: 'Đoàn xã A1' },
			input: {
				kind: 'message',
				mode: 'units',
				recipients: [],
				subject: 'Trả lời: Tổng kết năm',
				body: 'Đã triển khai',
				replyTo: { unitId: 'tinhpt', mailId: ULID_A }
			},
			units: [],
			actor: { login: 'bithu.xa' },
			now
		});
		if (!reply.ok) throw new Error(JSON.stringify(reply.errors));
		await catchUp(db);
		expect(await receivedMail({ db, fromUnitId: 'tinhpt', mailId: ULID_A })).toMatchObject({
			repliedAt: now.toISOString(),
			openedAt: now.toISOString()
		});
		const written = await localDb(db).get<{ recipients: string[]; inReplyTo: unknown }>(`mail:${reply.id}`);
		expect(written).toMatchObject({
			recipients: ['tinhpt'],
			inReplyTo: { unitId: 'tinhpt', mailId: ULID_A },
			threadId: ULID_A
		});
	});
});

describe('after a meeting', () => {
	it('records who attended, and may record it again', async () => {
		const senderDb = `unit_tinhpt${run}`;
		const first = await recordAttendance({
			db: senderDb,
			unitId: 'tinhpt',
			mailId: ULID_M,
			units: { xaa1: { present: true }, xab1: { present: false, note: '  ' } },
			actor: { login: 'bithu.tinh' }
		});
		expect(first).toEqual({ ok: true });
		const again = await recordAttendance({
			db: senderDb,
			unitId: 'tinhpt',
			mailId: ULID_M,
			units: { xaa1: { present: true }, xab1: { present: true, note: 'Cử người dự thay' } },
			actor: { login: 'pho.tinh' }
		});
		expect(again).toEqual({ ok: true });
		expect(await localDb(senderDb).get(`meeting-attendance:${ULID_M}`)).toMatchObject({
			type: 'meeting-attendance',
			mailId: ULID_M,
			units: { xaa1: { present: true }, xab1: { present: true, note: 'Cử người dự thay' } },
			createdBy: 'bithu.tinh',
			recordedBy: 'pho.tinh'
		});
		await destroyLocalDbs([senderDb]);
	});
});

describe('a damaged copy', () => {
	it('is left out of the inbox rather than breaking it', async () => {
		const broken = { ...copy({ mailId: ULID_M, kind: 'directive' }), directive: undefined, kind: 'fax' };
		await localDb(db).bulkDocs([copy({ mailId: ULID_A, kind: 'directive' }), broken]);
		await catchUp(db);
		expect((await receivedMails(db)).map((r) => r.mailId)).toEqual([ULID_A]);
	});
});
