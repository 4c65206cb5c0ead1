import { deviceDb } from './device-db';

// The snapshot stash (ADR 0029): documents of a pinned unit's first sync that went straight into
// the read model and still have to be written into the unit's PouchDB (store/local-fill.ts). A
// record is one batch of the stream. Read and written only through here.

/** A document as the server's `_changes?include_docs=true` sent it (one leaf, no history). */
export interface StashedDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	[key: string]: unknown;
}

/** The table, for a caller's transaction that writes a batch with its read-model rows. */
export const stashTable = () => deviceDb.snapshotStash;

/** Adds one batch (inside the caller's transaction, if any). */
export async function stashDocs(options: { db: string; docs: StashedDoc[] }): Promise<void> {
	if (options.docs.length === 0) return;
	await deviceDb.snapshotStash.add({
		db: options.db,
		ids: options.docs.map((doc) => doc._id),
		docs: JSON.stringify(options.docs)
	});
}

/**
 * Every id waiting in the stash of `db` (a resumed first sync must not stash a document twice: a
 * newer revision needs its ancestry). Read once per run; the ids are not indexed, because every
 * index entry written is bookkeeping for Dexie's live queries.
 */
export async function stashedIdsOf(db: string): Promise<Set<string>> {
	const ids = new Set<string>();
	await deviceDb.snapshotStash
		.where('db')
		.equals(db)
		.each((record) => {
			for (const id of record.ids) ids.add(id);
		});
	return ids;
}

/** The keys of `db`'s records, oldest first (the order the stream sent them). */
export async function stashKeysOf(db: string): Promise<number[]> {
	const keys = await deviceDb.snapshotStash.where('db').equals(db).primaryKeys();
	return (keys as number[]).sort((a, b) => a - b);
}

export async function readStash(key: number): Promise<StashedDoc[]> {
	const record = await deviceDb.snapshotStash.get(key);
	return record ? (JSON.parse(record.docs) as StashedDoc[]) : [];
}

export async function dropStash(key: number): Promise<void> {
	await deviceDb.snapshotStash.delete(key);
}

export async function hasStash(db: string): Promise<boolean> {
	return (await deviceDb.snapshotStash.where('db').equals(db).count()) > 0;
}

/** Every record of `db` (the unit dropped from the device). */
export async function forgetStashOf(db: string): Promise<void> {
	await deviceDb.snapshotStash.where('db').equals(db).delete();
}
