import { stashDocs, type StashedDoc } from '$lib/data/store/snapshot-stash';
import { apply, fold } from './indexer';

// A pinned unit's first sync, folded into the read model straight from the stream (ADR 0029): the
// same fold and write as the indexer's, without the PouchDB round trip, and the documents kept in
// the snapshot stash in the same transaction until sync/local-fill.ts writes them into PouchDB.

export async function ingestStreamed(options: { db: string; docs: StashedDoc[] }): Promise<void> {
	const { db, docs } = options;
	if (docs.length === 0) return;
	const batch = await fold(
		db,
		docs.map((doc) => ({ id: doc._id, deleted: doc._deleted, doc }))
	);
	await apply(db, batch, null, () => stashDocs({ db, docs }));
}
