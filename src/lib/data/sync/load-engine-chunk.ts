// What boots before sign-in (the session, the app lock, the sync status the header shows) reaches
// the sync engine only through here, so PouchDB and the replication code stay out of the first
// load of the sign-in page. Offline, the service worker serves the chunk from its precache.

export function loadSyncEngine(): Promise<typeof import('./engine-chunk')> {
	return import('./engine-chunk');
}

/** startConflictMerger, usable from a synchronous effect: stopping before the load cancels it. */
export function startConflictMergerLazily(options: {
	dbs: readonly string[];
	login: string;
}): () => void {
	let stop: (() => void) | null = null;
	let stopped = false;
	void loadSyncEngine().then((engine) => {
		if (!stopped) stop = engine.startConflictMerger(options);
	});
	return () => {
		stopped = true;
		stop?.();
	};
}
