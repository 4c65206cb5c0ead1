import * as v from 'valibot';
import { CouchError, type CouchClient } from '../couch/couch-client';
import { isUnitDb, unitIdOfDb } from '../couch/db-names';
import type { DbUpdates } from '../couch/db-updates';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';
import { describeError, type Logger } from '../http/logger';
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
import { ChangedDbs } from './changed-dbs';
import { LeasedLoop } from './leased-loop';
import { WatcherRecords, type Seq } from './watcher-records';
import { recipientRefusal } from './reminder-recipients';

// The post office of reminders (docs/decisions/0018-reminders-and-receipts.md). A superior's device
// writes `reminder:<ulid>` in its own unit database; this worker delivers a copy
// (`reminder-received:<sender>:<ulid>`) into each recipient's database, and carries the receipts the
// recipients' devices write (`reminder-receipt:<sender>:<ulid>`) back into one status document per
// reminder in the sender's database (`reminder-status:<ulid>`). Like the unit watcher it learns which
// databases changed from `doanvu_dbupdates`, then reads each one's `_changes` from its own
// checkpoint (`_local` documents of the jobs database); one server process delivers at a time
// (`lease:reminders`).
//
// Exactly once without a transaction: a copy's id is deterministic and created without a revision,
// so delivering it again answers 409 and the copy already there is the delivery (its createdAt is
// when). Checkpoints move only after a page was handled, so a crash anywhere reads the page again.

const LEASE_ID = 'lease:reminders';
const UPDATES_CHECKPOINT = '_local/dbupdates:reminders';
const dbCheckpoint = (db: string) => `_local/reminders:${db}`;

/** Test hook: stop as a killed process would, after the n-th copy of a reminder was delivered. */
export type ReminderHooks = Pick<WorkerHooks, 'afterReminderDelivery'>;

class SimulatedCrash extends Error {}

type AnyDoc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

interface ChangeRow {
	id: string;
	seq: Seq;
	deleted?: boolean;
}

function isReminderDocId(id: string): boolean {
	return id.startsWith('reminder:') || id.startsWith('reminder-receipt:');
}

export class ReminderWorker {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #records: WatcherRecords;
	readonly #changed: ChangedDbs;
	readonly #batchSize: number;
	readonly #pollMs: number;
	readonly #logger: Logger;
	readonly #hooks: ReminderHooks;
	readonly #onWrite: (db: string) => void;
	readonly #loop: LeasedLoop;
	/** Where this process is in each unit database, as last checkpointed. */
	readonly #seqs = new Map<string, Seq>();
	#crashed = false;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		updates: DbUpdates;
		/** Where its lease and checkpoints live (the admin-only jobs database). */
		db: string;
		owner: string;
		leaseMs: number;
		pollMs: number;
		batchSize: number;
		logger: Logger;
		hooks?: ReminderHooks;
		/** A unit database was written (doanvu_dbupdates). */
		onWrite: (db: string) => void;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#records = new WatcherRecords({ couch: options.couch, db: options.db });
		this.#changed = new ChangedDbs({
			updates: options.updates,
			records: this.#records,
			checkpointId: UPDATES_CHECKPOINT
		});
		this.#batchSize = options.batchSize;
		this.#pollMs = options.pollMs;
		this.#logger = options.logger;
		this.#hooks = options.hooks ?? {};
		this.#onWrite = options.onWrite;
		const leaseMs = options.leaseMs;
		this.#loop = new LeasedLoop({
			couch: options.couch,
			db: options.db,
			leaseId: LEASE_ID,
			owner: options.owner,
			leaseMs,
			logger: options.logger,
			failureEvent: 'reminders_failed',
			tick: () => this.#tick(),
			nextDelay: ({ failed }) => {
				if (this.#crashed) return 60_000;
				const again = !failed && this.#changed.pending;
				const idle = this.#loop.holdsLease ? this.#pollMs : leaseMs / 4;
				return again ? 0 : Math.max(this.#pollMs, idle);
			},
			beforeRenewal: (lapsed) => {
				if (!lapsed) return;
				// Another process may have moved the checkpoints while it held the lease.
				this.#changed.forget();
				this.#seqs.clear();
				this.#records.forget();
			}
		});
	}

	/** A crash hook fired: this worker behaves as a dead process (it does nothing, keeps its lease). */
	get crashed(): boolean {
		return this.#crashed;
	}

	start(): void {
		this.#loop.start();
	}

	async stop(): Promise<void> {
		await this.#loop.stop();
	}

	/** This process wrote to `db`: look at it at the next tick. */
	nudge(db: string): void {
		if (!this.#loop.running || this.#crashed || !isUnitDb(db)) return;
		this.#changed.nudge(db);
		this.#loop.soon(Math.min(this.#pollMs, 50));
	}

	async #tick(): Promise<void> {
		if (this.#crashed) return;
		if (!(await this.#loop.holdLease())) {
			this.#changed.drop();
			return;
		}
		await this.#changed.round({
			loop: this.#loop,
			visit: (db) => this.#followDb(db),
			halted: () => this.#crashed
		});
	}

	async #followDb(db: string): Promise<void> {
		try {
			const unit = await this.#provision.getUnit(unitIdOfDb(db));
			if (!unit) return;
			const id = dbCheckpoint(db);
			let since = this.#seqs.get(db) ?? (await this.#records.getLocal<{ seq?: Seq }>(id))?.seq;
			if (since === undefined) {
				await this.#sweepDb(unit);
				return;
			}
			// Rows without documents are small: ten batches' worth per request.
			const limit = this.#batchSize * 10;
			for (;;) {
				// The feed without documents (members and history make most of it); then only the
				// reminders and receipts among the changed ids are read.
				const page: { results: ChangeRow[]; last_seq: Seq } = await this.#couch.json<{
					results: ChangeRow[];
					last_seq: Seq;
				}>({
					path: `${encodeURIComponent(db)}/_changes`,
					query: { since: String(since), limit },
					what: `${db}/_changes`
				});
				const wanted = page.results
					.filter((row) => !row.deleted && isReminderDocId(row.id))
					.map((row) => row.id);
				if (wanted.length > 0) {
					const rows = await this.#couch.allDocs<AnyDoc>({
						db,
						keys: [...new Set(wanted)],
						includeDocs: true
					});
					await this.#handle(
						unit,
						rows.flatMap((row) => (row.doc ? [row.doc] : []))
					);
				}
				if (page.results.length > 0 && String(page.last_seq) !== String(since)) {
					await this.#checkpoint(db, page.last_seq);
				}
				since = page.last_seq;
				if (page.results.length < limit || !this.#loop.running) return;
			}
		} catch (error) {
			if (error instanceof SimulatedCrash) {
				this.#crashed = true;
				return;
			}
			this.#changed.retry(db);
			this.#logger.error('reminders_db_failed', { db, error: describeError(error) });
		}
	}

	/**
	 * A database this worker never read: its reminders and receipts read in full (not its whole
	 * `_changes`: members and history make most of it), then on from the sequence before the reading.
	 */
	async #sweepDb(unit: UnitRecord): Promise<void> {
		const info = await this.#couch.json<{ update_seq: Seq }>({
			path: encodeURIComponent(unit.db),
			what: `${unit.db} info`
		});
		for (const prefix of ['reminder:', 'reminder-receipt:']) {
			let startkey = prefix;
			for (;;) {
				const rows = await this.#couch.allDocs<AnyDoc>({
					db: unit.db,
					startkey,
					endkey: `${prefix}\ufff0`,
					limit: this.#batchSize + 1,
					includeDocs: true
				});
				await this.#handle(
					unit,
					rows.slice(0, this.#batchSize).flatMap((row) => (row.doc ? [row.doc] : []))
				);
				if (rows.length <= this.#batchSize || !this.#loop.running) break;
				startkey = rows[this.#batchSize]!.id;
			}
		}
		await this.#checkpoint(unit.db, info.update_seq);
	}

	async #checkpoint(db: string, seq: Seq): Promise<void> {
		if (this.#seqs.size > 50_000) this.#seqs.clear();
		this.#seqs.set(db, seq);
		await this.#records.checkpoint(dbCheckpoint(db), { seq });
	}

	async #handle(unit: UnitRecord, docs: AnyDoc[]): Promise<void> {
		for (const doc of docs) {
			if (doc._deleted) continue;
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
			const deliveredAt = await this.#putCopy({ sender, recipient, reminder, reminderId });
			decided[recipientId] = { state: 'delivered', deliveredAt };
			index++;
			const verdict = this.#hooks.afterReminderDelivery?.({
				reminderId,
				unitId: recipientId,
				index
			});
			if (verdict === 'crash') throw new SimulatedCrash();
		}
		if (Object.keys(decided).length === 0 && status) return;
		await this.#updateStatus({
			sender,
			reminder: { id: reminderId, login: reminder.createdBy },
			change: (recipients) => {
				let changed = false;
				for (const [id, entry] of Object.entries(decided)) {
					// A receipt may have got there first (it carries the delivery time too).
					if (recipients[id]) continue;
					recipients[id] = entry;
					changed = true;
				}
				return changed;
			}
		});
	}

	/** The copy in the recipient's database: created once; its creation time is the delivery time. */
	async #putCopy(options: {
		sender: UnitRecord;
		recipient: UnitRecord;
		reminder: ReminderDoc;
		reminderId: string;
	}): Promise<string> {
		const { sender, recipient, reminder, reminderId } = options;
		const id = receivedReminderDocId({ fromUnitId: sender.id, reminderId });
		const now = new Date().toISOString();
		const copy: ReceivedReminderDoc = {
			_id: id,
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
		try {
			await this.#couch.putDoc({ db: recipient.db, doc: copy });
			this.#onWrite(recipient.db);
			return now;
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
			// Delivered before (a crash, another process): that delivery stands.
			const existing = await this.#couch.getDoc<ReceivedReminderDoc>({ db: recipient.db, id });
			return existing?.createdAt ?? now;
		}
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
	async #updateStatus(options: {
		sender: UnitRecord;
		reminder: { id: string; login: string };
		change: (recipients: Record<string, RecipientStatus>) => boolean;
	}): Promise<void> {
		const { sender, reminder } = options;
		const id = reminderStatusDocId(reminder.id);
		for (let attempt = 0; attempt < 5; attempt++) {
			const current = await this.#couch.getDoc<ReminderStatusDoc>({ db: sender.db, id });
			const recipients = { ...(current?.recipients ?? {}) };
			if (!options.change(recipients) && current) return;
			const now = new Date().toISOString();
			const doc: ReminderStatusDoc = {
				_id: id,
				...(current?._rev ? { _rev: current._rev } : {}),
				type: 'reminder-status',
				v: REMINDER_SCHEMA_VERSION,
				unitId: sender.id,
				reminderId: reminder.id,
				recipients,
				createdAt: current?.createdAt ?? now,
				createdBy: current?.createdBy ?? reminder.login,
				updatedAt: now,
				updatedBy: reminder.login
			};
			try {
				await this.#couch.putDoc({ db: sender.db, doc });
				this.#onWrite(sender.db);
				return;
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
			}
		}
		throw new Error(`reminders: too many conflicts writing ${id}`);
	}
}
