import { localDb } from '$lib/data/store/pouch';
import { deviceDb } from '$lib/data/store/device-db';
import { catchUp, INDEXED_TABLES } from './indexer';
import { forgetFolded } from './folded-revs';
import { memberDirectory } from './member-store';
import { forgetMemberRowsOf } from './member-pack-writer';

// Rebuilding the read model of some unit databases from their PouchDB (the account screen's
// "Dựng lại dữ liệu tìm kiếm"): everything derived from them forgotten, then folded again by the
// indexer's catchUp, a batch committed at a time so the lists fill while it runs.

export interface RebuildProgress {
	/** Changes folded in so far. */
	done: number;
	/** Changes to fold in (PouchDB's update sequences: a little above the document count). */
	total: number;
}

/**
 * Forgets everything the read model derived from `dbs` and reads it again from PouchDB. Each batch
 * is committed as it is folded, so the lists fill while it runs (the app stays usable); `onProgress`
 * follows it.
 */
export async function rebuildReadModel(
	dbs: string[],
	options: { onProgress?: (progress: RebuildProgress) => void } = {}
): Promise<number> {
	// What a pinned unit's first sync left in the snapshot stash goes into PouchDB first: the
	// rebuild reads PouchDB alone (ADR 0029).
	const { whenLocalFilled } = await import('$lib/data/sync/local-fill');
	for (const db of dbs) {
		await whenLocalFilled(db);
		forgetFolded(db);
	}
	let expected = 0;
	for (const db of dbs) {
		const info = await localDb(db).info();
		expected += Number.parseInt(String(info.update_seq), 10) || info.doc_count;
	}
	await memberDirectory();
	await deviceDb.transaction('rw', INDEXED_TABLES(), async () => {
		for (const db of dbs) {
			await forgetMemberRowsOf(db);
			await deviceDb.branches.where('db').equals(db).delete();
			await deviceDb.transfers.where('db').equals(db).delete();
			await deviceDb.records.where('db').equals(db).delete();
			await deviceDb.units.delete(db);
			await deviceDb.checkpoints.delete(db);
		}
	});
	let total = 0;
	let done = 0;
	options.onProgress?.({ done: 0, total: expected });
	for (const db of dbs) {
		total += await catchUp(db, {
			onBatch: (folded) => {
				done += folded;
				options.onProgress?.({ done, total: Math.max(expected, done) });
			}
		});
	}
	return total;
}
