// What boots before sign-in (the session, the app lock, the engine owner whose status the header
// shows) reaches the engine chunk (engine-chunk.ts) only through here, so PouchDB and the
// replication code stay out of the first load of the sign-in page. Offline, the service worker
// serves the chunk from its precache.

export type EngineChunk = typeof import('./engine-chunk');

export function loadEngineChunk(): Promise<EngineChunk> {
	return import('./engine-chunk');
}
