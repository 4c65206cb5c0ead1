import { deviceDb } from '$lib/data/store/device-db';
import { isStorageFullError } from '$lib/data/store/storage-full';

// What this device wrote and the server has not yet accepted: the "changes waiting to upload" the
// secretary sees. Kept in Dexie so it survives reloads and days offline.

/**
 * Notes a document already written to PouchDB. On a full phone the note itself may be refused:
 * the document is saved all the same and still goes up (the push follows PouchDB's changes since
 * its cursor, not the outbox; the outbox only counts and lets it skip one round trip), so the
 * write is not reported as failed — the secretary would save it twice.
 */
export async function recordOutbox(options: { db: string; docId: string; rev: string }) {
	try {
		await deviceDb.outbox.put({ ...options, at: new Date().toISOString() });
	} catch (error) {
		if (!isStorageFullError(error)) throw error;
		console.warn('Bộ nhớ đầy: chưa ghi được mục chờ gửi', options.docId);
	}
}

/** Called with the documents a push delivered: entries whose revision went up are cleared. */
export async function clearPushed(options: {
	db: string;
	docs: { _id: string; _rev?: string }[];
}): Promise<void> {
	// One document may go up with several revisions at once (a merged conflict: the merge and the
	// deletion of each losing leaf), so every pushed revision counts, not only the last one listed.
	const pushed = new Map<string, Set<string | undefined>>();
	for (const doc of options.docs) {
		const revs = pushed.get(doc._id) ?? new Set();
		revs.add(doc._rev);
		pushed.set(doc._id, revs);
	}
	await deviceDb.transaction('rw', deviceDb.outbox, async () => {
		const entries = await deviceDb.outbox.bulkGet([...pushed.keys()]);
		const done = entries
			.filter((e): e is NonNullable<typeof e> => !!e && !!pushed.get(e.docId)?.has(e.rev))
			.map((e) => e.docId);
		await deviceDb.outbox.bulkDelete(done);
	});
}

export async function markRefused(options: { docId: string; reason: string }): Promise<void> {
	await deviceDb.outbox.update(options.docId, { refused: options.reason });
}

/**
 * The device's own sync report (device-report.ts) is bookkeeping, not a change the secretary made:
 * it is never counted as waiting, and a unit's data may be let go without it (a merged unit's closed
 * database refuses it for good).
 */
export function isUserChange(entry: { docId: string }): boolean {
	return !entry.docId.startsWith(DEVICE_REPORT_PREFIX);
}

const DEVICE_REPORT_PREFIX = 'device-report:';

/**
 * Changes waiting to upload, counted on the outbox's indexes: IndexedDB counts the keys without
 * handing a single entry to the page. Reading the entries instead (toArray) deserialised and copied
 * every one of them on each change — after a 5,000-row import, 10,000 entries in one task, again at
 * every slice the upload cleared (docs/decisions/0023-spreadsheet-import-export.md).
 */
export async function countPending(db?: string): Promise<number> {
	const reports = deviceDb.outbox.where('docId').startsWith(DEVICE_REPORT_PREFIX);
	const [all, bookkeeping] = await Promise.all([
		db ? deviceDb.outbox.where('db').equals(db).count() : deviceDb.outbox.count(),
		// One report per database at most: filtering these few by database costs nothing.
		db ? reports.filter((e) => e.db === db).count() : reports.count()
	]);
	return all - bookkeeping;
}
