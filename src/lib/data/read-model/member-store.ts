import Dexie from 'dexie';
import {
	deviceDb,
	type HistoryPack,
	type HistoryRow,
	type MemberPack,
	type MemberRow
} from '$lib/data/store/device-db';
import { MemberDirectory, type MemberFacts } from './member-directory';
import { tellMemberRowWrites } from './member-row-writes';

// The read model's member rows and history entries, packed many members to an IndexedDB record
// (store/device-db.ts MemberPack, ADR 0026 third addendum). Every read of them goes through here,
// and the directory they are found by lives here; the one writer is member-pack-writer.ts, which
// keeps the directory through the few functions marked "for the writer" below. Where a member is comes from an in-memory directory (member-directory.ts) built by
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

/** For the writer: the directory in use, null when it is not built (or being built again). */
export function builtDirectory(): MemberDirectory | null {
	return dir;
}

/**
 * For the writer: applies a write to the directory in use and to the one being built, if any;
 * `apply` is told which one it is changing (`inUse`: the one reads use now).
 */
export function changeDirectory(apply: (target: MemberDirectory, inUse: boolean) => void): void {
	change((target) => apply(target, target === dir));
}

/** For the writer: every pack dropped; the directory starts empty (a build under way follows). */
export function resetDirectory(): void {
	dir = new MemberDirectory();
	if (building) queued.push((target) => target.forgetAll());
}

async function walkTable<T extends { key: string }>(
	table: typeof deviceDb.memberPacks | typeof deviceDb.historyPacks,
	onPacks: (packs: T[]) => void
): Promise<void> {
	let last: string | undefined;
	for (;;) {
		const from = last;
		const packs = (await (from === undefined
			? table.limit(WALK_PACKS)
			: table.where('key').above(from).limit(WALK_PACKS)
		).toArray()) as unknown as T[];
		onPacks(packs);
		if (packs.length < WALK_PACKS) return;
		last = packs[packs.length - 1]!.key;
	}
}

const walkMemberPacks = (onPacks: (packs: MemberPack[]) => void) =>
	walkTable(deviceDb.memberPacks, onPacks);

/** The rows of a member pack that are its own (not a stray copy, see Placement.note). */
function ownMembers(known: MemberDirectory, pack: MemberPack): MemberRow[] {
	return pack.members.filter((row) => known.members.owns(pack.key, row.id));
}

function ownHistory(known: MemberDirectory, pack: HistoryPack): HistoryRow[] {
	return pack.history.filter((row) => known.history.owns(pack.key, row.memberId));
}

function startBuild(onRows?: (rows: MemberRow[]) => void): Promise<MemberDirectory> {
	const fresh = new MemberDirectory();
	queued = [];
	// Started from a macrotask so as to run outside any liveQuery: there Dexie would keep every
	// pack read in its query cache for as long as the screen watches.
	const walked = new Promise<MemberDirectory>((resolve, reject) => {
		setTimeout(() => {
			walkMemberPacks((packs) => {
				for (const pack of packs) fresh.noteMembers(pack);
				if (onRows) for (const pack of packs) onRows(ownMembers(fresh, pack));
			})
				.then(() =>
					walkTable<HistoryPack>(deviceDb.historyPacks, (packs) => {
						for (const pack of packs) fresh.noteHistory(pack);
					})
				)
				.then(() => resolve(fresh), reject);
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
			walkMemberPacks((packs) => {
				for (const pack of packs) onRows(ownMembers(known, pack));
			}).then(resolve, reject);
		}, 0);
	});
}

/**
 * Runs `read` with the directory. Every read here is a chain of Dexie promises, never a native
 * `await`: a caller in a live query that awaits one of these functions and then reads more (the
 * profile reads the member, then its history) stays in Dexie's zone, so every read it makes is
 * watched. When the directory is not built yet, a Dexie promise waits for it.
 */
function withDirectory<T>(read: (known: MemberDirectory) => PromiseLike<T>): Promise<T> {
	if (dir) return read(dir) as Promise<T>;
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

/** The same for history found through the directory (a bulk act's, a member not placed yet). */
function dependOnHistoryRows(): Promise<unknown> {
	return deviceDb.historyPacks.limit(1).toArray();
}

function packsByKey(keys: string[]): PromiseLike<Map<string, MemberPack>> {
	return deviceDb.memberPacks.bulkGet([...new Set(keys)]).then((packs) => {
		const byKey = new Map<string, MemberPack>();
		for (const pack of packs) if (pack) byKey.set(pack.key, pack);
		return byKey;
	});
}

/** The member rows `ids`, in their order (undefined where absent). */
export function getMemberRows(ids: readonly string[]): Promise<(MemberRow | undefined)[]> {
	return withDirectory((known) => {
		const keys = ids.map((id) => known.members.at(id));
		// An id not placed yet: the answer changes when it is written, wherever that is.
		if (keys.some((key) => key === undefined)) void dependOnMemberRows();
		return packsByKey(keys.filter((key): key is string => key !== undefined)).then((packs) =>
			ids.map((id, i) => packs.get(keys[i] ?? '')?.members.find((row) => row.id === id))
		);
	});
}

export function getMemberRow(id: string): Promise<MemberRow | undefined> {
	return getMemberRows([id]).then((rows) => rows[0]);
}

/** Every member row of these unit databases. */
export function membersOfDbs(dbs: readonly string[]): Promise<MemberRow[]> {
	return withDirectory((known) =>
		deviceDb.memberPacks
			.where('db')
			.anyOf([...dbs])
			.toArray()
			.then((packs) =>
				packs.flatMap((pack) => ownMembers(known, pack).filter((row) => dbs.includes(row.db)))
			)
	);
}

export function membersOfDb(db: string): Promise<MemberRow[]> {
	return membersOfDbs([db]);
}

/** How many members these databases hold (from the directory; watched like the packs). */
export function countMembersOf(dbs: readonly string[]): Promise<number> {
	return withDirectory((known) => dependOnMemberRows().then(() => known.countOf(dbs)));
}

/** The rows whose facts (branch, birth date, conflict, database) `keep` keeps. */
function selected(keep: (facts: MemberFacts) => boolean): Promise<MemberRow[]> {
	return withDirectory((known) => {
		const found = known.select(keep);
		void dependOnMemberRows();
		return packsByKey(found.map((f) => f.pack)).then((packs) =>
			found.flatMap(({ id, pack }) => {
				const row = packs.get(pack)?.members.find((m) => m.id === id);
				return row ? [row] : [];
			})
		);
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
	return withDirectory((known) => {
		const key = known.history.at(memberId);
		if (key === undefined) return dependOnHistoryRows().then((): HistoryRow[] => []);
		return deviceDb.historyPacks
			.get(key)
			.then((pack) => (pack ? pack.history.filter((row) => row.memberId === memberId) : []));
	});
}

/** A unit database's history entries, of the given kinds only when `kinds` is given. */
export function historyOfDb(options: {
	db: string;
	kinds?: readonly string[];
}): Promise<HistoryRow[]> {
	const kinds = options.kinds ? new Set(options.kinds) : null;
	return withDirectory((known) =>
		deviceDb.historyPacks
			.where('db')
			.equals(options.db)
			.toArray()
			.then((packs) =>
				packs.flatMap((pack) =>
					ownHistory(known, pack).filter(
						(row) => row.db === options.db && (!kinds || kinds.has(row.kind))
					)
				)
			)
	);
}

/** The entries a bulk act wrote (any database). */
export function historyOfBulk(bulkId: string): Promise<HistoryRow[]> {
	return withDirectory((known) => {
		void dependOnHistoryRows();
		return deviceDb.historyPacks
			.bulkGet(known.packsOfBulk(bulkId))
			.then((packs) =>
				packs.flatMap((pack) =>
					pack ? ownHistory(known, pack).filter((row) => row.bulkId === bulkId) : []
				)
			);
	});
}

// --- Other tabs ----------------------------------------------------------------------------------

/** The change sets of this tab's transactions (Dexie fires `storagemutated` with that object). */
const ownChanges = new WeakSet<object>();

/** For the writer: this transaction's writes are this tab's own (not another tab's to read again). */
export function markOwn(idbtrans: IDBTransaction | undefined): void {
	const parts = (idbtrans as { mutatedParts?: object } | undefined)?.mutatedParts;
	if (parts) ownChanges.add(parts);
}

/** Reads packs again (written by another tab, or a write rolled back) and tells the rows. */
export async function reloadPacks(keys: { members: string[]; history: string[] }): Promise<void> {
	if (!dir && !building) return;
	const [memberPacks, historyPacks] = await Promise.all([
		deviceDb.memberPacks.bulkGet(keys.members),
		deviceDb.historyPacks.bulkGet(keys.history)
	]);
	const ids = new Set<string>();
	keys.members.forEach((key, i) => {
		for (const id of dir?.members.ownersOf(key) ?? []) ids.add(id);
		const pack = memberPacks[i];
		if (pack) for (const row of pack.members) ids.add(row.id);
		change((target) => (pack ? target.noteMembers(pack) : target.forgetMembers(key)));
	});
	keys.history.forEach((key, i) => {
		const pack = historyPacks[i];
		change((target) => (pack ? target.noteHistory(pack) : target.forgetHistory(key)));
	});
	if (ids.size === 0) return;
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
	const ranges =
		'all' in parts
			? null
			: {
					members: parts[`idb://${deviceDb.name}/memberPacks/`] as RangeNode | undefined,
					history: parts[`idb://${deviceDb.name}/historyPacks/`] as RangeNode | undefined
				};
	if (ranges && !ranges.members && !ranges.history) return;
	const members = ranges ? (ranges.members ? singleKeys(ranges.members, []) : []) : null;
	const history = ranges ? (ranges.history ? singleKeys(ranges.history, []) : []) : null;
	if (members && history) {
		void reloadPacks({ members, history }).catch((error) =>
			console.error('Lỗi đọc lại hồ sơ', error)
		);
		return;
	}
	// Which packs changed is unknown (a table cleared, a large write): the directory is built again,
	// and reads and writes wait for it rather than trust the old one.
	dir = null;
	(building ?? startBuild())
		.then(() => tellMemberRowWrites({ all: true }))
		.catch((error) => console.error('Lỗi dựng danh mục hồ sơ', error));
});
