import type { CouchClient } from '../couch/couch-client';
import type { UnitRecord } from '../couch/provision-service';
import {
	MAIL_SCHEMA_VERSION,
	mailStatusDocId,
	type MailReceiptDoc,
	type MailRecipientStatus,
	type MailStatusDoc
} from '../../src/lib/domain/mail';
import { mergeStatus } from './post-office-docs';

// The status document of a sent mail (`mail-status:<ulid>` in the sender's database, ADR 0021): one
// entry per recipient unit, written by the post office only. A delivery or a refusal is decided
// once; what the recipient's receipts say is carried in — received, opened (who), acknowledged
// (who), the meeting answer, replied — each time recorded the first time it is seen and never moved
// afterwards, except the meeting answer, which the recipient may change until the meeting.

export function updateMailStatus(options: {
	couch: CouchClient;
	sender: Pick<UnitRecord, 'id' | 'db'>;
	mail: { id: string; login: string };
	change: (recipients: Record<string, MailRecipientStatus>) => boolean;
	onWrite: (db: string) => void;
}): Promise<void> {
	const { sender, mail } = options;
	const id = mailStatusDocId(mail.id);
	return mergeStatus<MailRecipientStatus, MailStatusDoc>({
		couch: options.couch,
		db: sender.db,
		id,
		recipientsOf: (current) => current?.recipients ?? {},
		change: options.change,
		onWrite: options.onWrite,
		build: ({ current, recipients, now }) => ({
			_id: id,
			type: 'mail-status',
			v: MAIL_SCHEMA_VERSION,
			unitId: sender.id,
			mailId: mail.id,
			recipients,
			createdAt: current?.createdAt ?? now,
			createdBy: current?.createdBy ?? mail.login,
			updatedAt: now,
			updatedBy: mail.login
		})
	});
}

/** A recipient's entry once its receipt is carried in (the same object when nothing changes). */
export function withReceipt(
	entry: MailRecipientStatus,
	receipt: MailReceiptDoc
): MailRecipientStatus {
	const next: MailRecipientStatus = {
		...entry,
		receivedAt: entry.receivedAt ?? receipt.receivedAt
	};
	if (!entry.openedAt && receipt.openedAt) {
		next.openedAt = receipt.openedAt;
		next.openedBy = receipt.openedBy ?? receipt.updatedBy;
	}
	if (!entry.acknowledgedAt && receipt.acknowledgedAt) {
		next.acknowledgedAt = receipt.acknowledgedAt;
		next.acknowledgedBy = receipt.acknowledgedBy ?? receipt.updatedBy;
	}
	if (receipt.response) next.response = receipt.response;
	if (!entry.repliedAt && receipt.repliedAt) next.repliedAt = receipt.repliedAt;
	return JSON.stringify(next) === JSON.stringify(entry) ? entry : next;
}

/** Marks the recipient's entry replied, at the reply's time, unless it already is. */
export function withReply(entry: MailRecipientStatus, repliedAt: string): MailRecipientStatus {
	return entry.repliedAt ? entry : { ...entry, repliedAt };
}
