// Databases wiped from this device. A late callback (an indexer catching up, a sync retry) must not
// quietly recreate one: opening it again needs an explicit `allowLocalDbs` (a new sign-in, a pin).
// Kept apart from pouch.ts so a sign-in can allow them at once, before PouchDB has even loaded.
export const wiped = new Set<string>();

/** Lets these databases be opened (again) on this device. */
export function allowLocalDbs(dbs: string[]): void {
	for (const db of dbs) wiped.delete(db);
}
