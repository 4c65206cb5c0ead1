import { couchRemote } from '$lib/data/online/couch-http';
import { knownRevsOf, type KnownRevs } from './known-revs';
import { Puller, type PullProgress } from './pull';
import { Pusher, type PushOutcome } from './push';
import { clearPushed, markRefused } from './outbox';
import { isPushHeld } from './push-hold';
import { backOff, classifyError, isAbort, type SyncProblem } from './problems';
import { syncLocalDb, WipedDatabaseError, type RemoteOptions } from '$lib/data/store/pouch';
import { fillInBackground, snapshotSink } from './local-fill';
import { putSetting, deviceDb } from '$lib/data/store/device-db';
import { reportSync, type DeviceReporter } from './device-report';

// Live two-way sync of one unit database (docs/decisions/0008-sync-protocol.md): a first sync
// streamed in one request with progress, then push and pull in parallel, each in as few round trips
// as the changes allow, and a longpoll while nothing happens. Cursors are saved locally after every
// batch, so any interruption resumes where it stopped; errors are classified for the secretary and
// retried with a capped back-off. Only standard CouchDB endpoints are used, through the same-origin
// /couch proxy.

export type { SyncProblem, SyncProblemKind } from './problems';
export { classifyError } from './problems';

export interface SyncListener {
	onActive?(db: string): void;
	onProgress?(options: { db: string; progress: PullProgress }): void;
	onIdle?(options: { db: string; at: string }): void;
	onProblem?(options: { db: string; problem: SyncProblem }): void;
	onRefused?(options: { db: string; docId: string; reason: string }): void;
	onChange?(options: { db: string; direction: 'push' | 'pull'; count: number }): void;
}

const firstSyncKey = (db: string) => `firstSync:${db}`;

/** Local writes are pushed this long after the last one (longer while a first sync is writing). */
const PUSH_DELAY_MS = 50;
const PUSH_DELAY_BUSY_MS = 1_000;
/** While an import holds the uploads (push-hold.ts), how often to look again. */
const PUSH_HELD_RETRY_MS = 500;

/**
 * Where a unit sync stands. A run goes starting → first-sync (nothing pulled yet: the snapshot
 * streams with progress) or catching-up (pull and push in parallel) → live (a longpoll waits for
 * the server's changes; local writes are pushed as they come). A failed run is retrying (back-off
 * timer) or, when retrying cannot help (revoked, signed out), halted until restarted. Stopped is
 * final: stop() was called, or the database was wiped from the device.
 */
export type UnitSyncPhase =
	| 'starting'
	| 'first-sync'
	| 'catching-up'
	| 'live'
	| 'retrying'
	| 'halted'
	| 'stopped';

export interface UnitSyncHandle {
	readonly phase: UnitSyncPhase;
	stop(): void;
	/** Cancels and starts again at once (network came back, user pressed "Đồng bộ ngay"). */
	restart(): void;
}

/** A unit database opened for a run, with its puller and pusher. */
interface OpenedDb {
	local: PouchDB.Database;
	puller: Puller;
	pusher: Pusher;
}

/** The push pass running now: one at a time, for one run. */
interface PushPass {
	run: number;
	done: Promise<void>;
	/** Asked for again while it ran: it goes round once more before ending. */
	again: boolean;
}

/**
 * Live sync of one unit database: runs of a Puller and a Pusher (pull.ts, push.ts) with the
 * outbox, the sync log and the listener. Each run has a number (#generation); what an older run
 * finishes after a restart is dropped.
 */
class UnitSync implements UnitSyncHandle {
	readonly #db: string;
	readonly #listener: SyncListener;
	readonly #reporter: DeviceReporter | undefined;
	readonly #remote: ReturnType<typeof couchRemote>;
	readonly #known: KnownRevs;
	/** A pinned unit: its first sync goes into the read model before PouchDB (ADR 0029). */
	readonly #stashFirstSync: boolean;
	// Opened at each run: a database wiped from the device (sign-out, revoked) is never reopened by
	// a retry (syncLocalDb refuses), and a run on it ends quietly.
	#engine: OpenedDb | null = null;

	#phase: UnitSyncPhase = 'starting';
	/** The current run's number; bumped by every cancel. */
	#generation = 0;
	/** The current run: its abort signal, the local changes feed, a push waiting to start. */
	#controller: AbortController | null = null;
	#localFeed: PouchDB.Core.Changes<object> | null = null;
	#pushTimer: ReturnType<typeof setTimeout> | null = null;
	/** The last run's work: the next run waits for it before reading the cursors. */
	#current: Promise<void> = Promise.resolve();
	/** The back-off: 0 after a run reached idle, else the delay of the pending retry. */
	#delay = 0;
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#pushing: PushPass | null = null;
	/** What is moving now: idle is reported only when nothing is. */
	readonly #busy = { push: false, pull: false, first: false };
	/** An idle state reached while a push pass is still finishing is reported when it finishes. */
	#idleOwed = false;
	/** Documents moved since the last sync log entry. */
	readonly #counts = { push: 0, pull: 0 };

	constructor(options: {
		db: string;
		listener: SyncListener;
		remote?: RemoteOptions;
		reporter?: DeviceReporter;
		stashFirstSync?: boolean;
	}) {
		this.#db = options.db;
		this.#known = knownRevsOf(options.db);
		this.#stashFirstSync = options.stashFirstSync ?? false;
		this.#listener = options.listener;
		this.#reporter = options.reporter;
		this.#remote = couchRemote({ db: options.db, remote: options.remote });
	}

	get phase(): UnitSyncPhase {
		return this.#phase;
	}

	get #stopped(): boolean {
		return this.#phase === 'stopped';
	}

	/** Moves to `phase` unless stopped (stopped is final). */
	#enter(phase: UnitSyncPhase): void {
		if (!this.#stopped) this.#phase = phase;
	}

	start(): this {
		this.#run();
		return this;
	}

	stop(): void {
		this.#phase = 'stopped';
		this.#cancel();
	}

	restart(): void {
		if (this.#stopped) return;
		this.#cancel();
		this.#delay = 0;
		this.#run();
	}

	#open(): OpenedDb {
		const local = syncLocalDb(this.#db);
		if (this.#engine?.local !== local) {
			const [db, remote, known] = [this.#db, this.#remote, this.#known];
			this.#engine = {
				local,
				puller: new Puller({
					db,
					local,
					remote,
					known,
					...(this.#stashFirstSync ? { sink: snapshotSink(db) } : {})
				}),
				pusher: new Pusher({ db, local, remote, known })
			};
		}
		return this.#engine;
	}

	#cancel(): void {
		this.#generation++;
		this.#idleOwed = false;
		this.#controller?.abort();
		this.#controller = null;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		if (this.#pushTimer) clearTimeout(this.#pushTimer);
		this.#retryTimer = null;
		this.#pushTimer = null;
		this.#localFeed?.cancel();
		this.#localFeed = null;
	}

	#fail(error: unknown, run: number): void {
		if (run !== this.#generation || this.#stopped || isAbort(error)) return;
		if (error instanceof WipedDatabaseError) {
			this.stop();
			return;
		}
		const problem = classifyError(error);
		this.#cancel();
		this.#listener.onProblem?.({ db: this.#db, problem });
		// Revoked or signed out: retrying cannot help; the app decides what to do.
		if (problem.kind === 'revoked' || problem.kind === 'unauthorized') {
			this.#enter('halted');
			return;
		}
		this.#enter('retrying');
		this.#delay = backOff(this.#delay);
		this.#retryTimer = setTimeout(() => this.#run(), this.#delay);
	}

	#reportIdle(run: number): void {
		if (run !== this.#generation || this.#stopped) return;
		const busy = this.#busy;
		if (busy.push || busy.pull || busy.first) {
			this.#idleOwed = true;
			return;
		}
		this.#idleOwed = false;
		const at = new Date().toISOString();
		const counts = this.#counts;
		if (counts.pull || counts.push) {
			// Bookkeeping: a full phone refusing the log line changes nothing about the sync.
			void deviceDb.syncLog
				.add({ db: this.#db, at, kind: 'synced', pulled: counts.pull, pushed: counts.push })
				.catch(() => undefined);
			counts.pull = 0;
			counts.push = 0;
		}
		this.#listener.onIdle?.({ db: this.#db, at });
		// A completed sync: the device reports it when due (device-report.ts; its own push ends in
		// another idle, where the counts are unchanged and nothing more is written).
		if (this.#reporter) {
			void reportSync({ db: this.#db, reporter: this.#reporter, at }).catch(() => undefined);
		}
	}

	#onPushed = async (outcome: PushOutcome) => {
		const db = this.#db;
		if (outcome.pushed.length > 0) {
			await clearPushed({ db, docs: outcome.pushed });
			this.#counts.push += outcome.pushed.length;
			this.#listener.onChange?.({ db, direction: 'push', count: outcome.pushed.length });
		}
		for (const { id, reason } of outcome.refused) {
			await markRefused({ docId: id, reason });
			this.#listener.onRefused?.({ db, docId: id, reason });
		}
	};

	#onPulled = (count: number) => {
		this.#counts.pull += count;
		this.#listener.onChange?.({ db: this.#db, direction: 'pull', count });
	};

	/** One push pass at a time; a request for another while one runs makes it run again after. */
	#push(run: number, signal: AbortSignal): Promise<void> {
		const running = this.#pushing;
		if (running && running.run !== run) {
			// A cancelled run's pass is still winding down (its PouchDB reads cannot be aborted): it
			// will not go round again for this run, so this run's own pass follows it. Joining it
			// instead left the outbox waiting after the signal came back, until the next local write.
			return running.done
				.catch(() => undefined)
				.then(() =>
					run === this.#generation && !this.#stopped ? this.#push(run, signal) : undefined
				);
		}
		if (running) {
			running.again = true;
			return running.done;
		}
		const pass: PushPass = { run, again: false, done: Promise.resolve() };
		this.#pushing = pass;
		pass.done = (async () => {
			let wasActive = false;
			try {
				do {
					pass.again = false;
					this.#busy.push = true;
					await this.#open().pusher.push({
						signal,
						onActive: () => {
							wasActive = true;
							if (run === this.#generation) this.#listener.onActive?.(this.#db);
						},
						onBatch: this.#onPushed
					});
				} while (pass.again && run === this.#generation && !signal.aborted);
			} finally {
				this.#busy.push = false;
				this.#pushing = null;
			}
			if (wasActive || this.#idleOwed) this.#reportIdle(run);
		})();
		return pass.done;
	}

	#schedulePush(run: number, signal: AbortSignal): void {
		if (this.#pushTimer) clearTimeout(this.#pushTimer);
		this.#pushTimer = setTimeout(
			() => {
				this.#pushTimer = null;
				if (run !== this.#generation) return;
				// An import holding the uploads (push-hold.ts): ask again until it is done.
				if (isPushHeld(this.#db)) return this.#schedulePush(run, signal);
				this.#push(run, signal).catch((error) => this.#fail(error, run));
			},
			isPushHeld(this.#db)
				? PUSH_HELD_RETRY_MS
				: this.#busy.pull
					? PUSH_DELAY_BUSY_MS
					: PUSH_DELAY_MS
		);
	}

	#run(): void {
		const run = ++this.#generation;
		const abort = new AbortController();
		this.#controller = abort;
		this.#enter('starting');
		const previous = this.#current;
		this.#current = (async () => {
			// The previous run finishes writing what it had received before this one reads the cursor.
			await previous.catch(() => undefined);
			if (run !== this.#generation || this.#stopped) return;
			let engine: OpenedDb;
			try {
				engine = this.#open();
			} catch (error) {
				if (error instanceof WipedDatabaseError) {
					this.#phase = 'stopped';
					return;
				}
				throw error;
			}
			try {
				await this.#sync(run, abort.signal, engine);
			} catch (error) {
				this.#busy.pull = false;
				this.#busy.first = false;
				this.#fail(error, run);
			}
		})();
	}

	/** A run: first sync or catch-up, then live until cancelled or failed. */
	async #sync(
		run: number,
		signal: AbortSignal,
		{ local, puller }: OpenedDb
	): Promise<void> {
		const db = this.#db;
		const busy = this.#busy;
		const live = () => run === this.#generation && !this.#stopped;
		this.#listener.onActive?.(db);
		// Local writes from now on are pushed promptly, also during a first sync.
		this.#localFeed = local
			.changes({ since: 'now', live: true })
			.on('change', () => this.#schedulePush(run, signal))
			.on('error', (error) => this.#fail(error, run));
		const state = await puller.state();
		busy.first = state.phase === 'snapshot';
		busy.pull = true;
		if (live()) this.#enter(busy.first ? 'first-sync' : 'catching-up');
		const pulled = puller
			.catchUp({
				signal,
				onProgress: busy.first
					? (progress) => this.#listener.onProgress?.({ db, progress })
					: undefined,
				onWritten: this.#onPulled
			})
			.finally(() => (busy.pull = false));
		const [result] = await Promise.all([pulled, this.#push(run, signal)]);
		// One more pass over what the pull wrote: it sends nothing (the revisions are known to be on
		// the server) but moves the push cursor past them, so that the next start of the app does
		// not ask the server about every document again.
		if (result.pulled > 0) await this.#push(run, signal);
		if (!live()) return;
		if (result.firstSync) {
			busy.first = false;
			const at = new Date().toISOString();
			await putSetting(firstSyncKey(db), at);
			await deviceDb.syncLog.add({
				db,
				at,
				kind: 'first-sync',
				pulled: result.pulled,
				pushed: this.#counts.push
			});
			this.#counts.pull = 0;
			this.#counts.push = 0;
		}
		this.#delay = 0;
		this.#enter('live');
		this.#reportIdle(run);
		// What a first sync left in the snapshot stash goes into PouchDB while the device is quiet
		// (ADR 0029); a later run carries on where this one stopped.
		void fillInBackground({ db, signal }).catch((error) => {
			if (!isAbort(error)) console.error('Lỗi ghi dữ liệu đơn vị vào máy', error);
		});
		// Live: wait for the server's next changes; local ones are pushed by the feed above.
		for (;;) {
			let started = false;
			await puller.waitAndApply({
				signal,
				onStart: () => {
					started = true;
					busy.pull = true;
					this.#listener.onActive?.(db);
				},
				onWritten: this.#onPulled
			});
			busy.pull = false;
			if (!live()) return;
			if (started || this.#idleOwed) this.#reportIdle(run);
		}
	}
}

export function startUnitSync(options: {
	db: string;
	listener: SyncListener;
	remote?: RemoteOptions;
	/** The device reports its sync into this database (its own unit's, and not for a viewer). */
	reporter?: DeviceReporter;
	/** A pinned unit: its first sync goes into the read model before PouchDB (ADR 0029). */
	stashFirstSync?: boolean;
}): UnitSyncHandle {
	return new UnitSync(options).start();
}
