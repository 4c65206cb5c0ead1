import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	acknowledgedReceipt,
	MailReceiptDocSchema,
	meetingAnswerReceipt,
	meetingAnswerText,
	meetingReminder,
	openedReceipt,
	receivedReceipt,
	repliedReceipt,
	type ReceiptContext
} from '../../../src/lib/domain/mail';

const context = (at: string, login = 'bithu.xa'): ReceiptContext => ({
	unitId: 'xaa1',
	fromUnitId: 'tinhpt',
	mailId: '01HZX3Q8R2M4N6P8S0T2V4W6Y8',
	at,
	login
});
const T1 = '2026-12-07T01:00:00.000Z';
const T2 = '2026-12-07T02:00:00.000Z';
const T3 = '2026-12-07T03:00:00.000Z';

describe('mail receipts', () => {
	it('records first sight once, under the id the contract names', () => {
		const first = receivedReceipt(undefined, context(T1));
		expect(first).toMatchObject({
			_id: 'mail-receipt:tinhpt:01HZX3Q8R2M4N6P8S0T2V4W6Y8',
			receivedAt: T1
		});
		expect(v.safeParse(MailReceiptDocSchema, first).success).toBe(true);
		expect(receivedReceipt(first!, context(T2))).toBeNull();
	});

	it('never moves the opening or the acknowledgement once set, nor who did it', () => {
		const received = receivedReceipt(undefined, context(T1))!;
		const opened = openedReceipt(received, context(T2, 'phobithu.xa'))!;
		expect(opened).toMatchObject({
			receivedAt: T1,
			openedAt: T2,
			openedBy: 'phobithu.xa',
			createdBy: 'bithu.xa'
		});
		expect(openedReceipt(opened, context(T3))).toBeNull();
		const acknowledged = acknowledgedReceipt(opened, context(T3))!;
		expect(acknowledged).toMatchObject({
			openedAt: T2,
			acknowledgedAt: T3,
			acknowledgedBy: 'bithu.xa'
		});
		expect(acknowledgedReceipt(acknowledged, context('2026-12-07T04:00:00.000Z'))).toBeNull();
	});

	it('acknowledging or replying without an opening records the opening too', () => {
		expect(acknowledgedReceipt(undefined, context(T1))).toMatchObject({
			receivedAt: T1,
			openedAt: T1,
			acknowledgedAt: T1
		});
		const replied = repliedReceipt(undefined, context(T2))!;
		expect(replied).toMatchObject({ openedAt: T2, repliedAt: T2 });
		expect(repliedReceipt(replied, context(T3))).toBeNull();
	});

	it('answers a meeting: absent needs a reason, a delegate a name; changeable until it starts', () => {
		const startsAt = '2026-12-08T01:00:00.000Z';
		const absent = meetingAnswerReceipt({
			existing: undefined,
			context: context(T1),
			input: { answer: 'absent', reason: ' ', delegate: '' },
			startsAt
		});
		expect(absent).toEqual({ ok: false, errors: { reason: 'Hãy nhập lý do vắng mặt.' } });
		const delegate = meetingAnswerReceipt({
			existing: undefined,
			context: context(T1),
			input: { answer: 'delegate', reason: '', delegate: '' },
			startsAt
		});
		expect(delegate).toEqual({ ok: false, errors: { delegate: 'Hãy nhập họ tên người dự thay.' } });
		const attending = meetingAnswerReceipt({
			existing: undefined,
			context: context(T1),
			input: { answer: 'attending', reason: 'ignored', delegate: '' },
			startsAt
		});
		expect(attending.ok && attending.doc.response).toEqual({
			answer: 'attending',
			at: T1,
			by: 'bithu.xa'
		});
		if (!attending.ok) return;
		const changed = meetingAnswerReceipt({
			existing: attending.doc,
			context: context(T2),
			input: { answer: 'delegate', reason: '', delegate: 'Nguyễn Văn An' },
			startsAt
		});
		expect(changed.ok && changed.doc).toMatchObject({
			openedAt: T1,
			response: { answer: 'delegate', delegate: 'Nguyễn Văn An', at: T2 }
		});
		expect(changed.ok && meetingAnswerText(changed.doc.response!)).toBe(
			'Cử người dự thay: Nguyễn Văn An'
		);
		const late = meetingAnswerReceipt({
			existing: attending.doc,
			context: context(startsAt),
			input: { answer: 'absent', reason: 'Ốm', delegate: '' },
			startsAt
		});
		expect(late).toEqual({
			ok: false,
			errors: { answer: 'Cuộc họp đã bắt đầu: không trả lời giấy mời được nữa.' }
		});
	});
});

describe('meeting reminders on the phone', () => {
	// 08:00 on 8 December in Vietnam.
	const startsAt = '2026-12-08T01:00:00.000Z';
	it('says today or tomorrow by Vietnam’s calendar, not the machine’s', () => {
		// 23:30 on the 7th in Vietnam (16:30 UTC, still the 7th in UTC too).
		expect(meetingReminder({ startsAt, now: new Date('2026-12-07T16:30:00.000Z') })).toBe(
			'Họp lúc 08:00 ngày mai'
		);
		// 00:30 on the 8th in Vietnam, while UTC still says the 7th.
		expect(meetingReminder({ startsAt, now: new Date('2026-12-07T17:30:00.000Z') })).toBe(
			'Họp lúc 08:00 hôm nay'
		);
		// The hour before: the minutes left.
		expect(meetingReminder({ startsAt, now: new Date('2026-12-08T00:20:00.000Z') })).toBe(
			'Họp lúc 08:00, còn 40 phút'
		);
		expect(meetingReminder({ startsAt, now: new Date('2026-12-08T00:59:30.000Z') })).toBe(
			'Họp lúc 08:00, còn 1 phút'
		);
		expect(meetingReminder({ startsAt, now: new Date('2026-12-08T00:00:00.000Z') })).toBe(
			'Họp lúc 08:00, còn 60 phút'
		);
		expect(meetingReminder({ startsAt, now: new Date('2026-12-07T23:59:00.000Z') })).toBe(
			'Họp lúc 08:00 hôm nay'
		);
		expect(meetingReminder({ startsAt, now: new Date('2026-12-08T01:30:00.000Z') })).toBe(
			'Đang họp (từ 08:00)'
		);
		expect(meetingReminder({ startsAt, now: new Date('2026-12-08T03:00:00.000Z') })).toBeNull();
		expect(meetingReminder({ startsAt, now: new Date('2026-12-06T10:00:00.000Z') })).toBeNull();
	});
});
