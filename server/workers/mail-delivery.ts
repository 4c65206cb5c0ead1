import * as v from 'valibot';
import type { CouchClient } from '../couch/couch-client';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';
import { describeError, type Logger } from '../http/logger';
import {
	MailDocSchema,
	MailReceiptDocSchema,
	mailStatusDocId,
	receivedMailDocId,
	type MailDoc,
	type MailReceiptDoc,
	type MailRecipientStatus,
	type MailStatusDoc,
	type ReceivedMailDoc
} from '../../src/lib/domain/mail';
import { FileStore } from '../attachments/file-store';
import type { WorkerHooks } from './job-runner';
import { mailRecipientRefusal } from './mail-recipients';
import { updateMailStatus, withReceipt, withReply } from './mail-status';
import {
	addDecisions,
	eachAtOnce,
	PostCrash,
	putCopyOnce,
	type AnyDoc,
	type PostHandler
} from './post-office-docs';

// Mail's post (docs/decisions/0021-mail-between-units.md), one of the post office's handlers
// (post-office.ts). For a `mail:<ulid>` in the sender's database: each recipient not yet decided on
// is checked (mail-recipients.ts; a refusal is recorded in the status with its reason), the allowed
// ones are added to the attached files' readers, then a copy `mail-received:<sender>:<ulid>` is
// created in each one's database, several at a time, and the decisions are merged into
// `mail-status:<ulid>`. A crash between two copies leaves copies and no status: the next reading
// (this process or the next lease holder) PUTs them again, a 409 being the delivery already made.
//
// A `mail-receipt:<sender>:<ulid>` in a recipient's database is carried into the sender's status,
// only when that database holds the copy (a receipt for a mail never delivered there is ignored).
//
// Replies: a mail with `inReplyTo` marks the original's status `repliedAt` for the replying unit,
// once the reply's copy is in the original sender's database and the replying unit holds the
// original's copy, at the reply's creation time. The server decides it from the mail itself, so the
// sender sees it whether or not the replying device also sets its receipt's `repliedAt` (which is
// carried in the same way; the first time recorded stays).

/** Recipients delivered to at once: 300 units take seconds, not minutes. */
const DELIVERY_CONCURRENCY = 8;

export type MeetingScheduler = (notice: {
	senderId: string;
	mailId: string;
	startsAt: string;
	unitIds: string[];
}) => Promise<void>;

/** Test hook: stop as a killed process would, after the n-th copy of a mail was delivered. */
export type MailHooks = Pick<WorkerHooks, 'afterMailDelivery'>;

export class MailDelivery implements PostHandler {
	readonly prefixes = ['mail:', 'mail-receipt:'] as const;
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #files: FileStore;
	readonly #logger: Logger;
	readonly #hooks: MailHooks;
	readonly #onWrite: (db: string) => void;
	readonly #onDelivered: (unitIds: string[]) => void;
	readonly #onMeeting: MeetingScheduler;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		logger: Logger;
		hooks?: MailHooks;
		onWrite: (db: string) => void;
		/**
		 * Copies were just created in these units' databases (not found already there): the Web Push
		 * notices (docs/decisions/0022-web-push.md). Called after the writes, must not throw or wait.
		 */
		onDelivered?: (unitIds: string[]) => void;
		/**
		 * A meeting invitation was delivered to these units (copies made now or earlier): the notice
		 * before it starts (server/push/meeting-notices.ts). Awaited; a failure is logged.
		 */
		onMeeting?: MeetingScheduler;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#files = new FileStore({
			couch: options.couch,
			db: options.provision.names.files,
			units: (id) => options.provision.getUnit(id)
		});
		this.#logger = options.logger;
		this.#hooks = options.hooks ?? {};
		this.#onWrite = options.onWrite;
		this.#onDelivered = options.onDelivered ?? (() => {});
		this.#onMeeting = options.onMeeting ?? (() => Promise.resolve());
	}

	async handle(unit: UnitRecord, doc: AnyDoc): Promise<void> {
		if (doc._id.startsWith('mail:') && doc.type === 'mail') {
			const parsed = v.safeParse(MailDocSchema, doc);
			if (parsed.success && parsed.output.unitId === unit.id) {
				await this.#deliver(unit, parsed.output);
				await this.#markReply(unit, parsed.output);
			} else {
				this.#logger.info('mail_unreadable', { db: unit.db, id: doc._id });
			}
		} else if (doc._id.startsWith('mail-receipt:') && doc.type === 'mail-receipt') {
			const parsed = v.safeParse(MailReceiptDocSchema, doc);
			if (parsed.success && parsed.output.unitId === unit.id) {
				await this.#receipt(unit, parsed.output);
			}
		}
	}

	async #deliver(sender: UnitRecord, mail: MailDoc): Promise<void> {
		const mailId = mail._id.slice('mail:'.length);
		const status = await this.#couch.getDoc<MailStatusDoc>({
			db: sender.db,
			id: mailStatusDocId(mailId)
		});
		const pending = mail.recipients.filter((id) => !status?.recipients[id]);
		if (pending.length === 0 && status) return;
		const units = await this.#units(pending);
		const decided: Record<string, MailRecipientStatus> = {};
		const allowed: UnitRecord[] = [];
		for (const id of pending) {
			const recipient = units.get(id);
			const reason = mailRecipientRefusal({ kind: mail.kind, sender, recipient });
			if (reason || !recipient) decided[id] = { state: 'refused', reason: reason ?? '' };
			else allowed.push(recipient);
		}
		// Before any copy arrives, its recipients may open what it carries.
		if (allowed.length > 0 && mail.attachments && mail.attachments.length > 0) {
			// A missing file (or one the sender may not read) is logged and skipped: the mail is
			// delivered all the same, its recipients told the attachment cannot be fetched.
			for (const sha256 of new Set(mail.attachments.map((file) => file.id))) {
				const shared = await this.#files.share({
					sha256,
					from: sender.id,
					to: allowed.map((unit) => unit.id)
				});
				if (shared !== 'shared') {
					this.#logger.info('mail_attachment_not_shared', { mailId, file: sha256, why: shared });
				}
			}
		}
		let index = 0;
		await eachAtOnce(allowed, DELIVERY_CONCURRENCY, async (recipient) => {
			const deliveredAt = await putCopyOnce({
				couch: this.#couch,
				db: recipient.db,
				doc: copyOf({ sender, recipient, mail, mailId }),
				onWrite: (db) => {
					this.#onWrite(db);
					// Only a copy this call created: one found already there was announced then.
					this.#onDelivered([recipient.id]);
				}
			});
			decided[recipient.id] = { state: 'delivered', deliveredAt };
			index++;
			const verdict = this.#hooks.afterMailDelivery?.({ mailId, unitId: recipient.id, index });
			if (verdict === 'crash') throw new PostCrash();
		});
		if (mail.kind === 'meeting' && mail.meeting && allowed.length > 0) {
			await this.#onMeeting({
				senderId: sender.id,
				mailId,
				startsAt: mail.meeting.startsAt,
				unitIds: allowed.map((unit) => unit.id)
			}).catch((error: unknown) => {
				this.#logger.error('meeting_notice_not_scheduled', { mailId, error: describeError(error) });
			});
		}
		await updateMailStatus({
			couch: this.#couch,
			sender,
			mail: { id: mailId, login: mail.createdBy },
			onWrite: this.#onWrite,
			change: addDecisions(decided)
		});
	}

	/** The directory's records of these units, in one request (a mail may name 500). */
	async #units(ids: readonly string[]): Promise<Map<string, UnitRecord>> {
		const units = new Map<string, UnitRecord>();
		if (ids.length === 0) return units;
		const rows = await this.#couch.allDocs<UnitRecord>({
			db: this.#provision.names.directory,
			keys: ids.map((id) => `unit:${id}`),
			includeDocs: true
		});
		for (const row of rows) if (row.doc?.type === 'unit') units.set(row.doc.id, row.doc);
		return units;
	}

	/** A reply marks the original's status for the replying unit (see the top of this file). */
	async #markReply(replier: UnitRecord, reply: MailDoc): Promise<void> {
		const to = reply.inReplyTo;
		if (!to || to.unitId === replier.id) return;
		const original = await this.#couch.getDoc<ReceivedMailDoc>({
			db: replier.db,
			id: receivedMailDocId({ fromUnitId: to.unitId, mailId: to.mailId })
		});
		if (!original) return;
		const sender = await this.#provision.getUnit(to.unitId);
		if (!sender) return;
		const replyId = reply._id.slice('mail:'.length);
		const arrived = await this.#couch.getDoc({
			db: sender.db,
			id: receivedMailDocId({ fromUnitId: replier.id, mailId: replyId })
		});
		if (!arrived) return;
		await updateMailStatus({
			couch: this.#couch,
			sender,
			mail: { id: to.mailId, login: original.sentBy },
			onWrite: this.#onWrite,
			change: (recipients) => {
				const before = recipients[replier.id];
				const entry = before ?? { state: 'delivered', deliveredAt: original.createdAt };
				const next = withReply(entry, reply.createdAt);
				if (next === before) return false;
				recipients[replier.id] = next;
				return true;
			}
		});
	}

	/** A recipient's receipt, carried into the sender's status when it holds the copy. */
	async #receipt(recipient: UnitRecord, receipt: MailReceiptDoc): Promise<void> {
		const { fromUnitId, mailId } = receipt;
		if (receipt._id !== `mail-receipt:${fromUnitId}:${mailId}`) return;
		const copy = await this.#couch.getDoc<ReceivedMailDoc>({
			db: recipient.db,
			id: receivedMailDocId({ fromUnitId, mailId })
		});
		if (!copy) return;
		const sender = await this.#provision.getUnit(fromUnitId);
		if (!sender) return;
		await updateMailStatus({
			couch: this.#couch,
			sender,
			mail: { id: mailId, login: copy.sentBy },
			onWrite: this.#onWrite,
			change: (recipients) => {
				const before = recipients[recipient.id];
				const entry = before ?? { state: 'delivered', deliveredAt: copy.createdAt };
				const next = withReceipt(entry, receipt);
				if (next === before) return false;
				recipients[recipient.id] = next;
				return true;
			}
		});
	}
}

/** The copy in the recipient's database: the mail as sent; its creation time is the delivery. */
function copyOf(options: {
	sender: UnitRecord;
	recipient: UnitRecord;
	mail: MailDoc;
	mailId: string;
}): ReceivedMailDoc {
	const { sender, recipient, mail, mailId } = options;
	// The sender's own bookkeeping stays in its database.
	const { _id, _rev, type, unitId, recipientNames, ...sent } = mail;
	void [_id, _rev, type, unitId, recipientNames];
	const now = new Date().toISOString();
	return {
		...sent,
		_id: receivedMailDocId({ fromUnitId: sender.id, mailId }),
		type: 'mail-received',
		unitId: recipient.id,
		mailId,
		fromUnitId: sender.id,
		// The directory's name, not the one the sender's device wrote: a unit cannot sign as another.
		fromName: sender.name,
		sentAt: mail.createdAt,
		sentBy: mail.createdBy,
		createdAt: now,
		createdBy: mail.createdBy,
		updatedAt: now,
		updatedBy: mail.createdBy
	};
}
