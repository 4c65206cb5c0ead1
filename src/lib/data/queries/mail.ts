import * as v from 'valibot';
import {
	MailDocSchema,
	mailProgress,
	ReceivedMailDocSchema,
	type AttachmentRef,
	type Directive,
	type KnownUnit,
	type MailDoc,
	type MailKind,
	type MailProgress,
	type MailReceiptDoc,
	type MailRecipientStatus,
	type MailStatusDoc,
	type Meeting,
	type MeetingAttendanceDoc,
	type MeetingResponse,
	type ReceivedMailDoc
} from '$lib/domain/mail';
import type { FiguresDoc } from '$lib/domain/figures/figures-schema';
import { deviceDb, type RecordRow } from '$lib/data/store/device-db';

// What the mail screens read (docs/decisions/0021-mail-between-units.md), all from the read model's
// `records` (the documents kept whole, so every screen opens offline): the mail this unit received
// with its own receipts, the mail it sent with the server's status of each, and the tree as the
// device knows it (the figures records) for choosing recipients. A sent mail still in the outbox is
// "waiting to be sent" (chờ gửi).

async function docsOf<T>(db: string, type: string): Promise<T[]> {
	const rows: RecordRow[] = await deviceDb.records.where('[db+type]').equals([db, type]).toArray();
	return rows.map((row) => row.doc as unknown as T);
}

/**
 * Mail documents that parse: one of an older or newer shape, or damaged, is skipped rather than
 * shown half (the server's documents are trusted, but a screen must not break on one).
 */
function valid<T>(schema: v.GenericSchema<unknown, T>, docs: readonly unknown[]): T[] {
	return docs.flatMap((doc) => {
		const parsed = v.safeParse(schema, doc);
		return parsed.success ? [{ ...(doc as object), ...(parsed.output as object) } as T] : [];
	});
}

async function docOf<T>(db: string, id: string): Promise<T | undefined> {
	return (await deviceDb.records.get(`${db}|${id}`))?.doc as T | undefined;
}

export interface ReceivedMailRow {
	/** The copy's document id. */
	docId: string;
	mailId: string;
	fromUnitId: string;
	fromName: string;
	kind: MailKind;
	subject: string;
	body?: string;
	sentAt: string;
	sentBy: string;
	threadId?: string;
	directive?: Directive;
	meeting?: Meeting;
	attachments: AttachmentRef[];
	/** Named people (logins) of the unit it is for; none: the whole unit. */
	people: string[];
	/** This unit holds a receipt of it (a device of the unit saw it). */
	received: boolean;
	openedAt?: string;
	openedBy?: string;
	acknowledgedAt?: string;
	acknowledgedBy?: string;
	response?: MeetingResponse;
	repliedAt?: string;
}

function receivedRow(copy: ReceivedMailDoc, receipt: MailReceiptDoc | undefined): ReceivedMailRow {
	return {
		docId: copy._id,
		mailId: copy.mailId,
		fromUnitId: copy.fromUnitId,
		fromName: copy.fromName ?? copy.fromUnitId,
		kind: copy.kind,
		subject: copy.subject,
		...(copy.body ? { body: copy.body } : {}),
		sentAt: copy.sentAt,
		sentBy: copy.sentBy,
		...(copy.threadId ? { threadId: copy.threadId } : {}),
		...(copy.directive ? { directive: copy.directive } : {}),
		...(copy.meeting ? { meeting: copy.meeting } : {}),
		attachments: copy.attachments ?? [],
		people: copy.people ?? [],
		received: !!receipt,
		...(receipt?.openedAt ? { openedAt: receipt.openedAt, openedBy: receipt.openedBy } : {}),
		...(receipt?.acknowledgedAt
			? { acknowledgedAt: receipt.acknowledgedAt, acknowledgedBy: receipt.acknowledgedBy }
			: {}),
		...(receipt?.response ? { response: receipt.response } : {}),
		...(receipt?.repliedAt ? { repliedAt: receipt.repliedAt } : {})
	};
}

/** The mail delivered to this unit's database with its receipts: unread first, newest first. */
export async function receivedMails(db: string): Promise<ReceivedMailRow[]> {
	const [copies, receipts] = await Promise.all([
		docsOf<unknown>(db, 'mail-received').then((docs) => valid(ReceivedMailDocSchema, docs)),
		docsOf<MailReceiptDoc>(db, 'mail-receipt')
	]);
	const receiptOf = new Map(receipts.map((r) => [`${r.fromUnitId}:${r.mailId}`, r]));
	return copies
		.map((copy) => receivedRow(copy, receiptOf.get(`${copy.fromUnitId}:${copy.mailId}`)))
		.sort(
			(a, b) =>
				Number(!!a.openedAt) - Number(!!b.openedAt) || b.sentAt.localeCompare(a.sentAt)
		);
}

/** The inbox of one kind (or all): the same order. */
export async function inbox(options: { db: string; kind?: MailKind }): Promise<ReceivedMailRow[]> {
	const rows = await receivedMails(options.db);
	return options.kind ? rows.filter((row) => row.kind === options.kind) : rows;
}

export interface UnreadCounts {
	total: number;
	message: number;
	directive: number;
	meeting: number;
}

/** Unopened received mail, by kind (the badges). */
export async function unreadMailCounts(db: string): Promise<UnreadCounts> {
	const counts: UnreadCounts = { total: 0, message: 0, directive: 0, meeting: 0 };
	for (const row of await receivedMails(db)) {
		if (row.openedAt) continue;
		counts.total++;
		counts[row.kind]++;
	}
	return counts;
}

/** One received mail, by its sender and ULID. */
export async function receivedMail(options: {
	db: string;
	fromUnitId: string;
	mailId: string;
}): Promise<ReceivedMailRow | null> {
	const { db, fromUnitId, mailId } = options;
	const [copy, receipt] = await Promise.all([
		docOf<ReceivedMailDoc>(db, `mail-received:${fromUnitId}:${mailId}`),
		docOf<MailReceiptDoc>(db, `mail-receipt:${fromUnitId}:${mailId}`)
	]);
	return copy ? receivedRow(copy, receipt) : null;
}

/** Received meetings not yet over (started less than `graceMs` ago), soonest first. */
export async function upcomingMeetings(options: {
	db: string;
	now: Date;
	graceMs?: number;
}): Promise<ReceivedMailRow[]> {
	const from = new Date(options.now.getTime() - (options.graceMs ?? 3_600_000)).toISOString();
	return (await receivedMails(options.db))
		.filter((row) => row.meeting && row.meeting.startsAt >= from)
		.filter((row) => row.response?.answer !== 'absent')
		.sort((a, b) => a.meeting!.startsAt.localeCompare(b.meeting!.startsAt));
}

export interface SentMailRow {
	/** The mail's ULID (the route's id). */
	id: string;
	kind: MailKind;
	subject: string;
	sentAt: string;
	sentBy: string;
	recipients: number;
	/** Not yet accepted by the server: waiting for a network. */
	waiting: boolean;
	refusedReason?: string;
	delivered: number;
	opened: number;
	acknowledged: number;
	answered: number;
	replied: number;
}

function sentRow(options: {
	mail: MailDoc;
	status: MailStatusDoc | undefined;
	outbox: Map<string, { refused?: string }>;
}): SentMailRow {
	const { mail, status } = options;
	const entries = Object.values(status?.recipients ?? {});
	const queued = options.outbox.get(mail._id);
	return {
		id: mail._id.slice('mail:'.length),
		kind: mail.kind,
		subject: mail.subject,
		sentAt: mail.createdAt,
		sentBy: mail.createdBy,
		recipients: mail.recipients.length,
		waiting: !!queued && !queued.refused,
		...(queued?.refused ? { refusedReason: queued.refused } : {}),
		delivered: entries.filter((e) => e.state === 'delivered').length,
		opened: entries.filter((e) => e.openedAt).length,
		acknowledged: entries.filter((e) => e.acknowledgedAt).length,
		answered: entries.filter((e) => e.response).length,
		replied: entries.filter((e) => e.repliedAt).length
	};
}

async function outboxOf(db: string): Promise<Map<string, { refused?: string }>> {
	const outbox = await deviceDb.outbox.where('db').equals(db).toArray();
	return new Map(outbox.map((entry) => [entry.docId, entry]));
}

/** The mail sent from this unit's database, newest first. */
export async function sentMails(db: string): Promise<SentMailRow[]> {
	const [mails, statuses, outbox] = await Promise.all([
		docsOf<unknown>(db, 'mail').then((docs) => valid(MailDocSchema, docs)),
		docsOf<MailStatusDoc>(db, 'mail-status'),
		outboxOf(db)
	]);
	const statusOf = new Map(statuses.map((s) => [s.mailId, s]));
	return mails
		.map((mail) => sentRow({ mail, status: statusOf.get(mail._id.slice(5)), outbox }))
		.sort((a, b) => b.id.localeCompare(a.id));
}

export interface SentRecipientRow {
	unitId: string;
	name: string;
	progress: MailProgress;
	status?: MailRecipientStatus;
	attended?: { present: boolean; note?: string };
}

export interface SentMailDetail {
	mail: MailDoc;
	summary: SentMailRow;
	recipients: SentRecipientRow[];
	attendance?: MeetingAttendanceDoc;
}

/** One sent mail, per recipient unit: delivered / received / opened / acknowledged / answered. */
export async function sentMail(options: { db: string; id: string }): Promise<SentMailDetail | null> {
	const { db, id } = options;
	const [mail, status, attendance, figures, outbox] = await Promise.all([
		docOf<MailDoc>(db, `mail:${id}`),
		docOf<MailStatusDoc>(db, `mail-status:${id}`),
		docOf<MeetingAttendanceDoc>(db, `meeting-attendance:${id}`),
		docsOf<FiguresDoc>(db, 'figures'),
		outboxOf(db)
	]);
	if (!mail) return null;
	const names = new Map(figures.map((f) => [f.of.id, f.of.name]));
	const recipients = mail.recipients.map((unitId): SentRecipientRow => {
		const entry = status?.recipients[unitId];
		const attended = attendance?.units[unitId];
		return {
			unitId,
			name: mail.recipientNames?.[unitId] ?? names.get(unitId) ?? unitId,
			progress: mailProgress(entry),
			...(entry ? { status: entry } : {}),
			...(attended ? { attended } : {})
		};
	});
	recipients.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
	return {
		mail,
		summary: sentRow({ mail, status, outbox }),
		recipients,
		...(attendance ? { attendance } : {})
	};
}

export interface KnownTree {
	units: KnownUnit[];
	/** The unit's ancestors' ids, the top first (from its own figures, when the device has them). */
	ancestors: string[];
}

/**
 * The tree below (and the chain above) the unit, as the device knows it without a network: the
 * figures records of the unit's database (a superior's database holds its whole subtree's).
 */
export async function knownTree(options: { db: string; unitId: string }): Promise<KnownTree> {
	const figures = await docsOf<FiguresDoc>(options.db, 'figures');
	const own = figures.find((f) => f.of.id === options.unitId);
	return {
		units: figures
			.filter((f) => f.of.id !== options.unitId)
			.map((f) => ({ id: f.of.id, name: f.of.name, parentId: f.of.parentId, status: f.of.status })),
		ancestors: own?.of.ancestors ?? []
	};
}

/** A received mail's address in the inbox's routes: "<senderUnitId>.<ulid>". */
export function receivedMailKey(row: { fromUnitId: string; mailId: string }): string {
	return `${row.fromUnitId}.${row.mailId}`;
}

export function parseReceivedMailKey(key: string): { fromUnitId: string; mailId: string } | null {
	const match = /^([a-z0-9]{4,24})\.([0-9A-HJKMNP-TV-Z]{26})$/.exec(key);
	return match ? { fromUnitId: match[1]!, mailId: match[2]! } : null;
}

export interface ThreadItem {
	/** Received by this unit, or sent from it. */
	direction: 'received' | 'sent';
	/** The route key: a received mail's "<sender>.<ulid>", a sent mail's ULID. */
	key: string;
	fromName: string;
	subject: string;
	body?: string;
	at: string;
}

/** Every mail of a thread this unit holds, received or sent, oldest first. */
export async function mailThread(options: { db: string; threadId: string }): Promise<ThreadItem[]> {
	const { db, threadId } = options;
	const [copies, mails] = await Promise.all([
		docsOf<ReceivedMailDoc>(db, 'mail-received'),
		docsOf<MailDoc>(db, 'mail')
	]);
	const inThread = (doc: { threadId?: string }, ulid: string) =>
		(doc.threadId ?? ulid) === threadId;
	return [
		...copies
			.filter((c) => inThread(c, c.mailId))
			.map(
				(c): ThreadItem => ({
					direction: 'received',
					key: receivedMailKey(c),
					fromName: c.fromName ?? c.fromUnitId,
					subject: c.subject,
					...(c.body ? { body: c.body } : {}),
					at: c.sentAt
				})
			),
		...mails
			.filter((m) => inThread(m, m._id.slice(5)))
			.map(
				(m): ThreadItem => ({
					direction: 'sent',
					key: m._id.slice(5),
					fromName: m.fromName ?? m.unitId,
					subject: m.subject,
					...(m.body ? { body: m.body } : {}),
					at: m.createdAt
				})
			)
	].sort((a, b) => a.at.localeCompare(b.at));
}
