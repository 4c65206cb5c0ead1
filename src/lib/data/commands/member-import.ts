import type { ImportReport } from '$lib/domain/spreadsheets/member-import-types';
import type { MemberImportPlan } from '$lib/domain/spreadsheets/member-import-plan';
import { deviceDb } from '$lib/data/store/device-db';
import {
	isPackedImportPlan,
	packDocs,
	packImportPlan,
	unpackChunk,
	unpackDocs,
	type PackedImportPlan
} from './member-import-packed-plan';
import { localDb } from '$lib/data/store/pouch';
import { BatchSizer, yieldToMain } from '$lib/data/sync/main-thread';
import {
	beatWrite,
	clearWriteJournal,
	holdPush,
	saveWriteJournal,
	takeBackInterrupted,
	takeBackWrites
} from '$lib/data/sync/push-hold';

// Writing an import: all-or-nothing for the chosen rows (docs/spreadsheets.md,
// docs/decisions/0023-spreadsheet-import-export.md). PouchDB has no transactions, so the import
// writes in batches — yielding between them, so no main-thread task is long on a cheap phone — and
// compensates when it cannot finish: on cancel, or when any document is refused (a member changed
// meanwhile, the phone's storage full), every document it wrote is taken back — new ones deleted,
// updated members put back as they were — and nothing is noted as waiting to upload. Uploads of the
// unit's database are held meanwhile (sync/push-hold.ts), so the server never sees half an import;
// the deletions that take back what it never saw are not sent either (sync/push.ts). A journal in
// the device database lets the next start take the import back if the app is closed mid-way
// (push-hold.ts). Once every document is written, each is noted in the outbox in one step and the
// hold is released: sync pushes them (now, or when the phone is next online).

export type MemberImportResult =
	{ ok: true; report: ImportReport } | { ok: false; cancelled: boolean; message: string };

/**
 * Documents per bulk write, sized by time as the first sync's are (sync/main-thread.ts, ADR 0027):
 * PouchDB's idb adapter writes a whole bulkDocs in one task, ~1.2 ms a document on a phone 4× slower
 * than a laptop (50 were ~60 ms of CPU in the bench), so a fast phone climbs to larger batches and a
 * slow one stays small. The time measured is the write's wall time, which also holds whatever ran
 * meanwhile (the read model indexing the previous batch, other tabs, a loaded machine): the floor
 * keeps that from shrinking batches to a few documents, where every batch's fixed cost (a PouchDB
 * transaction, a changes event, one more pass of the indexer) made the write 2.5× slower in the
 * bench. A member and its entries stay in one batch.
 */
const BATCH = { start: 40, min: 30, max: 200, targetMs: 60 } as const;
/**
 * Outbox entries per bulkPut: 500 were one 97 ms task (IndexedDB puts are made in one go); 50 keep
 * each well under that on a phone 4× slower.
 */
const OUTBOX_CHUNK = 50;
/**
 * Members whose stored bodies are read per request for the before images (the update path). Each
 * read puts two IndexedDB requests a member in flight at once (its metadata, then its body): 5,000
 * updates read in one go were 10,000 requests and 5,000 bodies handed to the page in one
 * transaction, what a major collection's Blink part works through (ADR 0023, stop 17).
 */
const BEFORE_SLICE = 100;
/** The beat tells another tab the write is alive (push-hold.ts: fresh for a minute). */
const BEAT_EVERY_MS = 5_000;

type Doc = PouchDB.Core.PutDocument<object> & { _id: string; _rev?: string } & Record<string, unknown>;

class ImportStopped extends Error {
	readonly cancelled: boolean;
	constructor(options: { message: string; cancelled: boolean }) {
		super(options.message);
		this.cancelled = options.cancelled;
	}
}

const CANCELLED = 'Đã hủy nhập: không có hồ sơ nào được ghi.';

export async function applyMemberImport(options: {
	/** The unit database (`unit_<id>`). */
	db: string;
	/** Packed by the screen as it plans (member-import-packed-plan.ts); a whole plan is packed here. */
	plan: MemberImportPlan | PackedImportPlan;
	onProgress?: (written: number, total: number) => void;
	signal?: AbortSignal;
	/** Tests: called after each batch is written (to fail or cancel mid-way). */
	afterBatch?: (written: number) => void | Promise<void>;
}): Promise<MemberImportResult> {
	const { signal } = options;
	const plan = isPackedImportPlan(options.plan) ? options.plan : packImportPlan(options.plan);
	const startedAt = new Date().toISOString();
	const total = plan.documents;
	const finish = (): ImportReport => ({
		...plan.report,
		startedAt,
		finishedAt: new Date().toISOString()
	});
	if (total === 0) return { ok: true, report: finish() };
	if (signal?.aborted) return { ok: false, cancelled: true, message: CANCELLED };

	const db = localDb(options.db);
	await takeBackInterrupted({ db: options.db, local: db });
	const release = holdPush(options.db);
	const by = plan.report.by;
	const { created } = plan;
	/** The revision this import wrote, per document. */
	const written = new Map<string, string>();
	/**
	 * The updated members as they were, packed once the journal holds them (off the heap every
	 * collection of the write works through); read back only to take the import back.
	 */
	let before: Uint8Array[] = [];
	let firstUpdated: string | undefined;
	try {
		const updated = await beforeImages({ db, updates: plan.updates });
		firstUpdated = updated[0]?._id;
		// The journal lets the next start take the import back if the app is closed mid-way.
		await saveWriteJournal({ db: options.db, journal: { created, updated, by } });
		before = await packDocs(updated);
		let beatAt = Date.now();
		options.onProgress?.(0, total);
		const sizer = new BatchSizer(BATCH);
		let done = 0;
		// A member and its entries go in the same batch, members first, so a stop between batches
		// never leaves an entry without its member (and the read model shows them together). Each
		// chunk of groups is parsed only when its turn comes: the documents live as objects for the
		// few batches that write them, not for the whole write.
		let chunk = 0;
		let groups: Doc[][] = [];
		let next = 0;
		const more = (): boolean => {
			while (next >= groups.length && chunk < plan.chunks.length) {
				const bytes = plan.chunks[chunk];
				groups = bytes ? (unpackChunk(bytes) as Doc[][]) : [];
				chunk += 1;
				next = 0;
			}
			return next < groups.length;
		};
		while (more()) {
			if (signal?.aborted) throw new ImportStopped({ message: CANCELLED, cancelled: true });
			const batch: Doc[] = [];
			while ((batch.length === 0 || batch.length < sizer.size) && more()) {
				batch.push(...(groups[next] ?? []));
				next += 1;
			}
			const began = performance.now();
			const results = await db.bulkDocs(batch);
			sizer.took({ count: batch.length, ms: performance.now() - began });
			let failed: string | null = null;
			results.forEach((result, i) => {
				const doc = batch[i];
				if (doc === undefined) return;
				if ('ok' in result && result.ok) written.set(result.id, result.rev);
				else failed ??= failureMessage({ doc, error: result as PouchDB.Core.Error });
			});
			if (failed !== null) throw new ImportStopped({ message: failed, cancelled: false });
			done += batch.length;
			options.onProgress?.(done, total);
			// Not after every batch: each is a write to the device database that its live queries see.
			if (Date.now() - beatAt >= BEAT_EVERY_MS) {
				await beatWrite(options.db);
				beatAt = Date.now();
			}
			await options.afterBatch?.(written.size);
			await yieldToMain();
		}
		if (signal?.aborted) throw new ImportStopped({ message: CANCELLED, cancelled: true });
		// The journal's first document is how the next start tells a finished import from a cut
		// one (push-hold.ts, takeBackInterrupted): its entry goes last.
		await noteAll({ db: options.db, written, last: created[0] ?? firstUpdated });
		await clearWriteJournal(options.db);
		return { ok: true, report: finish() };
	} catch (error) {
		const updated = (await unpackDocs(before)) as Doc[];
		await takeBackWrites({ local: db, created, updated, by, revs: written });
		await forgetNoted({ db: options.db, written });
		await clearWriteJournal(options.db);
		if (error instanceof ImportStopped) {
			return { ok: false, cancelled: error.cancelled, message: error.message };
		}
		return {
			ok: false,
			cancelled: false,
			message: `Nhập không thành công, không có hồ sơ nào được ghi: ${(error as Error).message}`
		};
	} finally {
		release();
	}
}

/**
 * Notes every written document as waiting to upload in ONE transaction, put in small chunks: the
 * screen gets the main thread between chunks (each chunk's requests are answered in tasks of their
 * own, and the transaction lives on while it is handed new requests), and the outbox's live
 * queries — the sync status counts it on every change (outbox.ts, countPending) — hear of it once, at
 * the commit, instead of once per slice of a growing outbox. All or nothing, too.
 */
async function noteAll(options: {
	db: string;
	written: ReadonlyMap<string, string>;
	/** Noted last (the journal's marker). */
	last: string | undefined;
}): Promise<void> {
	const { db, written, last } = options;
	const at = new Date().toISOString();
	const ids = [...written.keys()].filter((id) => id !== last);
	if (last !== undefined && written.has(last)) ids.push(last);
	// Each chunk's entries are made when its turn comes: not 10,000 objects at once.
	await deviceDb.transaction('rw', deviceDb.outbox, async () => {
		for (let start = 0; start < ids.length; start += OUTBOX_CHUNK) {
			const chunk = ids.slice(start, start + OUTBOX_CHUNK);
			await deviceDb.outbox.bulkPut(
				chunk.map((docId) => ({ db, docId, rev: written.get(docId) ?? '', at }))
			);
		}
	});
}

/** Removes the outbox entries noted for revisions this import wrote and took back. */
async function forgetNoted(options: { db: string; written: ReadonlyMap<string, string> }) {
	const noted = await deviceDb.outbox.bulkGet([...options.written.keys()]);
	const ours = noted.flatMap((entry) =>
		entry && entry.db === options.db && options.written.get(entry.docId) === entry.rev
			? [entry.docId]
			: []
	);
	if (ours.length > 0) await deviceDb.outbox.bulkDelete(ours);
}

/**
 * The stored bodies of the members the import updates (at the revision it was planned on), read
 * BEFORE_SLICE at a time with the thread handed back between reads.
 */
async function beforeImages(options: {
	db: PouchDB.Database;
	updates: readonly { id: string; rev: string }[];
}): Promise<Doc[]> {
	const result: Doc[] = [];
	for (let start = 0; start < options.updates.length; start += BEFORE_SLICE) {
		if (start > 0) await yieldToMain();
		const slice = options.updates.slice(start, start + BEFORE_SLICE);
		const planned = new Map(slice.map((update) => [update.id, update.rev]));
		const found = await options.db.allDocs({ keys: [...planned.keys()], include_docs: true });
		for (const row of found.rows) {
			// A member changed since the plan is not taken back to anything: its write will conflict.
			if ('doc' in row && row.doc && row.value.rev === planned.get(row.id)) {
				result.push(row.doc as unknown as Doc);
			}
		}
	}
	return result;
}

function failureMessage(options: { doc: Doc; error: PouchDB.Core.Error }): string {
	const { doc, error } = options;
	const what = doc._id.startsWith('member:') ? 'Một hồ sơ đoàn viên' : 'Một mục lịch sử';
	if (error.status === 409) {
		return (
			`${what} vừa được thay đổi ở nơi khác trong lúc nhập (đồng bộ hoặc một thẻ khác), nên ` +
			'không có hồ sơ nào được ghi. Hãy xem trước lại rồi nhập lại.'
		);
	}
	return (
		`${what} không ghi được (${error.message || error.name || 'lỗi không rõ'}), nên không có hồ ` +
		'sơ nào được ghi. Nếu bộ nhớ máy đã đầy, hãy giải phóng bộ nhớ rồi nhập lại.'
	);
}
