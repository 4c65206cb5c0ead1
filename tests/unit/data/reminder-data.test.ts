import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReceivedReminderDoc, ReminderStatusDoc } from '$lib/domain/reminders';
import {
	acknowledgeReminders,
	markReminderRead,
	sendReminder
} from '../../../src/lib/data/commands/reminders';
import {
	receivedReminders,
	sentReminder,
	sentReminders,
	unreadReminders
} from '../../../src/lib/data/queries/reminders';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { clearPushed } from '../../../src/lib/data/sync/outbox';

// The reminder screens' data on the device: a reminder written through the one writer is "chờ gửi"
// until pushed, then shows the server's status per recipient; a received copy is acknowledged once
// and read once, and leaves the unread list.

let run = 0;
let db = '';
const now = new Date('2026-12-07T20:30:00.000Z'); // 8 December in Vietnam

beforeEach(async () => {
	run++;
	db = `unit_tinhpt${run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('sending', () => {
	it('writes the reminder, waiting until pushed, then shows where it stands', async () => {
		const refused = await sendReminder({
			db,
			unit: { id: 'tinhpt', name: 'Tỉnh đoàn Phú Thọ' },
			input: { text: 'Cập nhật hồ sơ', deadline: '2026-12-07', recipients: ['xaa1'] },
			actor: { login: 'bithu' },
			now
		});
		// The 7th is already past in Vietnam at 20:30 UTC on the 7th.
		expect(refused).toEqual({
			ok: false,
			errors: { deadline: 'Hạn hoàn thành không được trước hôm nay.' }
		});

		const sent = await sendReminder({
			db,
			unit: { id: 'tinhpt', name: 'Tỉnh đoàn Phú Thọ' },
			input: { text: 'Cập nhật hồ sơ', deadline: '2026-12-08', recipients: ['xaa1', 'xab2'] },
			recipientNames: { xaa1: 'Xã A', xab2: 'Xã B' },
			actor: { login: 'bithu' },
			now
		});
		if (!sent.ok) throw new Error(JSON.stringify(sent.errors));
		await catchUp(db);
		expect(await sentReminders(db)).toMatchObject([
			{ id: sent.id, recipients: 2, waiting: true, delivered: 0, read: 0 }
		]);

		// Pushed, then the server's status comes down with a sync.
		const doc = await localDb(db).get(`reminder:${sent.id}`);
		await clearPushed({ db, docs: [doc] });
		const status: ReminderStatusDoc = {
			_id: `reminder-status:${sent.id}`,
			type: 'reminder-status',
			v: 1,
			unitId: 'tinhpt',
			reminderId: sent.id,
			recipients: {
				xaa1: {
					state: 'delivered',
					deliveredAt: now.toISOString(),
					receivedAt: now.toISOString(),
					readAt: now.toISOString(),
					readBy: 'bithu.xaa'
				},
				xab2: { state: 'delivered', deliveredAt: now.toISOString() }
			},
			createdAt: now.toISOString(),
			createdBy: 'bithu',
			updatedAt: now.toISOString(),
			updatedBy: 'bithu'
		};
		await localDb(db).put(status);
		await catchUp(db);
		expect(await sentReminders(db)).toMatchObject([
			{ id: sent.id, waiting: false, delivered: 2, read: 1 }
		]);
		const detail = await sentReminder({ db, id: sent.id });
		expect(detail?.recipients).toEqual([
			{ unitId: 'xab2', name: 'Xã B', progress: 'delivered', deliveredAt: now.toISOString() },
			{
				unitId: 'xaa1',
				name: 'Xã A',
				progress: 'read',
				deliveredAt: now.toISOString(),
				receivedAt: now.toISOString(),
				readAt: now.toISOString(),
				readBy: 'bithu.xaa'
			}
		]);
	});
});

describe('receiving', () => {
	it('acknowledges a new copy once, and reading it takes it off the unread list', async () => {
		const copy: ReceivedReminderDoc = {
			_id: 'reminder-received:tinhpt:01JEZ0000000000000000000AB',
			type: 'reminder-received',
			v: 1,
			unitId: 'xaa1',
			reminderId: '01JEZ0000000000000000000AB',
			fromUnitId: 'tinhpt',
			fromName: 'Tỉnh đoàn Phú Thọ',
			text: 'Cập nhật hồ sơ',
			sentAt: now.toISOString(),
			sentBy: 'bithu',
			createdAt: now.toISOString(),
			createdBy: 'bithu',
			updatedAt: now.toISOString(),
			updatedBy: 'bithu'
		};
		await localDb(db).put(copy);
		await catchUp(db);
		expect(await unreadReminders(db)).toMatchObject([{ docId: copy._id, received: false }]);

		const actor = { login: 'bithu.xaa' };
		await acknowledgeReminders({ db, unitId: 'xaa1', reminders: [copy], actor });
		await acknowledgeReminders({ db, unitId: 'xaa1', reminders: [copy], actor });
		const receipt = await localDb(db).get<{ receivedAt: string; readAt?: string }>(
			'reminder-receipt:tinhpt:01JEZ0000000000000000000AB'
		);
		expect(receipt._rev).toMatch(/^1-/);
		expect(await deviceDb.outbox.get(receipt._id)).toBeDefined();
		await catchUp(db);
		expect(await unreadReminders(db)).toMatchObject([{ docId: copy._id, received: true }]);

		await markReminderRead({ db, unitId: 'xaa1', reminder: copy, actor });
		await markReminderRead({ db, unitId: 'xaa1', reminder: copy, actor: { login: 'other' } });
		await catchUp(db);
		expect(await unreadReminders(db)).toEqual([]);
		const [read] = await receivedReminders(db);
		// The first reading counts; the receipt keeps its received time.
		expect(read).toMatchObject({ readBy: 'bithu.xaa' });
		const stored = await localDb(db).get<{ receivedAt: string; readAt?: string }>(receipt._id);
		expect(stored.receivedAt).toBe(receipt.receivedAt);
		expect(stored._rev).toMatch(/^2-/);
	});
});
