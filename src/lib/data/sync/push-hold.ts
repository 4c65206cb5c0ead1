import { deviceDb, getSetting } from '$lib/data/store/device-db';
import { yieldToMain } from './main-thread';

// Holding a unit database's uploads while a many-document write is under way (the members import,
// src/lib/data/commands/member-import.ts): the import is all-or-nothing, and what reached the
// server halfway could not be taken back there (history entries are never deleted). The sync keeps
// pulling; pushes wait and go as soon as the hold is released (unit-sync.ts re-arms its timer).
//
// The hold itself lives in memory, so a closed app drops it: the write also leaves a journal in the
// device database (what it is about to create, and the members it updates as they were), cleared
// once the write is whole. A journal still there when nothing holds the database is a write cut
// short: before pushing anything, the pusher takes it back (takeBackInterrupted), so the server
// never sees half of it — unless its documents were already noted as waiting to upload, which
// happens only once every one is written: then the journal is merely cleared.

const held = new Map<string, number>();

/** Holds `db`'s pushes until the returned function is called (holds nest). */
export function holdPush(db: string): () => void {
	held.set(db, (held.get(db) ?? 0) + 1);
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const count = (held.get(db) ?? 1) - 1;
		if (count > 0) held.set(db, count);
		else held.delete(db);
	};
}

export function isPushHeld(db: string): boolean {
	return held.has(db);
}

type Doc = { _id: string; _rev?: string; _deleted?: boolean } & Record<string, unknown>;

/** What a held write is about to do: documents it creates, and updated documents as they were. */
export interface WriteJournal {
	created: string[];
	updated: Doc[];
	/** The login the take-back signs with (the server wants `updatedBy` to be the writer). */
	by: string;
}

function journalKey(db: string): string {
	return `held-write:${db}`;
}

function beatKey(db: string): string {
	return `held-write-beat:${db}`;
}

/**
 * A write refreshes its beat after every batch. Another tab of the app shares the device's
 * databases but not this tab's memory: a fresh beat tells its pusher to wait, and a journal whose
 * beat is fresh belongs to a write still going on there, not to a closed app.
 */
const BEAT_FRESH_MS = 60_000;

export async function beatWrite(db: string): Promise<void> {
	await deviceDb.settings.put({ key: beatKey(db), value: Date.now() });
}

/** True when a held write of `db` is going on, in this tab or (by its beat) in another. */
export async function isWriteGoingOn(db: string): Promise<boolean> {
	if (isPushHeld(db)) return true;
	const beat = await getSetting<number>(beatKey(db));
	return beat !== undefined && Date.now() - beat < BEAT_FRESH_MS;
}

/**
 * The journal as stored: its documents as JSON text, a slice per string. IndexedDB copies a string
 * in one go, where the 5,000 members an update import holds were cloned object by object in one
 * task of ~200 ms at 4× CPU (ADR 0023 addendum). Journals stored whole (`updated`, before this)
 * still load.
 */
interface StoredJournal {
	created: string[];
	updated?: Doc[];
	/** JSON arrays of the updated documents as they were, JOURNAL_SLICE a string. */
	updatedJson?: string[];
	by: string;
}

const JOURNAL_SLICE = 250;

export async function saveWriteJournal(options: { db: string; journal: WriteJournal }) {
	const { created, updated, by } = options.journal;
	const updatedJson: string[] = [];
	for (let start = 0; start < updated.length; start += JOURNAL_SLICE) {
		if (start > 0) await yieldToMain();
		updatedJson.push(JSON.stringify(updated.slice(start, start + JOURNAL_SLICE)));
	}
	const stored: StoredJournal = { created, updatedJson, by };
	await deviceDb.settings.put({ key: journalKey(options.db), value: stored });
	await beatWrite(options.db);
}

export async function loadWriteJournal(db: string): Promise<WriteJournal | undefined> {
	const stored = await getSetting<StoredJournal>(journalKey(db));
	if (stored === undefined) return undefined;
	const updated: Doc[] = [...(stored.updated ?? [])];
	for (const text of stored.updatedJson ?? []) {
		for (const doc of JSON.parse(text) as Doc[]) updated.push(doc);
	}
	return { created: stored.created, updated, by: stored.by };
}

export async function clearWriteJournal(db: string): Promise<void> {
	await deviceDb.settings.bulkDelete([journalKey(db), beatKey(db)]);
}

const BATCH = 100;

/**
 * Takes back the documents of a journal: created ones deleted, updated ones put back as they were
 * (a new revision with the old body, signed by `by`). `revs` gives the revision to write on top of
 * (what the write produced); when absent, the document's current revision.
 */
export async function takeBackWrites(options: {
	local: PouchDB.Database;
	created: readonly string[];
	updated: readonly Doc[];
	by: string;
	revs?: ReadonlyMap<string, string>;
}): Promise<void> {
	const at = new Date().toISOString();
	const ids = [...options.created, ...options.updated.map((doc) => doc._id)];
	const current = new Map<string, string>();
	if (options.revs) for (const [id, rev] of options.revs) current.set(id, rev);
	else {
		for (let start = 0; start < ids.length; start += 500) {
			const found = await options.local.allDocs({ keys: ids.slice(start, start + 500) });
			for (const row of found.rows) {
				if ('value' in row && !row.value.deleted) current.set(row.id, row.value.rev);
			}
		}
	}
	const undo: Doc[] = [];
	for (const id of options.created) {
		const rev = current.get(id);
		if (rev === undefined) continue;
		const type = id.startsWith('member:') ? 'member' : 'history';
		undo.push({ _id: id, _rev: rev, _deleted: true, type, updatedBy: options.by });
	}
	for (const before of options.updated) {
		const rev = current.get(before._id);
		// Not written by the cut write (still at the old revision): nothing to put back.
		if (rev === undefined || rev === before._rev) continue;
		undo.push({ ...before, _id: before._id, _rev: rev, updatedAt: at, updatedBy: options.by });
	}
	for (let start = 0; start < undo.length; start += BATCH) {
		await options.local.bulkDocs(undo.slice(start, start + BATCH));
	}
}

/** Takes back a write the app was closed in the middle of (see above); nothing when none. */
export async function takeBackInterrupted(options: {
	db: string;
	local: PouchDB.Database;
}): Promise<void> {
	if (await isWriteGoingOn(options.db)) return;
	const journal = await loadWriteJournal(options.db);
	if (journal === undefined) return;
	const first = journal.created[0] ?? journal.updated[0]?._id;
	const finished =
		first !== undefined && (await deviceDb.outbox.get(first))?.db === options.db;
	if (!finished) {
		await takeBackWrites({
			local: options.local,
			created: journal.created,
			updated: journal.updated,
			by: journal.by
		});
	}
	await clearWriteJournal(options.db);
}
