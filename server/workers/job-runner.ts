import { CouchError } from '../couch/couch-client';
import type { JobDoc, JobKind, JobService } from './job-service';
import { describeError, type Logger } from '../http/logger';

// Runs jobs inside the server process (docs/decisions/0007-reorganisation-workers.md). It polls the
// open jobs, takes one whose lease is free with a revision-checked write, and runs its remaining
// steps, renewing the lease as it goes. Every step is idempotent and records its completion in the
// job document, so a process that dies anywhere leaves a job that another process (or this one,
// restarted) finishes once the lease has run out — without losing or repeating anything.

/** The lease was taken by another worker (ours ran out): stop at once, write nothing more. */
export class LeaseLost extends Error {}

/** A test hook asked us to die here: keep the lease, as a killed process would. */
export class SimulatedCrash extends Error {}

/**
 * The job waits for something outside the server (a receiving unit's answer to a transfer): it is
 * parked (`waiting`, no lease, not polled) until whoever sees the awaited change queues it again.
 */
export class JobWaiting extends Error {}

/**
 * What the step needs has not arrived yet (the rest of a device's push, in its next batch): the job
 * lets its lease go and is looked at again a little later, without counting as a failed attempt.
 */
export class NotYet extends Error {}

/** The server is shutting down: release the lease so another process need not wait for it. */
class Stopping extends Error {}

/** A permanent failure (the target was dissolved meanwhile…): no retry; `reason` is shown. */
export class JobFailed extends Error {
	constructor(readonly reason: string) {
		super(reason);
	}
}

export type HookVerdict = 'crash' | void;

/** Test hooks: simulate a crash after any step, or after any copied batch within a step. */
export interface WorkerHooks {
	afterStep?(info: { jobId: string; kind: JobKind; step: string; index: number }): HookVerdict;
	afterBatch?(info: { jobId: string; kind: JobKind; step: string; copied: number }): HookVerdict;
	/** The post office (reminder-delivery.ts), after the n-th copy of a reminder was delivered. */
	afterReminderDelivery?(info: { reminderId: string; unitId: string; index: number }): HookVerdict;
	/** The post office (mail-delivery.ts), after the n-th copy of a mail was delivered. */
	afterMailDelivery?(info: { mailId: string; unitId: string; index: number }): HookVerdict;
}

export interface JobContext {
	/** The job as last written (its `data` holds what earlier steps decided). */
	readonly job: JobDoc;
	/** Saves a change to the job document under our lease. */
	update(change: (job: JobDoc) => JobDoc): Promise<JobDoc>;
	/** Between batches of a long step: stops if the lease was lost or the server is stopping. */
	checkpoint(copied: number): Promise<void>;
}

export interface JobStep {
	name: string;
	run(ctx: JobContext): Promise<void>;
}

export interface JobWorker {
	steps: readonly string[];
	run(step: string, ctx: JobContext): Promise<void>;
	/** After a permanent failure: release what the job held (the unit's lock). */
	onFailed?(job: JobDoc): Promise<void>;
	/**
	 * Asked right after the job was parked (JobWaiting): whether it still waits. The awaited change
	 * may have landed between the step's last look and the parking, when nobody would wake it.
	 */
	stillWaiting?(job: JobDoc): Promise<boolean>;
}

export class JobRunner {
	readonly #jobs: JobService;
	readonly #workers: Partial<Record<JobKind, JobWorker>>;
	readonly #owner: string;
	readonly #pollMs: number;
	readonly #leaseMs: number;
	readonly #maxAttempts: number;
	readonly #concurrency: number;
	readonly #hooks: WorkerHooks;
	readonly #logger: Logger;
	readonly #running = new Map<string, Promise<void>>();
	readonly #again = new Set<string>();
	#timer: NodeJS.Timeout | undefined;
	#ticking: Promise<void> | undefined;
	#started = false;
	#stopping = false;
	#crashed = false;

	constructor(options: {
		jobs: JobService;
		/** The kinds this runner carries out; jobs of other kinds are left to other runners. */
		workers: Partial<Record<JobKind, JobWorker>>;
		owner: string;
		pollMs: number;
		leaseMs: number;
		maxAttempts: number;
		concurrency?: number;
		hooks?: WorkerHooks;
		logger: Logger;
	}) {
		this.#jobs = options.jobs;
		this.#workers = options.workers;
		this.#owner = options.owner;
		this.#pollMs = options.pollMs;
		this.#leaseMs = options.leaseMs;
		this.#maxAttempts = options.maxAttempts;
		this.#concurrency = options.concurrency ?? 2;
		this.#hooks = options.hooks ?? {};
		this.#logger = options.logger;
	}

	/** Whether a crash hook fired (the runner then behaves as a dead process: it does nothing). */
	get crashed(): boolean {
		return this.#crashed;
	}

	start(): void {
		this.#started = true;
		this.#schedule(0);
	}

	/** A job was just created: look now rather than at the next poll. */
	nudge(): void {
		if (!this.#started || this.#stopping || this.#crashed) return;
		if (this.#ticking) return;
		this.#schedule(0);
	}

	async stop(): Promise<void> {
		this.#stopping = true;
		clearTimeout(this.#timer);
		await this.#ticking?.catch(() => {});
		await Promise.allSettled([...this.#running.values()]);
	}

	/** Parks the job, then asks once more whether the awaited change came meanwhile. */
	async #park(
		worker: JobWorker,
		save: (change: (job: JobDoc) => JobDoc, keepLease?: boolean) => Promise<JobDoc>
	): Promise<void> {
		let parked: JobDoc;
		try {
			parked = await save(({ retryAt: _r, ...job }) => ({ ...job, state: 'waiting' }), false);
		} catch {
			return;
		}
		if (!worker.stillWaiting || (await worker.stillWaiting(parked).catch(() => true))) return;
		await this.#jobs.put({ ...parked, state: 'queued' }).catch(() => {
			// 409: whoever saw the change queued it first.
		});
		this.#again.add(parked._id);
	}

	#schedule(ms: number): void {
		clearTimeout(this.#timer);
		if (this.#stopping || this.#crashed) return;
		this.#timer = setTimeout(() => {
			this.#ticking = this.#tick()
				.catch((error) => this.#logger.error('job_poll_failed', { error: describeError(error) }))
				.finally(() => {
					this.#ticking = undefined;
					this.#schedule(this.#pollMs);
				});
		}, ms);
	}

	async #tick(): Promise<void> {
		if (this.#running.size >= this.#concurrency) return;
		for (const job of await this.#jobs.listOpen()) {
			if (this.#stopping || this.#crashed || this.#running.size >= this.#concurrency) return;
			if (this.#running.has(job._id) || !this.#workers[job.kind]) continue;
			const claimed = await this.#jobs.claim({ job, owner: this.#owner, leaseMs: this.#leaseMs });
			if (!claimed) continue;
			const run = this.#run(claimed).finally(() => {
				this.#running.delete(job._id);
				// Queued again while it ran (an answer that came as it was being parked): go on now.
				if (this.#again.delete(job._id)) this.nudge();
			});
			this.#running.set(job._id, run);
		}
	}

	async #run(claimed: JobDoc): Promise<void> {
		const worker = this.#workers[claimed.kind];
		if (!worker) return;
		let current = claimed;
		let lost = false;
		// Set by the write that lets the lease go: a heartbeat queued behind it must not take it back.
		let released = false;
		let chain: Promise<unknown> = Promise.resolve();

		// Every write to the job goes through here, one at a time (the heartbeat and the steps would
		// otherwise race each other's revisions), renewing the lease unless told to let it go.
		const write = async (change: (job: JobDoc) => JobDoc, keepLease: boolean): Promise<JobDoc> => {
			if (released && keepLease) return current;
			for (let attempt = 0; attempt < 5; attempt++) {
				const changed = change(current);
				const lease = keepLease
					? { owner: this.#owner, until: new Date(Date.now() + this.#leaseMs).toISOString() }
					: undefined;
				const { lease: _old, ...rest } = changed;
				try {
					current = await this.#jobs.put(lease ? { ...rest, lease } : rest);
					if (!keepLease) released = true;
					return current;
				} catch (error) {
					if (!(error instanceof CouchError) || error.status !== 409) throw error;
					const fresh = await this.#jobs.get(current._id);
					if (!fresh || fresh.lease?.owner !== this.#owner) {
						lost = true;
						throw new LeaseLost(`lease on ${current._id} lost`);
					}
					current = fresh;
				}
			}
			throw new Error(`job ${current._id}: too many conflicts`);
		};
		const save = (change: (job: JobDoc) => JobDoc, keepLease = true): Promise<JobDoc> => {
			const next = chain.then(() => write(change, keepLease));
			chain = next.catch(() => {});
			return next;
		};

		const heartbeat = setInterval(
			() => {
				if (!lost) save((job) => job).catch(() => {});
			},
			Math.max(50, Math.floor(this.#leaseMs / 3))
		);
		let stepName = '';
		const ctx: JobContext = {
			get job() {
				return current;
			},
			update: (change) => save(change),
			checkpoint: async (copied) => {
				if (lost) throw new LeaseLost('lease lost');
				if (this.#stopping) throw new Stopping();
				const verdict = this.#hooks.afterBatch?.({
					jobId: current._id,
					kind: current.kind,
					step: stepName,
					copied
				});
				if (verdict === 'crash') throw new SimulatedCrash();
			}
		};

		try {
			for (let index = current.step; index < worker.steps.length; index++) {
				stepName = worker.steps[index] ?? '';
				if (lost) throw new LeaseLost('lease lost');
				if (this.#stopping) throw new Stopping();
				await worker.run(stepName, ctx);
				// A later step that finds something missing starts its delays afresh.
				await save(({ deferrals: _d, ...job }) => ({ ...job, step: index + 1 }));
				const verdict = this.#hooks.afterStep?.({
					jobId: current._id,
					kind: current.kind,
					step: stepName,
					index: index + 1
				});
				if (verdict === 'crash') throw new SimulatedCrash();
			}
			await save(
				({ error: _e, retryAt: _r, ...job }) => ({
					...job,
					state: 'done',
					finishedAt: new Date().toISOString()
				}),
				false
			);
			this.#logger.info('job_done', { job: current._id });
		} catch (error) {
			if (error instanceof SimulatedCrash) {
				this.#crashed = true;
				clearTimeout(this.#timer);
				return;
			}
			if (error instanceof LeaseLost || lost) return;
			if (error instanceof JobWaiting) {
				await this.#park(worker, save);
				return;
			}
			if (error instanceof NotYet) {
				const deferrals = (current.deferrals ?? 0) + 1;
				const delay = Math.min(60_000, this.#pollMs * 2 ** Math.min(deferrals, 12));
				await save(
					(job) => ({
						...job,
						deferrals,
						retryAt: new Date(Date.now() + delay).toISOString()
					}),
					false
				).catch(() => {});
				return;
			}
			if (error instanceof Stopping) {
				await save((job) => job, false).catch(() => {});
				return;
			}
			const attempts = current.attempts + 1;
			const permanent = error instanceof JobFailed || attempts >= this.#maxAttempts;
			// A job that cannot go on (the target was dissolved…) is an outcome, not a server fault.
			const log = error instanceof JobFailed ? this.#logger.info : this.#logger.error;
			log('job_step_failed', {
				job: current._id,
				step: stepName,
				attempts,
				error: describeError(error)
			});
			const reason =
				error instanceof JobFailed
					? error.reason
					: `Máy chủ gặp sự cố ở bước "${stepName}" (lần thử ${attempts}).` +
						(permanent ? ' Hãy yêu cầu lại để tiếp tục từ bước này.' : ' Hệ thống sẽ tự thử lại.');
			// What the job held is released before it says "failed": whoever sees the failure may act.
			if (permanent) {
				await worker.onFailed?.(current).catch((failure) =>
					this.#logger.error('job_release_failed', {
						job: current._id,
						error: describeError(failure)
					})
				);
			}
			await save(
				(job) => ({
					...job,
					attempts,
					error: reason,
					...(permanent
						? { state: 'failed' as const, finishedAt: new Date().toISOString() }
						: {
								retryAt: new Date(
									Date.now() + Math.min(300_000, this.#pollMs * 2 ** Math.min(attempts, 12))
								).toISOString()
							})
				}),
				false
			).catch(() => {});
		} finally {
			clearInterval(heartbeat);
			await chain;
		}
	}
}
