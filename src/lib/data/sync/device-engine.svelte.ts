import { watchQuery } from '$lib/data/read-model/watch';
import type { IndexerHandle } from '$lib/data/read-model/indexer';
import { getSetting, putSetting, deviceDb, type UnitRow } from '$lib/data/store/device-db';
import { allowLocalDbs } from '$lib/data/store/wiped-dbs';
import { sendPendingExports } from '$lib/data/spreadsheets/export-log-store';
import { loadEngineChunk, type EngineChunk } from './load-engine-chunk';
import { countPending } from './outbox';
import type { SyncProblem, UnitSyncHandle } from './unit-sync';
import type { PullProgress } from './pull';

// The one owner of what runs on the device while someone is signed in, with one lifecycle (start,
// stop): per unit database an indexer (PouchDB → read model) and a unit sync (device ⇄ server);
// the conflict merger (docs/decisions/0006-conflict-policy.md); and the watch for merged units that
// lets the session relocate (docs/architecture.md, "Merge"). It is also what the secretary sees of
// sync: last synced, changes waiting to upload, progress of a first sync, an error she can read.

export type SyncPhase = 'idle' | 'offline' | 'syncing' | 'synced' | 'problem';

/** Who merges concurrent edits on this device: the signed-in account, unless she only views. */
export interface EngineWriter {
	login: string;
	/** The account's own unit database and this device: where it reports its syncs (device-report.ts). */
	report?: { db: string; unitId: string; deviceId: string };
}

export interface EngineStart {
	/** Every unit database on this device (own and pinned). */
	dbs: string[];
	/** The pinned ones: their first sync goes into the read model before PouchDB (ADR 0029). */
	pinned?: string[];
	/** Null for a viewer: she cannot write, so nothing is merged on her device. */
	writer: EngineWriter | null;
	onAuthProblem: (problem: SyncProblem) => void;
	/** A unit here was merged into another and everything written there has been uploaded. */
	onUnitMerged: (unit: UnitRow) => void;
}

class DeviceEngine {
	#phase = $state<SyncPhase>('idle');
	#lastSyncedAt = $state<string | null>(null);
	#pending = $state(0);
	/** Per database during its first sync (docs/decisions/0024-offline-ready-and-progress.md). */
	#firstSyncs = $state<Record<string, PullProgress & { finished: boolean }>>({});
	/** Every first sync finished and the read model holds its rows: the bar may say 100 %. */
	#complete = $state(false);
	/** The highest percentage shown: a database joining later never moves the bar back. */
	#peak = 0;
	#problem = $state<SyncProblem | null>(null);
	/** Databases not yet caught up since the start: neither idle once nor stopped by a problem. */
	#catchingUp = $state<string[]>([]);
	#online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

	#dbs: string[] = [];
	#pinned = new Set<string>();
	#chunk: EngineChunk | null = null;
	#syncs = new Map<string, UnitSyncHandle>();
	#indexers = new Map<string, IndexerHandle>();
	#writer: EngineWriter | null = null;
	#stopMerger: (() => void) | null = null;
	/** The outbox counts and the merged-units watch: read-model watches, stopped with the rest. */
	#watches: (() => void)[] = [];
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
	get progress(): PullProgress | null {
		const entries = Object.values(this.#firstSyncs);
		if (entries.length === 0) return null;
		return entries.reduce(
			(sum, p) => ({
				received: sum.received + p.received,
				done: sum.done + p.done,
				total: sum.total + p.total
			}),
			{ received: 0, done: 0, total: 0 }
		);
	}
	get problem() {
		return this.#problem;
	}
	/**
	 * A sync is bringing the device up to the server after a start (the first sync above all): the
	 * link is busy, so optional downloads wait (app-update.svelte.ts, ADR 0024).
	 */
	get catchingUp(): boolean {
		return this.#catchingUp.length > 0;
	}
	get online() {
		return this.#online;
	}

	/**
	 * Percentage of a first sync, or null when none is running. Records received count for 60 %
	 * (they arrive with the download's bytes), written for 35 %; the last 5 % wait until the read
	 * model has indexed them, so 100 % shows only with the rows on screen. Never 0 once started
	 * (the download is under way), never backwards.
	 */
	percent = $derived.by(() => {
		const p = this.progress;
		if (!p) {
			this.#peak = 0;
			return null;
		}
		if (this.#complete) return 100;
		const share = p.total > 0 ? (60 * p.received + 35 * p.done) / p.total : 0;
		this.#peak = Math.max(this.#peak, Math.min(95, Math.max(1, Math.floor(share))));
		return this.#peak;
	});

	label = $derived.by(() => {
		if (this.#problem?.kind === 'revoked' || this.#problem?.kind === 'unauthorized') {
			return this.#problem.message;
		}
		if (!this.#online || this.#phase === 'offline') return 'Đang ngoại tuyến';
		// Once the first syncs are over the badge says so, while the bar waits for the indexing.
		const downloading = Object.values(this.#firstSyncs).some((p) => !p.finished);
		if (downloading && this.percent !== null) return `Đang tải dữ liệu lần đầu… ${this.percent}%`;
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

	/** Starts everything for these databases, after stopping what ran before. */
	async start(options: EngineStart) {
		this.stop();
		const generation = this.#generation;
		this.#dbs = options.dbs;
		this.#pinned = new Set(options.pinned ?? []);
		this.#catchingUp = [...options.dbs];
		allowLocalDbs(options.dbs);
		this.#onAuthProblem = options.onAuthProblem;
		this.#writer = options.writer;
		// Read-model watches need no engine chunk: they start at once.
		this.#watches.push(this.#watchOutbox(), this.#watchMergedUnits(options));
		const [chunk, lastSyncedAt] = await Promise.all([
			loadEngineChunk(),
			getSetting<string>('lastSyncedAt')
		]);
		if (generation !== this.#generation) return;
		this.#chunk = chunk;
		this.#lastSyncedAt = lastSyncedAt ?? null;
		if (typeof window !== 'undefined') {
			window.addEventListener('online', this.#handleOnline);
			window.addEventListener('offline', this.#handleOffline);
		}
		for (const db of this.#dbs) {
			this.#indexers.set(db, chunk.startIndexer(db));
			this.#syncs.set(db, this.#startUnitSync(chunk, db));
		}
		this.#startMerger();
	}

	/**
	 * The account's role as the server now says (a background session check): a viewer made
	 * secretary starts merging, and the reverse stops it; the syncs keep running.
	 */
	setWriter(writer: EngineWriter | null) {
		if (writer?.login === this.#writer?.login) return;
		this.#writer = writer;
		this.#stopMerger?.();
		this.#stopMerger = null;
		this.#startMerger();
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
		this.#stopMerger?.();
		this.#stopMerger = null;
		for (const stopWatch of this.#watches) stopWatch();
		this.#watches = [];
		this.#chunk = null;
		if (typeof window !== 'undefined') {
			window.removeEventListener('online', this.#handleOnline);
			window.removeEventListener('offline', this.#handleOffline);
		}
		this.#phase = 'idle';
		this.#catchingUp = [];
		this.#clearFirstSyncs();
		this.#problem = null;
	}

	// Concurrent edits of a member on two devices are merged as soon as sync brings them, when they
	// touch different fields; the others wait for the secretary on the conflicts screen.
	#startMerger() {
		if (!this.#chunk || !this.#writer) return;
		this.#stopMerger = this.#chunk.startConflictMerger({
			dbs: this.#dbs,
			login: this.#writer.login
		});
	}

	// Counted, never read: an import notes 10,000 entries and the upload clears them slice by slice,
	// each a change this watch hears (outbox.ts, countPending). What the server refused is listed on
	// the account screen, read when it is opened (device/device-info.ts).
	#watchOutbox(): () => void {
		return watchQuery({
			query: () => countPending(),
			next: (pending) => {
				this.#pending = pending;
			}
		});
	}

	// A unit merged into another: once this device has uploaded what it wrote there, the session
	// drops the old database and follows its account to the surviving unit.
	#watchMergedUnits(options: EngineStart): () => void {
		const dbs = options.dbs;
		return watchQuery({
			query: async () => {
				const units = await deviceDb.units.bulkGet(dbs);
				const merged = units.filter(
					(u): u is UnitRow => !!u && u.status === 'merged' && !!u.mergedInto
				);
				const pending = await Promise.all(merged.map((u) => countPending(u.db)));
				return merged.map((unit, i) => ({ unit, pending: pending[i] ?? 0 }));
			},
			next: (rows) => {
				const ready = rows.find((r) => r.pending === 0);
				if (ready) options.onUnitMerged(ready.unit);
			}
		});
	}

	#caughtUp(db: string) {
		if (this.#catchingUp.includes(db)) this.#catchingUp = this.#catchingUp.filter((d) => d !== db);
	}

	#clearFirstSyncs() {
		this.#firstSyncs = {};
		this.#complete = false;
	}

	// The bar stays until the read model has indexed what the first syncs wrote (the roster shows
	// rows as they are indexed): a full bar over an empty list would say "nothing here".
	#firstSyncFinished(db: string) {
		const entry = this.#firstSyncs[db];
		if (!entry) return;
		entry.finished = true;
		if (!Object.values(this.#firstSyncs).every((p) => p.finished)) return;
		const generation = this.#generation;
		void this.indexed().then(() => {
			if (generation !== this.#generation) return;
			this.#complete = true;
			// Long enough to be seen as "done", short enough not to keep the list waiting.
			setTimeout(() => {
				if (generation === this.#generation && this.#complete) this.#clearFirstSyncs();
			}, 300);
		});
	}

	#startUnitSync(chunk: EngineChunk, db: string): UnitSyncHandle {
		const report = this.#writer?.report;
		return chunk.startUnitSync({
			db,
			stashFirstSync: this.#pinned.has(db),
			...(report && report.db === db
				? {
						reporter: {
							unitId: report.unitId,
							deviceId: report.deviceId,
							login: this.#writer!.login
						}
					}
				: {}),
			listener: {
				onActive: () => {
					if (this.#online) this.#phase = 'syncing';
				},
				onProgress: ({ progress }) => {
					this.#firstSyncs[db] = { ...progress, finished: false };
				},
				onIdle: ({ at }) => {
					this.#caughtUp(db);
					this.#firstSyncFinished(db);
					this.#problem = null;
					// Exports made offline reach the audit trail once the phone is back in touch.
					void sendPendingExports().catch(() => undefined);
					this.#phase = 'synced';
					this.#lastSyncedAt = at;
					void putSetting('lastSyncedAt', at).catch(() => undefined);
				},
				onProblem: ({ problem }) => {
					// A sync that fails is not moving data: it no longer holds the link.
					this.#caughtUp(db);
					this.#problem = problem;
					this.#phase = problem.kind === 'offline' ? 'offline' : 'problem';
					if (problem.kind === 'offline') this.#clearFirstSyncs();
					if (problem.kind === 'revoked' || problem.kind === 'unauthorized') {
						this.#onAuthProblem?.(problem);
					}
				}
			}
		});
	}
}

export const deviceEngine = new DeviceEngine();
