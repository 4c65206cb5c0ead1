import type { CouchClient } from '../couch/couch-client';
import type { DbUpdates } from '../couch/db-updates';
import type { JobDoc, JobService } from './job-service';
import { describeError, type Logger } from '../http/logger';
import { unitDbName } from '../couch/db-names';
import { LeasedLoop } from './leased-loop';
import { rewriteUnit } from './doc-copier';
import { forwardCheckpointId } from './merge-worker';
import { forwardSplit, type SplitDeps } from './split-worker';

// Forwarding after a merge or a split (docs/decisions/0007-reorganisation-workers.md): phones that
// were offline during the reorganisation still push to the old database; this follows the `_changes`
// feed of every such database (checkpoint in a `_local` document of the admin-only directory) and
// carries late changes to where the records now live, until a manager closes it. It learns which
// old databases were written to from `doanvu_dbupdates` (db-updates.ts; the embedded store has no
// `_db_updates`), and also sweeps each one now and then — often right after a change, then less and
// less while it stays quiet — in case a write was not recorded there (thousands of communes merged in
// 2025 must not mean thousands of requests a second). One server process forwards at a time, holding
// the `lease:forwarder` document.

type Seq = string | number;

interface Pace {
	nextAt: number;
	intervalMs: number;
}

const LEASE_ID = 'lease:forwarder';
const UPDATES_CHECKPOINT = 'dbupdates:forwarder';

export class Forwarder {
	readonly #jobs: JobService;
	readonly #deps: SplitDeps;
	readonly #updates: DbUpdates;
	readonly #minMs: number;
	readonly #maxMs: number;
	readonly #logger: Logger;
	readonly #pace = new Map<string, Pace>();
	#followed: JobDoc[] = [];
	#listedAt = 0;
	/** Where this process is in `doanvu_dbupdates` (read from the checkpoint when first needed). */
	#updatesSince: Seq | undefined;
	readonly #loop: LeasedLoop;

	constructor(options: {
		couch: CouchClient;
		jobs: JobService;
		deps: SplitDeps;
		updates: DbUpdates;
		owner: string;
		leaseMs: number;
		minMs: number;
		maxMs: number;
		logger: Logger;
	}) {
		this.#jobs = options.jobs;
		this.#deps = options.deps;
		this.#updates = options.updates;
		this.#minMs = options.minMs;
		this.#maxMs = options.maxMs;
		this.#logger = options.logger;
		this.#loop = new LeasedLoop({
			couch: options.couch,
			db: options.jobs.db,
			leaseId: LEASE_ID,
			owner: options.owner,
			leaseMs: options.leaseMs,
			logger: options.logger,
			failureEvent: 'forward_failed',
			tick: () => this.#tick(),
			nextDelay: () => this.#minMs,
			// Another process may have moved the checkpoint while it held the lease.
			beforeRenewal: () => {
				this.#updatesSince = undefined;
			}
		});
	}

	start(): void {
		this.#loop.start();
	}

	async stop(): Promise<void> {
		await this.#loop.stop();
	}

	/** A write reached this database: look at it soon (a hint; polling alone is enough for truth). */
	nudge(db: string): void {
		let hit = false;
		for (const job of this.#followed) {
			if (unitDbName(job.sourceId) !== db) continue;
			this.#pace.set(job._id, { nextAt: 0, intervalMs: this.#minMs });
			hit = true;
		}
		if (hit) this.#loop.soon(this.#minMs);
	}

	/** Forwarding jobs changed (one opened or closed): list them again at the next tick. */
	refreshList(): void {
		this.#listedAt = 0;
		this.#loop.soon(0);
	}

	/** One pass for one job, whoever holds the lease: the last pass before a manager closes it. */
	async forwardNow(job: JobDoc): Promise<number> {
		return job.kind === 'merge' ? this.#forwardMerge(job) : forwardSplit(this.#deps, job);
	}

	async #tick(): Promise<void> {
		if (!(await this.#loop.holdLease())) return;
		if (Date.now() - this.#listedAt > Math.min(this.#maxMs, 5 * this.#minMs + 1000)) {
			this.#followed = await this.#jobs.listForwarding();
			this.#listedAt = Date.now();
			const ids = new Set(this.#followed.map((job) => job._id));
			for (const id of this.#pace.keys()) if (!ids.has(id)) this.#pace.delete(id);
		}
		// Databases written to since the last tick: their jobs are due at once.
		const copier = this.#deps.copier;
		const since = (this.#updatesSince ??= (await copier.readCheckpoint(UPDATES_CHECKPOINT)) ?? 0);
		const { dbs, lastSeq } = await this.#updates.changedSince({ since });
		for (const job of this.#followed) {
			if (dbs.has(unitDbName(job.sourceId))) {
				this.#pace.set(job._id, { nextAt: 0, intervalMs: this.#minMs });
			}
		}
		const now = Date.now();
		const due = this.#followed.filter((job) => (this.#pace.get(job._id)?.nextAt ?? 0) <= now);
		// A few databases at a time: the forwarder must never crowd out the phones' own requests.
		for (let i = 0; i < due.length && this.#loop.running; i += 4) {
			await Promise.all(due.slice(i, i + 4).map((job) => this.#pass(job)));
		}
		// Moved on only after the passes: a crash before this repeats them, which changes nothing.
		if (String(lastSeq) !== String(since))
			await copier.writeCheckpoint(UPDATES_CHECKPOINT, lastSeq);
	}

	async #pass(job: JobDoc): Promise<void> {
		const pace = this.#pace.get(job._id) ?? { nextAt: 0, intervalMs: this.#minMs };
		try {
			const copied = await this.forwardNow(job);
			pace.intervalMs = copied > 0 ? this.#minMs : Math.min(this.#maxMs, pace.intervalMs * 2);
			if (copied > 0) this.#logger.info('forwarded', { job: job._id, copied });
		} catch (error) {
			pace.intervalMs = Math.min(this.#maxMs, pace.intervalMs * 2);
			this.#logger.error('forward_pass_failed', { job: job._id, error: describeError(error) });
		}
		pace.nextAt = Date.now() + pace.intervalMs;
		this.#pace.set(job._id, pace);
	}

	#forwardMerge(job: JobDoc): Promise<number> {
		return this.#deps.copier.follow({
			source: unitDbName(job.sourceId),
			target: unitDbName(job.targetId),
			checkpointId: forwardCheckpointId(job),
			batchSize: this.#deps.batchSize,
			transform: rewriteUnit(job.targetId)
		});
	}
}
