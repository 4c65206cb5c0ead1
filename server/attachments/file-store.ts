import type { UnitRecord } from '../couch/provision-service';
import { CouchError, docPath, type CouchClient, type CouchDoc } from '../couch/couch-client';

// The file store of mail attachments (docs/decisions/0021-mail-between-units.md, "Attachments"):
// one `file:<sha256>` document per content in the server-only database `doanvu_files`, the bytes as
// its CouchDB attachment `content`. Written inline (base64 in one PUT) so that a document never
// exists without its bytes; both the embedded store and Apache CouchDB 3 take that form. Readers
// are unit ids: the uploader's, then each recipient's (the post office adds them before delivery).
// An account may read a file when its unit is a reader or an ancestor of one.

export const FILE_ATTACHMENT = 'content';

export interface FileDoc extends CouchDoc {
	type: 'file';
	name: string;
	mediaType: string;
	size: number;
	readers: string[];
	uploadedBy: string;
	uploadedAt: string;
	_attachments?: Record<string, unknown>;
}

/** Conflicting writers (two uploads of the same file, the post office) are retried this often. */
const MAX_TRIES = 8;

export class FileStore {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #units: (id: string) => Promise<UnitRecord | undefined>;
	readonly #now: () => Date;

	constructor(options: {
		couch: CouchClient;
		db: string;
		units: (id: string) => Promise<UnitRecord | undefined>;
		now?: () => Date;
	}) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#units = options.units;
		this.#now = options.now ?? (() => new Date());
	}

	get(sha256: string): Promise<FileDoc | undefined> {
		return this.#couch.getDoc<FileDoc>({ db: this.#db, id: `file:${sha256}` });
	}

	/**
	 * Stores a file, or — when these bytes are already stored — records the uploader's unit as a
	 * reader of the stored one. `created` tells which.
	 */
	async store(options: {
		sha256: string;
		bytes: Buffer;
		name: string;
		mediaType: string;
		unitId: string;
		login: string;
	}): Promise<{ doc: FileDoc; created: boolean }> {
		const id = `file:${options.sha256}`;
		for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
			const existing = await this.get(options.sha256);
			if (existing) {
				return { doc: await this.#addReadersTo(existing, [options.unitId]), created: false };
			}
			const doc: FileDoc = {
				_id: id,
				type: 'file',
				name: options.name,
				mediaType: options.mediaType,
				size: options.bytes.length,
				readers: [options.unitId],
				uploadedBy: options.login,
				uploadedAt: this.#now().toISOString()
			};
			try {
				await this.#couch.putDoc({
					db: this.#db,
					doc: {
						...doc,
						_attachments: {
							[FILE_ATTACHMENT]: {
								content_type: options.mediaType,
								data: options.bytes.toString('base64')
							}
						}
					}
				});
				return { doc, created: true };
			} catch (error) {
				// Someone stored the same bytes at the same moment: become a reader of theirs.
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
			}
		}
		throw new Error(`file ${options.sha256}: too many conflicting writes`);
	}

	/** Adds units as readers (the post office, before it delivers a mail); false if no such file. */
	async addReaders(sha256: string, unitIds: string[]): Promise<boolean> {
		const existing = await this.get(sha256);
		if (!existing) return false;
		await this.#addReadersTo(existing, unitIds);
		return true;
	}

	async #addReadersTo(first: FileDoc, unitIds: string[]): Promise<FileDoc> {
		let doc = first;
		for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
			const missing = unitIds.filter((unitId) => !doc.readers.includes(unitId));
			if (missing.length === 0) return doc;
			// The attachment's stub (as read without `attachments=true`) keeps the bytes as they are.
			const updated: FileDoc = { ...doc, readers: [...doc.readers, ...missing] };
			try {
				const { rev } = await this.#couch.putDoc({ db: this.#db, doc: updated });
				return { ...updated, _rev: rev };
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
				const fresh = await this.get(doc._id.slice('file:'.length));
				if (!fresh) throw error;
				doc = fresh;
			}
		}
		throw new Error(`${first._id}: too many conflicting writes`);
	}

	/** Whether an account of `unitId` may read the file: a reader, or an ancestor of a reader. */
	async mayRead(doc: FileDoc, unitId: string): Promise<boolean> {
		if (doc.readers.includes(unitId)) return true;
		for (const reader of doc.readers) {
			const unit = await this.#units(reader);
			if (unit?.ancestors.includes(unitId)) return true;
		}
		return false;
	}

	/** The stored bytes as the store answers them (a stream), or undefined when they are gone. */
	async open(sha256: string): Promise<Response | undefined> {
		const res = await this.#couch.raw({
			path: `${docPath({ db: this.#db, id: `file:${sha256}` })}/${FILE_ATTACHMENT}`
		});
		if (res.status === 200) return res;
		await res.body?.cancel();
		if (res.status === 404) return undefined;
		throw new CouchError({
			status: res.status,
			error: 'attachment',
			reason: res.statusText,
			what: `GET file:${sha256}/${FILE_ATTACHMENT}`
		});
	}
}
