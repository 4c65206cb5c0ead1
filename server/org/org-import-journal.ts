import { CouchError, type CouchClient } from '../couch/couch-client';
import { unitDbName } from '../couch/db-names';
import { unitRole } from '../couch/provision-service';
import type { OrgImportState } from '../../src/lib/domain/spreadsheets/org-import-plan';
import { accountId, couchUserId, type AccountDoc } from '../accounts/account-service';

// The journal of an organisation import (docs/spreadsheets.md, "The organisation in bulk"): written
// in the admin-only directory database before the first unit is founded, it names every unit id and
// login the import will create. So whatever happens — a login taken meanwhile, CouchDB down, the
// process killed — the import can be undone exactly: everything it created is found by those ids and
// removed, and nothing that belongs to someone else is touched (an account counts as the import's
// only if it lives in one of the import's own, freshly drawn, unit ids).

export interface OrgImportJournal {
	_id: string;
	_rev?: string;
	type: 'org-import';
	importId: string;
	rootId: string;
	state: OrgImportState;
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	/** Units to found, parents first: id, name, kind, parent id. */
	units: {
		id: string;
		name: string;
		kind: string;
		parentId: string;
		login?: string;
		fullName?: string;
	}[];
	/** Units founded so far (progress). */
	done: number;
	/** Who carries the import on and until when; an expired lease means its process died. */
	lease?: { owner: string; until: string };
	/** Why it failed (Vietnamese), once rolled back. */
	error?: string;
	finishedAt?: string;
}

export function journalId(importId: string): string {
	return `orgimport:${importId}`;
}

/** One import at a time under a unit: two imports could both pass validation with the same name. */
export function lockId(rootId: string): string {
	return `orgimportlock:${rootId}`;
}

export const IMPORT_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

async function deleteDoc(options: { couch: CouchClient; db: string; id: string }): Promise<void> {
	for (let attempt = 0; attempt < 3; attempt++) {
		const doc = await options.couch.getDoc<{ _id: string; _rev: string }>(options);
		if (!doc) return;
		const res = await options.couch.request({
			method: 'DELETE',
			path: `${encodeURIComponent(options.db)}/${encodeURIComponent(options.id)}`,
			query: { rev: doc._rev }
		});
		if (res.status === 200 || res.status === 202 || res.status === 404) return;
		if (res.status !== 409) {
			throw new CouchError({
				status: res.status,
				error: 'delete_failed',
				reason: String(res.status),
				what: `DELETE ${options.id}`
			});
		}
	}
}

/**
 * Removes what the import created, children before parents: accounts (their CouchDB users first:
 * the account can no longer reach any data), directory entries, then the databases. Safe to repeat.
 */
export async function rollBackImport(options: {
	couch: CouchClient;
	directoryDb: string;
	accountsDb: string;
	journal: OrgImportJournal;
}): Promise<void> {
	const { couch, directoryDb, accountsDb, journal } = options;
	const ours = new Set(journal.units.map((unit) => unit.id));
	for (const unit of [...journal.units].reverse()) {
		if (unit.login) {
			const user = await couch.getDoc<{ _id: string; _rev: string; roles?: string[] }>({
				db: '_users',
				id: couchUserId(unit.login)
			});
			const account = await couch.getDoc<AccountDoc>({ db: accountsDb, id: accountId(unit.login) });
			const accountIsOurs = account !== undefined && ours.has(account.unitId);
			const userIsOurs =
				user !== undefined && (user.roles ?? []).some((role) => role === unitRole(unit.id));
			if (userIsOurs || (user && accountIsOurs)) {
				await deleteDoc({ couch, db: '_users', id: couchUserId(unit.login) });
			}
			if (accountIsOurs) await deleteDoc({ couch, db: accountsDb, id: accountId(unit.login) });
		}
		await deleteDoc({ couch, db: directoryDb, id: `unit:${unit.id}` });
		await couch.deleteDatabase(unitDbName(unit.id));
	}
}
