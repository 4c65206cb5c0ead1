import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateHistory, generateMembers } from '../../../src/lib/synthetic';
import { catchUp, emptyBatch, mergeBatches, type Batch } from '../../../src/lib/data/read-model/indexer';
import { hasOneLeaf } from '../../../src/lib/data/read-model/pouch-pages';
import { toHistoryRow, toMemberRow } from '../../../src/lib/data/read-model/rows';
import {
	countMembersOf,
	historyOfDb,
	membersOfDb
} from '../../../src/lib/data/read-model/member-store';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';

// The first ingest's pipeline (read-model/indexer.ts catchUp): pages folded while a write runs
// are written together, a document in a later page replacing what an earlier one said of it; a
// write refused part-way leaves the checkpoint at the last batch committed and the next catch-up
// ends where an uninterrupted one would. And the revision trees a first ingest reads in bulk are
// parsed only where they can hold a conflict (pouch-pages.ts hasOneLeaf).

const today = '2026-11-28';
const db = 'unit_pipe0001';

const empty = emptyBatch;

const members = generateMembers({
	seed: 'pipeline',
	count: 6,
	unitId: 'pipe0001',
	branchIds: ['branch:pipe0001k1'],
	today,
	ethnicMix: 'lowland'
});
const rows = members.map((m) => toMemberRow(m, db));
const entries = generateHistory({ seed: 'pipeline', members, today }).map((h) =>
	toHistoryRow(h, db)
);

describe('batches merged for one write', () => {
	it('keeps what the later page says of a document', () => {
		const [a, b, c] = rows;
		const first: Batch = { ...empty(), members: [a!, b!], deleted: [c!.id], history: [entries[0]!] };
		const renamed = { ...a!, fullName: 'Tên mới' };
		// a edited, b deleted, c written again (its deletion undone by a later revision).
		const second: Batch = { ...empty(), members: [renamed, c!], deleted: [b!.id, entries[0]!.id] };
		const merged = mergeBatches([first, second]);
		expect(merged.members).toEqual([renamed, c]);
		expect(merged.deleted.sort()).toEqual([b!.id, entries[0]!.id].sort());
		expect(merged.history).toEqual([]);
	});

	it('keeps records, branches and transfers by document id, and every unit row in order', () => {
		const record = (docId: string, n: number): Batch['records'][number] => ({
			key: `${db}|${docId}`,
			db,
			docId,
			type: 'figures',
			doc: { _id: docId, n } as unknown as Batch['records'][number]['doc']
		});
		const branch = { id: 'branch:pipe0001k1', db, name: 'Chi đoàn 1', closed: 0 as const };
		const unit = (name: string) => ({ db, id: 'pipe0001', name, kind: 'x', status: 'active' });
		const merged = mergeBatches([
			{ ...empty(), records: [record('figures:1', 1)], branches: [branch], units: [unit('A')] },
			{ ...empty(), records: [record('figures:1', 2)], deleted: [branch.id], units: [unit('B')] },
			{ ...empty(), records: [record('figures:2', 3)] }
		]);
		expect(merged.records.map((r) => (r.doc as unknown as { n: number }).n)).toEqual([2, 3]);
		expect(merged.branches).toEqual([]);
		expect(merged.deleted).toEqual([branch.id]);
		expect(merged.units.map((u) => u.name)).toEqual(['A', 'B']);
	});
});

// A revision path as PouchDB merges it into a tree: `hashes` from generation `pos` on.
function path(pos: number, hashes: string[], leaf: { deleted?: boolean } = {}) {
	type Node = [string, Record<string, unknown>, Node[]];
	let node: Node | null = null;
	for (const [i, hash] of [...hashes].reverse().entries()) {
		node = [hash, i === 0 ? { status: 'available', ...leaf } : { status: 'missing' }, node ? [node] : []];
	}
	return { pos, ids: node! };
}

type Tree = unknown[];
interface PouchMerge {
	merge(tree: Tree, path: unknown, depth: number): { tree: Tree };
	collectLeaves(tree: Tree): unknown[];
}

describe('revision trees with one leaf, told without parsing', () => {
	it('agrees with PouchDB on linear, branched, deleted and stemmed trees', async () => {
		// PouchDB's own tree merging (a dependency of pouchdb-core, without types of its own).
		const lib = 'pouchdb-merge';
		const { merge, collectLeaves } = (await import(/* @vite-ignore */ lib)) as PouchMerge;
		const grow = (paths: ReturnType<typeof path>[], depth = 1000): Tree =>
			paths.reduce<Tree>((tree, p) => merge(tree, p, depth).tree, []);
		const cases: { id: string; tree: Tree }[] = [
			{ id: 'member:01', tree: grow([path(1, ['a'])]) },
			{ id: 'member:02', tree: grow([path(1, ['a', 'b', 'c'])]) },
			// Two siblings from replication: a conflict.
			{ id: 'member:03', tree: grow([path(1, ['a', 'b']), path(1, ['a', 'c'])]) },
			// A losing branch deleted: still two leaves in the tree.
			{ id: 'member:04', tree: grow([path(1, ['a', 'b']), path(2, ['c', 'd'], { deleted: true })]) },
			{ id: 'member:05', tree: grow([path(1, ['a', 'b'], { deleted: true })]) },
			// Stemmed to two revisions: two roots, one of them a separate leaf.
			{ id: 'member:06', tree: grow([path(1, ['a', 'b', 'c']), path(5, ['x', 'y'])], 2) },
			// An id that holds the very characters looked for: the count errs high, never low.
			{ id: 'thing:[]]', tree: grow([path(1, ['a', 'b'])]) }
		];
		const told = cases.map(({ id, tree }) => {
			const data = JSON.stringify({ id, rev_tree: tree, rev_map: {}, winningRev: '1-a', seq: 1 });
			return { id, leaves: collectLeaves(tree).length, oneLeaf: hasOneLeaf(data) };
		});
		for (const { id, leaves, oneLeaf } of told) {
			// Never "one leaf" where there are more: a conflict would go unseen.
			if (leaves > 1) expect(oneLeaf, id).toBe(false);
		}
		expect(told.filter((t) => t.leaves === 1 && t.oneLeaf).map((t) => t.id)).toEqual([
			'member:01',
			'member:02',
			'member:05'
		]);
		expect(told.filter((t) => t.leaves > 1).length).toBeGreaterThanOrEqual(3);
	});
});

describe('a first ingest in pages', () => {
	const COUNT = 1500;

	beforeEach(async () => {
		allowLocalDbs([db]);
		await Promise.all(deviceDb.tables.map((t) => t.clear()));
		const all = generateMembers({
			seed: 'pipeline/ingest',
			count: COUNT,
			unitId: 'pipe0001',
			branchIds: ['branch:pipe0001k1'],
			today,
			ethnicMix: 'lowland'
		});
		const history = generateHistory({ seed: 'pipeline/ingest', members: all, today });
		const docs: object[] = [...all, ...history];
		for (let i = 0; i < docs.length; i += 500) {
			await localDb(db).bulkDocs(docs.slice(i, i + 500) as PouchDB.Core.PutDocument<object>[]);
		}
	});

	afterEach(async () => {
		deviceDb.checkpoints.hook('creating').unsubscribe(refuse);
		deviceDb.checkpoints.hook('updating').unsubscribe(refuse);
		await destroyLocalDbs([db]);
	});

	let refusals = 0;
	function refuse(): void {
		if (refusals-- > 0) return;
		throw new Error('QuotaExceededError (test)');
	}

	it('resumes after a refused write and ends as an ingest that was not interrupted', async () => {
		const info = await localDb(db).info();
		const docs = info.doc_count;
		// The third write is refused, as a full phone refuses one.
		refusals = 2;
		deviceDb.checkpoints.hook('creating', refuse);
		deviceDb.checkpoints.hook('updating', refuse);
		const committed: number[] = [];
		await expect(catchUp(db, { onBatch: (n) => committed.push(n) })).rejects.toThrow(/Quota/);
		deviceDb.checkpoints.hook('creating').unsubscribe(refuse);
		deviceDb.checkpoints.hook('updating').unsubscribe(refuse);
		expect(committed).toHaveLength(2);
		const stopped = await deviceDb.checkpoints.get(db);
		expect(stopped?.seq).toBeGreaterThan(0);
		expect(Number(stopped?.seq)).toBeLessThan(Number(info.update_seq));
		// What was committed is there, and nothing of the refused write.
		const partly = await countMembersOf([db]);
		expect(partly).toBeGreaterThan(0);
		expect(partly).toBeLessThanOrEqual(committed.reduce((a, b) => a + b, 0));

		const rest = await catchUp(db);
		expect(committed.reduce((a, b) => a + b, 0) + rest).toBe(docs);
		expect((await deviceDb.checkpoints.get(db))?.seq).toBe(info.update_seq);
		const listed = await membersOfDb(db);
		expect(listed).toHaveLength(COUNT);
		expect(new Set(listed.map((m) => m.id)).size).toBe(COUNT);
		expect(await historyOfDb({ db })).toHaveLength(docs - COUNT);
	});
});
