import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateMembers } from '../../../src/lib/synthetic';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { rebuildReadModel } from '../../../src/lib/data/read-model/rebuild';
import { searchMembers } from '../../../src/lib/data/queries/members';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';

// Rebuilding the read model from PouchDB: the roster is usable while it runs (each batch shows as
// soon as it is folded in), and its progress climbs to the whole database.

const db = 'unit_rebuild01';
const today = '2026-11-28';
const COUNT = 1200;

beforeEach(async () => {
	allowLocalDbs([db]);
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	const members = generateMembers({
		seed: 12,
		count: COUNT,
		unitId: 'rebuild01',
		branchIds: [],
		today,
		ethnicMix: 'mountain-district'
	}).map((m) => ({ ...m, status: 'active' as const }));
	await localDb(db).bulkDocs(members);
	await catchUp(db);
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('rebuilding the read model', () => {
	it('shows what is folded in so far while it runs, with its progress', async () => {
		expect((await searchMembers({ dbs: [db], today })).total).toBe(COUNT);
		const seen: { done: number; total: number; listed: number }[] = [];
		const pending: Promise<void>[] = [];
		const folded = await rebuildReadModel([db], {
			onProgress: (progress) => {
				pending.push(
					searchMembers({ dbs: [db], today, limit: 1 }).then((page) => {
						seen.push({ ...progress, listed: page.total });
					})
				);
			}
		});
		await Promise.all(pending);
		expect(folded).toBe(COUNT);
		expect(seen[0]).toMatchObject({ done: 0, total: COUNT });
		expect(seen.at(-1)).toMatchObject({ done: COUNT, total: COUNT, listed: COUNT });
		// Part-way, the roster already lists part of the unit, not nothing and not everyone.
		expect(seen.some((s) => s.listed > 0 && s.listed < COUNT)).toBe(true);
	});
});
