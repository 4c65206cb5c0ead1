import { describe, expect, it } from 'vitest';
import {
	composeReminder,
	lastReminders,
	type ReminderDoc,
	type ReminderStatusDoc
} from '../../../src/lib/domain/reminders';

// The dashboard's cards say whom the superior already reminded and how far the latest reminder got.

function reminder(options: { ulid: string; recipients: string[]; now: string }): ReminderDoc {
	const result = composeReminder({
		unitId: 'tinhpt',
		unitName: 'Tỉnh đoàn Phú Thọ',
		today: '2026-12-08',
		ulid: options.ulid,
		now: options.now,
		login: 'bithu.tinh',
		input: { text: 'Đề nghị cập nhật hồ sơ', deadline: '', recipients: options.recipients }
	});
	if (!result.ok) throw new Error('not composed');
	return result.doc;
}

function status(ulid: string, recipients: ReminderStatusDoc['recipients']): ReminderStatusDoc {
	const at = '2026-12-08T01:00:00.000Z';
	return {
		_id: `reminder-status:${ulid}`,
		type: 'reminder-status',
		v: 1,
		unitId: 'tinhpt',
		reminderId: ulid,
		recipients,
		createdAt: at,
		createdBy: 'server',
		updatedAt: at,
		updatedBy: 'server'
	} as ReminderStatusDoc;
}

const OLDER = '01HZX3Q8R2M4N6P8S0T2V4W6Y8';
const NEWER = '01J0000000000000000000000A';

describe('the latest reminder of each unit', () => {
	it('keeps the newest reminder per recipient with that unit’s own progress', () => {
		const reminders = [
			reminder({ ulid: NEWER, recipients: ['xaa1'], now: '2026-12-07T20:30:00.000Z' }),
			reminder({ ulid: OLDER, recipients: ['xaa1', 'xab2'], now: '2026-11-30T02:00:00.000Z' })
		];
		const statuses = [
			status(OLDER, {
				xaa1: { state: 'delivered', readAt: '2026-12-01T03:00:00.000Z', readBy: 'bithu.xa' },
				xab2: { state: 'delivered', receivedAt: '2026-12-01T03:00:00.000Z' }
			}),
			status(NEWER, { xaa1: { state: 'delivered' } })
		];
		const latest = lastReminders({ reminders, statuses });
		// xaa1 read the older one; the newer one is only delivered: the card says the newer.
		expect(latest.get('xaa1')).toEqual({
			reminderId: NEWER,
			sentAt: '2026-12-07T20:30:00.000Z',
			progress: 'delivered'
		});
		expect(latest.get('xab2')).toEqual({
			reminderId: OLDER,
			sentAt: '2026-11-30T02:00:00.000Z',
			progress: 'received'
		});
		expect(latest.has('xac3')).toBe(false);
	});

	it('says waiting before the server has it, and refused when the server refused it', () => {
		const reminders = [
			reminder({ ulid: OLDER, recipients: ['xaa1'], now: '2026-12-07T20:30:00Z' })
		];
		expect(lastReminders({ reminders, statuses: [] }).get('xaa1')?.progress).toBe('waiting');
		expect(
			lastReminders({ reminders, statuses: [], refused: new Set([`reminder:${OLDER}`]) }).get(
				'xaa1'
			)?.progress
		).toBe('refused');
	});
});
