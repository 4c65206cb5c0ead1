import { createHash } from 'node:crypto';
import type { Request } from 'express';

// Reads an upload's raw body, counting the bytes as they arrive (docs/decisions/
// 0021-mail-between-units.md, "Attachments"): past `maxBytes` the reading stops and what was kept
// is dropped, so a 20 MB file costs the server no more memory than the limit. The request stream is
// never destroyed here: the caller answers, then closeAfter (request-guards.ts) drains the rest and
// closes the connection, so the client reads the refusal instead of a reset.

export type UploadResult =
	| { kind: 'ok'; bytes: Buffer; sha256: string }
	| { kind: 'too_large'; seen: number }
	| { kind: 'aborted' };

export function readUpload(req: Request, maxBytes: number): Promise<UploadResult> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		const hash = createHash('sha256');
		let seen = 0;
		let done = false;
		const finish = (result: UploadResult) => {
			if (done) return;
			done = true;
			resolve(result);
		};
		req.on('data', (chunk: Buffer) => {
			if (done) return; // refused: the rest is read and dropped
			seen += chunk.length;
			if (seen > maxBytes) {
				chunks.length = 0;
				finish({ kind: 'too_large', seen });
				return;
			}
			hash.update(chunk as Uint8Array);
			chunks.push(chunk);
		});
		req.once('end', () =>
			finish({
				kind: 'ok',
				bytes: Buffer.concat(chunks as Uint8Array[]),
				sha256: hash.digest('hex')
			})
		);
		req.once('error', () => finish({ kind: 'aborted' }));
		req.once('close', () => {
			if (!req.complete) finish({ kind: 'aborted' });
		});
	});
}
