import { createHash, randomBytes } from 'node:crypto';
import type { TestServer } from './test-server';

// Files for the attachment tests and the bench: a "PDF" of any size (the real signature, then
// random bytes, so every call is a different file unless given the same seed bytes), and an upload
// through POST /api/attachments exactly as the phone sends it.

export function pdfBytes(size: number): Buffer {
	const head = Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1');
	return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))] as Uint8Array[]);
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256')
		.update(bytes as Uint8Array)
		.digest('hex');
}

export interface UploadAnswer {
	id: string;
	name: string;
	type: string;
	size: number;
}

export function uploadFile(
	server: Pick<TestServer, 'request'>,
	options: {
		cookie?: string;
		bytes: Buffer;
		type?: string;
		name?: string;
		headers?: Record<string, string>;
	}
): Promise<Response> {
	return server.request('/api/attachments', {
		method: 'POST',
		...(options.cookie ? { cookie: options.cookie } : {}),
		headers: {
			'content-type': options.type ?? 'application/pdf',
			'x-file-name': encodeURIComponent(options.name ?? 'Công văn số 15.pdf'),
			...options.headers
		},
		body: options.bytes as Uint8Array<ArrayBuffer>
	});
}
