import type { ImportReport } from '$lib/domain/spreadsheets/member-import-types';
import type { MemberImportPlan } from '$lib/domain/spreadsheets/member-import-plan';
import { deviceDb } from '$lib/data/store/device-db';
import { localDb } from '$lib/data/store/pouch';
import { holdPush } from '$lib/data/sync/push-hold';

// Writing an import: all-or-nothing for the chosen rows (docs/spreadsheets.md,
// docs/decisions/0023-spreadsheet-import-export.md). PouchDB has no transactions, so the import
// writes in batches — yielding between them, so no main-thread task is long on a cheap phone — and
// compensates when it cannot finish: on cancel, or when any document is refused (a member changed
// meanwhile, the phone's storage full), every document it wrote is taken back — new ones deleted,
// updated members put back as they were — and nothing is noted as waiting to upload. Uploads of the
// unit's database are held meanwhile (sync/push-hold.ts), so the server never sees half an import;
// the deletions that take back what it never saw are not sent either (sync/push.ts). Once every
// document is written, each is noted in the outbox in one step and the hold is released: sync
// pushes them (now, or when the phone is next online).

export type MemberImportResult =
	{ ok: true; report: ImportReport } | { ok: false; cancelled: boolean; message: string };

/** Documents per bulk write: small enough that one write stays well under 100 ms on a phone. */
const BATCH = 100;

type Doc = PouchDB.Core.PutDocument<object> & { _id: string; _rev?: string };

class ImportStopped extends Error {
	readonly cancelled: boolean;
	constructor(options: { message: string; cancelled: boolean }) {
		super(options.message);
		this.cancelled = options.cancelled;
	}
}

const CANCELLED = 'Đã hủy nhập: không có hồ sơ nào được ghi.';

function yieldToScreen(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function applyMemberImport(options: {
	/** The unit database (`unit_<id>`). */
	db: string;
	plan: MemberImportPlan;
	onProgress?: (written: number, total: number) => void;
	signal?: AbortSignal;
	/** Tests: called after each batch is written (to fail or cancel mid-way). */
	afterBatch?: (written: number) => void | Promise<void>;
}): Promise<MemberImportResult> {
	const { plan, signal } = options;
	const startedAt = new Date().toISOString();
	// A member and its entry go in the same batch, members first, so a stop between batches never
	// leaves an entry without its member (and the read model shows them together).
	const entriesOf = new Map<string, Doc[]>();
	for (const entry of plan.entries) {
		const list = entriesOf.get(entry.memberId) ?? [];
		list.push(entry as Doc);
		entriesOf.set(entry.memberId, list);
	}
	const docs: Doc[] = plan.members.flatMap((member) => [
		member as Doc,
		...(entriesOf.get(member._id) ?? [])
	]);
	const total = docs.length;
	const finish = (): ImportReport => ({
		...plan.report,
		startedAt,
		finishedAt: new Date().toISOString()
	});
	if (total === 0) return { ok: true, report: finish() };
	if (signal?.aborted) return { ok: false, cancelled: true, message: CANCELLED };

	const db = localDb(options.db);
	const release = holdPush(options.db);
	/** What this import wrote: the new revision, and the document as it was (updates). */
	const written: { id: string; rev: string; before: Doc | null }[] = [];
	const previous = new Map(plan.members.filter((m) => m._rev).map((m) => [m._id, m._rev]));
	try {
		options.onProgress?.(0, total);
		for (let start = 0; start < total; start += BATCH) {
			if (signal?.aborted) throw new ImportStopped({ message: CANCELLED, cancelled: true });
			const batch = docs.slice(start, start + BATCH);
			const befores = await beforeImages({ db, batch, previous });
			const results = await db.bulkDocs(batch);
			let failed: string | null = null;
			results.forEach((result, i) => {
				const doc = batch[i];
				if (doc === undefined) return;
				if ('ok' in result && result.ok) {
					written.push({ id: result.id, rev: result.rev, before: befores.get(doc._id) ?? null });
				} else {
					failed ??= failureMessage({ doc, error: result as PouchDB.Core.Error });
				}
			});
			if (failed !== null) throw new ImportStopped({ message: failed, cancelled: false });
			options.onProgress?.(Math.min(start + BATCH, total), total);
			await options.afterBatch?.(written.length);
			await yieldToScreen();
		}
		if (signal?.aborted) throw new ImportStopped({ message: CANCELLED, cancelled: true });
		const at = new Date().toISOString();
		await deviceDb.outbox.bulkPut(
			written.map((doc) => ({ db: options.db, docId: doc.id, rev: doc.rev, at }))
		);
		return { ok: true, report: finish() };
	} catch (error) {
		await takeBack({ db, written, by: plan.report.by });
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

/** The stored bodies of the members a batch updates, to put back if the import stops. */
async function beforeImages(options: {
	db: PouchDB.Database;
	batch: Doc[];
	previous: Map<string, string | undefined>;
}): Promise<Map<string, Doc>> {
	const ids = options.batch.filter((doc) => doc._rev !== undefined).map((doc) => doc._id);
	const result = new Map<string, Doc>();
	if (ids.length === 0) return result;
	const found = await options.db.allDocs({ keys: ids, include_docs: true });
	for (const row of found.rows) {
		if ('doc' in row && row.doc && row.value.rev === options.previous.get(row.id)) {
			result.set(row.id, row.doc as Doc);
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

/**
 * Undoes what the import wrote: new documents deleted, updated members put back as they were (a
 * new revision with the old body, signed by the importer, as the server wants of any write). Their
 * outbox entries were never made.
 */
async function takeBack(options: {
	db: PouchDB.Database;
	written: { id: string; rev: string; before: Doc | null }[];
	by: string;
}): Promise<void> {
	const at = new Date().toISOString();
	const undo: Doc[] = options.written.map((doc) => {
		if (doc.before === null) {
			const type = doc.id.startsWith('member:') ? 'member' : 'history';
			return { _id: doc.id, _rev: doc.rev, _deleted: true, type, updatedBy: options.by } as Doc;
		}
		return { ...doc.before, _id: doc.id, _rev: doc.rev, updatedAt: at, updatedBy: options.by };
	});
	for (let start = 0; start < undo.length; start += BATCH) {
		await options.db.bulkDocs(undo.slice(start, start + BATCH));
	}
}
