import { recipientProgress, type RecipientProgress } from './compose';
import type { ReminderDoc, ReminderStatusDoc } from './reminder-schema';

// The dashboard's progress cards say, for each subordinate unit, the latest reminder the
// superior's unit sent it and how far it got (waiting to be sent, delivered, received, read), so a
// secretary sees at a glance whom she already reminded and whether they read it before she
// reminds them again (docs/dashboard.md).

export interface LastReminder {
	/** The reminder's ULID (its page: /tong-quan/don-doc/<id>). */
	reminderId: string;
	/** When it was written on the sender's device (a timestamp). */
	sentAt: string;
	progress: RecipientProgress;
}

/**
 * Per recipient unit id, the latest of `reminders` sent to it, with that unit's progress from the
 * reminder's status document (none yet: waiting to be sent). `refused` marks a reminder the
 * server refused as a whole (still in the outbox with a reason).
 */
export function lastReminders(options: {
	reminders: readonly ReminderDoc[];
	statuses: readonly ReminderStatusDoc[];
	refused?: ReadonlySet<string>;
}): Map<string, LastReminder> {
	const statusOf = new Map(options.statuses.map((status) => [status.reminderId, status]));
	const latest = new Map<string, LastReminder>();
	for (const reminder of options.reminders) {
		const reminderId = reminder._id.slice('reminder:'.length);
		const status = statusOf.get(reminderId);
		for (const unitId of reminder.recipients) {
			const current = latest.get(unitId);
			// ULIDs order by creation; the timestamp breaks no tie a ULID leaves.
			if (current && current.reminderId > reminderId) continue;
			latest.set(unitId, {
				reminderId,
				sentAt: reminder.createdAt,
				progress: options.refused?.has(reminder._id)
					? 'refused'
					: recipientProgress(status?.recipients[unitId])
			});
		}
	}
	return latest;
}
