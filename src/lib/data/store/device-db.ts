import Dexie, { type EntityTable } from 'dexie';
import type { HistoryDoc } from '$lib/domain/history-schema';
import type { TransferDoc } from '$lib/domain/operations/transfer';
import type { ExportLogEntry } from '$lib/domain/spreadsheets/export-log-schema';

// The device's Dexie database. Two kinds of tables live in it:
// - the read model (docs/design.md §3): members, branches, units, history, transfers and the
//   indexer's checkpoints, shaped for the screens, fed from the PouchDB changes feeds and
//   rebuildable at any time (nothing there is the truth; PouchDB is);
// - what cannot be rebuilt: the outbox (what this device wrote and the server has not accepted),
//   settings (the cached session, pinned units, app lock, drafts, print headers), the sync log, and
//   the snapshot stash (a pinned unit's first sync on its way into PouchDB, ADR 0029).
// One database (IndexedDB name `doanvu`) so existing phones keep their data; wipeDevice clears both.

/** One member as the list, search and filters need it. */
export interface MemberRow {
	/** PouchDB `_id` (`member:<ulid>`). */
	id: string;
	/** The unit database the member lives in. */
	db: string;
	unitId: string;
	branchId: string;
	status: string;
	fullName: string;
	familyName: string;
	middleName: string;
	givenName: string;
	otherName: string;
	/** Folded words of every name part, for the in-memory name search. */
	nameWords: string[];
	/** Orders like Vietnamese name collation (tên, tên đệm, họ) by plain comparison. */
	sortKey: string;
	gender: string;
	birthDate: string;
	ethnicCode: string;
	/** 1 for an ethnic minority, 0 for Kinh (IndexedDB cannot index booleans). */
	minority: 0 | 1;
	citizenId: string;
	phone: string;
	cardNumber: string;
	hasConflict: 0 | 1;
	updatedAt: string;
	// Version 2: what the unit-wide lists of the member operations need (coming of age, dues,
	// transfers) without opening every document.
	joinedOn?: string;
	statusSince?: string;
	unionPosition?: string;
	fullTimeUnionStaff?: boolean;
	staysUntil?: string;
	duesPaidThrough?: string;
	duesCategory?: string;
	/** The receiving unit of a pending transfer. */
	transferTo?: string;
	/** Declared by the member herself (provenance `self`): the roster says so. Rows written
	 * before this field existed lack it until the member is next written or the read model rebuilt. */
	selfDeclared?: 0 | 1;
}

/** A history entry (one operation on a member), for unit-wide lists: ratings of a year, bulk acts. */
export interface HistoryRow {
	/** `history:<member ULID>:<key>`. */
	id: string;
	db: string;
	memberId: string;
	kind: string;
	/** The day the operation took effect. */
	at: string;
	/** The year the entry counts for: a rating's or training's own year, else the year of `at`. */
	year: number;
	bulkId?: string;
	reverses?: string;
	/**
	 * The entry without what no unit-wide list reads: its `effect` (each changed field before and
	 * after: an admission's is the whole record) and `_rev`. Reversals read whole entries from
	 * PouchDB (queries/history.ts memberHistory). Rows folded before version 6 may still carry both.
	 */
	entry: HistoryRowEntry;
}

/** A history entry as the read model keeps it (HistoryRow.entry). */
export type HistoryRowEntry = HistoryDoc & { effect?: never };

/**
 * A few member rows of one unit database in one record (version 7, ADR 0026 third addendum):
 * IndexedDB's cost is per record. Read through read-model/member-store.ts, written through member-pack-writer.ts.
 */
export interface MemberPack {
	/** `<db>|<n>` (read-model/member-directory.ts packKey). */
	key: string;
	db: string;
	members: MemberRow[];
}

/** Every history entry of up to ~100 members of one unit database, in one record (version 7). */
export interface HistoryPack {
	/** `<db>|<n>`, numbered apart from the member packs. */
	key: string;
	db: string;
	history: HistoryRow[];
}

/**
 * Documents of a pinned unit's first sync that the read model already holds and PouchDB does not
 * yet (version 8, ADR 0029): one record per batch of the stream, kept until store/local-fill.ts has
 * written them into the unit's PouchDB. Not rebuildable: until then they are the device's only copy.
 */
export interface StashRecord {
	key?: number;
	db: string;
	/** The documents' ids (a resumed first sync asks which wait here; not indexed). */
	ids: string[];
	/** The documents as the server sent them, one JSON array (one string copies cheaply). */
	docs: string;
}

/** A transfer offer (`transfer:<ulid>`) delivered into this unit's database by the server. */
export interface TransferRow {
	id: string;
	db: string;
	state: string;
	requestedOn: string;
	offer: TransferDoc;
}

export interface BranchRow {
	id: string;
	db: string;
	name: string;
	closed: 0 | 1;
}

export interface UnitRow {
	db: string;
	id: string;
	name: string;
	kind: string;
	/** `merged` or `dissolved` once the superior has closed the unit. */
	status: string;
	mergedInto?: string;
}

/**
 * A small document kept whole (version 3): figures, targets, reminders, receipts, device reports —
 * the types listed in read-model/record-types.ts. Keyed by database and id, since one document id
 * (`figures:<unitId>`) is found in a unit's database and in each of its superiors'.
 */
export interface RecordRow {
	/** `<db>|<_id>`. */
	key: string;
	db: string;
	docId: string;
	type: string;
	doc: Record<string, unknown> & { _id: string; type: string };
}

export interface Checkpoint {
	db: string;
	/** Last PouchDB update sequence folded into the read model. */
	seq: number | string;
}

/** A document written on this device and not yet accepted by the server. */
export interface OutboxEntry {
	docId: string;
	db: string;
	rev: string;
	at: string;
	/** Set when the server refused the document (validation): shown to the user. */
	refused?: string;
}

export interface Setting {
	key: string;
	value: unknown;
}

export interface SyncLogEntry {
	id?: number;
	db: string;
	at: string;
	kind: 'synced' | 'error' | 'first-sync';
	pulled: number;
	pushed: number;
	message?: string;
}

/**
 * An export made on this device (docs/spreadsheets.md, "Exports"), kept until the server has it in
 * its audit trail: the entry the server records, the account that made it, whether it was sent.
 */
export interface ExportLogRow extends ExportLogEntry {
	/** The account signed in when the file was made: only its own session sends the entry. */
	login: string;
	/** When the server recorded it; absent while it waits. */
	sentAt?: string;
	/** The server's refusal (the entry is kept, never sent again). */
	refused?: string;
}

export class DeviceDb extends Dexie {
	memberPacks!: EntityTable<MemberPack, 'key'>;
	historyPacks!: EntityTable<HistoryPack, 'key'>;
	branches!: EntityTable<BranchRow, 'id'>;
	units!: EntityTable<UnitRow, 'db'>;
	checkpoints!: EntityTable<Checkpoint, 'db'>;
	outbox!: EntityTable<OutboxEntry, 'docId'>;
	settings!: EntityTable<Setting, 'key'>;
	syncLog!: EntityTable<SyncLogEntry, 'id'>;
	transfers!: EntityTable<TransferRow, 'id'>;
	records!: EntityTable<RecordRow, 'key'>;
	exportLog!: EntityTable<ExportLogRow, 'id'>;
	snapshotStash!: EntityTable<StashRecord, 'key'>;

	constructor(name = 'doanvu') {
		super(name);
		this.version(1).stores({
			members:
				'id, db, [db+sortKey], sortKey, *nameWords, status, branchId, birthDate, citizenId, phone, cardNumber, hasConflict',
			branches: 'id, db',
			units: 'db',
			checkpoints: 'db',
			outbox: 'docId, db',
			settings: 'key',
			syncLog: '++id, db, at'
		});
		// Version 2: history entries and transfer offers, and more member state on the rows. The
		// indexer starts over (its checkpoints cleared) so that every document already on the device
		// is folded in again with the new shape; PouchDB and the sync cursors are untouched.
		this.version(2)
			.stores({
				history: 'id, db, memberId, [db+kind], bulkId',
				transfers: 'id, db, [db+state]'
			})
			.upgrade(async (tx) => {
				await tx.table('checkpoints').clear();
			});
		// Version 3: small documents kept whole (RecordRow). No document of those types existed
		// before this version, so nothing is folded in again.
		this.version(3).stores({ records: 'key, db, [db+type], type' });
		// Version 4: the exports' log, waiting for the audit trail. A new table: nothing to fold in.
		this.version(4).stores({ exportLog: 'id, login, at' });
		// Version 5 (ADR 0026): the member rows keep only the indexes a query reads. Names are
		// searched and listed in memory (read-model/search-index.ts), so the name-word, sort-key and
		// status indexes only slowed every write (each index entry is one more write; a name has four
		// or five words). IndexedDB drops them in place: no row is rewritten, nothing folded again.
		this.version(5).stores({
			members: 'id, db, branchId, birthDate, citizenId, phone, cardNumber, hasConflict'
		});
		// Version 6 (ADR 0026 addendum): citizen ids, phones and card numbers are looked up in the
		// in-memory index too (read-model/search-index.ts): three indexes fewer to write per member
		// row. A history row loses its `db` index (the `[db+kind]` one serves, historyOfDb) and its
		// `memberId` one (a member's entries are an id range): two fewer per entry. Dropped in place
		// as in version 5: no row rewritten, nothing folded again.
		this.version(6).stores({
			members: 'id, db, branchId, birthDate, hasConflict',
			history: 'id, [db+kind], bulkId'
		});
		// Version 7 (ADR 0026 third addendum): member rows packed a few to a record (MemberPack) and
		// history entries ~100 members' to a record (HistoryPack), through read-model/member-store.ts (reads) and member-pack-writer.ts (writes). The two tables of one record
		// per row are dropped, and the indexer starts over (checkpoints cleared, as in version 2)
		// so that every device folds what its PouchDB holds into packs; the outbox, settings and
		// sync cursors are untouched.
		this.version(7)
			.stores({ members: null, history: null, memberPacks: 'key, db', historyPacks: 'key, db' })
			.upgrade(async (tx) => {
				await tx.table('checkpoints').clear();
			});
		// Version 8 (ADR 0029): a pinned unit's first sync goes into the read model first and waits
		// here for PouchDB. A new table: nothing to fold in.
		this.version(8).stores({ snapshotStash: '++key, db' });
	}
}

export const deviceDb = new DeviceDb();

export async function getSetting<T>(key: string): Promise<T | undefined> {
	const row = await deviceDb.settings.get(key);
	return row?.value as T | undefined;
}

export async function putSetting(key: string, value: unknown): Promise<void> {
	await deviceDb.settings.put({ key, value });
}
