import { AttachmentError, CORRUPT_DOWNLOAD, fromServer, isOffline, LOST_CONNECTION, NOT_KEPT } from './attachment-error';

// Attachments kept on the phone (docs/decisions/0021-mail-between-units.md, "Attachments"): Cache
// Storage `doanvu-attachments`, one entry per file under its API address. A file is fetched when
// opened — or as soon as its mail arrives when the sender marked it required (keepAttachments) —
// checked against its SHA-256 (the address is the content: a cut or altered download is never
// kept), then kept, so that opened once it opens again offline. The service worker does not cache
// these addresses itself (scripts/build-sw.ts): this module alone decides what is kept.

export const ATTACHMENT_CACHE = 'doanvu-attachments';

export interface AttachmentLike {
	id: string;
	name: string;
	type: string;
	size?: number;
	required?: boolean;
}

export type AttachmentState = 'kept' | 'not-kept';

export interface OpenedAttachment {
	blob: Blob;
	/** An object URL of the blob; revoke it when the screen closes (URL.revokeObjectURL). */
	url: string;
	/** Opened from the phone's copy (no network used). */
	fromCache: boolean;
}

function hasCacheStorage(): boolean {
	return typeof caches !== 'undefined';
}

/** The file's address (also its key in the cache). */
export function attachmentUrl(id: string): string {
	if (!/^[0-9a-f]{64}$/.test(id)) throw new AttachmentError('not_found', 'Mã tệp đính kèm không hợp lệ.');
	return new URL(`/api/attachments/${id}`, location.origin).href;
}

async function cached(id: string): Promise<Response | undefined> {
	if (!hasCacheStorage()) return undefined;
	const cache = await caches.open(ATTACHMENT_CACHE);
	return cache.match(attachmentUrl(id));
}

async function keep(ref: AttachmentLike, blob: Blob): Promise<void> {
	if (!hasCacheStorage()) return;
	const cache = await caches.open(ATTACHMENT_CACHE);
	await cache.put(
		attachmentUrl(ref.id),
		new Response(blob, {
			headers: { 'content-type': ref.type, 'content-length': String(blob.size) }
		})
	);
}

export async function sha256Hex(blob: Blob): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
	return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Fetches a file from the server, checks it is the one named, keeps it. */
async function download(ref: AttachmentLike): Promise<Blob> {
	if (isOffline()) throw new AttachmentError('offline', NOT_KEPT);
	let res: Response;
	try {
		res = await fetch(attachmentUrl(ref.id), { credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw new AttachmentError('offline', isOffline() ? NOT_KEPT : LOST_CONNECTION);
	}
	if (!res.ok) {
		const body: unknown = await res.json().catch(() => null);
		throw fromServer(res.status, body);
	}
	let bytes: Blob;
	try {
		bytes = await res.blob();
	} catch {
		throw new AttachmentError('offline', LOST_CONNECTION);
	}
	if ((await sha256Hex(bytes)) !== ref.id) throw new AttachmentError('corrupt', CORRUPT_DOWNLOAD);
	const blob = new Blob([bytes], { type: ref.type });
	await keep(ref, blob).catch(() => undefined); // a full quota: opened now, fetched again next time
	return blob;
}

/** The file's bytes, from the phone's copy or fetched (and then kept). */
export async function openAttachment(ref: AttachmentLike): Promise<OpenedAttachment> {
	const hit = await cached(ref.id).catch(() => undefined);
	const blob = hit ? new Blob([await hit.blob()], { type: ref.type }) : await download(ref);
	return { blob, url: URL.createObjectURL(blob), fromCache: Boolean(hit) };
}

/** Whether the file opens without the network. */
export async function attachmentState(ref: Pick<AttachmentLike, 'id'>): Promise<AttachmentState> {
	return (await cached(ref.id).catch(() => undefined)) ? 'kept' : 'not-kept';
}

/**
 * Fetches and keeps the `required` files among `refs` that are not kept yet (the mail screens call
 * it when a mail arrives), one at a time. Offline, or for a file that fails, it stops or skips
 * quietly: the next call tries again. `all` keeps every file, required or not.
 */
export async function keepAttachments(
	refs: readonly AttachmentLike[],
	options: { all?: boolean } = {}
): Promise<{ kept: string[]; failed: string[] }> {
	const kept: string[] = [];
	const failed: string[] = [];
	for (const ref of refs) {
		if (!options.all && !ref.required) continue;
		if ((await attachmentState(ref)) === 'kept') continue;
		if (isOffline()) break;
		try {
			await download(ref);
			kept.push(ref.id);
		} catch {
			failed.push(ref.id);
		}
	}
	return { kept, failed };
}

/** Keeps a file this phone has just uploaded (its bytes are the file's). */
export async function keepUploaded(ref: AttachmentLike, file: Blob): Promise<void> {
	await keep(ref, new Blob([file], { type: ref.type }));
}

/** Forgets every kept file (sign-out, a wiped device). */
export async function forgetAttachments(): Promise<void> {
	if (hasCacheStorage()) await caches.delete(ATTACHMENT_CACHE);
}
