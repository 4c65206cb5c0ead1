// Run in Chromium by tests/e2e/read-model-ingest.test.ts (bundled with esbuild, `$lib` → src/lib):
// the app's own PouchDB, indexer, search index and member search, with no screen.
import { startIndexer } from '$lib/data/read-model/indexer';
import {
	readAllMetadata,
	readChangesPage,
	type PageChange
} from '$lib/data/read-model/pouch-pages';
import { searchIndexState } from '$lib/data/read-model/search-index';
import { countMembers, searchMembers } from '$lib/data/queries/members';
import { deviceDb } from '$lib/data/store/device-db';
import { localDb } from '$lib/data/store/pouch';
import { generateMembers } from '$lib/synthetic';

const TODAY = '2026-11-28';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Seen = { id: string; deleted: true } | { id: string; doc: Record<string, unknown> };

/** A change as both readers are compared: the deletion, or the document (conflicts in order). */
function seen(change: PageChange): Seen {
	if (change.deleted) return { id: change.id, deleted: true };
	const doc = { ...change.doc } as Record<string, unknown>;
	if (Array.isArray(doc._conflicts)) doc._conflicts = [...(doc._conflicts as string[])].sort();
	return { id: change.id, doc };
}

/**
 * A database with edits, deletions, conflicts (one whose losing revision arrived last) and an
 * attachment, read through PouchDB's changes feed and through readChangesPage.
 */
export async function compareWithChangesFeed() {
	const db = 'unit_cmp001';
	const local = localDb(db);
	const docs = Array.from({ length: 20 }, (_, i) => ({
		_id: `thing:${String(i).padStart(2, '0')}`,
		type: 'thing',
		n: i
	}));
	const written = await local.bulkDocs(docs);
	const revs = new Map(written.map((r) => [r.id!, r.rev!]));
	for (let i = 0; i < 5; i++) {
		const id = docs[i]!._id;
		await local.put({ ...docs[i]!, _rev: revs.get(id), n: 100 + i });
	}
	for (let i = 5; i < 8; i++) await local.remove(docs[i]!._id, revs.get(docs[i]!._id)!);
	// Conflicts as replication brings them: a sibling revision that wins, and one that loses but
	// is written last (its body is the document's latest sequence, yet not the winner).
	const sibling = (i: number, hash: string) => ({
		...docs[i]!,
		n: -i,
		_rev: `1-${hash}`
	});
	await local.bulkDocs([sibling(8, 'f'.repeat(31) + '0')], { new_edits: false });
	await local.bulkDocs([sibling(9, '0'.repeat(32))], { new_edits: false });
	await local.put({
		_id: 'thing:with-file',
		type: 'thing',
		_attachments: { 'a.txt': { content_type: 'text/plain', data: btoa('xin chao') } }
	});

	const pouch = (
		await local.changes({ since: 0, include_docs: true, conflicts: true })
	).results.map((change) =>
		seen({ id: change.id, deleted: change.deleted, doc: change.doc as PageChange['doc'] })
	);
	const ours = (await readChangesPage({ db, since: 0, limit: 1000 })).results.map(seen);
	const paged: Seen[] = [];
	let since: number | string = 0;
	for (;;) {
		const page = await readChangesPage({ db, since, limit: 7 });
		paged.push(...page.results.map(seen));
		since = page.lastSeq;
		if (!page.more) break;
	}
	// A first ingest's reader: every revision tree read in bulk first, then pages of 7. One more
	// edit is made after the trees are read (a sync writing meanwhile): it is read all the same.
	const bulk = await readAllMetadata(db);
	const late = await local.get(docs[10]!._id);
	await local.put({ ...late, n: 1010 });
	const firstIngest: Seen[] = [];
	since = 0;
	for (;;) {
		const page = await readChangesPage({ db, since, limit: 7, bulk });
		firstIngest.push(...page.results.map(seen));
		since = page.lastSeq;
		if (!page.more) break;
	}
	const afterEdit = (
		await local.changes({ since: 0, include_docs: true, conflicts: true })
	).results.map((change) =>
		seen({ id: change.id, deleted: change.deleted, doc: change.doc as PageChange['doc'] })
	);
	const docsOf = pouch.flatMap((s) => ('doc' in s ? [s.doc] : []));
	return {
		pouch,
		ours,
		paged,
		bulkRead: bulk !== null,
		firstIngest,
		afterEdit,
		kinds: {
			conflicted: docsOf.filter((d) => Array.isArray(d._conflicts) && d._conflicts.length).length,
			deleted: pouch.filter((s) => 'deleted' in s).length,
			edited: docsOf.filter((d) => String(d._rev).startsWith('2-')).length,
			attachment: docsOf.filter((d) => d._attachments).length
		}
	};
}

/**
 * `count` members in PouchDB, folded in by the indexer as on a first sync; meanwhile, as soon as
 * the first rows are in, a search for the first member written.
 */
export async function searchDuringFirstIngest(count: number) {
	// Opened first, as the session does at boot (a database's creation is told as "everything changed").
	await deviceDb.open();
	const db = 'unit_ing001';
	const members = generateMembers({
		seed: 'read-model-ingest',
		count,
		unitId: 'ing001',
		branchIds: ['branch:ing001k1'],
		today: TODAY,
		ethnicMix: 'lowland'
	});
	members[0] = {
		...members[0]!,
		familyName: 'Quách',
		middleName: 'Thị',
		givenName: 'Xuyến',
		otherName: undefined
	};
	const local = localDb(db);
	for (let i = 0; i < members.length; i += 1000) await local.bulkDocs(members.slice(i, i + 1000));

	const indexer = startIndexer(db);
	let duringIngest: { rowsWhenAnswered: number; found: string[] } | undefined;
	while (!duringIngest) {
		if ((await countMembers([db])) > 0) {
			const page = await searchMembers({ dbs: [db], query: 'quach xuyen', today: TODAY });
			duringIngest = {
				rowsWhenAnswered: await countMembers([db]),
				found: page.rows.map((row) => row.fullName)
			};
		} else await sleep(2);
	}
	await indexer.idle();
	// The index takes the last batch in on its own, without a search asking.
	for (let i = 0; i < 1000 && !searchIndexState().ready; i++) await sleep(10);
	const stateBeforeSearch = searchIndexState();
	const page = await searchMembers({ dbs: [db], query: 'n', today: TODAY });
	const buildsAfterSearch = searchIndexState().builds;
	indexer.stop();
	return { duringIngest, afterIngest: { stateBeforeSearch, total: page.total, buildsAfterSearch } };
}
