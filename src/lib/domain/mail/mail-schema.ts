import * as v from 'valibot';
import { isIsoDate } from '../dates';
import {
	LoginSchema as Login,
	postDocHead,
	STAMP_ENTRIES,
	TimestampSchema as Timestamp,
	ulidSchema,
	UnitIdSchema as UnitId
} from '../post-office-fields';

// Mail between units (issue #15, docs/decisions/0021-mail-between-units.md): messages, directive
// documents (văn bản chỉ đạo) and meeting invitations (giấy mời họp), on the post office of
// reminders (ADR 0018) — each document written by exactly one party:
//   - `mail:<ulid>` (type `mail`): the sender unit's own secretary or deputy writes it once in its
//     own database; never edited, never deleted (a correction is a new mail);
//   - `mail-received:<senderUnitId>:<ulid>` (type `mail-received`): the copy the server's post office
//     delivers into each recipient unit's database (server only);
//   - `mail-receipt:<senderUnitId>:<ulid>` (type `mail-receipt`): the recipient unit's own accounts,
//     beside the copy: received (first sight after a sync), opened (who, when), acknowledged (who,
//     when), the meeting answer, replied (when a reply mail names it);
//   - `mail-status:<ulid>` (type `mail-status`): one per mail in the sender's database, server
//     only: per recipient unit, delivered / received / opened / acknowledged / answered / replied,
//     or refused with the reason;
//   - `meeting-attendance:<ulid>` (type `meeting-attendance`): the sender unit's record, after the
//     meeting, of who attended (per invited unit); its own secretary or deputy, may be rewritten.
// Attachments are not in any unit database: the mail names them (`AttachmentRef`, the file's
// SHA-256); their bytes live in the server's file store, fetched when opened (attachments.ts).
// Version 1 of all five.

export const MAIL_SCHEMA_VERSION = 1 as const;
export const MAIL_KINDS = ['message', 'directive', 'meeting'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export const MAIL_KIND_LABELS: Readonly<Record<MailKind, string>> = {
	message: 'Tin nhắn',
	directive: 'Văn bản chỉ đạo',
	meeting: 'Giấy mời họp'
};

export const MAIL_SUBJECT_MAX = 200;
export const MAIL_BODY_MAX = 10_000;
export const MAIL_RECIPIENTS_MAX = 500;
export const MAIL_PEOPLE_MAX = 50;
export const MAIL_ATTACHMENTS_MAX = 10;

/** Directive types and their abbreviation in the number ("Số: 15-CV/TĐTN"). */
export const DIRECTIVE_TYPES = ['CV', 'KH', 'HD', 'TB', 'QĐ', 'BC'] as const;
export type DirectiveType = (typeof DIRECTIVE_TYPES)[number];
export const DIRECTIVE_TYPE_LABELS: Readonly<Record<DirectiveType, string>> = {
	CV: 'Công văn',
	KH: 'Kế hoạch',
	HD: 'Hướng dẫn',
	TB: 'Thông báo',
	QĐ: 'Quyết định',
	BC: 'Báo cáo'
};

export const MEETING_ANSWERS = ['attending', 'absent', 'delegate'] as const;
export type MeetingAnswer = (typeof MEETING_ANSWERS)[number];
export const MEETING_ANSWER_LABELS: Readonly<Record<MeetingAnswer, string>> = {
	attending: 'Tham dự',
	absent: 'Vắng mặt',
	delegate: 'Cử người dự thay'
};

const Ulid = ulidSchema('Mã thư không hợp lệ.');
const IsoDate = v.pipe(
	v.string(),
	v.check((value: string) => isIsoDate(value), 'Ngày phải là một ngày có thật.')
);
function Text(options: { max: number; label: string; required?: boolean }) {
	return v.pipe(
		v.string(`${options.label} phải là văn bản.`),
		v.trim(),
		v.check(
			(value: string) => !options.required || value.length > 0,
			`Hãy nhập ${options.label.toLowerCase()}.`
		),
		v.maxLength(options.max, `${options.label} không quá ${options.max} ký tự.`)
	);
}

/** A file the mail carries, by the SHA-256 of its bytes (64 hex characters). */
export const AttachmentRefSchema = v.object({
	id: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'Mã tệp đính kèm không hợp lệ.')),
	name: Text({ max: 200, label: 'Tên tệp', required: true }),
	/** One of ATTACHMENT_TYPES (attachments.ts). */
	type: v.string(),
	size: v.pipe(v.number(), v.integer(), v.minValue(1)),
	/** The sender asks every recipient's phone to keep it offline as soon as it arrives. */
	required: v.optional(v.boolean())
});
export type AttachmentRef = v.InferOutput<typeof AttachmentRefSchema>;

export const DirectiveSchema = v.object({
	docType: v.picklist(DIRECTIVE_TYPES, 'Loại văn bản không có trong danh mục.'),
	/** As printed: "15-CV/TĐTN" (the unit's register, decision-numbers.ts). */
	number: Text({ max: 60, label: 'Số văn bản', required: true }),
	/** The document's date (Vietnam's, ISO). */
	date: IsoDate,
	summary: Text({ max: 500, label: 'Trích yếu', required: true }),
	/** A reply or report is due by this date. */
	deadline: v.optional(IsoDate)
});
export type Directive = v.InferOutput<typeof DirectiveSchema>;

export const MeetingSchema = v.object({
	/** ISO timestamps (UTC); screens show them in Vietnam's time. */
	startsAt: Timestamp,
	endsAt: v.optional(Timestamp),
	/** A place, an online link, or both. */
	place: v.optional(Text({ max: 300, label: 'Địa điểm' })),
	onlineUrl: v.optional(
		v.pipe(v.string(), v.url('Đường dẫn họp trực tuyến không hợp lệ.'), v.maxLength(500))
	),
	agenda: v.optional(Text({ max: 2000, label: 'Nội dung cuộc họp' }))
});
export type Meeting = v.InferOutput<typeof MeetingSchema>;

export const MailDocSchema = v.object({
	...postDocHead({
		idPattern: /^mail:[0-9A-HJKMNP-TV-Z]{26}$/,
		idMessage: 'Mã thư không hợp lệ.',
		type: 'mail',
		version: MAIL_SCHEMA_VERSION
	}),
	/** The sender's unit (the database's). */
	unitId: UnitId,
	kind: v.picklist(MAIL_KINDS),
	subject: Text({ max: MAIL_SUBJECT_MAX, label: 'Tiêu đề', required: true }),
	body: v.optional(Text({ max: MAIL_BODY_MAX, label: 'Nội dung' })),
	/** Unit ids: an active descendant or ancestor of the sender (messages); descendants only for
	 * directives and meetings. Resolved on the device from "all direct subordinates" or "the whole
	 * subtree" into the list it names. */
	recipients: v.pipe(
		v.array(UnitId),
		v.minLength(1, 'Hãy chọn ít nhất một đơn vị nhận.'),
		v.maxLength(MAIL_RECIPIENTS_MAX, `Một thư gửi tối đa ${MAIL_RECIPIENTS_MAX} đơn vị.`),
		v.check((ids) => new Set(ids).size === ids.length, 'Danh sách đơn vị nhận bị lặp.')
	),
	/** Named people (logins) of the recipient units the mail is for; the unit receives it. */
	people: v.optional(v.pipe(v.array(Login), v.maxLength(MAIL_PEOPLE_MAX))),
	/** The thread: the first mail's ULID; a reply names the mail it answers. */
	threadId: v.optional(Ulid),
	inReplyTo: v.optional(v.object({ unitId: UnitId, mailId: Ulid })),
	directive: v.optional(DirectiveSchema),
	meeting: v.optional(MeetingSchema),
	attachments: v.optional(v.pipe(v.array(AttachmentRefSchema), v.maxLength(MAIL_ATTACHMENTS_MAX))),
	fromName: v.optional(v.pipe(v.string(), v.maxLength(200))),
	recipientNames: v.optional(v.record(v.string(), v.pipe(v.string(), v.maxLength(200)))),
	...STAMP_ENTRIES
});
export type MailDoc = v.InferOutput<typeof MailDocSchema>;

/** The delivered copy: the mail as sent, in the recipient's database. */
export const ReceivedMailDocSchema = v.object({
	...v.omit(MailDocSchema, ['_id', 'type', 'unitId', 'recipientNames']).entries,
	_id: v.pipe(v.string(), v.regex(/^mail-received:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/)),
	type: v.literal('mail-received'),
	/** The recipient's unit (the database's). */
	unitId: UnitId,
	mailId: Ulid,
	fromUnitId: UnitId,
	sentAt: Timestamp,
	sentBy: Login
});
export type ReceivedMailDoc = v.InferOutput<typeof ReceivedMailDocSchema>;

export const MeetingResponseSchema = v.object({
	answer: v.picklist(MEETING_ANSWERS, 'Hãy chọn tham dự, vắng mặt hoặc cử người dự thay.'),
	/** Required when absent. */
	reason: v.optional(Text({ max: 500, label: 'Lý do' })),
	/** Required when sending a delegate. */
	delegate: v.optional(Text({ max: 200, label: 'Người dự thay' })),
	at: Timestamp,
	by: Login
});
export type MeetingResponse = v.InferOutput<typeof MeetingResponseSchema>;

export const MailReceiptDocSchema = v.object({
	...postDocHead({
		idPattern: /^mail-receipt:[a-z0-9]{4,24}:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'mail-receipt',
		version: MAIL_SCHEMA_VERSION
	}),
	/** The recipient's unit (the database's). */
	unitId: UnitId,
	mailId: Ulid,
	fromUnitId: UnitId,
	/** First sight on a device of the unit (after a sync). */
	receivedAt: Timestamp,
	/** First opened by an account of the unit; never moved once set. */
	openedAt: v.optional(Timestamp),
	openedBy: v.optional(Login),
	/** "Đã nhận" pressed (directives): never moved once set. */
	acknowledgedAt: v.optional(Timestamp),
	acknowledgedBy: v.optional(Login),
	/** The meeting answer (may be changed until the meeting starts). */
	response: v.optional(MeetingResponseSchema),
	/** When the unit first sent a mail with `inReplyTo` naming this one. */
	repliedAt: v.optional(Timestamp),
	...STAMP_ENTRIES
});
export type MailReceiptDoc = v.InferOutput<typeof MailReceiptDocSchema>;

export const MailRecipientStatusSchema = v.object({
	state: v.picklist(['delivered', 'refused']),
	reason: v.optional(v.string()),
	deliveredAt: v.optional(Timestamp),
	receivedAt: v.optional(Timestamp),
	openedAt: v.optional(Timestamp),
	openedBy: v.optional(Login),
	acknowledgedAt: v.optional(Timestamp),
	acknowledgedBy: v.optional(Login),
	response: v.optional(MeetingResponseSchema),
	repliedAt: v.optional(Timestamp)
});
export type MailRecipientStatus = v.InferOutput<typeof MailRecipientStatusSchema>;

export const MailStatusDocSchema = v.object({
	...postDocHead({
		idPattern: /^mail-status:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'mail-status',
		version: MAIL_SCHEMA_VERSION
	}),
	unitId: UnitId,
	mailId: Ulid,
	/** Per recipient unit id. */
	recipients: v.record(v.string(), MailRecipientStatusSchema),
	...STAMP_ENTRIES
});
export type MailStatusDoc = v.InferOutput<typeof MailStatusDocSchema>;

export const MeetingAttendanceDocSchema = v.object({
	...postDocHead({
		idPattern: /^meeting-attendance:[0-9A-HJKMNP-TV-Z]{26}$/,
		type: 'meeting-attendance',
		version: MAIL_SCHEMA_VERSION
	}),
	unitId: UnitId,
	mailId: Ulid,
	/** Per invited unit id: present or absent (with who came, when a delegate did). */
	units: v.record(
		v.string(),
		v.object({ present: v.boolean(), note: v.optional(Text({ max: 200, label: 'Ghi chú' })) })
	),
	recordedAt: Timestamp,
	recordedBy: Login,
	...STAMP_ENTRIES
});
export type MeetingAttendanceDoc = v.InferOutput<typeof MeetingAttendanceDocSchema>;

export function mailDocId(ulid: string): string {
	return `mail:${ulid}`;
}
export function receivedMailDocId(options: { fromUnitId: string; mailId: string }): string {
	return `mail-received:${options.fromUnitId}:${options.mailId}`;
}
export function mailReceiptDocId(options: { fromUnitId: string; mailId: string }): string {
	return `mail-receipt:${options.fromUnitId}:${options.mailId}`;
}
export function mailStatusDocId(mailId: string): string {
	return `mail-status:${mailId}`;
}
export function meetingAttendanceDocId(mailId: string): string {
	return `meeting-attendance:${mailId}`;
}
