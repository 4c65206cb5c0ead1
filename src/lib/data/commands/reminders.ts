import {
	composeReminder,
	REMINDER_SCHEMA_VERSION,
	reminderReceiptDocId,
	type ReminderField,
	type ReminderInput,
	type ReminderReceiptDoc
} from '$lib/domain/reminders';
import { todayIso } from '$lib/domain/dates';
import { ulid } from '$lib/data/ids';
import { localDb } from '$lib/data/store/pouch';
import { writeRecords } from './plan-writer';
import type { Actor } from './actor';

// What the reminder screens write (docs/decisions/0018-reminders-and-receipts.md), through the one
// writer (plan-writer.ts) so the outbox and sync carry them: a reminder in the sender's own unit
// database, and this unit's receipts of the reminders it received (seen on the device, then read).

export type SendResult =
	| { ok: true; id: string }
	| { ok: false; errors: Partial<Record<ReminderField | 'form', string>> };

export async function sendReminder(options: {
	db: string;
	unit: { id: string; name: string };
	input: ReminderInput;
	recipientNames?: Readonly<Record<string, string>>;
	actor: Actor;
	now?: Date;
}): Promise<SendResult> {
	const now = options.now ?? new Date();
	const id = ulid(now.getTime());
	const composed = composeReminder({
		input: options.input,
		unitId: options.unit.id,
		unitName: options.unit.name,
		...(options.recipientNames ? { recipientNames: options.recipientNames } : {}),
		today: todayIso(now),
		ulid: id,
		now: now.toISOString(),
		login: options.actor.login
	});
	if (!composed.ok) return composed;
	const written = await writeRecords({ db: options.db, docs: [composed.doc] });
	return written.ok ? { ok: true, id } : { ok: false, errors: { form: written.message } };
}

async function receiptOf(db: string, id: string): Promise<ReminderReceiptDoc | undefined> {
	return localDb(db)
		.get<ReminderReceiptDoc>(id)
		.catch(() => undefined);
}

/**
 * The first sight of received reminders on this device: a receipt for each that has none yet. A
 * receipt another device of the unit wrote already (synced here) is left alone.
 */
export async function acknowledgeReminders(options: {
	db: string;
	unitId: string;
	reminders: readonly { fromUnitId: string; reminderId: string }[];
	actor: Actor;
}): Promise<void> {
	const at = new Date().toISOString();
	const docs: ReminderReceiptDoc[] = [];
	for (const { fromUnitId, reminderId } of options.reminders) {
		const id = reminderReceiptDocId({ fromUnitId, reminderId });
		if (await receiptOf(options.db, id)) continue;
		docs.push(newReceipt({ id, unitId: options.unitId, fromUnitId, reminderId, at, login: options.actor.login }));
	}
	if (docs.length > 0) await writeRecords({ db: options.db, docs });
}

function newReceipt(options: {
	id: string;
	unitId: string;
	fromUnitId: string;
	reminderId: string;
	at: string;
	login: string;
}): ReminderReceiptDoc {
	return {
		_id: options.id,
		type: 'reminder-receipt',
		v: REMINDER_SCHEMA_VERSION,
		unitId: options.unitId,
		reminderId: options.reminderId,
		fromUnitId: options.fromUnitId,
		receivedAt: options.at,
		createdAt: options.at,
		createdBy: options.login,
		updatedAt: options.at,
		updatedBy: options.login
	};
}

/** The secretary opened a reminder: its receipt records when and who (once: the first read counts). */
export async function markReminderRead(options: {
	db: string;
	unitId: string;
	reminder: { fromUnitId: string; reminderId: string };
	actor: Actor;
}): Promise<void> {
	const { fromUnitId, reminderId } = options.reminder;
	const id = reminderReceiptDocId({ fromUnitId, reminderId });
	const at = new Date().toISOString();
	const login = options.actor.login;
	const existing = await receiptOf(options.db, id);
	if (existing?.readAt) return;
	const base = existing ?? newReceipt({ id, unitId: options.unitId, fromUnitId, reminderId, at, login });
	// Another account of the unit may have created the receipt: createdBy stays hers.
	const read: ReminderReceiptDoc = {
		...base,
		readAt: at,
		readBy: login,
		updatedAt: at,
		updatedBy: login
	};
	await writeRecords({ db: options.db, docs: [read] });
}
