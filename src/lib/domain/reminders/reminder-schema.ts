import * as v from 'valibot';
import { isIsoDate } from '../dates';
import { ULID_PATTERN } from '../org/ids';
import {
	LoginSchema as Login,
	postDocHead,
	STAMP_ENTRIES,
	TimestampSchema as Timestamp,
	ulidSchema,
	UnitIdSchema as UnitId
} from '../post-office-fields';

// Reminders (đôn đốc) on the post-office design (docs/decisions/0018-reminders-and-receipts.md):
//   - `reminder:<ulid>` (type `reminder`): written by the sender's device (secretary or deputy) in
//     its own unit database; never changed or deleted once written;
//   - `reminder-received:<senderUnitId>:<ulid>` (type `reminder-received`): the copy the server's
//     reminder worker delivers into each recipient unit's database (server-written only);
//   - `reminder-receipt:<senderUnitId>:<ulid>` (type `reminder-receipt`): written by the recipient's
//     device beside the copy: received at first sight after a sync, read when the secretary opens it;
//   - `reminder-status:<ulid>` (type `reminder-status`): one per reminder, in the sender's database,
//     written by the worker only: per recipient unit, delivered / received / read (who and when).
// Version 1 of all four.

export const REMINDER_SCHEMA_VERSION = 1 as const;
export const REMINDER_TEXT_MAX = 500;
export const REMINDER_RECIPIENTS_MAX = 500;

const Ulid = ulidSchema('Mã đôn đốc không hợp lệ.');

export const ReminderTextSchema = v.pipe(
	v.string('Nội dung đôn đốc phải là văn bản.'),
	v.trim(),
	v.minLength(1, 'Hãy nhập nội dung đôn đốc.'),
	v.maxLength(REMINDER_TEXT_MAX, `Nội dung đôn đốc không quá ${REMINDER_TEXT_MAX} ký tự.`)
);

export const ReminderDeadlineSchema = v.pipe(
	v.string(),
	v.check((value: string) => isIsoDate(value), 'Hạn hoàn thành phải là một ngày hợp lệ.')
);

export const ReminderRecipientsSchema = v.pipe(
	v.array(UnitId, 'Danh sách đơn vị nhận không hợp lệ.'),
	v.minLength(1, 'Hãy chọn ít nhất một đơn vị nhận đôn đốc.'),
	v.maxLength(
		REMINDER_RECIPIENTS_MAX,
		`Một lần đôn đốc gửi tối đa ${REMINDER_RECIPIENTS_MAX} đơn vị.`
	),
	v.check((ids) => new Set(ids).size === ids.length, 'Danh sách đơn vị nhận có đơn vị bị lặp.')
);

export const ReminderDocSchema = v.object({
	...postDocHead({
		idPattern: /^reminder:[0-9A-HJKMNP-TV-Z]{26}$/,
		idMessage: 'Mã đôn đốc không hợp lệ.',
		type: 'reminder',
		version: REMINDER_SCHEMA_VERSION
	}),
	/** The sender's unit (the database's). */
	unitId: UnitId,
	text: ReminderTextSchema,
	/** Vietnam's date by which the recipients should act (ISO), if any. */
	deadline: v.optional(ReminderDeadlineSchema),
	recipients: ReminderRecipientsSchema,
	/** The sender unit's name when it was sent, shown to the recipients. */
	fromName: v.optional(v.pipe(v.string(), v.maxLength(200))),
	/** The recipients' names as the sender's device knew them, for its own screens offline. */
	recipientNames: v.optional(v.record(v.string(), v.pipe(v.string(), v.maxLength(200)))),
	...STAMP_ENTRIES
});
export type ReminderDoc = v.InferOutput<typeof ReminderDocSchema>;

export const ReceivedReminderDocSchema = v.object({
	...postDocHead({
		idPattern: /^reminder-received:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'reminder-received',
		version: REMINDER_SCHEMA_VERSION
	}),
	/** The recipient's unit (the database's). */
	unitId: UnitId,
	reminderId: Ulid,
	fromUnitId: UnitId,
	fromName: v.string(),
	text: v.string(),
	deadline: v.optional(v.string()),
	sentAt: Timestamp,
	sentBy: Login,
	/** When the server delivered it (= createdAt). */
	...STAMP_ENTRIES
});
export type ReceivedReminderDoc = v.InferOutput<typeof ReceivedReminderDocSchema>;

export const ReminderReceiptDocSchema = v.object({
	...postDocHead({
		idPattern: /^reminder-receipt:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'reminder-receipt',
		version: REMINDER_SCHEMA_VERSION
	}),
	/** The recipient's unit (the database's). */
	unitId: UnitId,
	reminderId: Ulid,
	fromUnitId: UnitId,
	/** The first time a device of the unit held the copy (after a sync). */
	receivedAt: Timestamp,
	/** The first time a secretary of the unit opened it, and who. */
	readAt: v.optional(Timestamp),
	readBy: v.optional(Login),
	...STAMP_ENTRIES
});
export type ReminderReceiptDoc = v.InferOutput<typeof ReminderReceiptDocSchema>;

export const RecipientStatusSchema = v.object({
	/** `refused`: the worker would not deliver (not a subordinate unit): `reason` says why. */
	state: v.picklist(['delivered', 'refused']),
	reason: v.optional(v.string()),
	deliveredAt: v.optional(Timestamp),
	receivedAt: v.optional(Timestamp),
	readAt: v.optional(Timestamp),
	readBy: v.optional(Login)
});
export type RecipientStatus = v.InferOutput<typeof RecipientStatusSchema>;

export const ReminderStatusDocSchema = v.object({
	...postDocHead({
		idPattern: /^reminder-status:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'reminder-status',
		version: REMINDER_SCHEMA_VERSION
	}),
	/** The sender's unit (the database's). */
	unitId: UnitId,
	reminderId: Ulid,
	/** Per recipient unit id. */
	recipients: v.record(v.string(), RecipientStatusSchema),
	...STAMP_ENTRIES
});
export type ReminderStatusDoc = v.InferOutput<typeof ReminderStatusDocSchema>;

export function reminderDocId(ulid: string): string {
	return `reminder:${ulid}`;
}
export function receivedReminderDocId(options: { fromUnitId: string; reminderId: string }): string {
	return `reminder-received:${options.fromUnitId}:${options.reminderId}`;
}
export function reminderReceiptDocId(options: { fromUnitId: string; reminderId: string }): string {
	return `reminder-receipt:${options.fromUnitId}:${options.reminderId}`;
}
export function reminderStatusDocId(reminderId: string): string {
	return `reminder-status:${reminderId}`;
}

/** The ULID of a reminder from the id of any of its four documents. */
export function reminderUlidOf(docId: string): string | undefined {
	const last = docId.slice(docId.lastIndexOf(':') + 1);
	return ULID_PATTERN.test(last) ? last : undefined;
}
