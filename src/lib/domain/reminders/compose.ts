import * as v from 'valibot';
import {
	REMINDER_SCHEMA_VERSION,
	ReminderDeadlineSchema,
	ReminderRecipientsSchema,
	ReminderTextSchema,
	reminderDocId,
	type ReminderDoc
} from './reminder-schema';

// A reminder composed on the superior's device: the form's input checked field by field (Vietnamese
// messages), then the document to write. The deadline may be today but not before, on Vietnam's
// today (the caller passes it: no clock here).

export interface ReminderInput {
	text: string;
	/** ISO date, or empty for none. */
	deadline: string;
	recipients: readonly string[];
}

export type ReminderField = 'text' | 'deadline' | 'recipients';

export type ComposeResult =
	{ ok: true; doc: ReminderDoc } | { ok: false; errors: Partial<Record<ReminderField, string>> };

export function composeReminder(options: {
	input: ReminderInput;
	/** The sender's unit and its name. */
	unitId: string;
	unitName: string;
	/** The recipients' names, as far as the device knows them. */
	recipientNames?: Readonly<Record<string, string>>;
	/** Vietnam's today (ISO). */
	today: string;
	ulid: string;
	now: string;
	login: string;
}): ComposeResult {
	const { input, today } = options;
	const errors: Partial<Record<ReminderField, string>> = {};
	const text = v.safeParse(ReminderTextSchema, input.text);
	if (!text.success) errors.text = text.issues[0].message;
	const deadlineText = input.deadline.trim();
	if (deadlineText) {
		const deadline = v.safeParse(ReminderDeadlineSchema, deadlineText);
		if (!deadline.success) errors.deadline = deadline.issues[0].message;
		else if (deadlineText < today) errors.deadline = 'Hạn hoàn thành không được trước hôm nay.';
	}
	const recipients = v.safeParse(ReminderRecipientsSchema, [...input.recipients]);
	if (!recipients.success) errors.recipients = recipients.issues[0].message;
	else if (input.recipients.includes(options.unitId))
		errors.recipients = 'Không gửi đôn đốc cho chính đơn vị mình.';
	if (!text.success || !recipients.success || Object.keys(errors).length > 0) {
		return { ok: false, errors };
	}
	return {
		ok: true,
		doc: {
			_id: reminderDocId(options.ulid),
			type: 'reminder',
			v: REMINDER_SCHEMA_VERSION,
			unitId: options.unitId,
			text: text.output,
			...(deadlineText ? { deadline: deadlineText } : {}),
			recipients: recipients.output,
			fromName: options.unitName,
			...(options.recipientNames
				? {
						recipientNames: Object.fromEntries(
							recipients.output.flatMap((id) => {
								const name = options.recipientNames?.[id];
								return name ? [[id, name]] : [];
							})
						)
					}
				: {}),
			createdAt: options.now,
			createdBy: options.login,
			updatedAt: options.now,
			updatedBy: options.login
		}
	};
}

/** Where a reminder stands at one recipient, for the sender's screen. */
export type RecipientProgress = 'waiting' | 'refused' | 'delivered' | 'received' | 'read';

export function recipientProgress(
	status: { state: string; receivedAt?: string; readAt?: string } | undefined
): RecipientProgress {
	if (!status) return 'waiting';
	if (status.state === 'refused') return 'refused';
	if (status.readAt) return 'read';
	if (status.receivedAt) return 'received';
	return 'delivered';
}

export const RECIPIENT_PROGRESS_LABELS: Readonly<Record<RecipientProgress, string>> = {
	waiting: 'Chưa chuyển',
	refused: 'Không chuyển được',
	delivered: 'Đã chuyển',
	received: 'Đã nhận',
	read: 'Đã đọc'
};
