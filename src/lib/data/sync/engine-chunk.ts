// The replicating side of the device in one module, loaded with `import()` only once someone is
// signed in (see load-engine-chunk.ts; started and stopped by device-engine.svelte.ts): PouchDB, the indexer, live sync and the conflict merger are most
// of the app's JavaScript, and the sign-in page needs none of them.

export { startIndexer } from '$lib/data/read-model/indexer';
export { startUnitSync } from './unit-sync';
export { destroyLocalDbs } from '$lib/data/store/pouch';
export { startConflictMerger } from './conflict-resolution';
