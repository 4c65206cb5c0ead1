// Which `_local` documents a device may read or write in a unit database, on the proxy and inside
// the embedded store alike. The embedded store keeps a database's access list as the local document
// `_local/_security`, and PouchDB keeps its own bookkeeping as `_local/_pouch_dependentDbs`,
// `_local/compaction` and `_local/purges`: a device that could write those would make itself admin
// of the database or break it. So only the ids replication actually uses are let through:
//
// - our sync engine's names (src/lib/data/sync-checkpoints.ts; today it keeps them on the device
//   only, but they are its reserved names should it ever checkpoint on the server);
// - stock PouchDB replication checkpoints (pouchdb-generate-replication-id): `_local/` followed by
//   the base64 of an MD5 digest with `/` written `.` and `+` written `_` — always 22 characters of
//   [A-Za-z0-9._] and `==`. That shape may begin with `_` (1 digest in 64), which is why the rule is
//   the exact shape and not "no leading underscore": no store-internal name has it.

export const APP_LOCAL_IDS: ReadonlySet<string> = new Set(['doanvu-sync-pull', 'doanvu-sync-push']);

const POUCH_CHECKPOINT = /^[A-Za-z0-9._]{22}==$/;

/** Whether a device may use `_local/<name>` (`name` decoded, without the `_local/` prefix). */
export function isDeviceLocalId(name: string): boolean {
	return APP_LOCAL_IDS.has(name) || POUCH_CHECKPOINT.test(name);
}

/** The same test on a full document id (`_local/…`); false for any other id. */
export function isDeviceLocalDocId(id: string): boolean {
	return id.startsWith('_local/') && isDeviceLocalId(id.slice('_local/'.length));
}
