import { CouchError, type CouchClient } from '../couch/couch-client';
import type { UnitRecord } from '../couch/provision-service';

// What the post office's handlers (reminder-delivery.ts, mail-delivery.ts) share: the delivered copy
// created once under its deterministic id, the status document merged under CouchDB's revision
// check, and the simulated crash of the tests' hooks.

/** Test hook verdict: stop as a killed process would (the post office then does nothing more). */
export class PostCrash extends Error {}

export type AnyDoc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

/** One kind of post: the id prefixes of the documents it reads, and what it does with each. */
export interface PostHandler {
	readonly prefixes: readonly string[];
	handle(unit: UnitRecord, doc: AnyDoc): Promise<void>;
}

/**
 * Creates the copy in the recipient's database without a revision: a 409 means it was delivered
 * before (a crash, another process) and that delivery stands. Answers the copy's creation time,
 * which is the delivery time.
 */
export async function putCopyOnce(options: {
	couch: CouchClient;
	db: string;
	doc: { _id: string; createdAt: string };
	onWrite: (db: string) => void;
}): Promise<string> {
	const { couch, db, doc } = options;
	try {
		await couch.putDoc({ db, doc });
		options.onWrite(db);
		return doc.createdAt;
	} catch (error) {
		if (!(error instanceof CouchError) || error.status !== 409) throw error;
		const existing = await couch.getDoc<{ _id: string; createdAt?: string }>({ db, id: doc._id });
		return existing?.createdAt ?? doc.createdAt;
	}
}

/**
 * Changes a status document (created when missing) under the revision check: read, change the
 * per-recipient entries, write; on a conflict (a receipt and a delivery at once) read again.
 * `change` answers false when it had nothing to change.
 */
export async function mergeStatus<E, D extends { _id: string; _rev?: string }>(options: {
	couch: CouchClient;
	db: string;
	id: string;
	recipientsOf: (current: D | undefined) => Record<string, E>;
	change: (recipients: Record<string, E>) => boolean;
	build: (options: { current: D | undefined; recipients: Record<string, E>; now: string }) => D;
	onWrite: (db: string) => void;
}): Promise<void> {
	const { couch, db, id } = options;
	// Receipts of many recipients land on one status document at once: enough attempts for them.
	for (let attempt = 0; attempt < 20; attempt++) {
		const current = await couch.getDoc<D>({ db, id });
		const recipients = { ...options.recipientsOf(current) };
		if (!options.change(recipients) && current) return;
		const doc = options.build({ current, recipients, now: new Date().toISOString() });
		try {
			await couch.putDoc({ db, doc: { ...doc, ...(current?._rev ? { _rev: current._rev } : {}) } });
			options.onWrite(db);
			return;
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
		}
	}
	throw new Error(`post office: too many conflicts writing ${id}`);
}

/**
 * A status `change` adding the delivery decisions of one reading to the recipients not yet in the
 * status: a receipt may have got there first (it carries the delivery time too), and stays.
 */
export function addDecisions<E>(decided: Record<string, E>) {
	return (recipients: Record<string, E>): boolean => {
		let changed = false;
		for (const [id, entry] of Object.entries(decided)) {
			if (recipients[id]) continue;
			recipients[id] = entry;
			changed = true;
		}
		return changed;
	};
}

/**
 * Runs `work` over `items`, `concurrency` at a time; after the first failure no new item starts,
 * the ones under way are awaited, and the failure is thrown.
 */
export async function eachAtOnce<T>(
	items: readonly T[],
	concurrency: number,
	work: (item: T) => Promise<void>
): Promise<void> {
	let next = 0;
	let failure: { error: unknown } | undefined;
	const lane = async () => {
		while (!failure && next < items.length) {
			const item = items[next++]!;
			try {
				await work(item);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
	if (failure) throw failure.error;
}
