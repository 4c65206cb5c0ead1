import {
	MAIL_SCHEMA_VERSION,
	mailReceiptDocId,
	type MailReceiptDoc,
	type MeetingAnswer,
	type MeetingResponse
} from './mail-schema';

// The recipient unit's receipt of a mail (`mail-receipt:<senderUnitId>:<ulid>`, ADR 0021): what its
// devices and accounts record of it — first sight after a sync, opened, "Đã nhận" (directives), the
// meeting answer, replied. One document per received mail, rewritten as the unit acts on it; a time
// once recorded is never moved (the server's design document refuses it too), so each plan below
// returns null when there is nothing to change. No clock here: callers pass `at`.

export interface ReceiptContext {
	/** The recipient unit (the database's). */
	unitId: string;
	fromUnitId: string;
	mailId: string;
	/** ISO timestamp (UTC). */
	at: string;
	login: string;
}

function fresh(context: ReceiptContext): MailReceiptDoc {
	return {
		_id: mailReceiptDocId({ fromUnitId: context.fromUnitId, mailId: context.mailId }),
		type: 'mail-receipt',
		v: MAIL_SCHEMA_VERSION,
		unitId: context.unitId,
		mailId: context.mailId,
		fromUnitId: context.fromUnitId,
		receivedAt: context.at,
		createdAt: context.at,
		createdBy: context.login,
		updatedAt: context.at,
		updatedBy: context.login
	};
}

function touched(doc: MailReceiptDoc, context: ReceiptContext, change: Partial<MailReceiptDoc>) {
	// Another account of the unit may have created the receipt: createdBy stays theirs.
	return { ...doc, ...change, updatedAt: context.at, updatedBy: context.login };
}

/** First sight on a device of the unit: a receipt when there is none yet (else nothing). */
export function receivedReceipt(
	existing: MailReceiptDoc | undefined,
	context: ReceiptContext
): MailReceiptDoc | null {
	return existing ? null : fresh(context);
}

/** Opened by an account of the unit: the first opening counts. */
export function openedReceipt(
	existing: MailReceiptDoc | undefined,
	context: ReceiptContext
): MailReceiptDoc | null {
	if (existing?.openedAt) return null;
	return touched(existing ?? fresh(context), context, {
		openedAt: context.at,
		openedBy: context.login
	});
}

/** "Đã nhận" pressed (a directive): records the first; opening is implied. */
export function acknowledgedReceipt(
	existing: MailReceiptDoc | undefined,
	context: ReceiptContext
): MailReceiptDoc | null {
	if (existing?.acknowledgedAt) return null;
	const base = existing ?? fresh(context);
	return touched(base, context, {
		...(base.openedAt ? {} : { openedAt: context.at, openedBy: context.login }),
		acknowledgedAt: context.at,
		acknowledgedBy: context.login
	});
}

/** The unit sent a reply naming this mail: the first reply's time. */
export function repliedReceipt(
	existing: MailReceiptDoc | undefined,
	context: ReceiptContext
): MailReceiptDoc | null {
	if (existing?.repliedAt) return null;
	const base = existing ?? fresh(context);
	return touched(base, context, {
		...(base.openedAt ? {} : { openedAt: context.at, openedBy: context.login }),
		repliedAt: context.at
	});
}

export interface MeetingAnswerInput {
	answer: MeetingAnswer | '';
	reason: string;
	delegate: string;
}

export type MeetingAnswerField = 'answer' | 'reason' | 'delegate';

export type MeetingAnswerResult =
	| { ok: true; doc: MailReceiptDoc }
	| { ok: false; errors: Partial<Record<MeetingAnswerField, string>> };

/**
 * The meeting answer: attending; absent, with a reason; or sending someone in the unit's place,
 * with the person's name. It may be changed until the meeting starts, not after.
 */
export function meetingAnswerReceipt(options: {
	existing: MailReceiptDoc | undefined;
	context: ReceiptContext;
	input: MeetingAnswerInput;
	/** The meeting's start (ISO). */
	startsAt: string;
}): MeetingAnswerResult {
	const { input, context } = options;
	const errors: Partial<Record<MeetingAnswerField, string>> = {};
	const reason = input.reason.trim();
	const delegate = input.delegate.trim();
	if (!input.answer) errors.answer = 'Hãy chọn tham dự, vắng mặt hoặc cử người dự thay.';
	if (input.answer === 'absent' && !reason) errors.reason = 'Hãy nhập lý do vắng mặt.';
	if (reason.length > 500) errors.reason = 'Lý do không quá 500 ký tự.';
	if (input.answer === 'delegate' && !delegate) {
		errors.delegate = 'Hãy nhập họ tên người dự thay.';
	}
	if (delegate.length > 200) errors.delegate = 'Họ tên người dự thay không quá 200 ký tự.';
	if (new Date(context.at).getTime() >= new Date(options.startsAt).getTime()) {
		errors.answer = 'Cuộc họp đã bắt đầu: không trả lời giấy mời được nữa.';
	}
	if (Object.keys(errors).length > 0 || !input.answer) return { ok: false, errors };
	const response: MeetingResponse = {
		answer: input.answer,
		...(input.answer === 'absent' ? { reason } : {}),
		...(input.answer === 'delegate' ? { delegate } : {}),
		at: context.at,
		by: context.login
	};
	const base = options.existing ?? fresh(context);
	return {
		ok: true,
		doc: touched(base, context, {
			...(base.openedAt ? {} : { openedAt: context.at, openedBy: context.login }),
			response
		})
	};
}

/** "Tham dự", "Vắng mặt: <lý do>", "Cử người dự thay: <tên>". */
export function meetingAnswerText(response: MeetingResponse): string {
	if (response.answer === 'absent')
		return `Vắng mặt${response.reason ? `: ${response.reason}` : ''}`;
	if (response.answer === 'delegate') {
		return `Cử người dự thay${response.delegate ? `: ${response.delegate}` : ''}`;
	}
	return 'Tham dự';
}
