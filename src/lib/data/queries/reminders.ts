import {
	lastReminders,
	recipientProgress,
	type LastReminder,
	type ReceivedReminderDoc,
	type RecipientProgress,
	type ReminderDoc,
	type ReminderReceiptDoc,
	type ReminderStatusDoc
} from '$lib/domain/reminders';
import type { FiguresDoc } from '$lib/domain/figures/figures-schema';
import { deviceDb, type RecordRow } from '$lib/data/store/device-db';

// What the reminder screens read (docs/decisions/0018-reminders-and-receipts.md), all from the read
// model's `records` (the documents kept whole): the reminders this unit sent and where each stands
// (its status document, written by the server), the reminders it received and its own receipts.
// A reminder still in the outbox is "waiting to be sent" (chờ gửi).

async function docsOf<T>(db: string, type: string): Promise<T[]> {
	const rows: RecordRow[] = await deviceDb.records.where('[db+type]').equals([db, type]).toArray();
	return rows.map((row) => row.doc as unknown as T);
}

export interface SentReminderRow {
	/** The reminder's ULID (the route's id). */
	id: string;
	text: string;
	deadline?: string;
	sentAt: string;
	sentBy: string;
	recipients: number;
	/** Not yet accepted by the server: waiting for a network. */
	waiting: boolean;
	/** The server refused it (a recipient outside the unit's subtree…): why, in Vietnamese. */
	refusedReason?: string;
	delivered: number;
	read: number;
	refused: number;
}

/** The reminders sent from this unit's database, newest first. */
export async function sentReminders(db: string): Promise<SentReminderRow[]> {
	const [reminders, statuses, outbox] = await Promise.all([
		docsOf<ReminderDoc>(db, 'reminder'),
		docsOf<ReminderStatusDoc>(db, 'reminder-status'),
		deviceDb.outbox.where('db').equals(db).toArray()
	]);
	const statusOf = new Map(statuses.map((s) => [s.reminderId, s]));
	const waiting = new Map(outbox.map((entry) => [entry.docId, entry]));
	return reminders
		.map((reminder) => {
			const id = reminder._id.slice('reminder:'.length);
			const entries = Object.values(statusOf.get(id)?.recipients ?? {});
			return {
				id,
				text: reminder.text,
				...(reminder.deadline ? { deadline: reminder.deadline } : {}),
				sentAt: reminder.createdAt,
				sentBy: reminder.createdBy,
				recipients: reminder.recipients.length,
				waiting: waiting.has(reminder._id) && !waiting.get(reminder._id)?.refused,
				...(waiting.get(reminder._id)?.refused
					? { refusedReason: waiting.get(reminder._id)!.refused! }
					: {}),
				delivered: entries.filter((e) => e.state === 'delivered').length,
				read: entries.filter((e) => e.readAt).length,
				refused: entries.filter((e) => e.state === 'refused').length
			};
		})
		.sort((a, b) => b.id.localeCompare(a.id));
}

/**
 * Per subordinate unit, the latest reminder this unit's database sent it and how far it got: the
 * dashboard's progress cards show it (domain/reminders/last-reminder.ts).
 */
export async function lastRemindersOf(db: string): Promise<Map<string, LastReminder>> {
	const [reminders, statuses, outbox] = await Promise.all([
		docsOf<ReminderDoc>(db, 'reminder'),
		docsOf<ReminderStatusDoc>(db, 'reminder-status'),
		deviceDb.outbox.where('db').equals(db).toArray()
	]);
	const refused = new Set(outbox.filter((entry) => entry.refused).map((entry) => entry.docId));
	return lastReminders({ reminders, statuses, refused });
}

export interface RecipientRow {
	unitId: string;
	name: string;
	progress: RecipientProgress;
	deliveredAt?: string;
	receivedAt?: string;
	readAt?: string;
	readBy?: string;
	reason?: string;
}

export interface SentReminderDetail {
	reminder: SentReminderRow;
	recipients: RecipientRow[];
}

/** One sent reminder, per recipient unit: delivered / received / read (who and when). */
export async function sentReminder(options: {
	db: string;
	id: string;
}): Promise<SentReminderDetail | null> {
	const { db, id } = options;
	const [row, statusRow, figures] = await Promise.all([
		deviceDb.records.get(`${db}|reminder:${id}`),
		deviceDb.records.get(`${db}|reminder-status:${id}`),
		docsOf<FiguresDoc>(db, 'figures')
	]);
	if (!row) return null;
	const reminder = row.doc as unknown as ReminderDoc;
	const status = statusRow?.doc as unknown as ReminderStatusDoc | undefined;
	const [summary] = (await sentReminders(db)).filter((r) => r.id === id);
	const names = new Map(figures.map((f) => [f.of.id, f.of.name]));
	const recipients = reminder.recipients.map((unitId): RecipientRow => {
		const entry = status?.recipients[unitId];
		return {
			unitId,
			name: reminder.recipientNames?.[unitId] ?? names.get(unitId) ?? unitId,
			progress: recipientProgress(entry),
			...(entry?.deliveredAt ? { deliveredAt: entry.deliveredAt } : {}),
			...(entry?.receivedAt ? { receivedAt: entry.receivedAt } : {}),
			...(entry?.readAt ? { readAt: entry.readAt } : {}),
			...(entry?.readBy ? { readBy: entry.readBy } : {}),
			...(entry?.reason ? { reason: entry.reason } : {})
		};
	});
	const order: RecipientProgress[] = ['refused', 'waiting', 'delivered', 'received', 'read'];
	recipients.sort(
		(a, b) =>
			order.indexOf(a.progress) - order.indexOf(b.progress) || a.name.localeCompare(b.name, 'vi')
	);
	return { reminder: summary!, recipients };
}

export interface ReceivedReminderRow {
	/** The copy's document id. */
	docId: string;
	reminderId: string;
	fromUnitId: string;
	fromName: string;
	text: string;
	deadline?: string;
	sentAt: string;
	/** This unit holds a receipt of it (a device of the unit saw it). */
	received: boolean;
	readAt?: string;
	readBy?: string;
}

/** The reminders delivered to this unit's database with its receipts, unread first, newest first. */
export async function receivedReminders(db: string): Promise<ReceivedReminderRow[]> {
	const [copies, receipts] = await Promise.all([
		docsOf<ReceivedReminderDoc>(db, 'reminder-received'),
		docsOf<ReminderReceiptDoc>(db, 'reminder-receipt')
	]);
	const receiptOf = new Map(receipts.map((r) => [`${r.fromUnitId}:${r.reminderId}`, r]));
	return copies
		.map((copy) => {
			const receipt = receiptOf.get(`${copy.fromUnitId}:${copy.reminderId}`);
			return {
				docId: copy._id,
				reminderId: copy.reminderId,
				fromUnitId: copy.fromUnitId,
				fromName: copy.fromName,
				text: copy.text,
				...(copy.deadline ? { deadline: copy.deadline } : {}),
				sentAt: copy.sentAt,
				received: !!receipt,
				...(receipt?.readAt ? { readAt: receipt.readAt } : {}),
				...(receipt?.readBy ? { readBy: receipt.readBy } : {})
			};
		})
		.sort(
			(a, b) => Number(!!a.readAt) - Number(!!b.readAt) || b.reminderId.localeCompare(a.reminderId)
		);
}

/** The unit's unread reminders (the home screen's card). */
export async function unreadReminders(db: string): Promise<ReceivedReminderRow[]> {
	return (await receivedReminders(db)).filter((r) => !r.readAt);
}

export interface ReminderRecipientChoice {
	id: string;
	name: string;
}

/**
 * Subordinate units the device knows without a network: the figures records held in the unit's
 * own database (its direct children's, once the figures worker has written them).
 */
export async function knownSubordinates(options: {
	db: string;
	unitId: string;
}): Promise<ReminderRecipientChoice[]> {
	const figures = await docsOf<FiguresDoc>(options.db, 'figures');
	return figures
		.filter((f) => f.of.parentId === options.unitId && f.of.status === 'active')
		.map((f) => ({ id: f.of.id, name: f.of.name }))
		.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}
