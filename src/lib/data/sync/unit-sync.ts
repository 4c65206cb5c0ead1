import { couchRemote } from '$lib/data/online/couch-http';
import { KnownRevs, Puller } from './pull';
import { Pusher, type PushOutcome } from './push';
import { clearPushed, markRefused } from './outbox';
import { localDb, WipedDatabaseError, type RemoteOptions } from '$lib/data/store/pouch';
import { putSetting, deviceDb } from '$lib/data/store/device-db';

// Live two-way sync of one unit database (docs/decisions/0008-sync-protocol.md): a first sync
// streamed in one request with progress, then push and pull in parallel, each in as few round trips
// as the changes allow, and a longpoll while nothing happens. Cursors are saved locally after every
// batch, so any interruption resumes where it stopped; errors are classified for the secretary and
// retried with a capped back-off. Only standard CouchDB endpoints are used, through the same-origin
// /couch proxy.

export type SyncProblemKind = 'offline' | 'unauthorized' | 'revoked' | 'server';

export interface SyncProblem {
	kind: SyncProblemKind;
	message: string;
}

export interface SyncListener {
	onActive?(db: string): void;
	onProgress?(options: { db: string; done: number; total: number }): void;
	onIdle?(options: { db: string; at: string }): void;
	onProblem?(options: { db: string; problem: SyncProblem }): void;
	onRefused?(options: { db: string; docId: string; reason: string }): void;
	onChange?(options: { db: string; direction: 'push' | 'pull'; count: number }): void;
}

interface PouchError {
	status?: number;
	error?: string;
	reason?: string;
	message?: string;
	name?: string;
}

export function classifyError(error: unknown): SyncProblem {
	const e = (error ?? {}) as PouchError;
	if (e.status === 401) {
		if (e.error === 'device_revoked') {
			return {
				kind: 'revoked',
				message: 'Thiết bị này đã bị thu hồi quyền truy cập. Dữ liệu trên máy sẽ được xóa.'
			};
		}
		return {
			kind: 'unauthorized',
			message: 'Phiên đăng nhập đã hết hạn. Đăng nhập lại để tiếp tục đồng bộ.'
		};
	}
	if (e.status === 403) {
		return { kind: 'server', message: e.reason ?? 'Máy chủ từ chối yêu cầu đồng bộ.' };
	}
	if (!e.status || (globalThis.navigator && !globalThis.navigator.onLine)) {
		return {
			kind: 'offline',
			message: 'Chưa có mạng. Thay đổi được lưu trên máy và sẽ tự đồng bộ khi có mạng.'
		};
	}
	return {
		kind: 'server',
		message: `Máy chủ đang gặp sự cố (${e.status}). Ứng dụng sẽ tự thử lại.`
	};
}

const firstSyncKey = (db: string) => `firstSync:${db}`;

// A secretary back in town should not wait long: retries start at 1 s and double up to 30 s (the
// 'online' event also restarts sync at once).
function backOff(delay: number): number {
	return delay ? Math.min(delay * 2, 30_000) : 1_000;
}

function isAbort(error: unknown): boolean {
	return (error as { name?: string } | null)?.name === 'AbortError';
}

/** Local writes are pushed this long after the last one (longer while a first sync is writing). */
const PUSH_DELAY_MS = 50;
const PUSH_DELAY_BUSY_MS = 1_000;

export interface UnitSyncHandle {
	stop(): void;
	/** Cancels and starts again at once (network came back, user pressed "Đồng bộ ngay"). */
	restart(): void;
}

export function startUnitSync(options: {
	db: string;
	listener: SyncListener;
	remote?: RemoteOptions;
}): UnitSyncHandle {
	const { db, listener } = options;
	const remote = couchRemote({ db, remote: options.remote });
	const known = new KnownRevs();
	// Opened at each run: a database wiped from the device (sign-out, revoked) is never reopened by a
	// retry (localDb refuses), and a run on it ends quietly.
	let engine: { local: PouchDB.Database; puller: Puller; pusher: Pusher } | null = null;
	const open = () => {
		const local = localDb(db);
		if (engine?.local !== local) {
			engine = {
				local,
				puller: new Puller({ local, remote, known }),
				pusher: new Pusher({ db, local, remote, known })
			};
		}
		return engine;
	};

	let stopped = false;
	let generation = 0;
	let delay = 0;
	let controller: AbortController | null = null;
	let retryTimer: ReturnType<typeof setTimeout> | null = null;
	let pushTimer: ReturnType<typeof setTimeout> | null = null;
	let localFeed: PouchDB.Core.Changes<object> | null = null;
	let current: Promise<void> = Promise.resolve();
	let pushing: Promise<void> | null = null;
	let pushingRun = 0;
	let pushAgain = false;
	const busy = { push: false, pull: false, first: false };
	// An idle state reached while a push pass is still finishing is reported when it finishes.
	let idleOwed = false;
	const counts = { push: 0, pull: 0 };

	const cancel = () => {
		generation++;
		idleOwed = false;
		controller?.abort();
		controller = null;
		if (retryTimer) clearTimeout(retryTimer);
		if (pushTimer) clearTimeout(pushTimer);
		retryTimer = null;
		pushTimer = null;
		localFeed?.cancel();
		localFeed = null;
	};

	const fail = (error: unknown, run: number) => {
		if (run !== generation || stopped || isAbort(error)) return;
		if (error instanceof WipedDatabaseError) {
			stopped = true;
			cancel();
			return;
		}
		const problem = classifyError(error);
		cancel();
		listener.onProblem?.({ db, problem });
		// Revoked or signed out: retrying cannot help; the app decides what to do.
		if (problem.kind === 'revoked' || problem.kind === 'unauthorized') return;
		delay = backOff(delay);
		retryTimer = setTimeout(run_, delay);
	};

	const reportIdle = (run: number) => {
		if (run !== generation || stopped) return;
		if (busy.push || busy.pull || busy.first) {
			idleOwed = true;
			return;
		}
		idleOwed = false;
		const at = new Date().toISOString();
		if (counts.pull || counts.push) {
			void deviceDb.syncLog.add({
				db,
				at,
				kind: 'synced',
				pulled: counts.pull,
				pushed: counts.push
			});
			counts.pull = 0;
			counts.push = 0;
		}
		listener.onIdle?.({ db, at });
	};

	const onPushed = async (outcome: PushOutcome) => {
		if (outcome.pushed.length > 0) {
			await clearPushed({ db, docs: outcome.pushed });
			counts.push += outcome.pushed.length;
			listener.onChange?.({ db, direction: 'push', count: outcome.pushed.length });
		}
		for (const { id, reason } of outcome.refused) {
			await markRefused({ docId: id, reason });
			listener.onRefused?.({ db, docId: id, reason });
		}
	};

	/** One push pass at a time; a request for another while one runs makes it run again after. */
	const push = (run: number, signal: AbortSignal): Promise<void> => {
		if (pushing && pushingRun !== run) {
			// A cancelled run's pass is still winding down (its PouchDB reads cannot be aborted): it
			// will not go round again for this run, so this run's own pass follows it. Joining it
			// instead left the outbox waiting after the signal came back, until the next local write.
			return pushing
				.catch(() => undefined)
				.then(() => (run === generation && !stopped ? push(run, signal) : undefined));
		}
		if (pushing) {
			pushAgain = true;
			return pushing;
		}
		pushingRun = run;
		pushing = (async () => {
			let wasActive = false;
			try {
				do {
					pushAgain = false;
					busy.push = true;
					await open().pusher.push({
						signal,
						onActive: () => {
							wasActive = true;
							if (run === generation) listener.onActive?.(db);
						},
						onBatch: onPushed
					});
				} while (pushAgain && run === generation && !signal.aborted);
			} finally {
				busy.push = false;
				pushing = null;
			}
			if (wasActive || idleOwed) reportIdle(run);
		})();
		return pushing;
	};

	const schedulePush = (run: number, signal: AbortSignal) => {
		if (pushTimer) clearTimeout(pushTimer);
		pushTimer = setTimeout(
			() => {
				pushTimer = null;
				if (run !== generation) return;
				push(run, signal).catch((error) => fail(error, run));
			},
			busy.pull ? PUSH_DELAY_BUSY_MS : PUSH_DELAY_MS
		);
	};

	const run_ = () => {
		const thisRun = ++generation;
		const abort = new AbortController();
		controller = abort;
		const { signal } = abort;
		const previous = current;
		current = (async () => {
			// The previous run finishes writing what it had received before this one reads the cursor.
			await previous.catch(() => undefined);
			if (thisRun !== generation || stopped) return;
			let local: PouchDB.Database;
			let puller: Puller;
			try {
				({ local, puller } = open());
			} catch (error) {
				if (error instanceof WipedDatabaseError) {
					stopped = true;
					return;
				}
				throw error;
			}
			listener.onActive?.(db);
			try {
				// Local writes from now on are pushed promptly, also during a first sync.
				localFeed = local
					.changes({ since: 'now', live: true })
					.on('change', () => schedulePush(thisRun, signal))
					.on('error', (error) => fail(error, thisRun));
				const state = await puller.state();
				busy.first = state.phase === 'snapshot';
				busy.pull = true;
				const pulled = puller
					.catchUp({
						signal,
						onProgress: busy.first
							? ({ done, total }) => listener.onProgress?.({ db, done, total })
							: undefined,
						onWritten: (count) => {
							counts.pull += count;
							listener.onChange?.({ db, direction: 'pull', count });
						}
					})
					.finally(() => (busy.pull = false));
				const [result] = await Promise.all([pulled, push(thisRun, signal)]);
				// One more pass over what the pull wrote: it sends nothing (the revisions are known to
				// be on the server) but moves the push cursor past them, so that the next start of the
				// app does not ask the server about every document again.
				if (result.pulled > 0) await push(thisRun, signal);
				if (thisRun !== generation || stopped) return;
				if (result.firstSync) {
					busy.first = false;
					const at = new Date().toISOString();
					await putSetting(firstSyncKey(db), at);
					await deviceDb.syncLog.add({
						db,
						at,
						kind: 'first-sync',
						pulled: result.pulled,
						pushed: counts.push
					});
					counts.pull = 0;
					counts.push = 0;
				}
				delay = 0;
				reportIdle(thisRun);
				// Live: wait for the server's next changes; local ones are pushed by the feed above.
				for (;;) {
					let started = false;
					await puller.waitAndApply({
						signal,
						onStart: () => {
							started = true;
							busy.pull = true;
							listener.onActive?.(db);
						},
						onWritten: (count) => {
							counts.pull += count;
							listener.onChange?.({ db, direction: 'pull', count });
						}
					});
					busy.pull = false;
					if (thisRun !== generation || stopped) return;
					if (started || idleOwed) reportIdle(thisRun);
				}
			} catch (error) {
				busy.pull = false;
				busy.first = false;
				fail(error, thisRun);
			}
		})();
	};

	run_();
	return {
		stop() {
			stopped = true;
			cancel();
		},
		restart() {
			if (stopped) return;
			cancel();
			delay = 0;
			run_();
		}
	};
}
