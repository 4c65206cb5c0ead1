import Dexie from 'dexie';
import {
	deviceDb,
	type HistoryPack,
	type HistoryRow,
	type MemberPack,
	type MemberRow
} from '$lib/data/store/device-db';
import { memberIdOfHistory } from './member-directory';
import { tellMemberRowWrites } from './member-row-writes';
import {
	builtDirectory,
	changeDirectory,
	markOwn,
	memberDirectory,
	reloadPacks,
	resetDirectory
} from './member-store';

// The one writer of the read model's member and history packs (ADR 0026, third addendum): the
// indexer's batches, forgetting a unit database, and tools and tests. Each write reads the packs it
// touches, changes them and writes them back in the caller's transaction, then tells the directory
// (member-store.ts) and whoever follows the rows (member-row-writes.ts: the search index).

/** `rows` with the changes applied in place (null: deleted), new ones after; strays left out. */
function changed<T extends { id: string }>(
	rows: T[],
	changes: Map<string, T | null>,
	keep: (row: T) => boolean
): T[] {
	const out: T[] = [];
	const left = new Map(changes);
	for (const row of rows) {
		if (!keep(row)) continue;
		if (!left.has(row.id)) out.push(row);
		else {
			const next = left.get(row.id);
			if (next) out.push(next);
			left.delete(row.id);
		}
	}
	for (const next of left.values()) if (next) out.push(next);
	return out;
}

/** Row changes by pack key (null: the row deleted). */
class Changes<T> {
	readonly byKey = new Map<string, Map<string, T | null>>();
	at(key: string): Map<string, T | null> {
		let found = this.byKey.get(key);
		if (!found) this.byKey.set(key, (found = new Map()));
		return found;
	}
}

/**
 * Folds a batch's member rows, history entries and deletions (any document ids) into the packs of
 * `db`. To be called inside a read-write transaction over `deviceDb.memberPacks` and
 * `deviceDb.historyPacks` (history entries alone: `historyPacks` is enough), after
 * memberDirectory() has resolved: each pack touched is read, changed and written back there.
 */
export async function writeMemberRows(batch: {
	db: string;
	members: MemberRow[];
	history: HistoryRow[];
	deleted: string[];
}): Promise<void> {
	const known = builtDirectory();
	if (!known) throw new Error('Bảng đọc chưa sẵn sàng: chưa dựng danh mục hồ sơ.');
	const memberPlacer = known.members.placer(batch.db);
	const historyPlacer = known.history.placer(batch.db);
	const placedMember = new Map<string, string>();
	const placedHistory = new Map<string, string>();
	const members = new Changes<MemberRow>();
	const history = new Changes<HistoryRow>();
	/** A member's entries to move to this unit's history pack, from another unit's (see below). */
	const moves = new Map<string, { from: string; to: string }>();
	const told = new Map<string, MemberRow | undefined>();
	const placeHistory = (memberId: string): string => {
		let key = placedHistory.get(memberId) ?? known.history.at(memberId);
		if (key === undefined) placedHistory.set(memberId, (key = historyPlacer.next()));
		return key;
	};
	for (const row of batch.members) {
		let key = placedMember.get(row.id) ?? known.members.at(row.id);
		// One row per member on the device, as before packing: the unit that writes the member's
		// row last holds it, and its history moves with it. (A transfer between two units that are
		// both on this device.)
		if (key !== undefined && !placedMember.has(row.id) && known.members.dbOf(key) !== batch.db) {
			members.at(key).set(row.id, null);
			const from = known.history.at(row.id);
			if (from !== undefined && known.history.dbOf(from) !== batch.db) {
				const to = historyPlacer.next();
				placedHistory.set(row.id, to);
				moves.set(row.id, { from, to });
				history.at(from);
				history.at(to);
			}
			key = undefined;
		}
		if (key === undefined) placedMember.set(row.id, (key = memberPlacer.next()));
		members.at(key).set(row.id, row);
		told.set(row.id, row);
	}
	for (const row of batch.history) history.at(placeHistory(row.memberId)).set(row.id, row);
	for (const id of batch.deleted) {
		const owner = memberIdOfHistory(id);
		// Deleted in this unit: a copy another unit now holds (a transfer's) stays.
		if (owner) {
			const key = placedHistory.get(owner) ?? known.history.at(owner);
			if (key !== undefined && (known.history.dbOf(key) ?? batch.db) === batch.db) {
				history.at(key).set(id, null);
			}
		} else {
			const key = placedMember.get(id) ?? known.members.at(id);
			if (key !== undefined && (known.members.dbOf(key) ?? batch.db) === batch.db) {
				members.at(key).set(id, null);
				told.set(id, undefined);
			}
		}
	}
	const memberKeys = [...members.byKey.keys()];
	const historyKeys = [...history.byKey.keys()];
	if (memberKeys.length === 0 && historyKeys.length === 0) return;
	const [storedMembers, storedHistory] = await Promise.all([
		memberKeys.length ? deviceDb.memberPacks.bulkGet(memberKeys) : [],
		historyKeys.length ? deviceDb.historyPacks.bulkGet(historyKeys) : []
	]);
	for (const [memberId, { from, to }] of moves) {
		for (const row of storedHistory[historyKeys.indexOf(from)]?.history ?? []) {
			if (row.memberId !== memberId) continue;
			history.at(from).set(row.id, null);
			if (!history.at(to).has(row.id)) history.at(to).set(row.id, row);
		}
	}
	const memberPuts: MemberPack[] = [];
	const memberGone: string[] = [];
	memberKeys.forEach((key, i) => {
		const before = storedMembers[i];
		const rows = changed(before?.members ?? [], members.at(key), (row) =>
			known.members.owns(key, row.id)
		);
		if (rows.length) memberPuts.push({ key, db: before?.db ?? batch.db, members: rows });
		else if (before) memberGone.push(key);
	});
	const historyPuts: HistoryPack[] = [];
	const historyGone: string[] = [];
	historyKeys.forEach((key, i) => {
		const before = storedHistory[i];
		const rows = changed(before?.history ?? [], history.at(key), (row) =>
			known.history.owns(key, row.memberId)
		);
		if (rows.length) historyPuts.push({ key, db: before?.db ?? batch.db, history: rows });
		else if (before) historyGone.push(key);
	});
	// Asked for together: one round trip to IndexedDB rather than one each.
	await Promise.all([
		memberPuts.length ? deviceDb.memberPacks.bulkPut(memberPuts) : null,
		memberGone.length ? deviceDb.memberPacks.bulkDelete(memberGone) : null,
		historyPuts.length ? deviceDb.historyPacks.bulkPut(historyPuts) : null,
		historyGone.length ? deviceDb.historyPacks.bulkDelete(historyGone) : null
	]);
	const trans = Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null;
	markOwn(trans?.idbtrans);
	// Known before the transaction commits: a read meanwhile finds the packs as they were, which
	// still hold every member they held (only a new member may be missing, until the commit).
	changeDirectory((target) => {
		for (const pack of memberPuts) target.noteMembers(pack);
		for (const key of memberGone) target.forgetMembers(key);
		for (const pack of historyPuts) target.noteHistory(pack);
		for (const key of historyGone) target.forgetHistory(key);
	});
	const ids = [...told.keys()];
	tellMemberRowWrites({ ids, rows: ids.map((id) => told.get(id)) });
	// Rolled back (a full phone): what was told did not happen; the packs are read again.
	trans?.idbtrans?.addEventListener('abort', () => {
		setTimeout(() => {
			void reloadPacks({ members: memberKeys, history: historyKeys });
		}, 0);
	});
}

/** Deletes every pack of `db`: inside a read-write transaction over both pack tables. */
export async function forgetMemberRowsOf(db: string): Promise<void> {
	await deviceDb.memberPacks.where('db').equals(db).delete();
	await deviceDb.historyPacks.where('db').equals(db).delete();
	const trans = Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null;
	markOwn(trans?.idbtrans);
	let ids: string[] = [];
	changeDirectory((target, inUse) => {
		const gone = target.forgetDb(db);
		if (inUse) ids = gone;
	});
	tellMemberRowWrites({ ids, rows: ids.map(() => undefined) });
}

/** writeMemberRows in a transaction of its own (tools and tests; the indexer writes in its own). */
export async function saveMemberRows(batch: {
	db: string;
	members?: MemberRow[];
	history?: HistoryRow[];
	deleted?: string[];
}): Promise<void> {
	await memberDirectory();
	await deviceDb.transaction('rw', [deviceDb.memberPacks, deviceDb.historyPacks], () =>
		writeMemberRows({
			db: batch.db,
			members: batch.members ?? [],
			history: batch.history ?? [],
			deleted: batch.deleted ?? []
		})
	);
}

/** Every member and history entry of the device dropped (tools and tests). */
export async function clearMemberRows(): Promise<void> {
	await memberDirectory();
	await deviceDb.transaction('rw', [deviceDb.memberPacks, deviceDb.historyPacks], async () => {
		await deviceDb.memberPacks.clear();
		await deviceDb.historyPacks.clear();
		markOwn((Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction }).idbtrans);
	});
	resetDirectory();
	tellMemberRowWrites({ all: true });
}
