// The read-model benchmark page: the app's real Dexie read model, indexer and search
// (src/lib/data/store/device-db.ts, read-model/indexer.ts, queries/members.ts and the
// in-memory read-model/search-index.ts it searches) in Chromium, against the baseline a
// PouchDB-only app would have: allDocs of every unit database, filtered in memory. The same entry is
// also bundled against main's src/lib (bench/read-model-bench.ts): what main lacks is looked up
// on the module namespace, never imported by name.
import { catchUp } from '$lib/data/read-model/indexer';
import { countMembers, searchMembers } from '$lib/data/queries/members';
import * as searchIndex from '$lib/data/read-model/search-index';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb } from '$lib/data/store/device-db';
import { foldWords, memberNameWords, type MemberDoc } from '$lib/domain';
import { createRandom, generateHistory, generateMembers } from '$lib/synthetic';
import { ingestFloors } from './read-model-floors';

const TODAY = '2026-11-28';

interface Newer {
	searchIndexState?: () => { ready: boolean; members: number };
	warmMemberSearchIndex?: () => void;
}
const newer = searchIndex as unknown as Newer;

export function unitDbs(units: number): string[] {
	return Array.from({ length: units }, (_, u) => `unit_bench${String(u).padStart(3, '0')}`);
}

/**
 * `units` unit databases of `perUnit` members each with their history (about two entries a
 * member), written into PouchDB; returns name queries as a secretary types them.
 */
async function load(options: {
	units: number;
	perUnit: number;
	queries: number;
}): Promise<{ ms: number; docs: number; members: number; queries: string[] }> {
	const started = performance.now();
	const sample: MemberDoc[] = [];
	let docs = 0;
	for (const [u, db] of unitDbs(options.units).entries()) {
		const unitId = db.slice('unit_'.length);
		const members = generateMembers({
			seed: `read-model/${u}`,
			count: options.perUnit,
			unitId,
			branchIds: [`branch:${unitId}k1`, `branch:${unitId}k2`, `branch:${unitId}k3`],
			today: TODAY,
			ethnicMix: u % 3 === 0 ? 'mountain-district' : 'lowland'
		});
		for (let i = 0; i < members.length; i += 20) sample.push(members[i]!);
		const history = generateHistory({ seed: `read-model/${u}`, members, today: TODAY });
		// As a sync writes them: a member and its history near each other in the changes feed.
		const local = localDb(db);
		const all: object[] = [...members, ...history];
		for (let i = 0; i < all.length; i += 1000) {
			await local.bulkDocs(all.slice(i, i + 1000) as PouchDB.Core.PutDocument<object>[]);
		}
		docs += all.length;
	}
	return {
		ms: performance.now() - started,
		docs,
		members: options.units * options.perUnit,
		queries: queries({ sample, count: options.queries })
	};
}

/**
 * The app's ingest: every database's PouchDB changes folded into the Dexie read model, the search
 * index following (warmed first, as startIndexer does, where the code has it). Then the time until
 * a search is answered from the index: the rest of the index's work after the last batch (ours),
 * or the first search's build of it (main).
 */
async function ingest(options: { units: number }): Promise<{
	ms: number;
	docs: number;
	members: number;
	indexReadyMs: number;
	firstSearchMs: number;
	firstSearchParts: { walkMs: number; rowsMs: number; secondSearchMs: number };
}> {
	const dbs = unitDbs(options.units);
	await deviceDb.open();
	newer.warmMemberSearchIndex?.();
	const started = performance.now();
	let docs = 0;
	for (const db of dbs) docs += await catchUp(db);
	const ms = performance.now() - started;
	const state = newer.searchIndexState;
	const readyFrom = performance.now();
	if (state) while (!state().ready) await new Promise((resolve) => setTimeout(resolve, 5));
	const indexReadyMs = performance.now() - readyFrom;
	const firstFrom = performance.now();
	await searchMembers({ dbs, query: 'nguyen', today: TODAY, limit: 50 });
	const firstSearchMs = performance.now() - firstFrom;
	// The same search again, in its parts: the walk of the in-memory index, then the page's rows
	// read from IndexedDB by id (what a first search's time is made of).
	const index = await searchIndex.memberSearchIndex();
	const walkFrom = performance.now();
	const found = index.findByName({
		dbs,
		words: foldWords('nguyen'),
		keep: () => true,
		offset: 0,
		limit: 50
	});
	const walkMs = performance.now() - walkFrom;
	const rowsFrom = performance.now();
	await searchIndex.pageRows(found.ids);
	const rowsMs = performance.now() - rowsFrom;
	const secondFrom = performance.now();
	await searchMembers({ dbs, query: 'nguyen', today: TODAY, limit: 50 });
	const secondSearchMs = performance.now() - secondFrom;
	return {
		ms,
		docs,
		members: await countMembers(dbs),
		indexReadyMs,
		firstSearchMs,
		firstSearchParts: { walkMs, rowsMs, secondSearchMs }
	};
}

/** The list as the roster opens it: the first page, all members in name order. */
async function openList(options: { units: number }): Promise<number> {
	const page = await searchMembers({ dbs: unitDbs(options.units), today: TODAY, limit: 50 });
	return page.total;
}

/** Before the other code's page opens the read model afresh on the same PouchDB data. */
async function dropReadModel(): Promise<void> {
	await deviceDb.delete();
}

/**
 * Name searches as a secretary types them to find someone: a given name's first letters, a whole
 * given name, a family name with the start of the given name. Deterministic.
 */
function queries(options: { sample: MemberDoc[]; count: number }): string[] {
	const random = createRandom('read-model/queries');
	const out: string[] = [];
	while (out.length < options.count) {
		const m = random.pick(options.sample);
		const given = m.givenName;
		const kind = random.next();
		if (kind < 0.4)
			out.push(given.slice(0, random.int({ min: 2, max: Math.max(2, Math.min(4, given.length)) })));
		else if (kind < 0.7) out.push(given);
		else
			out.push(
				`${m.familyName} ${given.slice(0, random.int({ min: 1, max: Math.max(1, given.length) }))}`
			);
	}
	return out;
}

async function timeEach(list: string[], run: (q: string) => Promise<number>) {
	const times: number[] = [];
	const hits: number[] = [];
	for (const q of list) {
		const started = performance.now();
		hits.push(await run(q));
		times.push(performance.now() - started);
	}
	return { times, hits };
}

function searchOurs(options: { units: number; list: string[] }) {
	const dbs = unitDbs(options.units);
	return timeEach(options.list, async (query) => {
		const page = await searchMembers({
			dbs,
			query,
			today: TODAY,
			limit: 50,
			filters: { status: 'active' }
		});
		return page.total;
	});
}

/** Without a read model: read every document of every unit, fold its names, keep the matches. */
function searchBaseline(options: { units: number; list: string[] }) {
	const dbs = unitDbs(options.units);
	return timeEach(options.list, async (query) => {
		const words = foldWords(query);
		let total = 0;
		for (const db of dbs) {
			const all = await localDb(db).allDocs({ include_docs: true });
			for (const row of all.rows) {
				const doc = row.doc as unknown as MemberDoc;
				if (!doc || doc.type !== 'member' || doc.status !== 'active') continue;
				const names = memberNameWords(doc);
				if (words.every((w) => names.some((n) => n.startsWith(w)))) total++;
			}
		}
		return total;
	});
}

/** What the ingest's parts cost alone on the same data (read-model-floors.ts). */
function floors(options: { units: number }) {
	return ingestFloors({ dbs: unitDbs(options.units) });
}

(globalThis as unknown as { bench: unknown }).bench = {
	load,
	floors,
	ingest,
	openList,
	dropReadModel,
	searchOurs,
	searchBaseline
};
