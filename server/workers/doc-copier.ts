import type { CouchClient, CouchDoc } from '../couch/couch-client';
import { docPath } from '../couch/couch-client';

// Copies documents between unit databases the way CouchDB replication does — leaf revisions with
// their revision history, written with `new_edits: false` — but with each document transformed on
// the way (its `unitId` rewritten to the receiving unit). Because revisions keep their ids:
// - a copy repeated after a crash writes revisions the target already has, which changes nothing;
// - a late edit made on a phone on top of revision R arrives as a child of R in the target, and an
//   edit made meanwhile in the target on top of R becomes a visible conflict, never a silent loss
//   (docs/decisions/0006-conflict-policy.md).
// Only the standard HTTP API is used (`_changes`, `_revs_diff`, `_bulk_get`, `_bulk_docs`,
// `_all_docs`, `_local`), so it runs the same against the embedded store and Apache CouchDB.

export type Seq = string | number;

export interface ChangeRow {
	id: string;
	seq: Seq;
	changes: { rev: string }[];
	deleted?: boolean;
}

export interface RevDoc extends CouchDoc {
	_rev: string;
	_revisions?: { start: number; ids: string[] };
	type?: string;
	unitId?: string;
	[key: string]: unknown;
}

/**
 * Documents no worker copies: the unit's own description and the design documents; and what was
 * addressed to or sent by this unit as such — its reminders, their copies, receipts and status
 * (ADR 0018), its mail, copies, receipts, status and meeting attendance alike (ADR 0021), and its
 * devices' sync reports — which stay readable where they are: copied into the
 * unit a merged one joined, a sent reminder would be delivered again in the survivor's name —
 * and the figures, which the figures worker computes for each database it holds them in. A unit's
 * join links (ADR 0019) are its own too: copied, a merged unit's poster would keep delivering to
 * the survivor under a code its secretary never gave out. Declarations and their reviews are
 * copied like members: the survivor reviews what the merged unit had not.
 */
export function isUnitOwned(id: string): boolean {
	return (
		id === 'unit' ||
		id.startsWith('_design/') ||
		id.startsWith('_local/') ||
		id.startsWith('reminder:') ||
		id.startsWith('reminder-') ||
		id.startsWith('mail:') ||
		id.startsWith('mail-') ||
		id.startsWith('meeting-attendance:') ||
		id.startsWith('device-report:') ||
		id.startsWith('join-link:') ||
		id.startsWith('figures:')
	);
}

export class DocCopier {
	readonly #couch: CouchClient;
	/** Where checkpoints live: an admin-only database, so no device can move them. */
	readonly #checkpointDb: string;
	readonly #onWrite: (db: string) => void;

	constructor(options: {
		couch: CouchClient;
		checkpointDb: string;
		/** A unit database was written to: recorded for the workers (db-updates.ts). */
		onWrite?: (db: string) => void;
	}) {
		this.#couch = options.couch;
		this.#checkpointDb = options.checkpointDb;
		this.#onWrite = options.onWrite ?? (() => {});
	}

	/** Reports a write made outside this class (a split's tombstones). */
	touched(db: string): void {
		this.#onWrite(db);
	}

	async changes(options: {
		db: string;
		since: Seq;
		limit: number;
	}): Promise<{ results: ChangeRow[]; lastSeq: Seq }> {
		const page = await this.#couch.json<{ results: ChangeRow[]; last_seq: Seq }>({
			path: `${encodeURIComponent(options.db)}/_changes`,
			query: { since: String(options.since), limit: options.limit, style: 'all_docs' },
			what: `${options.db}/_changes`
		});
		return { results: page.results, lastSeq: page.last_seq };
	}

	/** Every leaf revision (conflicts and deleted leaves included) of the given documents. */
	async leaves(options: { db: string; ids: string[] }): Promise<Map<string, string[]>> {
		const leaves = new Map<string, string[]>();
		for (let i = 0; i < options.ids.length; i += 200) {
			const page = await this.#couch.json<{ results: ChangeRow[] }>({
				method: 'POST',
				path: `${encodeURIComponent(options.db)}/_changes`,
				query: { filter: '_doc_ids', style: 'all_docs' },
				body: { doc_ids: options.ids.slice(i, i + 200) },
				what: `${options.db}/_changes?filter=_doc_ids`
			});
			for (const row of page.results) {
				leaves.set(
					row.id,
					row.changes.map((change) => change.rev)
				);
			}
		}
		return leaves;
	}

	/** The revisions of `leaves` the target does not have yet. */
	async missing(options: {
		db: string;
		leaves: Map<string, string[]>;
	}): Promise<Map<string, string[]>> {
		if (options.leaves.size === 0) return new Map();
		const diff = await this.#couch.json<Record<string, { missing?: string[] }>>({
			method: 'POST',
			path: `${encodeURIComponent(options.db)}/_revs_diff`,
			body: Object.fromEntries(options.leaves),
			what: `${options.db}/_revs_diff`
		});
		const missing = new Map<string, string[]>();
		for (const [id, entry] of Object.entries(diff)) {
			if (entry.missing && entry.missing.length > 0) missing.set(id, entry.missing);
		}
		return missing;
	}

	/** The given revisions with their revision histories. */
	async fetch(options: { db: string; revs: Map<string, string[]> }): Promise<RevDoc[]> {
		const wanted = [...options.revs].flatMap(([id, revs]) => revs.map((rev) => ({ id, rev })));
		const docs: RevDoc[] = [];
		for (let i = 0; i < wanted.length; i += 200) {
			const page = await this.#couch.json<{
				results: { id: string; docs: ({ ok: RevDoc } | { error: unknown })[] }[];
			}>({
				method: 'POST',
				path: `${encodeURIComponent(options.db)}/_bulk_get`,
				query: { revs: true },
				body: { docs: wanted.slice(i, i + 200) },
				what: `${options.db}/_bulk_get`
			});
			for (const result of page.results) {
				for (const item of result.docs) {
					// A revision compacted away or purged meanwhile: nothing left to copy of it.
					if ('ok' in item) docs.push(item.ok);
				}
			}
		}
		return docs;
	}

	/** Which of these ids the database has ever held (deleted ones included). */
	async known(options: { db: string; ids: string[] }): Promise<Set<string>> {
		const known = new Set<string>();
		for (let i = 0; i < options.ids.length; i += 500) {
			const rows = await this.#couch.allDocs({
				db: options.db,
				keys: options.ids.slice(i, i + 500)
			});
			for (const row of rows) if (row.value && !row.error) known.add(row.id);
		}
		return known;
	}

	/** Writes revisions as they are (replication's `new_edits: false`); an existing one is a no-op. */
	async write(options: { db: string; docs: RevDoc[] }): Promise<void> {
		if (options.docs.length > 0) this.#onWrite(options.db);
		for (let i = 0; i < options.docs.length; i += 200) {
			const results = await this.#couch.json<{ id: string; error?: string; reason?: string }[]>({
				method: 'POST',
				path: `${encodeURIComponent(options.db)}/_bulk_docs`,
				body: { docs: options.docs.slice(i, i + 200), new_edits: false },
				what: `${options.db}/_bulk_docs new_edits=false`
			});
			const failed = (results ?? []).filter((result) => result.error);
			if (failed.length > 0) {
				throw new Error(
					`copy into ${options.db}: ${failed.length} documents refused (${failed[0]?.error})`
				);
			}
		}
	}

	/**
	 * Copies the revisions of `leaves` that the target lacks, transformed. A deleted revision is copied
	 * only when the target knows the document: the tombstone of a record the target never had carries
	 * nothing worth keeping (and could hide a namesake elsewhere). `keep` can refuse more.
	 */
	async copyLeaves(options: {
		source: string;
		target: string;
		leaves: Map<string, string[]>;
		transform: (doc: RevDoc) => RevDoc;
		keep?: (doc: RevDoc) => boolean;
	}): Promise<number> {
		const missing = await this.missing({ db: options.target, leaves: options.leaves });
		if (missing.size === 0) return 0;
		const docs = await this.fetch({ db: options.source, revs: missing });
		const deletedIds = [...new Set(docs.filter((doc) => doc._deleted).map((doc) => doc._id))];
		const known =
			deletedIds.length > 0 ? await this.known({ db: options.target, ids: deletedIds }) : new Set();
		const chosen = docs.filter(
			(doc) => (!doc._deleted || known.has(doc._id)) && (options.keep?.(doc) ?? true)
		);
		await this.write({ db: options.target, docs: chosen.map(options.transform) });
		return chosen.length;
	}

	async readCheckpoint(id: string): Promise<Seq | undefined> {
		const doc = await this.#couch.getDoc<{ _id: string; seq?: Seq }>({
			db: this.#checkpointDb,
			id: `_local/${id}`
		});
		return doc?.seq;
	}

	async writeCheckpoint(id: string, seq: Seq): Promise<void> {
		const path = docPath({ db: this.#checkpointDb, id: `_local/${id}` });
		for (let attempt = 0; attempt < 3; attempt++) {
			const existing = await this.#couch.getDoc<{ _id: string; _rev?: string }>({
				db: this.#checkpointDb,
				id: `_local/${id}`
			});
			const res = await this.#couch.request({
				method: 'PUT',
				path,
				body: {
					_id: `_local/${id}`,
					...(existing?._rev ? { _rev: existing._rev } : {}),
					seq,
					at: new Date().toISOString()
				}
			});
			if (res.status === 201 || res.status === 200 || res.status === 202) return;
			if (res.status !== 409) throw new Error(`checkpoint ${id}: CouchDB answered ${res.status}`);
		}
		throw new Error(`checkpoint ${id}: too many conflicts`);
	}

	/**
	 * Follows the source's changes from the checkpoint (or `since`), copying each batch and then
	 * moving the checkpoint, until caught up. A crash between the copy and the checkpoint repeats one
	 * batch, which the target already has. `select` may narrow each batch (a split forwards only what
	 * moved); by default every document the unit owns is copied.
	 */
	async follow(options: {
		source: string;
		target: string;
		checkpointId: string;
		since?: Seq;
		batchSize: number;
		transform: (doc: RevDoc) => RevDoc;
		select?: (batch: Map<string, string[]>) => Promise<number>;
		onBatch?: (copied: number) => Promise<void>;
	}): Promise<number> {
		let since = (await this.readCheckpoint(options.checkpointId)) ?? options.since ?? 0;
		let copied = 0;
		for (;;) {
			const { results, lastSeq } = await this.changes({
				db: options.source,
				since,
				limit: options.batchSize
			});
			const leaves = new Map<string, string[]>();
			for (const row of results) {
				if (isUnitOwned(row.id)) continue;
				leaves.set(
					row.id,
					row.changes.map((change) => change.rev)
				);
			}
			if (leaves.size > 0) {
				copied += options.select
					? await options.select(leaves)
					: await this.copyLeaves({
							source: options.source,
							target: options.target,
							leaves,
							transform: options.transform
						});
			}
			if (results.length > 0 && String(lastSeq) !== String(since)) {
				await this.writeCheckpoint(options.checkpointId, lastSeq);
			}
			since = lastSeq;
			await options.onBatch?.(copied);
			if (results.length < options.batchSize) return copied;
		}
	}
}

/** The transform of a merge or a split: the document now belongs to `unitId`. */
export function rewriteUnit(unitId: string): (doc: RevDoc) => RevDoc {
	return (doc) => (doc.unitId === undefined ? doc : { ...doc, unitId });
}
