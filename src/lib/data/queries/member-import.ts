import { upgradeMemberDoc, type MemberDoc } from '$lib/domain/member-schema';
import type { ExistingMember } from '$lib/domain/spreadsheets/member-import-types';
import { deviceDb } from '$lib/data/store/device-db';
import { localDb } from '$lib/data/store/pouch';
import { membersOfDb } from '$lib/data/read-model/member-store';

// What the members import compares a sheet with (docs/spreadsheets.md): the unit's members and
// open branches from the read model (fast on a phone: no PouchDB document is opened), and the full
// documents of only the members a sheet updates. The registry's word on citizen ids:
// online/registry-clashes.ts.

export async function importExistingMembers(options: { db: string }): Promise<ExistingMember[]> {
	const rows = await membersOfDb(options.db);
	return rows.map((row) => ({
		id: row.id,
		citizenId: row.citizenId || undefined,
		familyName: row.familyName,
		middleName: row.middleName,
		givenName: row.givenName,
		birthDate: row.birthDate,
		status: row.status
	}));
}

export async function importBranches(options: {
	db: string;
}): Promise<{ id: string; name: string }[]> {
	const rows = await deviceDb.branches.where('db').equals(options.db).toArray();
	return rows.filter((row) => !row.closed).map((row) => ({ id: row.id, name: row.name }));
}

/** The current documents of members (the ones a sheet updates), by id; missing ones left out. */
export async function membersForImport(options: {
	db: string;
	ids: readonly string[];
}): Promise<Map<string, MemberDoc>> {
	const result = new Map<string, MemberDoc>();
	if (options.ids.length === 0) return result;
	const found = await localDb(options.db).allDocs({ keys: [...options.ids], include_docs: true });
	for (const row of found.rows) {
		if (!('doc' in row) || !row.doc) continue;
		try {
			result.set(row.id, upgradeMemberDoc(row.doc));
		} catch {
			// A record this app cannot read is not updated by an import: its row stays "update"
			// without a list of changes, and planning it says the record is missing.
		}
	}
	return result;
}
