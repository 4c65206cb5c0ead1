import Dexie from 'dexie';
import { deviceDb, type HistoryRow, type MemberPack, type MemberRow } from '$lib/data/store/device-db';
import {
	MemberDirectory,
	memberIdOfHistory,
	ownHistory,
	ownMembers,
	type MemberFacts
} from './member-directory';
import { tellMemberRowWrites } from './member-row-writes';

// The read model's member rows and history entries, packed ~100 members to an IndexedDB record
// (store/device-db.ts MemberPack, ADR 0026 third addendum). Every read and write of them goes
// through here. Where a member is comes from an in-memory directory (member-directory.ts) built by
// one walk of the packs, which also feeds the search index (walkMemberRows); the rows themselves
// are always read from IndexedDB, inside the caller's live query when there is one, so a watched
// screen runs again when a pack it read changes.
//
// A read during an ingest never misses a member that was there before: a member stays in its pack
// for good (an update rewrites that pack whole, in the ingest's transaction; only a transfer
// between two units both on this device moves it, in one transaction too), and a member the
// directory places in a pack not yet committed is simply not found there until the commit.

/** Packs read per transaction by a walk: ~5,000 members, as the search index's build read. */
const WALK_PACKS = 50;

let dir: MemberDirectory | null = null;
let building: Promise<MemberDirectory> | null = null;
/** Changes made while a build walks: applied to the new directory once its walk ends. */
let queued: ((target: MemberDirectory) => void)[] = [];

/** Applies `change` to the directory in use and to the one being built, if any. */
function change(apply: (target: MemberDirectory) => void): void {
	if (dir) apply(dir);
	if (building) queued.push(apply);
}

async function walkPacks(onPacks: (packs: MemberPack[]) => void): Promise<void> {
	let last: string | undefined;
	for (;;) {
		const from = last;
		const packs = await (from === undefined
			? deviceDb.memberPacks.limit(WALK_PACKS)
			: deviceDb.memberPacks.where('key').above(from).limit(WALK_PACKS)
		).toArray();
		onPacks(packs);
		if (packs.length < WALK_PACKS) return;
		last = packs[packs.length - 1]!.key;
	}
}

function startBuild(onRows?: (rows: MemberRow[]) => void): Promise<MemberDirectory> {
	const fresh = new MemberDirectory();
	queued = [];
	// Started from a macrotask so as to run outside any liveQuery: there Dexie would keep every
	// pack read in its query cache for as long as the screen watches.
	const walked = new Promise<MemberDirectory>((resolve, reject) => {
		setTimeout(() => {
			walkPacks((packs) => {
				for (const pack of packs) fresh.notePack(pack);
				if (onRows) for (const pack of packs) onRows(ownMembers(fresh, pack));
			}).then(() => resolve(fresh), reject);
		}, 0);
	});
	building = walked.then(
		(built) => {
			for (const apply of queued) apply(built);
			queued = [];
			dir = built;
			building = null;
			return built;
		},
		(error: unknown) => {
			queued = [];
			building = null;
			throw error;
		}
	);
	return building;
}

/** The directory, built on first use (by one walk of every pack). */
export function memberDirectory(): Promise<MemberDirectory> {
	if (dir) return Promise.resolve(dir);
	return building ?? startBuild();
}

/**
 * Calls `onRows` with every member row, a few thousand at a time (the search index's build). When
 * the directory is not built yet, the same walk builds it: a device that opens reads its packs once.
 */
export async function walkMemberRows(onRows: (rows: MemberRow[]) => void): Promise<void> {
	if (!dir && !building) {
		await startBuild(onRows);
		return;
	}
	const known = await memberDirectory();
	// From a macrotask, outside any liveQuery (see startBuild).
	await new Promise<void>((resolve, reject) => {
		setTimeout(() => {
			walkPacks((packs) => {
				for (const pack of packs) onRows(ownMembers(known, pack));
			}).then(resolve, reject);
		}, 0);
	});
}

/**
 * Runs `read` with the directory. When it is ready (always, once the app has opened) nothing is
 * awaited first, and otherwise a Dexie promise is: either way a live query still notices the
 * reads `read` makes.
 */
function withDirectory<T>(read: (known: MemberDirectory) => Promise<T>): Promise<T> {
	if (dir) return read(dir);
	return Dexie.Promise.resolve(memberDirectory()).then(read) as unknown as Promise<T>;
}

/**
 * An answer found through the directory depends on member rows it may not read (a new member of
 * the branch, in a pack the query did not open): a live query calling this is run again after any
 * write to the packs, as if it had read them all.
 */
export function dependOnMemberRows(): Promise<unknown> {
	return deviceDb.memberPacks.limit(1).toArray();
}

async function packsByKey(keys: string[]): Promise<Map<string, MemberPack>> {
	const unique = [...new Set(keys)];
	const packs = await deviceDb.memberPacks.bulkGet(unique);
	const byKey = new Map<string, MemberPack>();
	for (const pack of packs) if (pack) byKey.set(pack.key, pack);
	return byKey;
}

/** The member rows `ids`, in their order (undefined where absent). */
export function getMemberRows(ids: readonly string[]): Promise<(MemberRow | undefined)[]> {
	return withDirectory(async (known) => {
		const keys = ids.map((id) => known.packOf(id));
		const [packs] = await Promise.all([
			packsByKey(keys.filter((key): key is string => key !== undefined)),
			// An id not placed yet: the answer changes when it is written, wherever that is.
			keys.some((key) => key === undefined) ? dependOnMemberRows() : null
		]);
		return ids.map((id, i) => {
			const pack = packs.get(keys[i] ?? '');
			return pack?.members.find((row) => row.id === id);
		});
	});
}

export async function getMemberRow(id: string): Promise<MemberRow | undefined> {
	return (await getMemberRows([id]))[0];
}

async function packsOfDbs(dbs: readonly string[]): Promise<MemberPack[]> {
	if (dbs.length === 0) return [];
	return deviceDb.memberPacks.where('db').anyOf([...dbs]).toArray();
}

/** Every member row of these unit databases. */
export function membersOfDbs(dbs: readonly string[]): Promise<MemberRow[]> {
	return withDirectory(async (known) =>
		(await packsOfDbs(dbs)).flatMap((pack) =>
			ownMembers(known, pack).filter((row) => dbs.includes(row.db))
		)
	);
}

export function membersOfDb(db: string): Promise<MemberRow[]> {
	return membersOfDbs([db]);
}

/** How many members these databases hold (from the directory; watched like the packs). */
export function countMembersOf(dbs: readonly string[]): Promise<number> {
	return withDirectory(async (known) => {
		await dependOnMemberRows();
		return known.countOf(dbs);
	});
}

/** The rows whose facts (branch, birth date, conflict, database) `keep` keeps. */
function selected(keep: (facts: MemberFacts) => boolean): Promise<MemberRow[]> {
	return withDirectory(async (known) => {
		const found = known.select(keep);
		const [, packs] = await Promise.all([
			dependOnMemberRows(),
			packsByKey(found.map((f) => f.pack))
		]);
		return found.flatMap(({ id, pack }) => {
			const row = packs.get(pack)?.members.find((m) => m.id === id);
			return row ? [row] : [];
		});
	});
}

export function membersOfBranch(branchId: string): Promise<MemberRow[]> {
	return selected((facts) => facts.branchId === branchId);
}

export function conflictedMembers(): Promise<MemberRow[]> {
	return selected((facts) => facts.hasConflict === 1);
}

export function membersBornOn(birthDate: string): Promise<MemberRow[]> {
	return selected((facts) => facts.birthDate === birthDate);
}

/** A member's history entries in the read model. */
export function historyOfMember(memberId: string): Promise<HistoryRow[]> {
	return withDirectory(async (known) => {
		const key = known.packOf(memberId);
		if (key === undefined) {
			await dependOnMemberRows();
			return [];
		}
		const pack = await deviceDb.memberPacks.get(key);
		return pack ? pack.history.filter((row) => row.memberId === memberId) : [];
	});
}

/** A unit database's history entries, of the given kinds only when `kinds` is given. */
export function historyOfDb(options: {
	db: string;
	kinds?: readonly string[];
}): Promise<HistoryRow[]> {
	const kinds = options.kinds ? new Set(options.kinds) : null;
	return withDirectory(async (known) =>
		(await packsOfDbs([options.db])).flatMap((pack) =>
			ownHistory(known, pack).filter(
				(row) => row.db === options.db && (!kinds || kinds.has(row.kind))
			)
		)
	);
}

/** The entries a bulk act wrote (any database). */
export function historyOfBulk(bulkId: string): Promise<HistoryRow[]> {
	return withDirectory(async (known) => {
		const [, packs] = await Promise.all([
			dependOnMemberRows(),
			packsByKey(known.packsOfBulk(bulkId))
		]);
		return [...packs.values()].flatMap((pack) =>
			ownHistory(known, pack).filter((row) => row.bulkId === bulkId)
		);
	});
}

// --- Writing -------------------------------------------------------------------------------------

interface PackChange {
	members: Map<string, MemberRow | null>;
	history: Map<string, HistoryRow | null>;
}

/** `rows` with the changes applied in place (null: deleted), new ones after; strays left out. */
function changed<T extends { id: string }>(
	rows: T[],
	changes: Map<string, T | null>,
	keep: (row: T) => boolean
): T[] {
	const out: T[] = [];
	for (const row of rows) {
		if (!keep(row)) continue;
		if (!changes.has(row.id)) out.push(row);
		else {
			const next = changes.get(row.id);
			if (next) out.push(next);
			changes.delete(row.id);
		}
	}
	for (const next of changes.values()) if (next) out.push(next);
	return out;
}

/**
 * Folds a batch's member rows, history entries and deletions (any document ids) into the packs of
 * `db`. To be called inside a read-write transaction over `deviceDb.memberPacks`, after
 * memberDirectory() has resolved: each pack touched is read, changed and written back there.
 */
export async function writeMemberRows(batch: {
	db: string;
	members: MemberRow[];
	history: HistoryRow[];
	deleted: string[];
}): Promise<void> {
	const known = dir;
	if (!known) throw new Error('Bảng đọc chưa sẵn sàng: chưa dựng danh mục hồ sơ.');
	const placer = known.placer(batch.db);
	const placed = new Map<string, string>();
	/** Members this batch moves from another unit's pack (a transfer both units of which are here). */
	const moved = new Map<string, string>();
	const changes = new Map<string, PackChange>();
	const at = (key: string): PackChange => {
		let found = changes.get(key);
		if (!found) changes.set(key, (found = { members: new Map(), history: new Map() }));
		return found;
	};
	const place = (memberId: string, row: 'member' | 'history'): string => {
		let key = placed.get(memberId);
		if (key !== undefined) return key;
		key = known.packOf(memberId);
		// One row per member on the device, as before packing: the unit that writes the member's
		// row last holds it, and its history moves with it (below). An entry alone stays put.
		if (key !== undefined && known.dbOfPack(key) !== batch.db && row === 'member') {
			moved.set(memberId, key);
			at(key).members.set(memberId, null);
			key = undefined;
		}
		if (key === undefined) placed.set(memberId, (key = placer.next()));
		return key;
	};
	const told = new Map<string, MemberRow | undefined>();
	for (const row of batch.members) {
		at(place(row.id, 'member')).members.set(row.id, row);
		told.set(row.id, row);
	}
	for (const row of batch.history) at(place(row.memberId, 'history')).history.set(row.id, row);
	for (const id of batch.deleted) {
		const owner = memberIdOfHistory(id);
		const key = placed.get(owner ?? id) ?? known.packOf(owner ?? id);
		// Deleted in this unit: a copy another unit now holds (a transfer's) stays.
		if (key === undefined || (known.dbOfPack(key) ?? batch.db) !== batch.db) continue;
		if (owner) at(key).history.set(id, null);
		else {
			at(key).members.set(id, null);
			told.set(id, undefined);
		}
	}
	if (changes.size === 0) return;
	const keys = [...changes.keys()];
	const stored = await deviceDb.memberPacks.bulkGet(keys);
	for (const [memberId, from] of moved) {
		const to = at(placed.get(memberId)!);
		for (const row of stored[keys.indexOf(from)]?.history ?? []) {
			if (row.memberId !== memberId) continue;
			at(from).history.set(row.id, null);
			if (!to.history.has(row.id)) to.history.set(row.id, row);
		}
	}
	const puts: MemberPack[] = [];
	const gone: string[] = [];
	keys.forEach((key, i) => {
		const before = stored[i] ?? { key, db: batch.db, members: [], history: [] };
		const change = changes.get(key)!;
		const pack: MemberPack = {
			key,
			db: before.db,
			members: changed(before.members, change.members, (row) => known.owns(key, row.id)),
			history: changed(before.history, change.history, (row) => known.owns(key, row.memberId))
		};
		if (pack.members.length === 0 && pack.history.length === 0) gone.push(key);
		else puts.push(pack);
	});
	if (puts.length) await deviceDb.memberPacks.bulkPut(puts);
	if (gone.length) await deviceDb.memberPacks.bulkDelete(gone);
	const trans = Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null;
	markOwn(trans?.idbtrans);
	// Known before the transaction commits: a read meanwhile finds the packs as they were, which
	// still hold every member they held (only a new member may be missing, until the commit).
	for (const pack of puts) change((target) => target.notePack(pack));
	for (const key of gone) change((target) => target.forgetPack(key));
	const ids = [...told.keys()];
	tellMemberRowWrites({ ids, rows: ids.map((id) => told.get(id)) });
	// Rolled back (a full phone): what was told did not happen; the packs are read again.
	trans?.idbtrans?.addEventListener('abort', () => {
		setTimeout(() => void reloadPacks(keys), 0);
	});
}

/** Deletes every pack of `db`: inside a read-write transaction over `deviceDb.memberPacks`. */
export async function forgetMemberRowsOf(db: string): Promise<void> {
	await deviceDb.memberPacks.where('db').equals(db).delete();
	const trans = Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction } | null;
	markOwn(trans?.idbtrans);
	let ids: string[] = [];
	change((target) => {
		const gone = target.forgetDb(db);
		if (target === dir) ids = gone;
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
	await deviceDb.transaction('rw', deviceDb.memberPacks, () =>
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
	await deviceDb.transaction('rw', deviceDb.memberPacks, async () => {
		await deviceDb.memberPacks.clear();
		markOwn((Dexie.currentTransaction as unknown as { idbtrans?: IDBTransaction }).idbtrans);
	});
	dir = new MemberDirectory();
	if (building) queued.push((target) => target.forgetAll());
	tellMemberRowWrites({ all: true });
}

// --- Other tabs ----------------------------------------------------------------------------------

/** The change sets of this tab's transactions (Dexie fires `storagemutated` with that object). */
const ownChanges = new WeakSet<object>();

function markOwn(idbtrans: IDBTransaction | undefined): void {
	const parts = (idbtrans as { mutatedParts?: object } | undefined)?.mutatedParts;
	if (parts) ownChanges.add(parts);
}

/** Reads packs `keys` again (written by another tab, or a write rolled back) and tells the rows. */
async function reloadPacks(keys: string[]): Promise<void> {
	if (!dir && !building) return;
	const packs = await deviceDb.memberPacks.bulkGet(keys);
	const ids = new Set<string>();
	keys.forEach((key, i) => {
		for (const id of dir?.membersOf(key) ?? []) ids.add(id);
		const pack = packs[i];
		if (pack) for (const row of pack.members) ids.add(row.id);
		change((target) => (pack ? target.notePack(pack) : target.forgetPack(key)));
	});
	const rows = await getMemberRows([...ids]);
	tellMemberRowWrites({ ids: [...ids], rows });
}

interface RangeNode {
	from?: unknown;
	to?: unknown;
	l?: RangeNode | null;
	r?: RangeNode | null;
}

/** The keys of a Dexie range set, or null when it holds a range rather than single keys. */
function singleKeys(node: RangeNode | null | undefined, into: string[]): string[] | null {
	if (!node || !('from' in node)) return into;
	if (typeof node.from !== 'string' || node.from !== node.to) return null;
	if (singleKeys(node.l, into) === null) return null;
	into.push(node.from);
	return singleKeys(node.r, into);
}

Dexie.on('storagemutated', (parts) => {
	if (ownChanges.has(parts) || (!dir && !building)) return;
	const range = 'all' in parts ? null : (parts[`idb://${deviceDb.name}/memberPacks/`] as RangeNode);
	if (range === undefined) return;
	const keys = range ? singleKeys(range, []) : null;
	if (keys) {
		void reloadPacks(keys).catch((error) => console.error('Lỗi đọc lại hồ sơ', error));
		return;
	}
	// Which packs changed is unknown (a table cleared, a large write): the directory is built again,
	// and reads and writes wait for it rather than trust the old one.
	dir = null;
	(building ?? startBuild())
		.then(() => tellMemberRowWrites({ all: true }))
		.catch((error) => console.error('Lỗi dựng danh mục hồ sơ', error));
});
