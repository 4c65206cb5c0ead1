import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	composeReminder,
	recipientProgress,
	ReminderDocSchema,
	ReminderReceiptDocSchema,
	reminderUlidOf,
	type ReminderInput
} from '../../../src/lib/domain/reminders';

const ULID = '01HZX3Q8R2M4N6P8S0T2V4W6Y8';
const base = {
	unitId: 'tinhpt',
	unitName: 'Tỉnh đoàn Phú Thọ',
	today: '2026-12-08',
	ulid: ULID,
	now: '2026-12-07T20:30:00.000Z',
	login: 'bithu.tinh'
};

function compose(input: Partial<ReminderInput>) {
	return composeReminder({
		...base,
		input: { text: 'Đề nghị cập nhật hồ sơ', deadline: '', recipients: ['xaa1', 'xab2'], ...input }
	});
}

describe('composing a reminder', () => {
	it('makes a valid reminder document', () => {
		const result = compose({ deadline: '2026-12-20' });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.doc._id).toBe(`reminder:${ULID}`);
		expect(result.doc.deadline).toBe('2026-12-20');
		expect(v.safeParse(ReminderDocSchema, result.doc).success).toBe(true);
	});

	it('refuses empty text and text over 500 characters, in Vietnamese', () => {
		const empty = compose({ text: '   ' });
		expect(empty.ok).toBe(false);
		if (!empty.ok) expect(empty.errors.text).toBe('Hãy nhập nội dung đôn đốc.');
		const long = compose({ text: 'a'.repeat(501) });
		if (!long.ok) expect(long.errors.text).toMatch(/không quá 500/);
		else throw new Error('accepted 501 characters');
		expect(compose({ text: 'a'.repeat(500) }).ok).toBe(true);
	});

	it("judges the deadline against Vietnam's today, not the machine's date", () => {
		// At 20:30 UTC on the 7th it is already the 8th in Vietnam (the caller passes Vietnam's today).
		const yesterday = compose({ deadline: '2026-12-07' });
		expect(yesterday.ok).toBe(false);
		if (!yesterday.ok) expect(yesterday.errors.deadline).toMatch(/trước hôm nay/);
		expect(compose({ deadline: '2026-12-08' }).ok).toBe(true);
		const nonsense = compose({ deadline: '2026-02-30' });
		if (!nonsense.ok) expect(nonsense.errors.deadline).toMatch(/ngày hợp lệ/);
		else throw new Error('accepted 30 February');
	});

	it('needs 1 to 500 distinct recipients, never the sender itself', () => {
		const none = compose({ recipients: [] });
		if (!none.ok) expect(none.errors.recipients).toMatch(/ít nhất một/);
		else throw new Error('accepted no recipient');
		const many = compose({ recipients: Array.from({ length: 501 }, (_, i) => `unit${i}`) });
		expect(many.ok).toBe(false);
		expect(compose({ recipients: ['xaa1', 'xaa1'] }).ok).toBe(false);
		expect(compose({ recipients: ['tinhpt'] }).ok).toBe(false);
		expect(compose({ recipients: ['BAD ID'] }).ok).toBe(false);
	});
});

describe('the reminder documents', () => {
	it('a receipt needs a received time and well-formed ids', () => {
		const receipt = {
			_id: `reminder-receipt:tinhpt:${ULID}`,
			type: 'reminder-receipt',
			v: 1,
			unitId: 'xaa1',
			reminderId: ULID,
			fromUnitId: 'tinhpt',
			receivedAt: base.now,
			createdAt: base.now,
			createdBy: 'bithu.xa',
			updatedAt: base.now,
			updatedBy: 'bithu.xa'
		};
		expect(v.safeParse(ReminderReceiptDocSchema, receipt).success).toBe(true);
		expect(
			v.safeParse(ReminderReceiptDocSchema, { ...receipt, receivedAt: 'hôm qua' }).success
		).toBe(false);
	});

	it('finds the reminder of any of its documents', () => {
		expect(reminderUlidOf(`reminder:${ULID}`)).toBe(ULID);
		expect(reminderUlidOf(`reminder-received:tinhpt:${ULID}`)).toBe(ULID);
		expect(reminderUlidOf('reminder:nope')).toBeUndefined();
	});

	it('tells where a reminder stands at a recipient', () => {
		expect(recipientProgress(undefined)).toBe('waiting');
		expect(recipientProgress({ state: 'refused' })).toBe('refused');
		expect(recipientProgress({ state: 'delivered' })).toBe('delivered');
		expect(recipientProgress({ state: 'delivered', receivedAt: base.now })).toBe('received');
		expect(recipientProgress({ state: 'delivered', receivedAt: base.now, readAt: base.now })).toBe(
			'read'
		);
	});
});
