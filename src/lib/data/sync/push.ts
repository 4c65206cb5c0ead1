import type { CouchRemote } from '$lib/data/online/couch-http';
import type { KnownRevs } from './known-revs';
import { deviceDb } from '$lib/data/store/device-db';
import { LocalCheckpoint, PUSH_CHECKPOINT_ID, type PushCheckpoint } from './checkpoints';
import { isWriteGoingOn, takeBackInterrupted } from './push-hold';

// The push half of the sync engine (docs/decisions/0008-sync-protocol.md): the device's changes
// since the push cursor, minus the revisions the pull just brought from the server, sent with their
// ancestry in one `_bulk_docs` (`new_edits: false`, gzip). When every candidate is a write this
// device recorded as waiting to upload (the outbox), the server cannot have it yet and the
// `_revs_diff` round trip is skipped; otherwise `_revs_diff` decides what is missing, as in
// CouchDB replication.

const PAGE = 500;
/**
 * Changes read per PouchDB request, within a page: its idb adapter hands a read's stored bodies to
 * the page in one task (500 were ~100 ms at 4× CPU, right after a 5,000-row import; ADR 0023).
 */
const READ_PAGE = 100;
/** Above this many documents the `_revs_diff` round trip is cheaper than sending blindly. */
const DIRECT_MAX = 200;

export interface PushOutcome {
	pushed: { _id: string; _rev: string }[];
	/**
	 * `retry`: not a verdict on the document (the server could not check its citizen id just now, or
	 * the lookup limit was reached): the push cursor stays before it, so it goes again at a later sync.
	 */
	refused: { id: string; reason: string; retry?: boolean }[];
}

interface SentDoc {
	_id: string;
	_rev: string;
	_deleted?: boolean;
	_revisions?: { start: number; ids: string[] };
}

interface Candidate {
	id: string;
	revs: string[];
}

export class Pusher {
	readonly #db: string;
	readonly #local: PouchDB.Database;
	readonly #remote: CouchRemote;
	readonly #known: KnownRevs;
	readonly #checkpoint: LocalCheckpoint<PushCheckpoint>;

	constructor(options: {
		db: string;
		local: PouchDB.Database;
		remote: CouchRemote;
		known: KnownRevs;
	}) {
		this.#db = options.db;
		this.#local = options.local;
		this.#remote = options.remote;
		this.#known = options.known;
		this.#checkpoint = new LocalCheckpoint({ db: options.local, id: PUSH_CHECKPOINT_ID });
	}

	/**
	 * Sends every local change since the cursor. `onActive` is called before the first request, so
	 * a pass that only skips pulled revisions stays silent.
	 */
	async push(options: {
		signal: AbortSignal;
		onActive?: () => void;
		onBatch?: (outcome: PushOutcome) => void | Promise<void>;
	}): Promise<PushOutcome> {
		const total: PushOutcome = { pushed: [], refused: [] };
		// An import is writing (push-hold.ts): nothing goes until it is whole; the cursor stays.
		if (await isWriteGoingOn(this.#db)) return total;
		// An import the app was closed in the middle of is taken back before anything goes.
		await takeBackInterrupted({ db: this.#db, local: this.#local });
		let since = (this.#checkpoint.value ?? (await this.#checkpoint.load()))?.since ?? 0;
		let active = false;
		// Once a document is to be sent again, the cursor is not saved past it for the rest of the pass.
		let hold = false;
		for (;;) {
			const changes = await readChanges({ local: this.#local, since, limit: PAGE });
			if (changes.results.length === 0) break;
			const candidates: Candidate[] = [];
			for (const change of changes.results) {
				const revs = change.changes
					.map((c) => c.rev)
					.filter((rev) => !this.#known.take(change.id, rev));
				if (revs.length > 0) candidates.push({ id: change.id, revs });
			}
			if (candidates.length > 0) {
				if (!active) {
					active = true;
					options.onActive?.();
				}
				const outcome = await this.#send({ candidates, signal: options.signal });
				total.pushed.push(...outcome.pushed);
				total.refused.push(...outcome.refused);
				await options.onBatch?.(outcome);
				if (outcome.refused.some((r) => r.retry)) hold = true;
			}
			since = changes.last_seq;
			if (!hold) await this.#checkpoint.save({ since });
			if (changes.results.length < PAGE) break;
		}
		return total;
	}

	async #send(options: { candidates: Candidate[]; signal: AbortSignal }): Promise<PushOutcome> {
		const { candidates, signal } = options;
		let missing: { id: string; rev: string }[];
		if (candidates.length <= DIRECT_MAX && (await this.#allWaitingToUpload(candidates))) {
			missing = candidates.flatMap((c) => c.revs.map((rev) => ({ id: c.id, rev })));
		} else {
			const diff = await this.#remote.json<Record<string, { missing?: string[] }>>({
				path: '_revs_diff',
				body: Object.fromEntries(candidates.map((c) => [c.id, c.revs])),
				signal
			});
			missing = Object.entries(diff).flatMap(([id, entry]) =>
				(entry.missing ?? []).map((rev) => ({ id, rev }))
			);
		}
		if (missing.length === 0) return { pushed: [], refused: [] };

		const found = await this.#local.bulkGet({ docs: missing, revs: true });
		let docs: SentDoc[] = [];
		for (const result of found.results) {
			for (const entry of result.docs) {
				if ('ok' in entry) docs.push(entry.ok as SentDoc);
			}
		}
		docs = await this.#withoutUnsentDeletions({ docs, signal });
		if (docs.length === 0) return { pushed: [], refused: [] };
		const answer = await this.#remote.json<
			{ id: string; rev?: string; error?: string; reason?: string; retry?: boolean }[]
		>({ path: '_bulk_docs', body: { docs, new_edits: false }, signal });
		const refused = new Map<string, { reason: string; retry?: boolean }>();
		for (const result of answer) {
			if (result.error) {
				refused.set(result.id, {
					reason: result.reason ?? result.error,
					...(result.retry === true ? { retry: true } : {})
				});
			}
		}
		const pushed = docs
			.filter((doc) => !refused.has(doc._id))
			.map((doc) => ({ _id: doc._id, _rev: doc._rev }));
		return {
			pushed,
			refused: [...refused].map(([id, why]) => ({ id, ...why }))
		};
	}

	/**
	 * Leaves out the deletion of a document whose earlier revisions never reached the server (an
	 * import taken back before it was uploaded, commands/member-import.ts): there is nothing to tell
	 * the server, and history entries may not be deleted there, so it would only come back refused.
	 */
	async #withoutUnsentDeletions(options: {
		docs: SentDoc[];
		signal: AbortSignal;
	}): Promise<SentDoc[]> {
		const ancestors = new Map<string, string[]>();
		for (const doc of options.docs) {
			const history = doc._revisions;
			if (doc._deleted !== true || !history || history.ids.length < 2) continue;
			ancestors.set(
				doc._id,
				history.ids.slice(1).map((id, i) => `${history.start - 1 - i}-${id}`)
			);
		}
		if (ancestors.size === 0) return options.docs;
		const diff = await this.#remote.json<Record<string, { missing?: string[] }>>({
			path: '_revs_diff',
			body: Object.fromEntries(ancestors),
			signal: options.signal
		});
		return options.docs.filter((doc) => {
			const revs = ancestors.get(doc._id);
			if (revs === undefined) return true;
			return (diff[doc._id]?.missing ?? []).length < revs.length;
		});
	}

	/** True when every candidate revision is a local write recorded in the outbox. */
	async #allWaitingToUpload(candidates: Candidate[]): Promise<boolean> {
		if (candidates.some((c) => c.revs.length !== 1)) return false;
		const entries = await deviceDb.outbox.bulkGet(candidates.map((c) => c.id));
		return entries.every(
			(entry, i) => !!entry && entry.db === this.#db && entry.rev === candidates[i]!.revs[0]
		);
	}
}

/** Up to `limit` changes after `since`, as one `changes()` call gives them, read READ_PAGE at a time. */
async function readChanges(options: {
	local: PouchDB.Database;
	since: number | string;
	limit: number;
}): Promise<{ results: PouchDB.Core.ChangesResponseChange<object>[]; last_seq: number | string }> {
	const results: PouchDB.Core.ChangesResponseChange<object>[] = [];
	let last = options.since;
	while (results.length < options.limit) {
		const limit = Math.min(READ_PAGE, options.limit - results.length);
		const page = await options.local.changes({ since: last, limit, style: 'all_docs' });
		if (page.results.length === 0) break;
		results.push(...page.results);
		last = page.last_seq;
		if (page.results.length < limit) break;
	}
	return { results, last_seq: last };
}
