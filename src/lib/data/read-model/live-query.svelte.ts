import { liveQuery } from 'dexie';

/**
 * Runs a read-model query now and again whenever the tables it read change (Dexie liveQuery), so a
 * list updates as sync brings members in. Returns the function that stops watching.
 */
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
