import { CouchError, type CouchClient } from '../couch/couch-client';
import { isUnitDb, unitIdOfDb } from '../couch/db-names';
import type { DbUpdates } from '../couch/db-updates';
import { transferJobId, type JobDoc, type JobService } from './job-service';
import { describeError, type Logger } from '../http/logger';
import type { AuditService } from '../audit/audit-service';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';
import type { CitizenRegistry } from '../registry/registry-service';
import { transferJobFor, type TransferWorker } from './transfer-worker';
import { ChangedDbs } from './changed-dbs';
import { LeasedLoop } from './leased-loop';
import { WatcherRecords, type Seq, type WatcherState } from './watcher-records';

// Follows what devices write into the unit databases, for the two things that must happen beyond
// the database written to (docs/decisions/0009-transfers-and-registry.md):
//   - the citizen-id registry follows the member documents: numbers on the rolls claimed, numbers
//     that left the rolls released, records moved by a split or a transfer moved;
//   - transfers: a member `transferring` with a request the server has no job for gets one (the
//     transfer worker then delivers the offer); an answered offer wakes its parked job.
// It learns which databases changed from `doanvu_dbupdates` (db-updates.ts: the proxy and the
// server's writers record every unit database they write to; the embedded store has no
// `_db_updates`), then reads each one's `_changes` from its checkpoint. Checkpoints live in the
// admin-only registry database as `_local` documents, under a generation: a rebuild starts a new
// generation, and a database without a checkpoint of the current one is swept (its member and
// transfer documents read in full) — which is how a new deployment, or a registry lost or rebuilt,
// registers every member already stored. One server process watches at a time (`lease:watcher`).

const LEASE_ID = 'lease:watcher';
const UPDATES_CHECKPOINT = '_local/dbupdates:watcher';

interface ChangeRow {
	id: string;
	seq: Seq;
	deleted?: boolean;
	doc?: Record<string, unknown> & { _id: string };
}

export class UnitWatcher {
	readonly #couch: CouchClient;
	readonly #jobs: JobService;
	readonly #provision: ProvisionService;
	readonly #registry: CitizenRegistry;
	readonly #audit: AuditService;
	readonly #transfers: TransferWorker;
	readonly #pollMs: number;
	readonly #sweepMs: number;
	readonly #batchSize: number;
	readonly #onJob: () => void;
	readonly #logger: Logger;
	readonly #records: WatcherRecords;
	readonly #changed: ChangedDbs;
	#state: (WatcherState & { rev?: string }) | undefined;
	#stateReadAt = 0;
	#parkedSweptAt = 0;
	#sweptAt = -Infinity;
	#sweptGeneration = 0;
	readonly #loop: LeasedLoop;

	constructor(options: {
		couch: CouchClient;
		jobs: JobService;
		provision: ProvisionService;
		registry: CitizenRegistry;
		audit: AuditService;
		transfers: TransferWorker;
		updates: DbUpdates;
		owner: string;
		leaseMs: number;
		pollMs: number;
		/** How often parked transfers are looked at in case a wake-up was missed. */
		sweepMs: number;
		batchSize: number;
		/** A transfer job was created or woken: the transfer runner should look now. */
		onJob: () => void;
		logger: Logger;
	}) {
		this.#couch = options.couch;
		this.#jobs = options.jobs;
		this.#provision = options.provision;
		this.#registry = options.registry;
		this.#audit = options.audit;
		this.#transfers = options.transfers;
		this.#pollMs = options.pollMs;
		this.#sweepMs = options.sweepMs;
		this.#batchSize = options.batchSize;
		this.#onJob = options.onJob;
		this.#logger = options.logger;
		this.#records = new WatcherRecords({ couch: options.couch, db: options.registry.db });
		this.#changed = new ChangedDbs({
			updates: options.updates,
			records: this.#records,
			checkpointId: UPDATES_CHECKPOINT
		});
		const leaseMs = options.leaseMs;
		this.#loop = new LeasedLoop({
			couch: options.couch,
			db: options.jobs.db,
			leaseId: LEASE_ID,
			owner: options.owner,
			leaseMs,
			logger: options.logger,
			failureEvent: 'watch_failed',
			tick: () => this.#tick(),
			nextDelay: ({ failed }) => {
				const again = !failed && this.#changed.pending;
				// Without the lease there is nothing to do before it could run out.
				const idle = this.#loop.holdsLease ? this.#pollMs : leaseMs / 4;
				return again ? 0 : Math.max(this.#pollMs, idle);
			},
			beforeRenewal: (lapsed) => {
				if (!lapsed) return;
				// Another process may have moved the checkpoints while it held the lease.
				this.#changed.forget();
				this.#state = undefined;
				this.#records.forget();
			}
		});
	}

	start(): void {
		this.#loop.start();
	}

	async stop(): Promise<void> {
		await this.#loop.stop();
	}

	/** This process wrote to `db` (the proxy forwarded a write): look at it at the next tick. */
	nudge(db: string): void {
		if (!this.#loop.running || !isUnitDb(db)) return;
		this.#changed.nudge(db);
		this.#loop.soon(Math.min(this.#pollMs, 50));
	}

	/**
	 * Starts a new generation: every unit database is swept again and the registry rebuilt from
	 * what they hold (claims nobody holds any more are found stale and taken over, or released).
	 */
	async rebuild(): Promise<number> {
		for (let attempt = 0; attempt < 5; attempt++) {
			const state = await this.#records.readState();
			const next: WatcherState = { generation: state.generation + 1, swept: false };
			const rev = await this.#records.putState(next, state.rev);
			if (rev !== undefined) {
				this.#state = { ...next, rev };
				this.#stateReadAt = Date.now();
				this.#loop.soon(0);
				return next.generation;
			}
		}
		throw new Error('watcher: too many conflicts starting a rebuild');
	}

	async #tick(): Promise<void> {
		if (!(await this.#loop.holdLease())) {
			// Another process watches; it learns of these databases from `doanvu_dbupdates`.
			this.#changed.drop();
			return;
		}
		if (!this.#state || Date.now() - this.#stateReadAt > 10_000) {
			this.#state = await this.#records.readState();
			this.#stateReadAt = Date.now();
		}
		const state = this.#state;
		// An incomplete sweep (a database could not be read) is tried again now and then.
		if (
			!state.swept &&
			(state.generation !== this.#sweptGeneration || Date.now() - this.#sweptAt > this.#sweepMs)
		) {
			this.#sweptAt = Date.now();
			this.#sweptGeneration = state.generation;
			const complete = await this.#sweepAll(state.generation);
			if (!this.#loop.running || !this.#loop.holdsLease) return;
			if (complete) {
				// Against the revision read: a rebuild asked meanwhile (a new generation) must stand.
				const done = { generation: state.generation, swept: true };
				const rev = await this.#records.putState(done, state.rev);
				if (rev !== undefined) this.#state = { ...done, rev };
				else this.#stateReadAt = 0;
			}
		}
		if (
			!(await this.#changed.round({
				loop: this.#loop,
				visit: (db) => this.#watchDb(db, state.generation)
			}))
		)
			return;
		if (Date.now() - this.#parkedSweptAt > this.#sweepMs) {
			this.#parkedSweptAt = Date.now();
			await this.#sweepParked();
		}
	}

	async #watchDb(db: string, generation: number): Promise<void> {
		try {
			const unit = await this.#provision.getUnit(unitIdOfDb(db));
			if (!unit) return;
			const checkpoint =
				this.#records.knownSeq(db) ??
				(await this.#records.getLocal<{ seq?: Seq; generation?: number }>(`_local/watch:${db}`));
			if (checkpoint?.generation !== generation || checkpoint.seq === undefined) {
				await this.#sweepDb(unit, generation);
				return;
			}
			let since: Seq = checkpoint.seq;
			for (;;) {
				const page = await this.#couch.json<{ results: ChangeRow[]; last_seq: Seq }>({
					path: `${encodeURIComponent(db)}/_changes`,
					query: { since: String(since), include_docs: true, limit: this.#batchSize },
					what: `${db}/_changes`
				});
				const docs = page.results.map((row) => row.doc ?? { _id: row.id, _deleted: true });
				await this.#handle(unit, docs);
				if (page.results.length > 0 && String(page.last_seq) !== String(since)) {
					await this.#records.checkpoint(`_local/watch:${db}`, { seq: page.last_seq, generation });
				}
				since = page.last_seq;
				if (page.results.length < this.#batchSize || !this.#loop.running) return;
			}
		} catch (error) {
			this.#changed.retry(db);
			this.#logger.error('watch_db_failed', { db, error: describeError(error) });
		}
	}

	/**
	 * Reads a database's member and transfer documents in full (not its whole `_changes`: history
	 * makes most of it), then continues from the sequence it had before the reading.
	 */
	async #sweepDb(unit: UnitRecord, generation: number): Promise<void> {
		const info = await this.#couch.json<{ update_seq: Seq }>({
			path: encodeURIComponent(unit.db),
			what: `${unit.db} info`
		});
		for (const prefix of ['member:', 'transfer:']) {
			let startkey = prefix;
			for (;;) {
				const rows = await this.#couch.allDocs<Record<string, unknown> & { _id: string }>({
					db: unit.db,
					startkey,
					endkey: `${prefix}\ufff0`,
					limit: this.#batchSize + 1,
					includeDocs: true
				});
				const page = rows.slice(0, this.#batchSize);
				await this.#handle(
					unit,
					page.flatMap((row) => (row.doc ? [row.doc] : []))
				);
				if (rows.length <= this.#batchSize || !this.#loop.running) break;
				startkey = rows[this.#batchSize]!.id;
			}
		}
		await this.#records.checkpoint(`_local/watch:${unit.db}`, { seq: info.update_seq, generation });
	}

	/** Sweeps every unit database not yet swept in this generation; false when some failed. */
	async #sweepAll(generation: number): Promise<boolean> {
		const units = await this.#provision.listUnits();
		let failed = 0;
		for (let i = 0; i < units.length && this.#loop.running; i += 4) {
			// A long sweep keeps its lease; losing it (another process took over) ends this one.
			if (!(await this.#loop.holdLease())) return false;
			await Promise.all(
				units.slice(i, i + 4).map(async (unit) => {
					const checkpoint = await this.#records.getLocal<{ generation?: number }>(
						`_local/watch:${unit.db}`
					);
					if (checkpoint?.generation === generation) return;
					await this.#sweepDb(unit, generation).catch((error) => {
						failed++;
						this.#logger.error('watch_sweep_failed', { db: unit.db, error: describeError(error) });
					});
				})
			);
		}
		if (failed === 0) this.#logger.info('watch_swept', { units: units.length, generation });
		return failed === 0;
	}

	async #handle(
		unit: UnitRecord,
		docs: (Record<string, unknown> & { _id: string })[]
	): Promise<void> {
		const members = docs.filter((doc) => doc._id.startsWith('member:'));
		if (members.length > 0) {
			const result = await this.#registry.reconcile({ unit, docs: members });
			if (result.clashes > 0) {
				// Counts only: never which numbers.
				this.#logger.info('registry_clashes', { db: unit.db, clashes: result.clashes });
			}
		}
		for (const doc of members) {
			const transfer = doc.transfer as { id?: unknown } | undefined;
			if (doc._deleted || typeof transfer?.id !== 'string') continue;
			if (doc.status === 'transferring' || doc.status === 'transferred') {
				await this.#ensureTransfer(unit, doc);
			}
		}
		for (const doc of docs) {
			if (!doc._id.startsWith('transfer:') || doc._deleted) continue;
			if (doc.state === 'accepted' || doc.state === 'rejected') {
				await this.#wake(transferJobId(String(doc.transferId ?? doc._id.slice(9))));
			}
		}
	}

	/** A request seen: its job exists (created now if need be); a record that came back is removed. */
	async #ensureTransfer(
		unit: UnitRecord,
		doc: Record<string, unknown> & { _id: string }
	): Promise<void> {
		const fresh = transferJobFor({ member: doc, unitId: unit.id, now: new Date() });
		if (!fresh) return;
		let job: JobDoc | undefined;
		if (doc.status === 'transferring') {
			const created = await this.#jobs.create(fresh);
			if (created.created) {
				await this.#audit.record({
					actor: created.job.createdBy,
					action: 'transfer.request',
					target: { type: 'transfer', id: fresh.data.transfer!.id },
					details: {
						memberId: doc._id,
						fromUnitId: unit.id,
						toUnitId: created.job.targetId
					},
					seed: { time: Date.parse(created.job.createdAt), value: `${created.job._id}:request` }
				});
				this.#onJob();
				return;
			}
			job = created.job;
		} else {
			job = await this.#jobs.get(fresh._id);
		}
		if (!job || job.sourceId !== unit.id) return;
		if (job.state === 'failed') await this.#requeue(job);
		else if (job.state === 'done' && job.data.transfer?.outcome === 'accepted') {
			const removed = await this.#transfers.sweepSource(job);
			if (removed > 0)
				this.#logger.info('transfer_record_removed_again', { job: job._id, removed });
		}
	}

	async #wake(jobId: string): Promise<void> {
		const job = await this.#jobs.get(jobId);
		if (job?.state === 'waiting') await this.#requeue(job);
	}

	async #requeue(job: JobDoc): Promise<void> {
		const { error: _e, finishedAt: _f, retryAt: _r, lease: _l, ...rest } = job;
		try {
			await this.#jobs.put({ ...rest, state: 'queued', attempts: 0 });
			this.#onJob();
		} catch (error) {
			// 409: the job moved on meanwhile (another wake-up, the runner): nothing to do.
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
		}
	}

	/** Parked transfers whose answer came without a wake-up, and failed ones, go again. */
	async #sweepParked(): Promise<void> {
		for (const job of await this.#jobs.listParked()) {
			if (!this.#loop.running) return;
			if (job.kind !== 'transfer') continue;
			try {
				if (job.state === 'failed') {
					const since = Date.parse(job.finishedAt ?? job.updatedAt);
					if (Date.now() - since >= this.#sweepMs) await this.#requeue(job);
				} else if (!(await this.#transfers.stillWaiting!(job))) {
					await this.#requeue(job);
				}
			} catch (error) {
				this.#logger.error('watch_parked_failed', { job: job._id, error: describeError(error) });
			}
		}
	}
}
