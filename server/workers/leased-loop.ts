import { CouchError, type CouchClient } from '../couch/couch-client';
import { describeError, type Logger } from '../http/logger';

// The loop of a worker that only one server process may run at a time (the forwarder, the unit
// watcher): it ticks on a timer, and a tick goes on only while this process holds the worker's lease
// document (`lease:<name>` in the jobs database), taken and renewed by revision-checked writes. A
// process that dies simply stops renewing, and another one takes over once the lease runs out.

/**
 * - `new`: not started; nudges are ignored.
 * - `waiting`: a tick is scheduled.
 * - `ticking`: a tick runs; the next one is scheduled when it ends.
 * - `stopping`: stop() was called; the running tick (if any) is awaited, no other starts.
 * - `stopped`: nothing runs any more.
 */
export type LeasedLoopState = 'new' | 'waiting' | 'ticking' | 'stopping' | 'stopped';

interface LeaseDoc {
	_id: string;
	_rev?: string;
	owner?: string;
	until?: string;
}

export class LeasedLoop {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #leaseId: string;
	readonly #owner: string;
	readonly #leaseMs: number;
	readonly #logger: Logger;
	readonly #failureEvent: string;
	readonly #tick: () => Promise<void>;
	readonly #nextDelay: (outcome: { failed: boolean }) => number;
	readonly #beforeRenewal: (lapsed: boolean) => void;
	#state: LeasedLoopState = 'new';
	#leaseUntil = 0;
	#timer: NodeJS.Timeout | undefined;
	#ticking: Promise<void> | undefined;

	constructor(options: {
		couch: CouchClient;
		/** Where the lease document lives (the jobs database). */
		db: string;
		/** `lease:forwarder`, `lease:watcher`… */
		leaseId: string;
		/** This process (host, pid and a random part). */
		owner: string;
		leaseMs: number;
		logger: Logger;
		/** Logged, with the error, when a tick throws. */
		failureEvent: string;
		tick: () => Promise<void>;
		/** Milliseconds until the next tick, once one has ended. */
		nextDelay: (outcome: { failed: boolean }) => number;
		/**
		 * Called before the lease is taken or renewed; `lapsed` when it had run out, so another
		 * process may have moved this worker's checkpoints meanwhile.
		 */
		beforeRenewal?: (lapsed: boolean) => void;
	}) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#leaseId = options.leaseId;
		this.#owner = options.owner;
		this.#leaseMs = options.leaseMs;
		this.#logger = options.logger;
		this.#failureEvent = options.failureEvent;
		this.#tick = options.tick;
		this.#nextDelay = options.nextDelay;
		this.#beforeRenewal = options.beforeRenewal ?? (() => {});
	}

	get state(): LeasedLoopState {
		return this.#state;
	}

	/** start() was called and stop() was not. */
	get running(): boolean {
		return this.#state === 'waiting' || this.#state === 'ticking';
	}

	/** Whether the lease, as last taken or renewed, still holds now. */
	get holdsLease(): boolean {
		return this.#leaseUntil > Date.now();
	}

	start(): void {
		if (this.#state !== 'new') return;
		this.#schedule(0);
	}

	async stop(): Promise<void> {
		if (this.#state === 'new' || this.#state === 'stopped') {
			this.#state = 'stopped';
			return;
		}
		this.#state = 'stopping';
		clearTimeout(this.#timer);
		await this.#ticking?.catch(() => {});
		this.#state = 'stopped';
	}

	/** Ticks in `ms` instead of when planned; nothing when a tick is running (the next is planned after it). */
	soon(ms: number): void {
		if (this.#state === 'waiting') this.#schedule(ms);
	}

	/** Takes or renews the lease (revision-checked); false when another process holds it. */
	async holdLease(): Promise<boolean> {
		const now = Date.now();
		if (this.#leaseUntil - now > this.#leaseMs / 2) return true;
		this.#beforeRenewal(this.#leaseUntil <= now);
		const current = await this.#couch.getDoc<LeaseDoc>({ db: this.#db, id: this.#leaseId });
		if (current?.owner && current.owner !== this.#owner && Date.parse(current.until ?? '') > now) {
			this.#leaseUntil = 0;
			return false;
		}
		const until = now + this.#leaseMs;
		try {
			await this.#couch.putDoc({
				db: this.#db,
				doc: {
					_id: this.#leaseId,
					...(current?._rev ? { _rev: current._rev } : {}),
					type: 'lease',
					owner: this.#owner,
					until: new Date(until).toISOString()
				}
			});
			this.#leaseUntil = until;
			return true;
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) return false;
			throw error;
		}
	}

	#schedule(ms: number): void {
		clearTimeout(this.#timer);
		this.#state = 'waiting';
		this.#timer = setTimeout(() => {
			this.#state = 'ticking';
			let failed = false;
			this.#ticking = this.#tick()
				.catch((error) => {
					failed = true;
					this.#logger.error(this.#failureEvent, { error: describeError(error) });
				})
				.finally(() => {
					this.#ticking = undefined;
					if (this.#state === 'ticking') this.#schedule(this.#nextDelay({ failed }));
				});
		}, ms);
	}
}
