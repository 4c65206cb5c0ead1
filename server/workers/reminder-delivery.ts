import * as v from 'valibot';
import type { CouchClient } from '../couch/couch-client';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';
import type { Logger } from '../http/logger';
import {
	REMINDER_SCHEMA_VERSION,
	ReminderDocSchema,
	ReminderReceiptDocSchema,
	receivedReminderDocId,
	reminderStatusDocId,
	type ReceivedReminderDoc,
	type RecipientStatus,
	type ReminderDoc,
	type ReminderReceiptDoc,
	type ReminderStatusDoc
} from '../../src/lib/domain/reminders';
import type { WorkerHooks } from './job-runner';
import {
	addDecisions,
	mergeStatus,
	PostCrash,
	putCopyOnce,
	type AnyDoc,
	type PostHandler
} from './post-office-docs';
import { recipientRefusal } from './reminder-recipients';

// The reminders' post (docs/decisions/0018-reminders-and-receipts.md), one of the post office's
// handlers (post-office.ts). A superior's device writes `reminder:<ulid>` in its own unit database;
// this delivers a copy (`reminder-received:<sender>:<ulid>`) into each recipient's database, and
// carries the receipts the recipients' devices write (`reminder-receipt:<sender>:<ulid>`) back into
// one status document per reminder in the sender's database (`reminder-status:<ulid>`).

/** Test hook: stop as a killed process would, after the n-th copy of a reminder was delivered. */
export type ReminderHooks = Pick<WorkerHooks, 'afterReminderDelivery'>;

export class ReminderDelivery implements PostHandler {
	readonly prefixes = ['reminder:', 'reminder-receipt:'] as const;
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #logger: Logger;
	readonly #hooks: ReminderHooks;
	readonly #onWrite: (db: string) => void;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		logger: Logger;
		hooks?: ReminderHooks;
		onWrite: (db: string) => void;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#logger = options.logger;
		this.#hooks = options.hooks ?? {};
		this.#onWrite = options.onWrite;
	}

	async handle(unit: UnitRecord, doc: AnyDoc): Promise<void> {
		if (doc._id.startsWith('reminder:') && doc.type === 'reminder') {
			const parsed = v.safeParse(ReminderDocSchema, doc);
			if (parsed.success && parsed.output.unitId === unit.id) {
				await this.#deliver(unit, parsed.output);
			} else {
				this.#logger.info('reminder_unreadable', { db: unit.db, id: doc._id });
			}
		} else if (doc._id.startsWith('reminder-receipt:') && doc.type === 'reminder-receipt') {
			const parsed = v.safeParse(ReminderReceiptDocSchema, doc);
			if (parsed.success && parsed.output.unitId === unit.id) {
				await this.#receipt(unit, parsed.output);
			}
		}
	}

	/** Delivers a reminder to each recipient not yet decided on, then records it in the status. */
	async #deliver(sender: UnitRecord, reminder: ReminderDoc): Promise<void> {
		const reminderId = reminder._id.slice('reminder:'.length);
		const status = await this.#couch.getDoc<ReminderStatusDoc>({
			db: sender.db,
			id: reminderStatusDocId(reminderId)
		});
		const decided: Record<string, RecipientStatus> = {};
		let index = 0;
		for (const recipientId of reminder.recipients) {
			const known = status?.recipients[recipientId];
			if (known) continue;
			const recipient = await this.#provision.getUnit(recipientId);
			const reason = recipientRefusal({ sender, recipient });
			if (reason || !recipient) {
				decided[recipientId] = { state: 'refused', reason: reason ?? '' };
				continue;
			}
			const deliveredAt = await putCopyOnce({
				couch: this.#couch,
				db: recipient.db,
				doc: copyOf({ sender, recipient, reminder, reminderId }),
				onWrite: this.#onWrite
			});
			decided[recipientId] = { state: 'delivered', deliveredAt };
			index++;
			const verdict = this.#hooks.afterReminderDelivery?.({
				reminderId,
				unitId: recipientId,
				index
			});
			if (verdict === 'crash') throw new PostCrash();
		}
		if (Object.keys(decided).length === 0 && status) return;
		await this.#updateStatus({
			sender,
			reminder: { id: reminderId, login: reminder.createdBy },
			change: addDecisions(decided)
		});
	}

	/**
	 * A receipt from a recipient's device, carried into the sender's status. Only a unit that holds
	 * the delivered copy counts as a recipient: a receipt for a reminder never sent to it is ignored.
	 */
	async #receipt(recipient: UnitRecord, receipt: ReminderReceiptDoc): Promise<void> {
		const { fromUnitId, reminderId } = receipt;
		if (receipt._id !== `reminder-receipt:${fromUnitId}:${reminderId}`) return;
		const copy = await this.#couch.getDoc<ReceivedReminderDoc>({
			db: recipient.db,
			id: receivedReminderDocId({ fromUnitId, reminderId })
		});
		if (!copy) return;
		const sender = await this.#provision.getUnit(fromUnitId);
		if (!sender) return;
		await this.#updateStatus({
			sender,
			reminder: { id: reminderId, login: copy.sentBy },
			change: (recipients) => {
				const before = recipients[recipient.id];
				const entry: RecipientStatus = before ?? {
					state: 'delivered',
					deliveredAt: copy.createdAt
				};
				// The first time counts: a later receipt never moves a time already recorded.
				const next: RecipientStatus = {
					...entry,
					receivedAt: entry.receivedAt ?? receipt.receivedAt,
					...(entry.readAt
						? {}
						: receipt.readAt
							? { readAt: receipt.readAt, readBy: receipt.readBy ?? receipt.updatedBy }
							: {})
				};
				if (JSON.stringify(next) === JSON.stringify(before)) return false;
				recipients[recipient.id] = next;
				return true;
			}
		});
	}

	/** Changes the status document of a reminder (created if missing), retrying on a conflict. */
	#updateStatus(options: {
		sender: UnitRecord;
		reminder: { id: string; login: string };
		change: (recipients: Record<string, RecipientStatus>) => boolean;
	}): Promise<void> {
		const { sender, reminder } = options;
		return mergeStatus<RecipientStatus, ReminderStatusDoc>({
			couch: this.#couch,
			db: sender.db,
			id: reminderStatusDocId(reminder.id),
			recipientsOf: (current) => current?.recipients ?? {},
			change: options.change,
			onWrite: this.#onWrite,
			build: ({ current, recipients, now }) => ({
				_id: reminderStatusDocId(reminder.id),
				type: 'reminder-status',
				v: REMINDER_SCHEMA_VERSION,
				unitId: sender.id,
				reminderId: reminder.id,
				recipients,
				createdAt: current?.createdAt ?? now,
				createdBy: current?.createdBy ?? reminder.login,
				updatedAt: now,
				updatedBy: reminder.login
			})
		});
	}
}

/** The copy in the recipient's database; its creation time is the delivery time. */
function copyOf(options: {
	sender: UnitRecord;
	recipient: UnitRecord;
	reminder: ReminderDoc;
	reminderId: string;
}): ReceivedReminderDoc {
	const { sender, recipient, reminder, reminderId } = options;
	const now = new Date().toISOString();
	return {
		_id: receivedReminderDocId({ fromUnitId: sender.id, reminderId }),
		type: 'reminder-received',
		v: REMINDER_SCHEMA_VERSION,
		unitId: recipient.id,
		reminderId,
		fromUnitId: sender.id,
		fromName: sender.name,
		text: reminder.text,
		...(reminder.deadline ? { deadline: reminder.deadline } : {}),
		sentAt: reminder.createdAt,
		sentBy: reminder.createdBy,
		createdAt: now,
		createdBy: reminder.createdBy,
		updatedAt: now,
		updatedBy: reminder.createdBy
	};
}
