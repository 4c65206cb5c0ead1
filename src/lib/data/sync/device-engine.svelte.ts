import { liveQuery, type Subscription } from 'dexie';
import { loadSyncEngine } from './load-engine-chunk';
import type { IndexerHandle } from '$lib/data/read-model/indexer';
import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';
import type { SyncProblem, UnitSyncHandle } from './unit-sync';
import { allowLocalDbs } from '$lib/data/store/wiped-dbs';

// What the secretary sees of sync: last synced, changes waiting to upload, progress of a first sync,
// and an error she can read. Also owns the running sync and read-model feeds of the signed-in unit.

export type SyncPhase = 'idle' | 'offline' | 'syncing' | 'synced' | 'problem';

class SyncStatus {
	#phase = $state<SyncPhase>('idle');
	#lastSyncedAt = $state<string | null>(null);
	#pending = $state(0);
	#refused = $state(0);
	#progress = $state<{ done: number; total: number } | null>(null);
	#problem = $state<SyncProblem | null>(null);
	#online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

	#dbs: string[] = [];
	#syncs = new Map<string, UnitSyncHandle>();
	#indexers = new Map<string, IndexerHandle>();
	#outbox: Subscription | null = null;
	#onAuthProblem: ((problem: SyncProblem) => void) | null = null;
	/** Bumped by every start and stop: a start still loading the engine when superseded gives up. */
	#generation = 0;

	get phase() {
		return this.#phase;
	}
	get lastSyncedAt() {
		return this.#lastSyncedAt;
	}
	get pending() {
		return this.#pending;
	}
	get refused() {
		return this.#refused;
	}
	get progress() {
		return this.#progress;
	}
	get problem() {
		return this.#problem;
	}
	get online() {
		return this.#online;
	}

	/** Percentage of a first sync, or null when none is running. */
	percent = $derived.by(() => {
		const p = this.#progress;
		if (!p) return null;
		return p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
	});

	label = $derived.by(() => {
		if (this.#problem?.kind === 'revoked' || this.#problem?.kind === 'unauthorized') {
			return this.#problem.message;
		}
		if (!this.#online || this.#phase === 'offline') return 'Đang ngoại tuyến';
		if (this.#progress) return `Đang tải dữ liệu lần đầu… ${this.percent ?? 0}%`;
		if (this.#phase === 'syncing') return 'Đang đồng bộ…';
		if (this.#phase === 'problem') return this.#problem?.message ?? 'Lỗi đồng bộ';
		if (this.#phase === 'synced') return 'Đã đồng bộ';
		return 'Chưa đồng bộ';
	});

	#handleOnline = () => {
		this.#online = true;
		this.syncNow();
	};
	#handleOffline = () => {
		this.#online = false;
		this.#phase = 'offline';
	};

	/** Starts the read-model feeds and live sync for these databases (idempotent). */
	async start(options: { dbs: string[]; onAuthProblem: (problem: SyncProblem) => void }) {
		this.stop();
		const generation = this.#generation;
		this.#dbs = options.dbs;
		allowLocalDbs(options.dbs);
		this.#onAuthProblem = options.onAuthProblem;
		const [engine, lastSyncedAt] = await Promise.all([
			loadSyncEngine(),
			getSetting<string>('lastSyncedAt')
		]);
		if (generation !== this.#generation) return;
		const { startIndexer, startUnitSync } = engine;
		this.#lastSyncedAt = lastSyncedAt ?? null;
		this.#outbox = liveQuery(() => deviceDb.outbox.toArray()).subscribe((entries) => {
			this.#pending = entries.length;
			this.#refused = entries.filter((e) => e.refused).length;
		});
		if (typeof window !== 'undefined') {
			window.addEventListener('online', this.#handleOnline);
			window.addEventListener('offline', this.#handleOffline);
		}
		for (const db of this.#dbs) {
			this.#indexers.set(db, startIndexer(db));
			this.#syncs.set(
				db,
				startUnitSync({
					db,
					listener: {
						onActive: () => {
							if (this.#online) this.#phase = 'syncing';
						},
						onProgress: ({ done, total }) => (this.#progress = { done, total }),
						onIdle: ({ at }) => {
							this.#progress = null;
							this.#problem = null;
							this.#phase = 'synced';
							this.#lastSyncedAt = at;
							void putSetting('lastSyncedAt', at);
						},
						onProblem: ({ problem }) => {
							this.#problem = problem;
							this.#phase = problem.kind === 'offline' ? 'offline' : 'problem';
							if (problem.kind === 'offline') this.#progress = null;
							if (problem.kind === 'revoked' || problem.kind === 'unauthorized') {
								this.#onAuthProblem?.(problem);
							}
						}
					}
				})
			);
		}
	}

	syncNow() {
		this.#problem = null;
		for (const sync of this.#syncs.values()) sync.restart();
	}

	/** Resolves when the read model has folded in everything PouchDB holds now. */
	async indexed(): Promise<void> {
		await Promise.all([...this.#indexers.values()].map((i) => i.idle()));
	}

	stop() {
		this.#generation += 1;
		for (const sync of this.#syncs.values()) sync.stop();
		for (const indexer of this.#indexers.values()) indexer.stop();
		this.#syncs.clear();
		this.#indexers.clear();
		this.#outbox?.unsubscribe();
		this.#outbox = null;
		if (typeof window !== 'undefined') {
			window.removeEventListener('online', this.#handleOnline);
			window.removeEventListener('offline', this.#handleOffline);
		}
		this.#phase = 'idle';
		this.#progress = null;
		this.#problem = null;
	}
}

export const syncStatus = new SyncStatus();
