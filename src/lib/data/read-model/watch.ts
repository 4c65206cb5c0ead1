import { liveQuery } from 'dexie';

// The one way a list stays fresh: Dexie's liveQuery runs a read-model query now and again whenever
// the tables it read change (this tab's writes, the indexer folding in what sync brought, another
// tab's writes). Screens hold a LiveQuery (live-query.svelte.ts) and read `.current`; what lives
// outside a component (the engine owner, the conflict merger) calls watchQuery and stops it itself.
//
// Dexie only notices the reads a querier makes before it first awaits something else (PouchDB, a
// fetch): a query that also reads PouchDB makes its read-model reads first (queries/profile.ts).
// Plain TypeScript, not a .svelte.ts module: the engine chunk and the bench's Node bundle use it.

/** Runs `query` now and whenever what it read changes; returns the function that stops watching. */
export function watchQuery<T>(options: {
	query: () => Promise<T>;
	next: (value: T) => void;
	error?: (error: unknown) => void;
}): () => void {
	const subscription = liveQuery(options.query).subscribe({
		next: options.next,
		error: options.error ?? ((e: unknown) => console.error('Lỗi đọc dữ liệu', e))
	});
	return () => subscription.unsubscribe();
}
