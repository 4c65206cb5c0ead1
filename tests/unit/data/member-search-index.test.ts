import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { beforeEach, describe, expect, it } from 'vitest';
import { fold, foldWords, rankMemberMatch, type MemberDoc } from '../../../src/lib/domain';
import {
	ageBandRange,
	searchMembers,
	type MemberFilters
} from '../../../src/lib/data/queries/members';
import { memberSearchIndexStats } from '../../../src/lib/data/read-model/search-index';
import { deviceDb, type MemberRow } from '../../../src/lib/data/store/device-db';
import { toMemberRow } from '../../../src/lib/data/read-model/rows';
import { membersOfDbs } from '../../../src/lib/data/read-model/member-store';
import {
	clearMemberRows,
	forgetMemberRowsOf,
	saveMemberRows
} from '../../../src/lib/data/read-model/member-pack-writer';
import { watchQuery } from '../../../src/lib/data/read-model/watch';
import { createRandom, generateMembers } from '../../../src/lib/synthetic';

// The in-memory search index must answer exactly as searchMembers did when it asked IndexedDB
// (kept below as the reference), and must never show a row as it was before a write.

const today = '2026-11-28';
const dbs = ['unit_sa001', 'unit_sa002', 'unit_sa003'];

// The rows are written through the read model's one writer (packed, member-store.ts).
async function putRows(list: MemberRow[]): Promise<void> {
	for (const db of new Set(list.map((row) => row.db))) {
		await saveMemberRows({ db, members: list.filter((row) => row.db === db) });
	}
}

async function deleteRows(db: string, ids: string[]): Promise<void> {
	await saveMemberRows({ db, deleted: ids });
}

/** Every row, in id order as IndexedDB's one-row-per-record table returned them. */
async function allRows(): Promise<MemberRow[]> {
	return (await membersOfDbs(dbs)).sort((a, b) => byText(a.id, b.id));
}

// --- The reference: searchMembers as it was before the index ------------------------------------

function matchesFilters(row: MemberRow, filters: MemberFilters): boolean {
	if (filters.status && row.status !== filters.status) return false;
	if (filters.branchId && row.branchId !== filters.branchId) return false;
	if (filters.minority !== undefined && row.minority !== (filters.minority ? 1 : 0)) return false;
	const range = filters.ageBand ? ageBandRange(filters.ageBand, today) : null;
	if (range) {
		const [from, to] = range;
		if (row.birthDate <= from || row.birthDate > to) return false;
	}
	return true;
}

// Its IndexedDB reads, once per database or name-word prefix: the rows do not change meanwhile.
// The name-word and sort-key indexes it walked are gone (Dexie version 5): their order is
// reproduced here from the whole table, as IndexedDB returned it.
const reads = new Map<string, Promise<MemberRow[]>>();
function read(key: string, run: () => Promise<MemberRow[]>): Promise<MemberRow[]> {
	if (!reads.has(key)) reads.set(key, run());
	return reads.get(key)!;
}

function byText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The whole answer: a page of the old searchMembers was a slice of it (offset/limit). */
async function referenceSearch(options: {
	dbs: string[];
	query?: string;
	filters?: MemberFilters;
}): Promise<{ rows: MemberRow[]; total: number }> {
	const { dbs, filters = {} } = options;
	const query = (options.query ?? '').trim();
	const inScope = (row: MemberRow) => dbs.includes(row.db) && matchesFilters(row, filters);
	if (!query) {
		const perDb = await Promise.all(
			dbs.map((db) =>
				read(`db:${db}`, () =>
					membersOfDbs([db]).then((list) => list.sort((a, b) => byText(a.sortKey, b.sortKey) || byText(a.id, b.id)))
				)
			)
		);
		const all = perDb
			.map((list) => list.filter(inScope))
			.flat()
			.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
		return { rows: all, total: all.length };
	}
	const words = foldWords(query);
	if (words.length === 0) return { rows: [], total: 0 };
	const pivot = [...words].sort((a, b) => b.length - a.length)[0]!;
	// A multi-entry index walked from `pivot`: each row under the first of its words it meets.
	const rows = await read(`word:${pivot}`, async () => {
		const under = (row: MemberRow) =>
			row.nameWords.filter((word) => word.startsWith(pivot)).sort(byText)[0];
		return (await allRows())
			.filter((row) => under(row) !== undefined)
			.sort((a, b) => byText(under(a)!, under(b)!) || byText(a.id, b.id));
	});
	const ranked: { row: MemberRow; rank: number }[] = [];
	const folded = fold(query);
	for (const row of rows) {
		if (!inScope(row)) continue;
		if (!words.every((w) => row.nameWords.some((nw) => nw.startsWith(w)))) continue;
		ranked.push({ row, rank: rankMemberMatch({ member: row, query: folded }) ?? 3 });
	}
	ranked.sort((a, b) => a.rank - b.rank || (a.row.sortKey < b.row.sortKey ? -1 : 1));
	const candidates = ranked.map((r) => r.row);
	return { rows: candidates, total: candidates.length };
}

// --- Data ----------------------------------------------------------------------------------------

const docs: { doc: MemberDoc; db: string }[] = [];
for (const [u, db] of dbs.entries()) {
	const unitId = db.slice('unit_'.length);
	const members = generateMembers({
		seed: `search-index/${u}`,
		count: 600,
		unitId,
		branchIds: [`branch:${unitId}k1`, `branch:${unitId}k2`],
		today,
		ethnicMix: u === 1 ? 'mountain-district' : 'lowland'
	});
	for (const doc of members) docs.push({ doc, db });
}

function rows(): MemberRow[] {
	const out = docs.map(({ doc, db }) => toMemberRow(doc, db));
	// Namesakes: the same name in two units and twice in one, which only the tie order tells apart.
	const twin = (row: MemberRow, db: string, suffix: string): MemberRow => ({
		...row,
		id: `${row.id.slice(0, -2)}${suffix}`,
		db
	});
	const first = out[0]!;
	const second = out[700]!;
	out.push(twin(first, dbs[1]!, 'ZZ'), twin(first, dbs[0]!, '00'), twin(second, dbs[2]!, '11'));
	return out;
}

function queries(): string[] {
	const random = createRandom('search-index/queries');
	const out = ['a', 'n', 'th', 'ng', 'tr', 'Nguyễn', 'nguyen th', 'hoa', 'Hòa', 'x', 'zzz', 'tí'];
	for (let i = 0; i < 25; i++) {
		const { doc } = random.pick(docs);
		const kind = random.next();
		if (kind < 0.3) out.push(doc.givenName.slice(0, random.int({ min: 1, max: 2 })));
		else if (kind < 0.5) out.push(doc.givenName);
		else if (kind < 0.7) out.push(`${doc.familyName} ${doc.middleName} ${doc.givenName}`);
		else if (kind < 0.85) out.push(`${doc.familyName} ${doc.givenName.slice(0, 2)}`);
		else out.push(`${doc.givenName.slice(0, 3)} ${doc.familyName.slice(0, 1)}`.toUpperCase());
	}
	return out;
}

const ids = (page: { rows: MemberRow[] }) => page.rows.map((r) => r.id);

beforeEach(async () => {
	reads.clear();
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	await clearMemberRows();
	await putRows(rows());
});

describe('the member search index', () => {
	it('finds exactly what the IndexedDB search found, in the same order, for names and lists', async () => {
		const scopes = [[dbs[0]!], dbs, [dbs[2]!, dbs[0]!], [dbs[1]!, dbs[0]!, dbs[2]!]];
		const filterSets: MemberFilters[] = [
			{},
			{ status: 'active' },
			{ minority: true },
			{ ageBand: '18-24', branchId: `branch:sa001k1` },
			{ ageBand: 'over-30' }
		];
		let compared = 0;
		let nonEmpty = 0;
		for (const scope of scopes) {
			for (const filters of filterSets) {
				for (const query of ['', ...queries()]) {
					const whole = await referenceSearch({ dbs: scope, query, filters });
					for (const [offset, limit] of [
						[0, 50],
						[0, 7],
						[30, 25]
					] as const) {
						const actual = await searchMembers({ dbs: scope, query, filters, offset, limit, today });
						expect({ query, scope, filters, offset, total: actual.total, rows: ids(actual) }).toEqual({
							query,
							scope,
							filters,
							offset,
							total: whole.total,
							rows: ids(whole).slice(offset, offset + limit)
						});
						compared++;
						if (whole.total > 0) nonEmpty++;
					}
				}
			}
		}
		expect(compared).toBeGreaterThan(500);
		expect(nonEmpty).toBeGreaterThan(compared / 2);
		// Built once, for all of the above.
		expect(memberSearchIndexStats().builds).toBeGreaterThan(0);
	}, 120_000);

	it('ranks the exact full name first, then given names starting with the query, then the rest', async () => {
		await clearMemberRows();
		const person = (id: string, familyName: string, middleName: string, givenName: string) =>
			toMemberRow(
				{
					...docs[0]!.doc,
					_id: `member:${id}`,
					familyName,
					middleName,
					givenName,
					otherName: undefined
				},
				dbs[0]!
			);
		await putRows([
			person('A', 'Trần', 'Văn', 'Anh'),
			person('B', 'Anh', 'Thị', 'Lan'),
			person('C', 'Lê', 'Thị', 'Anh Thư'),
			person('D', 'Ngô', '', 'Anh'),
			person('E', 'Phạm', 'Anh', 'Tuấn')
		]);
		const page = await searchMembers({ dbs: [dbs[0]!], query: 'anh', today });
		// Given name Anh, in name order (Anh Ngô, Anh Văn Trần), then Anh Thư; then Lan, Tuấn.
		expect(page.rows.map((r) => r.fullName)).toEqual([
			'Ngô Anh',
			'Trần Văn Anh',
			'Lê Thị Anh Thư',
			'Anh Thị Lan',
			'Phạm Anh Tuấn'
		]);
		const exact = await searchMembers({ dbs: [dbs[0]!], query: 'tran van anh', today });
		expect(exact.rows.map((r) => r.fullName)).toEqual(['Trần Văn Anh']);
		const full = await searchMembers({ dbs: [dbs[0]!], query: 'ngo anh', today });
		expect(full.rows.map((r) => r.fullName)).toEqual(['Ngô Anh']);
	});

	it('orders namesakes as the IndexedDB search did: by the name word it met them under', async () => {
		const base = toMemberRow({ ...docs[0]!.doc, otherName: undefined }, dbs[0]!);
		const namesake = (id: string, otherName: string) =>
			toMemberRow(
				{
					...docs[0]!.doc,
					_id: `member:${id}`,
					familyName: 'Lê',
					middleName: 'Thị',
					givenName: 'Bình',
					otherName
				},
				base.db
			);
		await putRows([namesake('A', ''), namesake('Z', 'Ba'), namesake('M', 'Bống')]);
		const page = await searchMembers({ dbs: [base.db], query: 'b', today, limit: 1000 });
		const order = ids(page).filter((id) => ['member:A', 'member:Z', 'member:M'].includes(id));
		// Under "ba" (Z), then "binh" (A, M, by id): not simply by id.
		expect(order).toEqual(['member:Z', 'member:A', 'member:M']);
		expect(ids(page)).toEqual(
			ids(await referenceSearch({ dbs: [base.db], query: 'b' })).slice(0, 1000)
		);
	});

	it('pages through every match once, in order', async () => {
		const all = await searchMembers({ dbs, query: 'n', today, limit: 100_000 });
		expect(all.total).toBeGreaterThan(100);
		const paged: string[] = [];
		for (let offset = 0; offset < all.total; offset += 37) {
			const page = await searchMembers({ dbs, query: 'n', today, offset, limit: 37 });
			expect(page.total).toBe(all.total);
			paged.push(...ids(page));
		}
		expect(paged).toEqual(ids(all));
	});

	it('lists several units in name order, namesakes in the order the units were given', async () => {
		const twinName = rows()[0]!.sortKey;
		for (const scope of [dbs, [...dbs].reverse()]) {
			const page = await searchMembers({ dbs: scope, today, limit: 100_000 });
			expect(page.total).toBe(docs.length + 3);
			const keys = page.rows.map((r) => r.sortKey);
			expect(keys).toEqual([...keys].sort());
			const twins = page.rows.filter((r) => r.sortKey === twinName).map((r) => r.db);
			expect(twins).toEqual(
				[dbs[0]!, dbs[0]!, dbs[1]!].sort((a, b) => scope.indexOf(a) - scope.indexOf(b))
			);
		}
	});

	it('finds a renamed member by the new name and not the old, right after the write', async () => {
		const row = rows()[5]!;
		const before = await searchMembers({ dbs, query: row.fullName, today });
		expect(ids(before)).toContain(row.id);

		const renamed = toMemberRow(
			{ ...docs[5]!.doc, familyName: 'Quách', middleName: 'Thị', givenName: 'Xuyến' },
			row.db
		);
		await putRows([renamed]);
		expect(ids(await searchMembers({ dbs, query: 'quach xuyen', today }))).toEqual([row.id]);
		const old = await searchMembers({ dbs, query: row.fullName, today, limit: 100_000 });
		expect(ids(old)).not.toContain(row.id);
		// The page shows the row as it is now.
		const listed = await searchMembers({ dbs, query: 'xuyen', today });
		expect(listed.rows[0]).toMatchObject({ id: row.id, fullName: 'Quách Thị Xuyến' });
	});

	it('follows batches, updates, deletions and a cleared table without building again per batch', async () => {
		await searchMembers({ dbs, query: 'a', today });
		const { builds } = memberSearchIndexStats();

		// A sync's batch: 500 rows renamed in one transaction, as the indexer writes them.
		const batch = rows()
			.slice(0, 500)
			.map((row, i) => ({ ...row, givenName: 'Zyx', fullName: `Zyx ${i}`, nameWords: ['zyx'] }));
		await putRows(batch);
		expect((await searchMembers({ dbs, query: 'zyx', today })).total).toBe(500);

		await putRows([{ ...batch[0]!, status: 'removed' }]);
		const active = await searchMembers({ dbs, query: 'zyx', today, filters: { status: 'active' } });
		expect(ids(active)).not.toContain(batch[0]!.id);

		for (const db of dbs) {
			await deleteRows(
				db,
				batch
					.slice(0, 100)
					.filter((r) => r.db === db)
					.map((r) => r.id)
			);
		}
		await deviceDb.transaction('rw', [deviceDb.memberPacks, deviceDb.historyPacks], () =>
			forgetMemberRowsOf(dbs[0]!)
		);
		const left = batch.slice(100).filter((r) => r.db !== dbs[0]).length;
		expect((await searchMembers({ dbs, query: 'zyx', today })).total).toBe(left);
		expect((await searchMembers({ dbs: [dbs[0]!], today })).total).toBe(0);
		expect(memberSearchIndexStats().builds).toBe(builds);

		await clearMemberRows();
		expect((await searchMembers({ dbs, today })).total).toBe(0);
		await putRows(rows());
		expect((await searchMembers({ dbs, today })).total).toBe(docs.length + 3);
	});

	it('follows writes made through another connection, as another tab makes them', async () => {
		await searchMembers({ dbs, query: 'a', today });
		const { builds } = memberSearchIndexStats();
		// Not this tab's writer: only Dexie's storagemutated notices tell of this connection's writes.
		const other = new Dexie(deviceDb.name);
		await other.open();
		type Pack = { key: string; members: MemberRow[] };
		const packs = other.table<Pack, string>('memberPacks');
		try {
			// Another tab renames one member: its pack is rewritten, and read again here.
			const one = { ...rows()[3]!, givenName: 'Ưng', nameWords: ['ung'] };
			const [holding] = await packs.filter((p) => p.members.some((m) => m.id === one.id)).toArray();
			await packs.put({
				...holding!,
				members: holding!.members.map((m) => (m.id === one.id ? one : m))
			});
			await expect
				.poll(async () => ids(await searchMembers({ dbs, query: 'ung', today })))
				.toEqual([one.id]);
			expect(memberSearchIndexStats().builds).toBe(builds);
			// Another tab's cleared table names no packs, only a key range: the index is built again.
			await packs.clear();
			await expect.poll(async () => (await searchMembers({ dbs, today })).total).toBe(0);
			expect(memberSearchIndexStats().builds).toBe(builds + 1);
		} finally {
			other.close();
		}
	});

	it('runs a watched search again when a member row changes', async () => {
		const seen: number[] = [];
		const stop = watchQuery({
			query: () => searchMembers({ dbs, query: 'qwerty', today }),
			next: (page) => seen.push(page.total)
		});
		await expect.poll(() => seen).toEqual([0]);
		const row = { ...rows()[9]!, givenName: 'Qwerty', nameWords: ['qwerty'] };
		await putRows([row]);
		await expect.poll(() => seen.at(-1)).toBe(1);
		await deleteRows(row.db, [row.id]);
		await expect.poll(() => seen.at(-1)).toBe(0);
		stop();
	});
});
