import type { AccountService } from '../accounts/account-service';
import type { DeviceService } from '../accounts/device-service';
import type { CouchClient } from '../couch/couch-client';
import { isUnitDb, unitIdOfDb } from '../couch/db-names';
import type { DbUpdates } from '../couch/db-updates';
import { unitStatus } from '../couch/provision-service';
import { describeError, type Logger } from '../http/logger';
import { todayIso } from '../../src/lib/domain/dates';
import { figuresDocId } from '../../src/lib/domain/figures';
import { FiguresAccounts } from './figures-accounts';
import { knownOf } from './figures-doc';
import { FiguresReader } from './figures-reader';
import { FiguresRollup } from './figures-rollup';
import { FiguresStore } from './figures-store';
import { FiguresTree } from './figures-tree';
import { LeasedLoop } from './leased-loop';
import { WatcherRecords, type Seq } from './watcher-records';

// The figures worker (docs/figures.md, docs/decisions/0016-figures-rolled-up-the-tree.md): puts each
// unit's figures — its own members' counts and its whole subtree's — into its own database and every
// ancestor's, so a superior's phone holds its subtree's figures offline. One process at a time
// (`lease:figures`). It follows `doanvu_dbupdates` with its own checkpoint, and the directory's
// `_changes`; per cycle:
//   1. the units whose database changed are read (and only they: the rest is known from the figures
//      already written, in memory or read back once from the top unit's database after a start);
//   2. they and all their ancestors — and, for a unit created, merged, split or moved, its old
//      ancestors too — are added up bottom-up by depth, each exactly once however many of its
//      descendants changed: total = own + Σ children's totals;
//   3. each `figures:<unit>` goes into the unit's database and every ancestor's, written only where
//      its content changed.
// A first start (no checkpoint) reads every unit once. So does a new day in Vietnam (ages, the
// month's dues and the year's counts depend on the date).

const LEASE_ID = 'lease:figures';
const CHECKPOINT_ID = '_local/dbupdates:figures';

/** What cycles did: units whose database was read, figures computed, copies written or deleted. */
export interface CycleStats {
	read: number;
	computed: number;
	written: number;
}

interface Waiter {
	resolve: (stats: CycleStats) => void;
	stats: CycleStats;
}

export interface FiguresWorkerOptions {
	couch: CouchClient;
	accounts: AccountService;
	devices: DeviceService;
	updates: DbUpdates;
	/** The directory database (units), the accounts database (devices), the jobs database (the
	 * lease and the checkpoint). */
	directoryDb: string;
	accountsDb: string;
	jobsDb: string;
	owner: string;
	leaseMs: number;
	/** How often `doanvu_dbupdates` is looked at when nothing nudged the worker. */
	pollMs: number;
	/** The least time between two cycles once something changed (writes coming in bursts add up). */
	minIntervalMs: number;
	logger: Logger;
	/** The clock (Vietnam's today is taken from it); tests fix it. */
	now?: () => Date;
}

export class FiguresWorker {
	readonly #reader: FiguresReader;
	readonly #store: FiguresStore;
	readonly #tree: FiguresTree;
	readonly #accounts: FiguresAccounts;
	readonly #records: WatcherRecords;
	readonly #updates: DbUpdates;
	readonly #logger: Logger;
	readonly #now: () => Date;
	readonly #pollMs: number;
	readonly #minIntervalMs: number;
	readonly #loop: LeasedLoop;
	readonly #rollup: FiguresRollup;
	readonly #nudged = new Set<string>();
	/** Units whose database could not be read: read again at the next cycle. */
	readonly #retryRead = new Set<string>();
	/** Units whose figures could not all be written: written again at the next cycle. */
	readonly #retry = new Set<string>();
	/** Copies still to delete (holder unit → figures ids), when a cycle failed before. */
	readonly #removals = new Map<string, Set<string>>();
	#waiters: Waiter[] = [];
	#updatesSince: Seq | undefined;
	#warmed = false;
	#day: string | undefined;
	#behind = false;
	/** The lease ran out at some point: what this process remembers is forgotten at the next cycle. */
	#stale = false;
	/** What the last cycle did (tests and logs). */
	#lastCycle: CycleStats = { read: 0, computed: 0, written: 0 };

	constructor(options: FiguresWorkerOptions) {
		this.#reader = new FiguresReader(options);
		this.#store = new FiguresStore(options);
		this.#tree = new FiguresTree({ couch: options.couch, db: options.directoryDb });
		this.#accounts = new FiguresAccounts({
			couch: options.couch,
			db: options.accountsDb,
			accounts: options.accounts
		});
		this.#records = new WatcherRecords({ couch: options.couch, db: options.jobsDb });
		this.#rollup = new FiguresRollup({
			tree: this.#tree,
			store: this.#store,
			reader: this.#reader,
			logger: options.logger,
			keepLease: () => this.#keepLease(),
			running: () => this.#loop.running
		});
		this.#updates = options.updates;
		this.#logger = options.logger;
		this.#now = options.now ?? (() => new Date());
		this.#pollMs = options.pollMs;
		this.#minIntervalMs = options.minIntervalMs;
		this.#loop = new LeasedLoop({
			couch: options.couch,
			db: options.jobsDb,
			leaseId: LEASE_ID,
			owner: options.owner,
			leaseMs: options.leaseMs,
			logger: options.logger,
			failureEvent: 'figures_failed',
			tick: () => this.#tick(),
			nextDelay: () => {
				if (this.#waiters.length > 0) return 0;
				if (this.#nudged.size > 0 || this.#behind || this.#retry.size + this.#retryRead.size > 0)
					return this.#minIntervalMs;
				return this.#loop.holdsLease ? this.#pollMs : Math.max(this.#pollMs, options.leaseMs / 4);
			},
			beforeRenewal: (lapsed) => {
				// Another process may have written figures and moved the checkpoint meanwhile: what
				// this one remembers goes — at the next cycle, not in the middle of this one.
				if (lapsed) this.#stale = true;
			}
		});
	}

	start(): void {
		this.#loop.start();
	}

	async stop(): Promise<void> {
		await this.#loop.stop();
		for (const waiter of this.#waiters.splice(0)) waiter.resolve(waiter.stats);
	}

	/** This process wrote to `db` (the proxy forwarded a write): its figures at the next cycle. */
	nudge(db: string): void {
		if (!this.#loop.running || !isUnitDb(db)) return;
		this.#nudged.add(db);
		this.#loop.soon(this.#minIntervalMs);
	}

	/**
	 * Resolves once a whole cycle that began after this call has ended: what was written before the
	 * call (through this process's proxy, or recorded in `doanvu_dbupdates`) is in the figures. It
	 * answers what every cycle that ended meanwhile did (one already running when it was called may
	 * have taken this process's latest nudges).
	 */
	cycle(): Promise<CycleStats> {
		if (!this.#loop.running) return Promise.resolve({ read: 0, computed: 0, written: 0 });
		const done = new Promise<CycleStats>((resolve) =>
			this.#waiters.push({ resolve, stats: { read: 0, computed: 0, written: 0 } })
		);
		this.#loop.soon(0);
		return done;
	}

	/** Whether this process computes the figures now (it holds the lease). */
	get holdsLease(): boolean {
		return this.#loop.holdsLease;
	}

	/** What the last cycle did. */
	get lastCycle(): CycleStats {
		return { ...this.#lastCycle };
	}

	async #tick(): Promise<void> {
		const waiters = this.#waiters.splice(0);
		let stats: CycleStats = { read: 0, computed: 0, written: 0 };
		try {
			if (!(await this.#loop.holdLease())) {
				// Another process computes; it learns of these databases from `doanvu_dbupdates`.
				this.#nudged.clear();
				this.#behind = false;
				return;
			}
			if (this.#stale) {
				this.#stale = false;
				this.#updatesSince = undefined;
				this.#warmed = false;
				this.#rollup.known.clear();
				this.#store.forget();
				this.#records.forget();
				// The accounts feed keeps its place: changes seen twice only list devices twice.
			}
			stats = await this.#cycle();
		} catch (error) {
			// Another process took the lease during a long cycle: it carries on from the checkpoint.
			if (!(error instanceof LeaseLost)) throw error;
		} finally {
			for (const waiter of [...waiters, ...this.#waiters]) {
				waiter.stats.read += stats.read;
				waiter.stats.computed += stats.computed;
				waiter.stats.written += stats.written;
			}
			for (const waiter of waiters) waiter.resolve(waiter.stats);
		}
	}

	async #cycle(): Promise<CycleStats> {
		const now = this.#now();
		const today = todayIso(now);
		/** Units whose database is read. */
		const readOwn = new Set<string>(this.#retryRead);
		this.#retryRead.clear();
		/** Units whose figures are rebuilt (their ancestors are added below). */
		const rebuild = new Set<string>(this.#retry);
		this.#retry.clear();
		/** Holder unit → figures ids to delete there (units no longer beneath it). */
		const removals = new Map(this.#removals);
		this.#removals.clear();
		const remove = (holder: string, id: string) => {
			if (!this.#tree.get(holder)) return;
			const set = removals.get(holder) ?? new Set<string>();
			set.add(figuresDocId(id));
			removals.set(holder, set);
		};
		try {
			return await this.#work({ now, today, readOwn, rebuild, removals, remove });
		} catch (error) {
			// What this cycle learnt (the directory's changes above all: they are not read again)
			// is done at the next one.
			for (const id of readOwn) this.#retryRead.add(id);
			for (const id of rebuild) this.#retry.add(id);
			for (const [holder, ids] of removals) this.#removals.set(holder, ids);
			throw error;
		}
	}

	async #work(options: {
		now: Date;
		today: string;
		readOwn: Set<string>;
		rebuild: Set<string>;
		removals: Map<string, Set<string>>;
		remove: (holder: string, id: string) => void;
	}): Promise<CycleStats> {
		const { now, today, readOwn, rebuild, removals, remove } = options;

		const firstLoad = !this.#tree.loaded;
		for (const { before, after } of await this.#tree.catchUp()) {
			if (firstLoad && !before) continue;
			const id = (after ?? before)!.id;
			if (after) {
				rebuild.add(id);
				if (!before) readOwn.add(id);
			}
			for (const old of before?.ancestors ?? []) {
				rebuild.add(old);
				if (!after?.ancestors.includes(old)) remove(old, id);
			}
		}

		this.#updatesSince ??= (await this.#records.getLocal<{ seq?: Seq }>(CHECKPOINT_ID))?.seq;
		const since = this.#updatesSince;
		if (since === undefined) {
			// The first start of this deployment: every unit once.
			for (const unit of this.#tree.all()) readOwn.add(unit.id);
		}
		if (!this.#warmed) {
			await this.#warm({ today, readOwn, rebuild });
			this.#warmed = true;
		}
		if (this.#day !== today) {
			// A new day in Vietnam: ages, the month's dues, the year's counts move.
			if (this.#day !== undefined) for (const unit of this.#tree.all()) readOwn.add(unit.id);
			this.#day = today;
		}

		const { dbs, lastSeq, more } = await this.#updates.changedSince({ since: since ?? 0 });
		for (const db of [...dbs, ...this.#nudged]) {
			if (!isUnitDb(db)) continue;
			const id = unitIdOfDb(db);
			if (this.#tree.get(id)) readOwn.add(id);
		}
		this.#nudged.clear();

		// Units whose devices changed (in the accounts database): their device list only.
		const devicesOnly = new Set<string>();
		for (const id of await this.#accounts.changedUnits()) {
			if (this.#tree.get(id) && !readOwn.has(id)) devicesOnly.add(id);
		}

		const read = [...readOwn].filter((id) => this.#tree.get(id));
		const computed = await this.#rollup.compute({
			today,
			now,
			readOwn: new Set(read),
			rebuild,
			devicesOnly,
			onFailure: ({ unitId, readOwn: reading }) =>
				(reading ? this.#retryRead : this.#retry).add(unitId)
		});
		let written = 0;
		const holders = new Set([...computed.byHolder.keys(), ...removals.keys()]);
		const list = [...holders];
		for (let i = 0; i < list.length; i += 4) {
			await this.#keepLease();
			await Promise.all(
				list.slice(i, i + 4).map(async (holder) => {
					const unit = this.#tree.get(holder);
					if (!unit) return;
					try {
						const outcome = await this.#store.write({
							db: unit.db,
							docs: computed.byHolder.get(holder) ?? [],
							remove: [...(removals.get(holder) ?? [])]
						});
						written += outcome.written + outcome.deleted;
					} catch (error) {
						for (const doc of computed.byHolder.get(holder) ?? []) this.#retry.add(doc.of.id);
						this.#retry.add(holder);
						this.#logger.error('figures_write_failed', {
							db: unit.db,
							error: describeError(error)
						});
					}
				})
			);
		}
		// Moved on only once the figures are written: a crash before this reads them again.
		if (String(lastSeq) !== String(since)) {
			await this.#records.checkpoint(CHECKPOINT_ID, { seq: lastSeq });
			this.#updatesSince = lastSeq;
		}
		this.#behind = more;
		this.#lastCycle = { read: computed.read, computed: computed.count, written };
		if (written > 0) this.#logger.info('figures_written', { ...this.#lastCycle });
		return this.#lastCycle;
	}

	/** A long cycle (a first start reads every unit) renews its lease as it goes. */
	async #keepLease(): Promise<void> {
		if (!(await this.#loop.holdLease())) throw new LeaseLost();
	}

	/**
	 * After a start: the figures already written, read back from the top units' databases (each holds
	 * its whole tree's), so only what changes is read again. A unit without figures, or whose figures
	 * describe another place in the tree, is done again.
	 */
	async #warm(options: { today: string; readOwn: Set<string>; rebuild: Set<string> }) {
		for (const root of this.#tree.roots()) {
			for (const doc of await this.#store.readAll(root.db)) {
				const unit = this.#tree.get(doc.of.id);
				if (!unit) continue;
				this.#rollup.known.set(unit.id, knownOf(doc));
				const described = JSON.stringify([doc.of.parentId, doc.of.ancestors, doc.children]);
				const now = JSON.stringify([unit.parentId, unit.ancestors, this.#tree.children(unit.id)]);
				if (described !== now || doc.of.name !== unit.name || doc.of.status !== unitStatus(unit))
					options.rebuild.add(unit.id);
			}
		}
		for (const unit of this.#tree.all()) {
			const known = this.#rollup.known.get(unit.id);
			if (!known || known.part.today !== options.today) options.readOwn.add(unit.id);
		}
		this.#day = options.today;
	}
}

class LeaseLost extends Error {}
