import {
	ATTACHMENT_MAX_BYTES,
	ATTACHMENT_TYPE_MESSAGE,
	attachmentTooLargeMessage
} from '$lib/domain/mail/attachments';
import { attachmentFileName, attachmentTypeOf } from '$lib/domain/mail/attachment-files';
import {
	AttachmentError,
	fromServer,
	isOffline,
	LOST_CONNECTION,
	OFFLINE_UPLOAD
} from './attachment-error';
import { keepUploaded } from './attachment-cache';

// Uploading a chosen file at once, with progress (docs/decisions/0021-mail-between-units.md,
// "Attachments"): XMLHttpRequest, because fetch() reports no upload progress and a 10 MB scan over
// 3G takes a minute. What the phone can tell before sending (too large, wrong type, offline) is
// said without using the network; what the server refuses comes back in its own Vietnamese words.
// The uploaded file is kept in the attachment cache as it is: the sender opens it offline too.

/** What the server answers and a mail names (AttachmentRef without `required`). */
export interface UploadedAttachment {
	id: string;
	name: string;
	type: string;
	size: number;
}

export interface UploadProgress {
	loaded: number;
	total: number;
	/** 0…1 */
	fraction: number;
}

/** The checks made before any byte is sent; the type and name to send. */
export function prepareUpload(file: { name: string; type: string; size: number }): {
	type: string;
	name: string;
} {
	const type = attachmentTypeOf(file);
	if (!type) throw new AttachmentError('type', ATTACHMENT_TYPE_MESSAGE);
	if (file.size > ATTACHMENT_MAX_BYTES) {
		throw new AttachmentError('too_large', attachmentTooLargeMessage(file.size));
	}
	if (file.size === 0) throw new AttachmentError('empty', 'Tệp trống, không có nội dung.');
	if (isOffline()) throw new AttachmentError('offline', OFFLINE_UPLOAD);
	return { type, name: attachmentFileName(file.name) };
}

export function uploadAttachment(
	file: File,
	options: {
		onProgress?: (progress: UploadProgress) => void;
		signal?: AbortSignal;
		/** Tests only: another server than the page's. */
		origin?: string;
	} = {}
): Promise<UploadedAttachment> {
	let prepared: { type: string; name: string };
	try {
		prepared = prepareUpload(file);
	} catch (error) {
		return Promise.reject(error);
	}
	return new Promise<UploadedAttachment>((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `${options.origin ?? ''}/api/attachments`);
		xhr.setRequestHeader('content-type', prepared.type);
		xhr.setRequestHeader('x-file-name', encodeURIComponent(prepared.name));
		xhr.responseType = 'text';
		xhr.upload.onprogress = (event) => {
			const total = event.lengthComputable ? event.total : file.size;
			options.onProgress?.({
				loaded: event.loaded,
				total,
				fraction: total > 0 ? Math.min(1, event.loaded / total) : 0
			});
		};
		xhr.onload = () => {
			let body: unknown = null;
			try {
				body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				body = null;
			}
			if (xhr.status !== 201) {
				reject(fromServer(xhr.status, body));
				return;
			}
			const uploaded = body as UploadedAttachment;
			options.onProgress?.({ loaded: file.size, total: file.size, fraction: 1 });
			// Kept for offline opening; a failure here only means it is fetched when opened.
			void keepUploaded(uploaded, file)
				.catch(() => undefined)
				.then(() => resolve(uploaded));
		};
		// The server may close a refused upload's connection before the browser has read the
		// answer: offline or not, the phone says what it knows.
		xhr.onerror = () =>
			reject(new AttachmentError('offline', isOffline() ? OFFLINE_UPLOAD : LOST_CONNECTION));
		xhr.onabort = () => reject(new AttachmentError('aborted', 'Đã huỷ tải tệp lên.'));
		options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
		xhr.send(file);
	});
}
