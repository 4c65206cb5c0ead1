import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MailDocSchema, MailReceiptDocSchema } from '../../../src/lib/domain/mail/mail-schema';
import {
	ReminderDocSchema,
	ReminderStatusDocSchema
} from '../../../src/lib/domain/reminders/reminder-schema';

// Mail and reminders share their common fields (post-office-fields.ts): documents stored before
// that still load, and the shared fields still refuse what they refused.

const ULID = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const stamps = {
	createdAt: '2026-12-01T03:00:00.000Z',
	createdBy: 'bithu.a',
	updatedAt: '2026-12-01T03:00:00.000Z',
	updatedBy: 'bithu.a'
};

const storedReminder = {
	_id: `reminder:${ULID}`,
	_rev: '1-abc',
	type: 'reminder',
	v: 1,
	unitId: 'unit0001',
	text: 'Nộp báo cáo tháng',
	deadline: '2026-12-15',
	recipients: ['unit0002'],
	...stamps
};
const storedMail = {
	_id: `mail:${ULID}`,
	type: 'mail',
	v: 1,
	unitId: 'unit0001',
	kind: 'message',
	subject: 'Họp chi đoàn',
	recipients: ['unit0002'],
	...stamps
};

describe('post-office documents stored before the shared fields', () => {
	it('still load, field for field', () => {
		expect(v.parse(ReminderDocSchema, storedReminder)).toEqual(storedReminder);
		expect(v.parse(MailDocSchema, storedMail)).toEqual(storedMail);
		const status = {
			_id: `reminder-status:${ULID}`,
			type: 'reminder-status',
			v: 1,
			unitId: 'unit0001',
			reminderId: ULID,
			recipients: { unit0002: { state: 'delivered' } },
			...stamps
		};
		expect(v.parse(ReminderStatusDocSchema, status)).toEqual(status);
		const receipt = {
			_id: `mail-receipt:unit0001:${ULID}`,
			type: 'mail-receipt',
			v: 1,
			unitId: 'unit0002',
			mailId: ULID,
			fromUnitId: 'unit0001',
			receivedAt: '2026-12-01T04:00:00.000Z',
			...stamps
		};
		expect(v.parse(MailReceiptDocSchema, receipt)).toEqual(receipt);
	});

	it('are refused with the same words when a shared field is wrong', () => {
		const badId = v.safeParse(MailDocSchema, { ...storedMail, _id: 'mail:x' });
		expect(badId.issues?.[0]?.message).toBe('Mã thư không hợp lệ.');
		const badType = v.safeParse(ReminderDocSchema, { ...storedReminder, type: 'mail' });
		expect(badType.success).toBe(false);
		const newer = v.safeParse(ReminderDocSchema, { ...storedReminder, v: 2 });
		expect(newer.success).toBe(false);
		const noWriter = v.safeParse(MailDocSchema, { ...storedMail, createdBy: '' });
		expect(noWriter.issues?.[0]?.message).toBe('Thiếu tên tài khoản.');
		const badTime = v.safeParse(ReminderDocSchema, { ...storedReminder, updatedAt: 'hôm qua' });
		expect(badTime.issues?.[0]?.message).toBe('Thời điểm phải theo dạng ISO 8601.');
		const badUnit = v.safeParse(MailDocSchema, { ...storedMail, unitId: 'X' });
		expect(badUnit.issues?.[0]?.message).toBe('Mã đơn vị không hợp lệ.');
	});
});
