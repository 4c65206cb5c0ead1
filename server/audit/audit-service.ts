import { CouchError, type CouchClient } from '../couch/couch-client';
import type { DbNames } from '../couch/db-names';
import { derivedUlid, ulid } from '../ulid';

// The audit trail (docs/architecture.md, "Organisation API"): one append-only `audit:<ulid>` document
// per change made through the API or by a worker, in the admin-only `doanvu_audit` database. Nobody
// but the server can read or write it; nothing ever updates or deletes an entry. Entries name the
// actor by login and the target by id — never a member's personal data.

export type AuditAction =
	| 'setup'
	| 'attachment.upload'
	| 'unit.create'
	| 'unit.rename'
	| 'unit.dissolve'
	| 'unit.merge.request'
	| 'unit.merge.done'
	| 'unit.split.request'
	| 'unit.split.done'
	| 'unit.reparent'
	| 'unit.forwarding.close'
	| 'unit.import'
	| 'account.create'
	| 'account.reset-password'
	| 'account.change-password'
	| 'account.disable'
	| 'account.enable'
	| 'account.move'
	| 'device.revoke'
	| 'transfer.request'
	| 'transfer.offer'
	| 'transfer.answer'
	| 'transfer.registry'
	| 'transfer.outcome'
	| 'transfer.history'
	| 'transfer.remove'
	| 'transfer.done'
	| 'registry.rebuild'
	/** A member import's batch of citizen ids asked of the registry (counts only, never the ids). */
	| 'registry.clashes'
	/** A list or a member's file exported on a phone (export-audit-router.ts). */
	| 'export'
	/** The public declaration API's writes, on a member's behalf (declaration-audit.ts). */
	| 'declaration.submit'
	| 'declaration.correct'
	| 'declaration.withdraw'
	/** Its refusals over a window, counted by error code (never what was sent). */
	| 'declaration.refused';

export interface AuditTarget {
	/** `public`: the public declaration API as a whole (refusals no unit could be named for). */
	type: 'unit' | 'account' | 'device' | 'job' | 'transfer' | 'file' | 'public';
	id: string;
}

export interface AuditDoc {
	_id: string;
	_rev?: string;
	type: 'audit';
	at: string;
	actor: string;
	action: AuditAction;
	target: AuditTarget;
	/** Ids and names only (units, logins, jobs): the audit never copies a member's record. */
	details?: Record<string, unknown>;
}

export class AuditService {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #now: () => Date;

	constructor(options: { couch: CouchClient; names: DbNames; now?: () => Date }) {
		this.#couch = options.couch;
		this.#db = options.names.audit;
		this.#now = options.now ?? (() => new Date());
	}

	/**
	 * Appends an entry. A worker passes `seed` (and the time the job began): a step repeated after a
	 * crash writes the same id again, which CouchDB refuses, so it is recorded exactly once.
	 */
	async record(options: {
		actor: string;
		action: AuditAction;
		target: AuditTarget;
		details?: Record<string, unknown>;
		seed?: { time: number; value: string };
	}): Promise<AuditDoc> {
		const now = this.#now();
		const id = options.seed
			? derivedUlid({ time: options.seed.time, seed: options.seed.value })
			: ulid(now.getTime());
		const doc: AuditDoc = {
			_id: `audit:${id}`,
			type: 'audit',
			at: now.toISOString(),
			actor: options.actor,
			action: options.action,
			target: options.target,
			...(options.details ? { details: options.details } : {})
		};
		try {
			await this.#couch.putDoc({ db: this.#db, doc });
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
			// Already recorded by an earlier run of the same step.
		}
		return doc;
	}

	/** Entries about one target, oldest first (for tests and for an operator's inquiry). */
	async listFor(target: { id: string; type?: AuditTarget['type'] }): Promise<AuditDoc[]> {
		const rows = await this.#couch.allDocs<AuditDoc>({
			db: this.#db,
			startkey: 'audit:',
			endkey: 'audit:\ufff0',
			includeDocs: true
		});
		return rows
			.flatMap((row) => (row.doc ? [row.doc] : []))
			.filter(
				(doc) =>
					doc.target.id === target.id &&
					(target.type === undefined || doc.target.type === target.type)
			);
	}
}
