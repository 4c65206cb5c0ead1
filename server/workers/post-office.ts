import type { CouchClient } from '../couch/couch-client';
import { isUnitDb, unitIdOfDb } from '../couch/db-names';
import type { DbUpdates } from '../couch/db-updates';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';
import { describeError, type Logger } from '../http/logger';
import { ChangedDbs } from './changed-dbs';
import { LeasedLoop } from './leased-loop';
import { PostCrash, type AnyDoc, type PostHandler } from './post-office-docs';
import { WatcherRecords, type Seq } from './watcher-records';

// The unit databases' post office (ADR 0018 built it for reminders, ADR 0021 adds mail). A unit's
// device writes what it sends in its own database (`reminder:`, `mail:`); the post office delivers
// copies into the recipients' databases and carries the recipients' receipts back into one status
// document per item in the sender's database. What to do with each kind of document is a handler's
// business (reminder-delivery.ts, mail-delivery.ts); this file only finds the documents. Like the
// unit watcher it learns which databases changed from `doanvu_dbupdates`, then reads each one's
// `_changes` from its own checkpoint (`_local` documents of the jobs database); one server process
// delivers at a time (`lease:reminders`, the name it had before mail, kept so a running deployment
// keeps its checkpoints).
//
// Exactly once without a transaction: a copy's id is deterministic and created without a revision,
// so delivering it again answers 409 and the copy already there is the delivery (its createdAt is
// when). Checkpoints move only after a page was handled, so a crash anywhere reads the page again.

const LEASE_ID = 'lease:reminders';
const UPDATES_CHECKPOINT = '_local/dbupdates:reminders';
const dbCheckpoint = (db: string) => `_local/reminders:${db}`;

interface ChangeRow {
	id: string;
	seq: Seq;
	deleted?: boolean;
}

export class PostOffice {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #handlers: readonly PostHandler[];
	readonly #records: WatcherRecords;
	readonly #changed: ChangedDbs;
	readonly #batchSize: number;
	readonly #pollMs: number;
	readonly #logger: Logger;
	readonly #loop: LeasedLoop;
	/** Where this process is in each unit database, as last checkpointed. */
	readonly #seqs = new Map<string, Seq>();
	#crashed = false;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		updates: DbUpdates;
		handlers: readonly PostHandler[];
		/** Where its lease and checkpoints live (the admin-only jobs database). */
		db: string;
		owner: string;
		leaseMs: number;
		pollMs: number;
		batchSize: number;
		logger: Logger;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#handlers = options.handlers;
		this.#records = new WatcherRecords({ couch: options.couch, db: options.db });
		this.#changed = new ChangedDbs({
			updates: options.updates,
			records: this.#records,
			checkpointId: UPDATES_CHECKPOINT
		});
		this.#batchSize = options.batchSize;
		this.#pollMs = options.pollMs;
		this.#logger = options.logger;
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

	#handlerOf(id: string): PostHandler | undefined {
		return this.#handlers.find((handler) => handler.prefixes.some((p) => id.startsWith(p)));
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
				// post among the changed ids is read.
				const page: { results: ChangeRow[]; last_seq: Seq } = await this.#couch.json<{
					results: ChangeRow[];
					last_seq: Seq;
				}>({
					path: `${encodeURIComponent(db)}/_changes`,
					query: { since: String(since), limit },
					what: `${db}/_changes`
				});
				const wanted = page.results
					.filter((row) => !row.deleted && this.#handlerOf(row.id))
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
			if (error instanceof PostCrash) {
				this.#crashed = true;
				return;
			}
			this.#changed.retry(db);
			this.#logger.error('reminders_db_failed', { db, error: describeError(error) });
		}
	}

	/**
	 * A database this worker never read: its post read in full, prefix by prefix (not its whole
	 * `_changes`: members and history make most of it), then on from the sequence before the reading.
	 */
	async #sweepDb(unit: UnitRecord): Promise<void> {
		const info = await this.#couch.json<{ update_seq: Seq }>({
			path: encodeURIComponent(unit.db),
			what: `${unit.db} info`
		});
		for (const prefix of this.#handlers.flatMap((handler) => handler.prefixes)) {
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
			await this.#handlerOf(doc._id)?.handle(unit, doc);
		}
	}
}
