import type { CouchClient } from '../couch/couch-client';

// History entries are immutable (design document): written once, never changed or deleted. A
// replicated write (`new_edits: false`) brings its own revision history, and when that history
// shares no revision with the stored entry Apache CouchDB stores it as a second branch and hands
// validate_doc_update no old document — it looks like a creation and passes. A made-up history
// ("9-fff…") then wins over the real entry. No device ever has a reason to send another revision
// of an entry the server already holds (ids are ULIDs made on the device; the workers copy history
// as the server, not through the proxy), so such a write is refused here, before CouchDB sees it.
// The embedded store happens to refuse it already; this keeps both stores the same.

export const HISTORY_IS_IMMUTABLE = 'Lịch sử đoàn viên chỉ được ghi thêm, không được sửa hoặc xóa.';

/**
 * Indexes of the documents of a replicated write that would add a revision to a history entry
 * the database already holds under another revision. Sending the stored revision again is fine
 * (CouchDB ignores it): that is a push retried after a dropped connection.
 */
export async function forgedHistoryRevisions(options: {
	couch: CouchClient;
	db: string;
	docs: readonly unknown[];
}): Promise<number[]> {
	const candidates = options.docs
		.map((doc, index) => ({ doc: doc as { _id?: unknown; _rev?: unknown } | null, index }))
		.filter(({ doc }) => typeof doc?._id === 'string' && doc._id.startsWith('history:'));
	if (candidates.length === 0) return [];
	const rows = await options.couch.allDocs<unknown>({
		db: options.db,
		keys: candidates.map(({ doc }) => String(doc!._id))
	});
	const stored = new Map<string, string>();
	// A key not found comes back as `{ key, error: 'not_found' }`, without id or value.
	for (const row of rows) if (row.value?.rev) stored.set(row.key, row.value.rev);
	return candidates
		.filter(({ doc }) => {
			const rev = stored.get(String(doc!._id));
			return rev !== undefined && rev !== doc!._rev;
		})
		.map(({ index }) => index);
}
