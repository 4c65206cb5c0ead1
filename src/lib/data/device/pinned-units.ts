import { countPending } from '$lib/data/sync/outbox';
import { loadEngineChunk } from '$lib/data/sync/load-engine-chunk';
import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';
import { forgetMemberRowsOf } from '$lib/data/read-model/member-pack-writer';
import { forgetStashOf } from '$lib/data/store/snapshot-stash';

// Subordinate units a superior keeps on her device for offline work: synced and indexed like her own.

export interface PinnedUnit {
	id: string;
	db: string;
	name: string;
}

const KEY = 'pinned';

export async function listPinned(): Promise<PinnedUnit[]> {
	return (await getSetting<PinnedUnit[]>(KEY)) ?? [];
}

export async function addPinned(unit: PinnedUnit): Promise<PinnedUnit[]> {
	const pinned = (await listPinned()).filter((p) => p.db !== unit.db);
	pinned.push(unit);
	await putSetting(KEY, pinned);
	return pinned;
}

export type UnpinResult = { ok: true; pinned: PinnedUnit[] } | { ok: false; pending: number };

/**
 * Drops a pinned unit from the device. Refused while changes made there wait to upload, unless
 * `discard` says the user accepted losing them.
 */
export async function removePinned(options: {
	db: string;
	discard?: boolean;
}): Promise<UnpinResult> {
	const pending = await countPending(options.db);
	if (pending > 0 && !options.discard) return { ok: false, pending };
	const pinned = (await listPinned()).filter((p) => p.db !== options.db);
	await putSetting(KEY, pinned);
	await forgetDb(options.db);
	return { ok: true, pinned };
}

/** Removes one unit database from the device: its PouchDB and everything derived from it. */
export async function forgetDb(db: string): Promise<void> {
	const { destroyLocalDbs } = await loadEngineChunk();
	await destroyLocalDbs([db]);
	await deviceDb.transaction(
		'rw',
		[
			deviceDb.memberPacks,
			deviceDb.historyPacks,
			deviceDb.branches,
			deviceDb.units,
			deviceDb.records,
			deviceDb.checkpoints,
			deviceDb.outbox,
			deviceDb.settings,
			deviceDb.snapshotStash
		],
		async () => {
			await forgetMemberRowsOf(db);
			await deviceDb.branches.where('db').equals(db).delete();
			await deviceDb.units.delete(db);
			await deviceDb.records.where('db').equals(db).delete();
			await deviceDb.checkpoints.delete(db);
			await deviceDb.outbox.where('db').equals(db).delete();
			await deviceDb.settings.delete(`firstSync:${db}`);
			await forgetStashOf(db);
		}
	);
}
