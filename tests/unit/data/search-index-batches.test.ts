import { describe, expect, it } from 'vitest';
import { foldWords } from '../../../src/lib/domain';
import { toMemberRow } from '../../../src/lib/data/read-model/rows';
import { MemberSearchIndex } from '../../../src/lib/data/read-model/search-index';
import type { MemberRow } from '../../../src/lib/data/store/device-db';
import { generateMembers } from '../../../src/lib/synthetic';

// A first sync writes the member rows a page at a time; the search index takes each batch in at
// once but merges them into its ordered lists later, many at a time (a merge copies every list:
// once per page cost seconds at 75,000 members). Whatever happened in between — rows replaced,
// deleted, written again before a merge — a search must answer exactly as an index built from
// the final rows would.

const dbs = ['unit_ba001', 'unit_ba002'];
const today = '2026-11-28';

function rowsOf(db: string, seed: string, count: number): MemberRow[] {
	const unitId = db.slice('unit_'.length);
	return generateMembers({
		seed,
		count,
		unitId,
		branchIds: [`branch:${unitId}k1`, `branch:${unitId}k2`],
		today,
		ethnicMix: 'lowland'
	}).map((member) => toMemberRow(member, db));
}

function answers(index: MemberSearchIndex) {
	const keep = () => true;
	const page = { dbs, keep, offset: 0, limit: 5000 };
	return {
		list: index.list(page),
		names: ['ng', 'tran th', 'h', 'van a'].map((q) =>
			index.findByName({ ...page, words: foldWords(q) })
		),
		all: index.allByName({ dbs, words: foldWords('ng'), keep }).map((m) => m.id),
		numbers: index.withNumber({ phone: '09', match: 'startsWith' }).map((m) => m.id)
	};
}

function patchAll(index: MemberSearchIndex, rows: (MemberRow | undefined)[], ids: string[]) {
	for (let from = 0; from < ids.length; from += 100) {
		index.patch(ids.slice(from, from + 100), rows.slice(from, from + 100));
	}
}

describe('the search index takes batches in and merges them later', () => {
	it('answers as an index built from the final rows, after replacements and deletions', () => {
		const first = [...rowsOf(dbs[0]!, 'ba/1', 600), ...rowsOf(dbs[1]!, 'ba/2', 600)];
		const index = new MemberSearchIndex([]);
		patchAll(
			index,
			first,
			first.map((row) => row.id)
		);
		// Taken in, not merged yet: a search merges first and sees every batch.
		expect(index.unmerged).toBeGreaterThan(0);
		expect(index.list({ dbs, keep: () => true, offset: 0, limit: 10 }).total).toBe(1200);
		expect(index.unmerged).toBe(0);

		// Merged rows and rows still waiting are renamed, deleted and written again.
		const final = new Map(first.map((row) => [row.id, row]));
		const renamed = first.slice(0, 300).map((row, i) => ({
			...row,
			givenName: i % 2 ? 'Zơ' : row.givenName,
			nameWords: i % 2 ? [...row.nameWords.slice(0, -1), 'zo'] : row.nameWords,
			sortKey: i % 2 ? `zz${row.sortKey}` : `aa${row.sortKey}`
		}));
		patchAll(
			index,
			renamed,
			renamed.map((row) => row.id)
		);
		for (const row of renamed) final.set(row.id, row);
		const deleted = first.slice(200, 500).map((row) => row.id);
		patchAll(
			index,
			deleted.map(() => undefined),
			deleted
		);
		for (const id of deleted) final.delete(id);
		const back = first.slice(400, 450);
		patchAll(
			index,
			back,
			back.map((row) => row.id)
		);
		for (const row of back) final.set(row.id, row);
		const added = rowsOf(dbs[1]!, 'ba/3', 150).map((row) => ({
			...row,
			id: row.id.replace('member:', 'member:X')
		}));
		patchAll(
			index,
			added,
			added.map((row) => row.id)
		);
		for (const row of added) final.set(row.id, row);
		expect(index.unmerged).toBeGreaterThan(0);

		expect(answers(index)).toEqual(answers(new MemberSearchIndex([...final.values()])));
		expect(index.size).toBe(final.size);
	});

	it('splices a few members in at once when nothing waits', () => {
		const rows = rowsOf(dbs[0]!, 'ba/4', 300);
		const index = new MemberSearchIndex(rows.slice(0, 290));
		index.patch(
			rows.slice(290).map((row) => row.id),
			rows.slice(290)
		);
		expect(index.unmerged).toBe(0);
		expect(answers(index)).toEqual(answers(new MemberSearchIndex(rows)));
	});
});
