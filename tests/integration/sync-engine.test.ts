import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	startUnitSync,
	type SyncProblem,
	type UnitSyncHandle
} from '../../src/lib/data/sync/unit-sync';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { countPending, recordOutbox } from '../../src/lib/data/sync/outbox';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { PULL_CHECKPOINT_ID } from '../../src/lib/data/sync/checkpoints';
import { PRESETS, startLink, type Link } from '../../bench/link';
import { memberDoc } from '../support/member-fixture';
import { deviceLeaves, serverLeaves, unitWithMembers, type Unit } from '../support/sync-fixture';
import { startTestServer, type TestServer } from '../support/test-server';

// The sync engine's protocol (docs/decisions/0008-sync-protocol.md) against the real server: a
// first sync streamed without revision histories must still leave the device with exactly the
// server's documents, leaves and winners (conflicts and deletions included), later updates must
// attach to the right ancestors, an interrupted first sync must resume where it stopped, and an
// incremental sync must cost requests in proportion to the changes.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

function sync(options: { unit: Unit; origin?: string }): {
	handle: UnitSyncHandle;
	problems: SyncProblem[];
	idle: () => Promise<void>;
} {
	const problems: SyncProblem[] = [];
	let idleCount = 0;
	const waiters: (() => void)[] = [];
	const handle = startUnitSync({
		db: options.unit.db,
		remote: { origin: options.origin ?? server.url, headers: { cookie: options.unit.cookie } },
		listener: {
			onIdle: () => {
				idleCount++;
				for (const w of waiters.splice(0)) w();
			},
			onProblem: ({ problem }) => problems.push(problem)
		}
	});
	let seen = 0;
	return {
		handle,
		problems,
		// Resolves at the next idle not yet consumed.
		idle: () =>
			new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('no idle in 30 s')), 30_000);
				const check = () => {
					if (idleCount > seen) {
						seen = idleCount;
						clearTimeout(timer);
						resolve();
					} else waiters.push(check);
				};
				check();
			})
	};
}

async function forget(db: string) {
	await destroyLocalDbs([db]);
	allowLocalDbs([db]);
	await deviceDb.outbox.clear();
	await deviceDb.settings.clear();
}

function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const tick = async () => {
			if (await check()) return resolve();
			if (Date.now() - started > ms) return reject(new Error('timed out'));
			setTimeout(tick, 25);
		};
		void tick();
	});
}

describe('the sync engine against the real server', () => {
	it('a first sync reproduces conflicts and deletions exactly, and later edits attach to their ancestors', async () => {
		const unit = await unitWithMembers({ server, members: 60, seed: 'conflicts' });
		const at = new Date().toISOString();
		const base = {
			type: 'member',
			v: 1,
			unitId: unit.id,
			status: 'active',
			birthDate: '2001-01-01'
		};
		// A conflicted member (two branches from one ancestor), a deleted one, and a conflict whose
		// losing branch was deleted: written as replication would, with explicit histories.
		const conflicted = [
			{
				...base,
				_id: 'member:01JCONFLICT0000000000000001',
				_rev: '2-bbbb',
				_revisions: { start: 2, ids: ['bbbb', 'aaaa'] },
				familyName: 'Lò',
				givenName: 'Mai',
				updatedAt: at,
				updatedBy: 'x',
				createdAt: at,
				createdBy: 'x'
			},
			{
				...base,
				_id: 'member:01JCONFLICT0000000000000001',
				_rev: '2-cccc',
				_revisions: { start: 2, ids: ['cccc', 'aaaa'] },
				familyName: 'Lò',
				givenName: 'Mây',
				updatedAt: at,
				updatedBy: 'y',
				createdAt: at,
				createdBy: 'x'
			},
			{
				...base,
				_id: 'member:01JDELETED00000000000000001',
				_rev: '2-dddd',
				_revisions: { start: 2, ids: ['dddd', 'eeee'] },
				_deleted: true,
				updatedAt: at,
				updatedBy: 'x'
			},
			{
				...base,
				_id: 'member:01JHALFDEAD0000000000000001',
				_rev: '3-ffff',
				_revisions: { start: 3, ids: ['ffff', 'gggg', 'hhhh'] },
				familyName: 'Hà',
				givenName: 'Thu',
				updatedAt: at,
				updatedBy: 'x',
				createdAt: at,
				createdBy: 'x'
			},
			{
				...base,
				_id: 'member:01JHALFDEAD0000000000000001',
				_rev: '3-iiii',
				_revisions: { start: 3, ids: ['iiii', 'gggg', 'hhhh'] },
				_deleted: true,
				updatedAt: at,
				updatedBy: 'y'
			}
		];
		await server.couch.json({
			method: 'POST',
			path: `${unit.db}/_bulk_docs`,
			body: { docs: conflicted, new_edits: false }
		});
		const first = sync({ unit });
		try {
			await first.idle();
			expect(first.problems).toEqual([]);
			const [onServer, onDevice] = [
				await serverLeaves({ server, db: unit.db }),
				await deviceLeaves(unit.db)
			];
			expect(onServer['member:01JCONFLICT0000000000000001']?.leaves).toEqual(['2-bbbb', '2-cccc']);
			expect(onServer['member:01JDELETED00000000000000001']?.deleted).toBe(true);
			expect(onServer['member:01JHALFDEAD0000000000000001']?.leaves).toEqual(['3-ffff', '3-iiii']);
			expect(onDevice).toEqual(onServer);
			// The device's conflict is the server's, winner included.
			const local = await localDb(unit.db).get('member:01JCONFLICT0000000000000001', {
				conflicts: true
			});
			expect(local._rev).toBe('2-cccc');
			expect((local as { _conflicts?: string[] })._conflicts).toEqual(['2-bbbb']);

			// The server updates a member the snapshot brought without its history: the device must
			// see an update, not a conflict.
			const someone = Object.keys(onServer).find(
				(id) => id.startsWith('member:01') && !id.includes('J')
			)!;
			const current = await server.couch.getDoc<{ _id: string; _rev: string }>({
				db: unit.db,
				id: someone
			});
			const updated = await server.couch.putDoc({
				db: unit.db,
				doc: {
					...current!,
					phone: '0912000111',
					updatedAt: new Date().toISOString(),
					updatedBy: unit.login
				}
			});
			await until(async () => (await localDb(unit.db).get(someone))._rev === updated.rev);
			const pulled = await localDb(unit.db).get(someone, { conflicts: true, revs: true });
			expect((pulled as { _conflicts?: string[] })._conflicts).toBeUndefined();
			expect((pulled as { _revisions?: { start: number } })._revisions?.start).toBe(2);

			// And the device's own edit of it reaches the server as a child, not a conflict.
			const edit = await localDb(unit.db).put({
				...pulled,
				phone: '0912000222',
				updatedBy: unit.login
			});
			await recordOutbox({ db: unit.db, docId: someone, rev: edit.rev });
			await until(async () => (await countPending(unit.db)) === 0);
			const onServerNow = await server.couch.getDoc<{
				_id: string;
				_rev: string;
				_conflicts?: string[];
			}>({
				db: unit.db,
				id: someone,
				query: { conflicts: true }
			});
			expect(onServerNow?._rev).toBe(edit.rev);
			expect(onServerNow?._conflicts).toBeUndefined();
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
		} finally {
			first.handle.stop();
			await forget(unit.db);
		}
	});

	it('an interrupted first sync resumes from where it stopped', async () => {
		const unit = await unitWithMembers({ server, members: 1500, seed: 'resume' });
		const link: Link = await startLink({ preset: PRESETS.none!, targetPort: server.port });
		try {
			// A clean first sync, to know what one costs.
			const clean = sync({ unit, origin: link.url });
			await clean.idle();
			clean.handle.stop();
			const cleanBytes = link.stats().downBytes;
			await forget(unit.db);

			link.resetStats();
			const cut = link.cutAfter({ downBytes: Math.round(cleanBytes * 0.5) });
			const interrupted = sync({ unit, origin: link.url });
			await cut;
			await until(() => interrupted.problems.some((p) => p.kind === 'offline'));
			// Sequences are opaque (a number on the embedded store, `"1500-g1AAAA…"` on Apache CouchDB 3):
			// the checkpoint is only compared and sent back, never parsed.
			const saved = (await localDb(unit.db).get(PULL_CHECKPOINT_ID)) as unknown as {
				value: { since: string | number; phase: string };
			};
			expect(saved.value.phase).toBe('snapshot');
			// The checkpoint lies inside the feed: from it, some changes are left, but fewer than in all.
			const changesSince = async (since: string | number) =>
				(
					await server.couch.json<{ results: unknown[] }>({
						path: `${unit.db}/_changes`,
						query: { since }
					})
				).results.length;
			const left = await changesSince(saved.value.since);
			expect(left).toBeGreaterThan(0);
			expect(left).toBeLessThan(await changesSince(0));
			const receivedBeforeCut = link.stats().downBytes;
			link.restore();
			interrupted.handle.restart();
			await interrupted.idle();
			interrupted.handle.stop();

			const resumedStream = link
				.stats()
				.log.filter((r) => r.path.includes('include_docs=true'))
				.at(-1);
			const resumedSince = new URL(resumedStream?.path ?? '/', 'http://x').searchParams.get(
				'since'
			);
			expect(resumedSince).toBe(String(saved.value.since));
			// Re-sent: what the two attempts downloaded beyond one clean sync.
			const resent = link.stats().downBytes - cleanBytes;
			expect(resent).toBeLessThan(receivedBeforeCut * 0.1);
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
		} finally {
			await link.close();
			await forget(unit.db);
		}
	});

	it('a push of more changes than a page sends every one, 500 a request (read 100 at a time)', async () => {
		const unit = await unitWithMembers({ server, members: 5, seed: 'push-pages' });
		const link: Link = await startLink({ preset: PRESETS.none!, targetPort: server.port });
		try {
			const first = sync({ unit, origin: link.url });
			await first.idle();
			first.handle.stop();
			// 730 members written on the phone (an import's worth): more than a page, not a round number.
			const local = localDb(unit.db);
			const written = Array.from({ length: 730 }, (_, i) =>
				memberDoc({ unitId: unit.id, login: unit.login, givenName: `Số ${i}` })
			);
			const results = await local.bulkDocs(written);
			for (const [i, res] of results.entries()) {
				if (!('ok' in res)) throw new Error('not written');
				await recordOutbox({ db: unit.db, docId: written[i]!._id, rev: res.rev });
			}
			expect(await countPending(unit.db)).toBe(730);

			link.resetStats();
			const again = sync({ unit, origin: link.url });
			await again.idle();
			again.handle.stop();
			const bulk = link
				.stats()
				.log.filter((r) => Number.isFinite(r.end) && r.path.includes('/_bulk_docs'));
			expect(bulk).toHaveLength(2);
			expect(await countPending(unit.db)).toBe(0);
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
			const onServer = await server.couch.allDocs({
				db: unit.db,
				startkey: 'member:',
				endkey: 'member:\ufff0'
			});
			expect(onServer).toHaveLength(735);
		} finally {
			await link.close();
			await forget(unit.db);
		}
	});

	it('an incremental sync costs round trips in proportion to the changes, pushing and pulling at once', async () => {
		const unit = await unitWithMembers({ server, members: 800, seed: 'incremental' });
		const link: Link = await startLink({ preset: PRESETS.none!, targetPort: server.port });
		try {
			const first = sync({ unit, origin: link.url });
			await first.idle();
			first.handle.stop();

			// A week offline: the server gets 20 edits, a deletion and a new member; the device edits 10.
			const rows = await server.couch.allDocs<Record<string, unknown> & { _id: string }>({
				db: unit.db,
				startkey: 'member:',
				endkey: 'member:\ufff0',
				includeDocs: true
			});
			const at = new Date().toISOString();
			const remoteEdits = rows
				.slice(0, 20)
				.map((r) => ({ ...r.doc!, phone: '0987654321', updatedAt: at }));
			const gone = rows[20]!;
			await server.couch.bulkDocs({
				db: unit.db,
				docs: [
					...remoteEdits,
					{ ...gone.doc!, _deleted: true },
					memberDoc({ unitId: unit.id, login: unit.login, givenName: 'Mới' })
				]
			});
			const local = localDb(unit.db);
			for (const row of rows.slice(100, 110)) {
				const doc = await local.get(row.id);
				const res = await local.put({
					...doc,
					currentAddress: 'Thôn Mới',
					updatedBy: unit.login,
					updatedAt: at
				});
				await recordOutbox({ db: unit.db, docId: row.id, rev: res.rev });
			}

			link.resetStats();
			link.dropConnections();
			const again = sync({ unit, origin: link.url });
			await again.idle();
			again.handle.stop();
			const requests = link
				.stats()
				.log.filter((r) => Number.isFinite(r.end))
				.map((r) => `${r.method} ${r.path.split('?')[0]!.replace(`/couch/${unit.db}`, '')}`);
			// Pull: the changes, then the missing revisions with their history; push: one _bulk_docs
			// (all ten are recorded local writes, so no _revs_diff).
			expect(requests.sort()).toEqual(['GET /_changes', 'POST /_bulk_docs', 'POST /_bulk_get']);
			expect(await countPending(unit.db)).toBe(0);
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
			expect(again.problems).toEqual([]);
		} finally {
			await link.close();
			await forget(unit.db);
		}
	});

	it('concurrent edits end as the same conflict on both sides; refused writes are reported', async () => {
		const unit = await unitWithMembers({ server, members: 30, seed: 'concurrent' });
		const first = sync({ unit });
		const refused: string[] = [];
		try {
			await first.idle();
			first.handle.stop();
			const local = localDb(unit.db);
			const [row] = (
				await server.couch.allDocs<Record<string, unknown>>({
					db: unit.db,
					startkey: 'member:',
					endkey: 'member:\ufff0',
					includeDocs: true,
					limit: 1
				})
			).map((r) => r.doc as Record<string, unknown> & { _id: string; _rev: string });
			await server.couch.putDoc({ db: unit.db, doc: { ...row!, givenName: 'Trên máy chủ' } });
			const mine = await local.put({
				...(await local.get(row!._id)),
				givenName: 'Trên máy',
				updatedBy: unit.login
			});
			await recordOutbox({ db: unit.db, docId: row!._id, rev: mine.rev });
			// A document of another unit: the server's validation refuses it.
			const stray = memberDoc({ unitId: 'khacdonvi', login: unit.login });
			const strayRes = await local.put(stray);
			await recordOutbox({ db: unit.db, docId: stray._id, rev: strayRes.rev });

			const again = startUnitSync({
				db: unit.db,
				remote: { origin: server.url, headers: { cookie: unit.cookie } },
				listener: { onRefused: ({ docId }) => refused.push(docId) }
			});
			try {
				await until(() => refused.length === 1);
				await until(async () => {
					const onServer = await serverLeaves({ server, db: unit.db });
					return onServer[row!._id]!.leaves.length === 2;
				});
				await until(async () => (await deviceLeaves(unit.db))[row!._id]!.leaves.length === 2);
			} finally {
				again.stop();
			}
			expect(refused).toEqual([stray._id]);
			expect((await deviceDb.outbox.get(stray._id))?.refused).toBeTruthy();
			const onServer = await serverLeaves({ server, db: unit.db });
			const onDevice = await deviceLeaves(unit.db);
			expect(onDevice[row!._id]).toEqual(onServer[row!._id]);
			delete onDevice[stray._id];
			expect(onDevice).toEqual(onServer);
		} finally {
			first.handle.stop();
			await forget(unit.db);
		}
	});
});
