// A write refused because the phone's storage is full, whichever layer reports it:
// - IndexedDB itself: a DOMException named `QuotaExceededError` (the transaction's error when a
//   commit goes over the origin's quota);
// - Dexie: `Dexie.QuotaExceededError`, or an `AbortError` whose `inner` is the DOMException (a
//   transaction aborted at commit);
// - PouchDB's idb adapter: `{ status: 500, name: 'indexed_db_went_bad', reason: 'QuotaExceededError' }`
//   (it keeps only the DOMException's name, as `reason`); the indexeddb adapter passes the DOMException.
// Some engines only say so in the message ("quota"), so that is looked at too.

/** What the secretary is told when a save fails for space: what happened, that nothing is lost, what to do. */
export const STORAGE_FULL_MESSAGE =
	'Bộ nhớ máy đã đầy nên chưa lưu được. Những gì đã lưu trước đó vẫn còn nguyên và phần bạn đang nhập vẫn được giữ. Hãy xoá bớt ảnh, video hoặc ứng dụng không dùng rồi bấm Lưu lại.';

interface ErrorLike {
	name?: unknown;
	reason?: unknown;
	message?: unknown;
	inner?: unknown;
	cause?: unknown;
	error?: unknown;
}

const QUOTA = /quota/i;

export function isStorageFullError(error: unknown, depth = 0): boolean {
	if (!error || typeof error !== 'object' || depth > 4) return false;
	const e = error as ErrorLike;
	for (const text of [e.name, e.reason, e.message]) {
		if (typeof text === 'string' && QUOTA.test(text)) return true;
	}
	return (
		isStorageFullError(e.inner, depth + 1) ||
		isStorageFullError(e.cause, depth + 1) ||
		isStorageFullError(e.error, depth + 1)
	);
}
