// The read-model benchmark page: the app's real Dexie read model, indexer and search
// (src/lib/data/store/device-db.ts, read-model/indexer.ts, queries/members.ts and the
// in-memory read-model/search-index.ts it searches) in Chromium, against the baseline a
// PouchDB-only app would have: allDocs of every unit database, filtered in memory.
import { catchUp } from '$lib/data/read-model/indexer';
import { searchMembers } from '$lib/data/queries/members';
import { memberSearchIndex } from '$lib/data/read-model/search-index';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb } from '$lib/data/store/device-db';
import { foldWords, memberNameWords, type MemberDoc } from '$lib/domain';
import { createRandom, generateMembers } from '$lib/synthetic';

const TODAY = '2026-11-28';
const dbs: string[] = [];
const sample: MemberDoc[] = [];

async function load(options: {
	units: number;
	perUnit: number;
}): Promise<{ ms: number; docs: number }> {
	const started = performance.now();
	let docs = 0;
	for (let u = 0; u < options.units; u++) {
		const unitId = `bench${String(u).padStart(3, '0')}`;
		const db = `unit_${unitId}`;
		dbs.push(db);
		const members = generateMembers({
			seed: `read-model/${u}`,
			count: options.perUnit,
			unitId,
			branchIds: [`branch:${unitId}k1`, `branch:${unitId}k2`, `branch:${unitId}k3`],
			today: TODAY,
			ethnicMix: u % 3 === 0 ? 'mountain-district' : 'lowland'
		});
		for (let i = 0; i < members.length; i += 20) sample.push(members[i]!);
		const local = localDb(db);
		for (let i = 0; i < members.length; i += 1000) {
			await local.bulkDocs(members.slice(i, i + 1000));
		}
		docs += members.length;
	}
	return { ms: performance.now() - started, docs };
}

/** The app's ingest: every database's PouchDB changes folded into the Dexie read model. */
async function ingest(): Promise<{ ms: number; rows: number }> {
	const started = performance.now();
	let rows = 0;
	for (const db of dbs) rows += await catchUp(db);
	return { ms: performance.now() - started, rows: (await deviceDb.members.count()) + 0 * rows };
}

/**
 * Name searches as a secretary types them to find someone: a given name's first letters, a whole
 * given name, a family name with the start of the given name. Deterministic.
 */
function queries(count: number): string[] {
	const random = createRandom('read-model/queries');
	const out: string[] = [];
	while (out.length < count) {
		const m = random.pick(sample);
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

function searchOurs(list: string[]) {
	return timeEach(list, async (query) => {
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
function searchBaseline(list: string[]) {
	return timeEach(list, async (query) => {
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

/**
 * The first search after the read model is filled: it builds the in-memory search index
 * (read-model/search-index.ts) from every member row, which later searches only keep up to date.
 */
async function buildIndex(): Promise<{ ms: number; rows: number }> {
	const started = performance.now();
	await searchMembers({ dbs, today: TODAY, limit: 50 });
	const ms = performance.now() - started;
	return { ms, rows: (await memberSearchIndex()).size };
}

(globalThis as unknown as { bench: unknown }).bench = {
	load,
	ingest,
	queries,
	searchOurs,
	searchBaseline,
	buildIndex
};
