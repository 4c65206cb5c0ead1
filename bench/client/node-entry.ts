// What the Node side of the bench uses of the app: its real sync engine and data layer, with the
// Node PouchDB (memory adapter) in place of the browser build and fake-indexeddb under Dexie.
import 'fake-indexeddb/auto';

export { startUnitSync, type SyncProblem } from '$lib/data/sync/unit-sync';
export { allowLocalDbs, localDb, destroyLocalDbs } from '$lib/data/store/pouch';
export { deviceDb } from '$lib/data/store/device-db';
export { recordOutbox, countPending } from '$lib/data/sync/outbox';
export { default as PouchDB } from 'pouchdb-browser';
