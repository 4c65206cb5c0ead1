import * as v from 'valibot';
import type { UnitRecord } from '../couch/provision-service';
import { recipientRefusal } from '../workers/reminder-recipients';
import { ReminderDocSchema } from '../../src/lib/domain/reminders';
import { isRecord } from './citizen-id-check';

// The write guard's check of reminders (docs/decisions/0018-reminders-and-receipts.md): a new
// `reminder:` document must match its schema and name only the sender's descendants, so a device
// learns at once, in Vietnamese, why a reminder to another unit was refused (the reminder worker
// asks the same question again before delivering). Deletions and other documents pass on to
// validate_doc_update, which refuses changing or deleting a sent reminder.

export async function reminderRefusals(options: {
	unitId: string;
	docs: unknown[];
	units: (id: string) => Promise<UnitRecord | undefined>;
}): Promise<Map<number, string>> {
	const refused = new Map<number, string>();
	for (const [index, doc] of options.docs.entries()) {
		if (!isRecord(doc) || doc._deleted === true) continue;
		const id = typeof doc._id === 'string' ? doc._id : '';
		if (doc.type !== 'reminder' && !id.startsWith('reminder:')) continue;
		const parsed = v.safeParse(ReminderDocSchema, doc);
		if (!parsed.success) {
			refused.set(index, `Đôn đốc không hợp lệ: ${parsed.issues[0].message}`);
			continue;
		}
		if (parsed.output.unitId !== options.unitId) continue; // validate_doc_update refuses it
		for (const recipientId of parsed.output.recipients) {
			const reason = recipientRefusal({
				sender: { id: options.unitId },
				recipient: await options.units(recipientId)
			});
			if (reason) {
				refused.set(index, reason);
				break;
			}
		}
	}
	return refused;
}
