import { CouchError, type CouchClient } from '../couch/couch-client';
import { AppError } from '../http/app-error';
import { journalId, lockId, type OrgImportJournal } from './org-import-journal';

// One organisation import at a time under a unit (docs/spreadsheets.md, "The organisation in bulk"):
// a lock document in the directory, whose `_id` is the unit's, so CouchDB's own conflict check is
// the mutual exclusion across processes. A lock is stale, and taken over, when the import it names
// has ended, or when no journal was written for it within a lease (its process died in between).

export class OrgImportLock {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #leaseMs: number;
	readonly #now: () => Date;

	constructor(options: { couch: CouchClient; db: string; leaseMs: number; now: () => Date }) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#leaseMs = options.leaseMs;
		this.#now = options.now;
	}

	/** Takes the unit's lock for `importId`, or answers 409 while another import runs there. */
	async take(rootId: string, importId: string): Promise<void> {
		try {
			await this.#couch.putDoc({
				db: this.#db,
				doc: {
					_id: lockId(rootId),
					type: 'org-import-lock',
					importId,
					at: this.#now().toISOString()
				}
			});
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
			// A lock left by a process that died before its journal was written holds nothing.
			const lock = await this.#couch.getDoc<{ _id: string; importId?: string; at?: string }>({
				db: this.#db,
				id: lockId(rootId)
			});
			const holder = lock?.importId
				? await this.#couch.getDoc<OrgImportJournal>({ db: this.#db, id: journalId(lock.importId) })
				: undefined;
			const stale = holder
				? holder.state !== 'running'
				: lock !== undefined && this.#age(lock) > this.#leaseMs;
			if (stale || !lock) {
				await this.release(rootId);
				return this.take(rootId, importId);
			}
			throw new AppError({
				status: 409,
				error: 'import_running',
				reason: 'Đơn vị đang có một lần nhập khác chưa xong. Vui lòng chờ lần đó kết thúc.'
			});
		}
	}

	async release(rootId: string): Promise<void> {
		const lock = await this.#couch.getDoc<{ _id: string; _rev: string }>({
			db: this.#db,
			id: lockId(rootId)
		});
		if (!lock) return;
		await this.#couch.request({
			method: 'DELETE',
			path: `${encodeURIComponent(this.#db)}/${encodeURIComponent(lock._id)}`,
			query: { rev: lock._rev }
		});
	}

	#age(lock: { at?: unknown }): number {
		const at = typeof lock.at === 'string' ? Date.parse(lock.at) : 0;
		return this.#now().getTime() - at;
	}
}
