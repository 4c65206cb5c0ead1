import { countPending } from './outbox';
import { loadSyncEngine } from './engine-loader';
import { getSetting, putSetting, readModel } from './read-model';

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
	const { destroyLocalDbs } = await loadSyncEngine();
	await destroyLocalDbs([db]);
	await readModel.transaction(
		'rw',
		[
			readModel.members,
			readModel.branches,
			readModel.units,
			readModel.checkpoints,
			readModel.outbox,
			readModel.settings
		],
		async () => {
			await readModel.members.where('db').equals(db).delete();
			await readModel.branches.where('db').equals(db).delete();
			await readModel.units.delete(db);
			await readModel.checkpoints.delete(db);
			await readModel.outbox.where('db').equals(db).delete();
			await readModel.settings.delete(`firstSync:${db}`);
		}
	);
}
