import zlib from 'node:zlib';
import type { Request } from 'express';
import type { Transform } from 'node:stream';
import type { BatchEndpoint } from './allowlist';

// Reads a /couch request body before anything is sent upstream: decompressed, bounded in bytes and,
// for the batch endpoints, in documents — counted while the bytes arrive, so a batch of 100,000
// documents is refused after the first few thousand instead of keeping the store busy for minutes
// (docs/decisions/0011-security-headers-and-request-limits.md). The request stream is never
// destroyed on a refusal: the caller answers, and the rest of the body is read and dropped so the
// answer reaches the client (see closeAfter in request-guards.ts).

export const DECOMPRESSORS: Record<string, () => Transform> = {
	gzip: () => zlib.createGunzip(),
	'x-gzip': () => zlib.createGunzip(),
	deflate: () => zlib.createInflate(),
	br: () => zlib.createBrotliDecompress()
};

export type BodyFailure = 'too_large' | 'too_many_docs' | 'too_deep' | 'corrupt' | 'aborted';

/**
 * Deepest JSON nesting a /couch body may have. The app's documents nest a handful of levels; a
 * document nested thousands deep overflows the store's serialiser (an answer of 502 after minutes
 * of work), so it is refused before it gets there.
 */
export const MAX_JSON_DEPTH = 64;

export class BodyError extends Error {
	constructor(readonly kind: BodyFailure) {
		super(kind);
	}
}

const OBJECT = 0;
const ARRAY = 1;

/**
 * Counts the values at depth 1 and 2 of a JSON text fed in pieces, without parsing it: for
 * `{"docs":[{…},{…}]}` the documents are the values at depth 2; for `_revs_diff`'s
 * `{"id":["rev",…],…}` the documents are the values at depth 1 and their revisions at depth 2.
 * Invalid JSON is counted as well as it goes: the store refuses it afterwards.
 */
export class JsonItemCounter {
	readonly counts = [0, 0, 0];
	/** The deepest nesting seen so far. */
	maxDepth = 0;
	#stack: number[] = [];
	#inString = false;
	#escape = false;
	#awaitingValue = true;

	feed(chunk: Buffer): void {
		for (let i = 0; i < chunk.length; i++) {
			const c = chunk[i]!;
			if (this.#inString) {
				if (this.#escape) this.#escape = false;
				else if (c === 0x5c) this.#escape = true;
				else if (c === 0x22) this.#inString = false;
				continue;
			}
			if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
			if (this.#awaitingValue && c !== 0x5d && c !== 0x7d) {
				const depth = this.#stack.length;
				if (depth <= 2) this.counts[depth]!++;
				this.#awaitingValue = false;
			}
			switch (c) {
				case 0x22:
					this.#inString = true;
					break;
				case 0x7b:
					this.#stack.push(OBJECT);
					this.maxDepth = Math.max(this.maxDepth, this.#stack.length);
					break;
				case 0x5b:
					this.#stack.push(ARRAY);
					this.maxDepth = Math.max(this.maxDepth, this.#stack.length);
					this.#awaitingValue = true;
					break;
				case 0x7d:
				case 0x5d:
					this.#stack.pop();
					this.#awaitingValue = false;
					break;
				case 0x3a:
					this.#awaitingValue = true;
					break;
				case 0x2c:
					this.#awaitingValue = this.#stack.at(-1) === ARRAY;
					break;
			}
		}
	}
}

export type BatchKind = BatchEndpoint;

/**
 * Whether a batch holds more than `maxDocs` documents (and, for `_revs_diff`, ten revisions each).
 * `_bulk_docs` / `_bulk_get` documents, `_all_docs` keys and `_changes` doc_ids are all values at
 * depth 2.
 */
export function overBatchLimit(
	kind: BatchKind,
	counter: JsonItemCounter,
	maxDocs: number
): boolean {
	const [, depth1 = 0, depth2 = 0] = counter.counts;
	if (kind === '_revs_diff') return depth1 > maxDocs || depth2 > maxDocs * 10;
	return depth2 > maxDocs;
}

export function readBody(options: {
	req: Request;
	encoding: string;
	maxBytes: number;
	batch?: { kind: BatchKind; maxDocs: number } | undefined;
}): Promise<Buffer> {
	const { req, encoding, maxBytes, batch } = options;
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let seen = 0;
		let done = false;
		// Every body is JSON (request-guards.ts): its nesting is bounded, its batch size too.
		const counter = new JsonItemCounter();
		const decompress = DECOMPRESSORS[encoding];
		const decompressor = decompress?.();

		const fail = (kind: BodyFailure) => {
			if (done) return;
			done = true;
			chunks.length = 0;
			decompressor?.destroy();
			reject(new BodyError(kind));
		};
		const take = (chunk: Buffer) => {
			if (done) return;
			seen += chunk.length;
			if (seen > maxBytes) return fail('too_large');
			counter.feed(chunk);
			if (counter.maxDepth > MAX_JSON_DEPTH) return fail('too_deep');
			if (batch && overBatchLimit(batch.kind, counter, batch.maxDocs)) return fail('too_many_docs');
			chunks.push(chunk);
		};
		const finish = () => {
			if (done) return;
			done = true;
			resolve(Buffer.concat(chunks as Uint8Array[]));
		};

		if (decompressor) {
			decompressor.on('data', take);
			decompressor.once('end', finish);
			decompressor.once('error', () => fail('corrupt'));
		}
		req.on('data', (chunk: Buffer) => {
			if (done) return; // refused: the rest is read and dropped
			if (decompressor) decompressor.write(chunk);
			else take(chunk);
		});
		req.once('end', () => (decompressor ? decompressor.end() : finish()));
		req.once('error', () => fail('aborted'));
		req.once('close', () => {
			if (!req.complete) fail('aborted');
		});
	});
}
