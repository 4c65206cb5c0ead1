// What the Node side of the bench uses of the app: its real sync engine and data layer, with the
// Node PouchDB (memory adapter) in place of the browser build and fake-indexeddb under Dexie.
import 'fake-indexeddb/auto';

export { startUnitSync, type SyncProblem } from '$lib/data/sync';
export { allowLocalDbs, localDb, destroyLocalDbs } from '$lib/data/pouch';
export { readModel } from '$lib/data/read-model';
export { recordOutbox, countPending } from '$lib/data/outbox';
export { default as PouchDB } from 'pouchdb-browser';
