import { randomBytes } from 'node:crypto';
import { openLink } from './link-client';
import { localDigest } from './digest';
import type { BenchServer } from './server-client';
import {
	check,
	figures,
	forgetDevice,
	loadClient,
	runOurs,
	startOurs,
	stockRemote,
	SyncMismatch,
	type UnitFixture,
	type WireFigures
} from './sync-bench';

// The sync scenarios after the first: a week offline, then one sync; a first sync cut halfway, then
// resumed. Same rules as bench/sync-bench.ts: ours and stock PouchDB over the same link, every sync
// checked against the server.

export interface IncrementalResult {
	scenario: string;
	link: string;
	localEdits: number;
	remoteEdits: number;
	ours: WireFigures;
	baseline: WireFigures;
	checked: boolean;
}

/**
 * A device that completed its first sync, then a week offline: `edits` local edits on the device
 * and as many remote edits on the server (other members), then one sync on `preset`. The baseline
 * (stock PouchDB `sync`, both directions) and ours each get their own identical unit.
 */
export async function incrementalSync(options: {
	scenario: string;
	server: BenchServer;
	units: [UnitFixture, UnitFixture];
	preset: string;
	edits: number;
	log: (line: string) => void;
}): Promise<IncrementalResult> {
	const { server, preset, edits, log } = options;
	const [unitA, unitB] = options.units;
	const c = await loadClient();
	const link = await openLink({ preset: 'none', targetPort: server.port });
	try {
		// Both devices complete their first sync (not measured), through the same link URL, since
		// stock PouchDB keys its checkpoints by it.
		const stockLocal = new c.PouchDB(`stock-inc-${randomBytes(3).toString('hex')}`);
		const stockRemoteA = stockRemote({
			client: c,
			origin: link.url,
			db: unitA.db,
			cookie: unitA.cookie
		});
		await stockLocal.replicate.from(stockRemoteA);
		await runOurs({ client: c, units: [unitB], origin: link.url });

		// The week offline.
		const stamp = new Date().toISOString();
		for (const unit of [unitA, unitB]) {
			await server.editMembers({
				db: unit.db,
				login: unit.login,
				count: edits,
				seed: 'week',
				offset: 0
			});
		}
		const editLocally = async (local: PouchDB.Database, unit: UnitFixture, record: boolean) => {
			const rows = await local.allDocs({
				startkey: 'member:',
				endkey: 'member:\ufff0',
				include_docs: true
			});
			for (const row of rows.rows.slice(100, 100 + edits)) {
				const res = await local.put({
					...(row.doc as object),
					_id: row.id,
					_rev: row.value.rev,
					currentAddress: 'khu 7, xã Thanh Sơn, tỉnh Phú Thọ',
					updatedAt: stamp,
					updatedBy: unit.login
				});
				// What the app's domain commands do after writing: note it as waiting to upload.
				if (record) await c.recordOutbox({ db: unit.db, docId: res.id, rev: res.rev });
			}
		};
		await editLocally(stockLocal, unitA, false);
		await editLocally(c.localDb(unitB.db), unitB, true);

		await link.setPreset(preset);
		await link.resetStats();
		log(`  baseline: stock PouchDB sync (push and pull)…`);
		let started = performance.now();
		const synced = await stockLocal.sync(stockRemoteA);
		const baseline = figures({ ms: performance.now() - started, stats: await link.stats() });
		try {
			check({
				what: 'baseline incremental',
				server: await server.state(unitA.db),
				device: await localDigest(stockLocal)
			});
		} catch (error) {
			// Say what stock PouchDB believed it did.
			const summary = (
				r: { docs_written: number; doc_write_failures: number; errors: unknown[] } | undefined
			) => {
				if (!r) return 'no result';
				// The server's reasons: a stock replication does not try a refused write again.
				const reasons = r.errors.map((e) => {
					const error = e as { id?: string; name?: string; reason?: string; message?: string };
					return `${error.id ?? '?'}: ${error.name ?? ''} ${error.reason ?? error.message ?? ''}`;
				});
				return `${r.docs_written} written, ${r.doc_write_failures} failures, ${r.errors.length} errors${reasons.length ? ` [${reasons.join('; ')}]` : ''}`;
			};
			throw new SyncMismatch(
				`${(error as Error).message}\n  (stock sync reported push: ${summary(synced.push)}; pull: ${summary(synced.pull)})`
			);
		}
		await stockLocal.destroy();
		log(`  baseline: ${(baseline.ms / 1000).toFixed(1)} s, ${baseline.requests} requests`);

		await link.dropConnections();
		await link.resetStats();
		log(`  ours…`);
		started = performance.now();
		const run = await runOurs({ client: c, units: [unitB], origin: link.url });
		const ours = figures({ ms: run.ms, stats: await link.stats(), until: run.endedAt });
		if ((await c.countPending(unitB.db)) !== 0)
			throw new SyncMismatch('ours incremental: changes still waiting');
		check({
			what: 'ours incremental',
			server: await server.state(unitB.db),
			device: await localDigest(c.localDb(unitB.db))
		});
		await forgetDevice(c, [unitB.db]);
		log(`  ours: ${(ours.ms / 1000).toFixed(1)} s, ${ours.requests} requests`);
		return {
			scenario: options.scenario,
			link: preset,
			localEdits: edits,
			remoteEdits: edits,
			ours,
			baseline,
			checked: true
		};
	} finally {
		await link.close();
	}
}

export interface InterruptedResult {
	scenario: string;
	link: string;
	ours: { receivedBeforeCut: number; resent: number; cleanBytes: number; ms: number };
	baseline: { receivedBeforeCut: number; resent: number; cleanBytes: number; ms: number };
	checked: boolean;
}

/**
 * A first sync whose link is cut once half of a clean sync's bytes have arrived, then restored and
 * resumed: how much is downloaded again. `clean` holds each side's bytes for a clean first sync of
 * the same unit on the same link (from the first-sync scenario).
 */
export async function interruptedSync(options: {
	scenario: string;
	server: BenchServer;
	unit: UnitFixture;
	preset: string;
	clean: { ours: number; baseline: number };
	log: (line: string) => void;
}): Promise<InterruptedResult> {
	const { server, unit, preset, clean, log } = options;
	const c = await loadClient();
	const state = await server.state(unit.db);
	const link = await openLink({ preset, targetPort: server.port });
	try {
		log(`  baseline: stock replicate.from, cut at 50%, replicate.from again…`);
		const stockLocal = new c.PouchDB(`stock-cut-${randomBytes(3).toString('hex')}`);
		const remote = stockRemote({ client: c, origin: link.url, db: unit.db, cookie: unit.cookie });
		const cut = link.cutAfter({ downBytes: Math.round(clean.baseline / 2) });
		let started = performance.now();
		const firstTry = stockLocal.replicate.from(remote).then(
			() => 'completed',
			() => 'failed'
		);
		await cut;
		const baseBefore = (await link.stats()).downBytes;
		if ((await firstTry) !== 'failed') throw new Error('the stock replication survived the cut');
		await link.restore();
		await stockLocal.replicate.from(remote);
		const baseMs = performance.now() - started;
		const baseTotal = (await link.stats()).downBytes;
		check({ what: 'baseline interrupted', server: state, device: await localDigest(stockLocal) });
		await stockLocal.destroy();

		await link.dropConnections();
		await link.resetStats();
		log(`  ours: cut at 50%, resumed…`);
		const oursCut = link.cutAfter({ downBytes: Math.round(clean.ours / 2) });
		started = performance.now();
		let offline: () => void = () => undefined;
		const sawOffline = new Promise<void>((resolve) => (offline = resolve));
		const { handles, done } = startOurs({
			client: c,
			units: [unit],
			origin: link.url,
			onProblem: ({ kind }) => {
				if (kind === 'offline') offline();
			}
		});
		await oursCut;
		const oursBefore = (await link.stats()).downBytes;
		await sawOffline;
		await link.restore();
		// The app restarts sync at once when the browser says it is online again.
		for (const handle of handles) handle.restart();
		await done;
		const oursMs = performance.now() - started;
		const oursTotal = (await link.stats()).downBytes;
		check({
			what: 'ours interrupted',
			server: state,
			device: await localDigest(c.localDb(unit.db))
		});
		await forgetDevice(c, [unit.db]);
		const result: InterruptedResult = {
			scenario: options.scenario,
			link: preset,
			ours: {
				receivedBeforeCut: oursBefore,
				resent: oursTotal - clean.ours,
				cleanBytes: clean.ours,
				ms: oursMs
			},
			baseline: {
				receivedBeforeCut: baseBefore,
				resent: baseTotal - clean.baseline,
				cleanBytes: clean.baseline,
				ms: baseMs
			},
			checked: true
		};
		log(
			`  re-sent: ours ${result.ours.resent} B of ${oursBefore} received, baseline ${result.baseline.resent} B of ${baseBefore}`
		);
		return result;
	} finally {
		await link.close();
	}
}
