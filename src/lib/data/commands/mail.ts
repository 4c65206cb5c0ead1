import {
	acknowledgedReceipt,
	composeMail,
	MAIL_SCHEMA_VERSION,
	mailReceiptDocId,
	meetingAnswerReceipt,
	meetingAttendanceDocId,
	openedReceipt,
	receivedReceipt,
	repliedReceipt,
	type KnownUnit,
	type MailErrors,
	type MailInput,
	type MailReceiptDoc,
	type MeetingAnswerField,
	type MeetingAnswerInput,
	type MeetingAttendanceDoc,
	type ReceiptContext
} from '$lib/domain/mail';
import { ulid } from '$lib/data/ids';
import { localDb } from '$lib/data/store/pouch';
import { writeRecords } from './plan-writer';
import type { Actor } from './actor';

// What the mail screens write (docs/decisions/0021-mail-between-units.md), through the one writer
// (plan-writer.ts) so the outbox and sync carry them: a mail in the sender's own unit database
// (offline it waits in the outbox: "Chờ gửi"), this unit's receipts of the mail it received, and
// the attendance recorded after a meeting it called. Every plan is the domain's (domain/mail).

export type SendMailResult = { ok: true; id: string } | { ok: false; errors: MailErrors & { form?: string } };

async function receiptOf(db: string, id: string): Promise<MailReceiptDoc | undefined> {
	return localDb(db)
		.get<MailReceiptDoc>(id)
		.catch(() => undefined);
}

export async function sendMail(options: {
	db: string;
	unit: { id: string; name: string };
	input: MailInput;
	units: readonly KnownUnit[];
	ancestors?: readonly { id: string; name: string }[];
	actor: Actor;
	now?: Date;
}): Promise<SendMailResult> {
	const now = options.now ?? new Date();
	const id = ulid(now.getTime());
	const composed = composeMail({
		input: options.input,
		senderId: options.unit.id,
		senderName: options.unit.name,
		units: options.units,
		...(options.ancestors ? { ancestors: options.ancestors } : {}),
		ulid: id,
		now: now.toISOString(),
		login: options.actor.login
	});
	if (!composed.ok) return composed;
	const docs: object[] = [composed.doc];
	// A reply marks the original's receipt (in this unit's database) as replied, in the same write.
	const replyTo = options.input.replyTo;
	if (replyTo) {
		const context = receiptContext({
			unitId: options.unit.id,
			fromUnitId: replyTo.unitId,
			mailId: replyTo.mailId,
			at: now.toISOString(),
			actor: options.actor
		});
		const replied = repliedReceipt(await receiptOf(options.db, mailReceiptDocId(context)), context);
		if (replied) docs.push(replied);
	}
	const written = await writeRecords({ db: options.db, docs });
	return written.ok ? { ok: true, id } : { ok: false, errors: { form: written.message } };
}

function receiptContext(options: {
	unitId: string;
	fromUnitId: string;
	mailId: string;
	at: string;
	actor: Actor;
}): ReceiptContext {
	return {
		unitId: options.unitId,
		fromUnitId: options.fromUnitId,
		mailId: options.mailId,
		at: options.at,
		login: options.actor.login
	};
}

export interface ReceivedRef {
	fromUnitId: string;
	mailId: string;
}

/**
 * The first sight of received mail on this device: a receipt for each that has none yet. A receipt
 * another device of the unit wrote already (synced here) is left alone.
 */
export async function recordMailReceived(options: {
	db: string;
	unitId: string;
	mails: readonly ReceivedRef[];
	actor: Actor;
}): Promise<void> {
	const at = new Date().toISOString();
	const docs: MailReceiptDoc[] = [];
	for (const mail of options.mails) {
		const context = receiptContext({ ...mail, unitId: options.unitId, at, actor: options.actor });
		const doc = receivedReceipt(await receiptOf(options.db, mailReceiptDocId(mail)), context);
		if (doc) docs.push(doc);
	}
	if (docs.length > 0) await writeRecords({ db: options.db, docs });
}

async function updateReceipt(options: {
	db: string;
	unitId: string;
	mail: ReceivedRef;
	actor: Actor;
	plan: (existing: MailReceiptDoc | undefined, context: ReceiptContext) => MailReceiptDoc | null;
}): Promise<void> {
	const context = receiptContext({
		...options.mail,
		unitId: options.unitId,
		at: new Date().toISOString(),
		actor: options.actor
	});
	// The layout may be writing the same receipt's first sight at this moment: on a conflict, read
	// it again and apply the plan to what is there.
	for (let attempt = 0; attempt < 3; attempt++) {
		const doc = options.plan(await receiptOf(options.db, mailReceiptDocId(options.mail)), context);
		if (!doc || (await writeRecords({ db: options.db, docs: [doc] })).ok) return;
	}
}

/** An account of the unit opened the mail: the first opening counts. */
export function markMailOpened(options: {
	db: string;
	unitId: string;
	mail: ReceivedRef;
	actor: Actor;
}): Promise<void> {
	return updateReceipt({ ...options, plan: openedReceipt });
}

/** "Đã nhận" on a directive. */
export function acknowledgeMail(options: {
	db: string;
	unitId: string;
	mail: ReceivedRef;
	actor: Actor;
}): Promise<void> {
	return updateReceipt({ ...options, plan: acknowledgedReceipt });
}

export type AnswerResult =
	| { ok: true }
	| { ok: false; errors: Partial<Record<MeetingAnswerField | 'form', string>> };

/** Tham dự / Vắng mặt (lý do) / Cử người dự thay (tên). */
export async function answerMeeting(options: {
	db: string;
	unitId: string;
	mail: ReceivedRef;
	startsAt: string;
	input: MeetingAnswerInput;
	actor: Actor;
	now?: Date;
}): Promise<AnswerResult> {
	const context = receiptContext({
		...options.mail,
		unitId: options.unitId,
		at: (options.now ?? new Date()).toISOString(),
		actor: options.actor
	});
	let message = '';
	for (let attempt = 0; attempt < 3; attempt++) {
		const planned = meetingAnswerReceipt({
			existing: await receiptOf(options.db, mailReceiptDocId(options.mail)),
			context,
			input: options.input,
			startsAt: options.startsAt
		});
		if (!planned.ok) return planned;
		const written = await writeRecords({ db: options.db, docs: [planned.doc] });
		if (written.ok) return { ok: true };
		message = written.message;
	}
	return { ok: false, errors: { form: message } };
}

/** After a meeting this unit called: who attended, per invited unit (may be rewritten). */
export async function recordAttendance(options: {
	db: string;
	unitId: string;
	mailId: string;
	units: Readonly<Record<string, { present: boolean; note?: string }>>;
	actor: Actor;
}): Promise<{ ok: true } | { ok: false; message: string }> {
	const id = meetingAttendanceDocId(options.mailId);
	const at = new Date().toISOString();
	const existing = await localDb(options.db)
		.get<MeetingAttendanceDoc>(id)
		.catch(() => undefined);
	const units = Object.fromEntries(
		Object.entries(options.units).map(([unitId, entry]) => [
			unitId,
			{ present: entry.present, ...(entry.note?.trim() ? { note: entry.note.trim().slice(0, 200) } : {}) }
		])
	);
	const doc: MeetingAttendanceDoc = {
		...(existing ?? {
			_id: id,
			type: 'meeting-attendance' as const,
			v: MAIL_SCHEMA_VERSION,
			unitId: options.unitId,
			mailId: options.mailId,
			createdAt: at,
			createdBy: options.actor.login
		}),
		units,
		recordedAt: at,
		recordedBy: options.actor.login,
		updatedAt: at,
		updatedBy: options.actor.login
	} as MeetingAttendanceDoc;
	const written = await writeRecords({ db: options.db, docs: [doc] });
	return written.ok ? { ok: true } : written;
}
