import { clearPushed, markRefused } from './outbox';
import { localDb, remoteDb, type RemoteOptions } from './pouch';
import { getSetting, putSetting, readModel } from './read-model';

// Live two-way sync of one unit database: a first pull with progress, then PouchDB live sync with
// retry. It resumes from PouchDB's checkpoints after any interruption and tells the status what it
// is doing. Only standard CouchDB endpoints are used, through the same-origin /couch proxy.

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

// PouchDB's default back-off grows to ten minutes; a secretary back in town should not wait that
// long, so cap it at 30 s (the 'online' event also restarts sync at once).
function backOff(delay: number): number {
	return delay ? Math.min(delay * 2, 30_000) : 1_000;
}

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
	let live: PouchDB.Replication.Replication<object>[] = [];
	let stopped = false;
	let generation = 0;
	let retryTimer: ReturnType<typeof setTimeout> | null = null;

	const fail = (error: unknown, run: number) => {
		if (run !== generation || stopped) return;
		const problem = classifyError(error);
		listener.onProblem?.({ db, problem });
		return problem;
	};

	const firstPull = async (run: number) => {
		const local = localDb(db);
		const remote = remoteDb(db, options.remote);
		const [remoteInfo, localInfo] = await Promise.all([remote.info(), local.info()]);
		const total = remoteInfo.doc_count;
		let done = localInfo.doc_count;
		listener.onProgress?.({ db, done, total });
		await local.replicate
			.from(remote, { batch_size: 500, batches_limit: 4 })
			.on('change', (info) => {
				if (run !== generation) return;
				done += info.docs_written;
				listener.onProgress?.({ db, done: Math.min(done, total), total });
			});
		await putSetting(firstSyncKey(db), new Date().toISOString());
		await readModel.syncLog.add({
			db,
			at: new Date().toISOString(),
			kind: 'first-sync',
			pulled: done,
			pushed: 0
		});
	};

	const run = async () => {
		const thisRun = ++generation;
		listener.onActive?.(db);
		try {
			if (!(await getSetting(firstSyncKey(db)))) await firstPull(thisRun);
		} catch (error) {
			const problem = fail(error, thisRun);
			// Revoked or signed out: retrying cannot help; the app decides what to do.
			if (problem && problem.kind !== 'revoked' && problem.kind !== 'unauthorized') {
				retryTimer = setTimeout(() => void run(), problem.kind === 'offline' ? 15_000 : 5_000);
			}
			return;
		}
		if (thisRun !== generation || stopped) return;
		// Two one-way live replications rather than PouchDB's sync(): sync() reports neither the error
		// behind a retry nor which side is idle, and the secretary must see why nothing moves.
		const local = localDb(db);
		const remote = remoteDb(db, options.remote);
		const counts = { push: 0, pull: 0 };
		const idle = { push: false, pull: false };
		const opts = { live: true, retry: true, batch_size: 200, back_off_function: backOff };
		const onError = (error: unknown) => {
			const problem = fail(error, thisRun);
			if (problem?.kind === 'revoked' || problem?.kind === 'unauthorized') cancelLive();
			return problem;
		};
		const wire = (
			direction: 'push' | 'pull',
			replication: PouchDB.Replication.Replication<object>
		) =>
			replication
				.on('active', () => {
					idle[direction] = false;
					if (thisRun === generation) listener.onActive?.(db);
				})
				.on('change', (info) => {
					counts[direction] += info.docs.length;
					if (direction === 'push') void clearPushed({ db, docs: info.docs });
					listener.onChange?.({ db, direction, count: info.docs.length });
				})
				.on('paused', (error) => {
					if (error) {
						idle[direction] = false;
						onError(error);
						return;
					}
					idle[direction] = true;
					if (!idle.push || !idle.pull || thisRun !== generation) return;
					const at = new Date().toISOString();
					if (counts.pull || counts.push) {
						void readModel.syncLog.add({
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
				})
				// Emitted before each retry, also when the failure came before the first 'active'.
				.on('requestError' as 'error', (error) => void onError(error))
				.on('denied', (error) => {
					const e = error as PouchError & { id?: string };
					const reason = e.reason ?? e.message ?? 'Máy chủ từ chối lưu hồ sơ này.';
					if (e.id) {
						void markRefused({ docId: e.id, reason });
						listener.onRefused?.({ db, docId: e.id, reason });
					}
				})
				.on('error', (error) => {
					// Fatal (PouchDB does not retry 'unauthorized' or 'forbidden').
					const problem = onError(error);
					if (problem && problem.kind !== 'revoked' && problem.kind !== 'unauthorized') {
						retryTimer = setTimeout(() => void run(), 5_000);
					}
				});
		live = [wire('push', local.replicate.to(remote, opts)), wire('pull', local.replicate.from(remote, opts))];
	};

	const cancelLive = () => {
		for (const replication of live) replication.cancel();
		live = [];
	};

	const cancel = () => {
		generation++;
		if (retryTimer) clearTimeout(retryTimer);
		retryTimer = null;
		cancelLive();
	};

	void run();
	return {
		stop() {
			stopped = true;
			cancel();
		},
		restart() {
			if (stopped) return;
			cancel();
			void run();
		}
	};
}
