import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { couchRemote } from '../../src/lib/data/online/couch-http';
import { Puller } from '../../src/lib/data/sync/pull';
import { knownRevsOf } from '../../src/lib/data/sync/known-revs';
import { snapshotSink, whenLocalFilled } from '../../src/lib/data/sync/local-fill';
import { startUnitSync } from '../../src/lib/data/sync/unit-sync';
import { catchUp, startIndexer } from '../../src/lib/data/read-model/indexer';
import { rebuildReadModel } from '../../src/lib/data/read-model/rebuild';
import { getMemberRow, membersOfDb } from '../../src/lib/data/read-model/member-store';
import { memberHistory } from '../../src/lib/data/queries/history';
import { stashKeysOf } from '../../src/lib/data/store/snapshot-stash';
import { deviceDb } from '../../src/lib/data/store/device-db';
import {
	allowLocalDbs,
	destroyLocalDbs,
	localDb,
	syncLocalDb
} from '../../src/lib/data/store/pouch';
import { PRESETS, startLink } from '../../bench/link';
import { deviceLeaves, serverLeaves, unitWithMembers, type Unit } from '../support/sync-fixture';
import { until } from '../support/phone-sync';
import { startTestServer, type TestServer } from '../support/test-server';

// A pinned unit's first sync goes into the read model before PouchDB (ADR 0029): the list is
// complete as soon as the stream is in, while PouchDB holds only what needed its history; then
// PouchDB is filled from the snapshot stash, in the background or at once when the app reads it,
// and ends up with exactly the server's leaves and winners, as a first sync straight into PouchDB
// does. Nothing filled in is uploaded again; an interrupted first sync and a rebuilt read model
// lose nothing.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

const opened: string[] = [];

afterEach(async () => {
	await destroyLocalDbs(opened.splice(0));
	await Promise.all(deviceDb.tables.map((table) => table.clear()));
});

function open(unit: Unit): void {
	allowLocalDbs([unit.db]);
	opened.push(unit.db);
}

function puller(options: { unit: Unit; origin?: string }): Puller {
	const { unit } = options;
	return new Puller({
		db: unit.db,
		local: syncLocalDb(unit.db),
		remote: couchRemote({
			db: unit.db,
			remote: { origin: options.origin ?? server.url, headers: { cookie: unit.cookie } }
		}),
		known: knownRevsOf(unit.db),
		sink: snapshotSink(unit.db)
	});
}

/** Members (not deleted) on the server. */
async function serverMembers(db: string): Promise<string[]> {
	const leaves = await serverLeaves({ server, db });
	return Object.entries(leaves)
		.filter(([id, leaf]) => id.startsWith('member:') && !leaf.deleted)
		.map(([id]) => id)
		.sort();
}

async function listed(db: string): Promise<string[]> {
	return (await membersOfDb(db)).map((row) => row.id).sort();
}

/** Gives one member two branches from its revision, written as replication would. */
async function addConflict(unit: Unit): Promise<string> {
	const [first] = await server.couch.allDocs<
		Record<string, unknown> & { _id: string; _rev: string }
	>({
		db: unit.db,
		startkey: 'member:',
		endkey: 'member:\ufff0',
		includeDocs: true
	});
	const doc = first!.doc!;
	const parent = doc._rev.split('-')[1]!;
	await server.couch.json({
		method: 'POST',
		path: `${unit.db}/_bulk_docs`,
		body: {
			new_edits: false,
			docs: ['bbbb', 'cccc'].map((hash, i) => ({
				...doc,
				_rev: `2-${hash}`,
				_revisions: { start: 2, ids: [hash, parent] },
				phone: `091200010${i}`
			}))
		}
	});
	return doc._id;
}

describe("a pinned unit's first sync, read model first", () => {
	it('lists every member before PouchDB has them, then fills PouchDB with the server’s exact leaves when the app reads it', async () => {
		const unit = await unitWithMembers({ server, members: 300, seed: 'pinned-first' });
		const conflicted = await addConflict(unit);
		open(unit);

		const result = await puller({ unit }).catchUp({ signal: new AbortController().signal });
		expect(result.firstSync).toBe(true);
		const members = await serverMembers(unit.db);
		// The list is complete (the conflicted member, which came with its history into PouchDB,
		// is folded by the indexer as usual)...
		await catchUp(unit.db);
		expect(await listed(unit.db)).toEqual(members);
		expect((await getMemberRow(conflicted))?.hasConflict).toBe(1);
		// ...while PouchDB holds only that member: everything else waits in the stash.
		expect(Object.keys(await deviceLeaves(unit.db))).toEqual([conflicted]);
		expect((await stashKeysOf(unit.db)).length).toBeGreaterThan(0);
		const rowsBefore = await membersOfDb(unit.db);

		// The app opens a member (the edit form reads PouchDB): the fill runs first.
		const someone = members.find((id) => id !== conflicted)!;
		const doc = await localDb(unit.db).get(someone);
		expect(doc._id).toBe(someone);
		expect(await stashKeysOf(unit.db)).toEqual([]);
		expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
		// A member's history, read from PouchDB, is all there.
		const history = await memberHistory({ db: unit.db, memberId: someone });
		const onServer = await server.couch.allDocs({
			db: unit.db,
			startkey: `history:${someone.slice('member:'.length)}:`,
			endkey: `history:${someone.slice('member:'.length)}:\ufff0`
		});
		expect(onServer.length).toBeGreaterThan(0);
		expect(history.entries.length).toBe(onServer.length);

		// The indexer meets the filled documents among PouchDB's changes: the rows stay as they were.
		await catchUp(unit.db);
		expect(await membersOfDb(unit.db)).toEqual(rowsBefore);

		// An edit made now lands in PouchDB and in the list as on any unit.
		await localDb(unit.db).put({ ...doc, phone: '0912000333' });
		await catchUp(unit.db);
		expect((await getMemberRow(someone))?.phone).toBe('0912000333');
	});

	it('an interrupted first sync resumes without turning a stashed member’s newer revision into a conflict', async () => {
		const unit = await unitWithMembers({ server, members: 600, seed: 'pinned-resume' });
		open(unit);
		const link = await startLink({ preset: PRESETS.none!, targetPort: server.port });
		try {
			const info = await server.couch.json<{ sizes?: { external?: number } }>({ path: unit.db });
			const cut = link.cutAfter({ downBytes: Math.round((info.sizes?.external ?? 400_000) / 8) });
			await expect(
				Promise.all([
					puller({ unit, origin: link.url }).catchUp({ signal: new AbortController().signal }),
					cut
				])
			).rejects.toBeTruthy();
			// Part of the unit is listed; a listed member changes on the server meanwhile.
			const part = await listed(unit.db);
			expect(part.length).toBeGreaterThan(0);
			expect(part.length).toBeLessThan((await serverMembers(unit.db)).length);
			const changed = part[0]!;
			const current = await server.couch.getDoc<{ _id: string; _rev: string }>({
				db: unit.db,
				id: changed
			});
			await server.couch.putDoc({ db: unit.db, doc: { ...current!, phone: '0912000444' } });

			link.restore();
			await puller({ unit, origin: link.url }).catchUp({ signal: new AbortController().signal });
			await whenLocalFilled(unit.db);
			await catchUp(unit.db);
			expect(await listed(unit.db)).toEqual(await serverMembers(unit.db));
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
			expect((await getMemberRow(changed))?.phone).toBe('0912000444');
		} finally {
			await link.close();
		}
	});

	it('the unit sync fills PouchDB in the background and sends nothing back', async () => {
		const unit = await unitWithMembers({ server, members: 400, seed: 'pinned-background' });
		open(unit);
		const link = await startLink({ preset: PRESETS.none!, targetPort: server.port });
		const indexer = startIndexer(unit.db);
		let idle = false;
		const sync = startUnitSync({
			db: unit.db,
			stashFirstSync: true,
			remote: { origin: link.url, headers: { cookie: unit.cookie } },
			listener: { onIdle: () => (idle = true) }
		});
		try {
			await until(() => idle);
			await until(async () => (await stashKeysOf(unit.db)).length === 0);
			await indexer.idle();
			expect(await listed(unit.db)).toEqual(await serverMembers(unit.db));
			expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
			// The push has gone over the filled documents (a restart makes sure of it): it knew they
			// came from the server, and asked nothing about them.
			idle = false;
			sync.restart();
			await until(() => idle);
			const uploads = link
				.stats()
				.log.filter((r) => r.path.includes('/_revs_diff') || r.path.includes('/_bulk_docs'));
			expect(uploads).toEqual([]);
		} finally {
			sync.stop();
			indexer.stop();
			await link.close();
		}
	});

	it('a read model rebuilt before PouchDB is filled lists every member again', async () => {
		const unit = await unitWithMembers({ server, members: 200, seed: 'pinned-rebuild' });
		open(unit);
		await puller({ unit }).catchUp({ signal: new AbortController().signal });
		expect((await stashKeysOf(unit.db)).length).toBeGreaterThan(0);
		await rebuildReadModel([unit.db]);
		expect(await listed(unit.db)).toEqual(await serverMembers(unit.db));
		expect(await deviceLeaves(unit.db)).toEqual(await serverLeaves({ server, db: unit.db }));
	});
});
