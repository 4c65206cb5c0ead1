import { CouchError, type CouchClient } from '../couch/couch-client';
import type { Logger } from '../http/logger';

// The readers of a mail's attachments (ADR 0021). A file is stored once per content in the server's
// file store (`file:<sha256>` in `doanvu_files`, written by the attachments API); an account may
// download it when its unit is among the file's `readers` (or beneath one). Before the post office
// delivers a mail it adds the recipients to each attached file's readers — before, so a copy never
// arrives naming a file its recipient cannot open. Only a file the sender's unit may read itself is
// shared on: a mail that reached the store by another path than the write guard cannot hand out a
// file by naming its hash.

/** The file store's record of a file (its bytes are the `content` attachment, untouched here). */
export interface FileDoc {
	_id: string;
	_rev?: string;
	type: 'file';
	name: string;
	mediaType: string;
	size: number;
	readers: string[];
	uploadedBy: string;
	uploadedAt: string;
	[key: string]: unknown;
}

export function fileDocId(sha256: string): string {
	return `file:${sha256}`;
}

export async function readFileDoc(options: {
	couch: CouchClient;
	filesDb: string;
	sha256: string;
}): Promise<FileDoc | undefined> {
	const doc = await options.couch.getDoc<FileDoc>({
		db: options.filesDb,
		id: fileDocId(options.sha256)
	});
	return doc && doc.type === 'file' ? doc : undefined;
}

/** Whether `unitId` is among the file's readers. */
export function isReader(file: FileDoc, unitId: string): boolean {
	return Array.isArray(file.readers) && file.readers.includes(unitId);
}

/**
 * Adds `readers` to each file's readers, merged under the revision check (two mails sharing a file
 * at once). A missing file is logged and skipped: the mail is delivered all the same (its
 * recipients will see the attachment cannot be fetched), never held back for ever.
 */
export async function addFileReaders(options: {
	couch: CouchClient;
	filesDb: string;
	logger: Logger;
	senderId: string;
	mailId: string;
	files: readonly string[];
	readers: readonly string[];
}): Promise<void> {
	const { couch, filesDb, logger } = options;
	for (const sha256 of new Set(options.files)) {
		for (let attempt = 0; ; attempt++) {
			const file = await readFileDoc({ couch, filesDb, sha256 });
			if (!file) {
				logger.info('mail_attachment_missing', { mailId: options.mailId, file: sha256 });
				break;
			}
			if (!isReader(file, options.senderId)) {
				logger.info('mail_attachment_not_senders', { mailId: options.mailId, file: sha256 });
				break;
			}
			const missing = options.readers.filter((id) => !file.readers.includes(id));
			if (missing.length === 0) break;
			try {
				// The bytes stay as they are: the stub of the `content` attachment is sent back.
				await couch.putDoc({
					db: filesDb,
					doc: { ...file, readers: [...file.readers, ...missing] }
				});
				break;
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409 || attempt >= 20) throw error;
			}
		}
	}
}
