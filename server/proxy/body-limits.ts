import type { Request, Response } from 'express';
import { sendError } from '../http/app-error';
import { closeAfter } from '../http/request-guards';
import type { BatchEndpoint } from './allowlist';
import { BodyError, DECOMPRESSORS, MAX_JSON_DEPTH, readBody } from './body';

// The proxy's limits on request bodies (docs/decisions/0011-security-headers-and-request-limits.md),
// with the Vietnamese answer for each: a declared or actual size over the limit, an encoding other
// than gzip, deflate or br, too many documents in one batch, JSON nested too deep, a corrupt
// compressed body. After a refusal the connection is closed once the answer is out (closeAfter).

type Failure = { status: number; error: string; reason: string };

/** What the allow-list says of the request's body. */
export interface BodyRoute {
	hasBody: boolean;
	batch?: BatchEndpoint;
}

export class BodyLimits {
	readonly #maxBodyBytes: number;
	readonly #maxDocsPerBatch: number;
	readonly #tooLarge: Failure;
	readonly #tooManyDocs: Failure;

	constructor(options: { maxBodyBytes: number; maxDocsPerBatch: number }) {
		this.#maxBodyBytes = options.maxBodyBytes;
		this.#maxDocsPerBatch = options.maxDocsPerBatch;
		this.#tooLarge = {
			status: 413,
			error: 'too_large',
			reason: `Dữ liệu gửi lên quá lớn (tối đa ${Math.round(options.maxBodyBytes / 1024 / 1024)} MB). Hãy đồng bộ từng phần nhỏ hơn.`
		};
		this.#tooManyDocs = {
			status: 413,
			error: 'too_many_docs',
			reason: `Mỗi lần gửi tối đa ${options.maxDocsPerBatch} tài liệu. Hãy đồng bộ từng phần nhỏ hơn.`
		};
	}

	/** The request body's encoding, as the client declared it. */
	encodingOf(req: Request): string {
		return (req.headers['content-encoding'] ?? 'identity').toString().trim().toLowerCase();
	}

	/** Refuses, from its headers alone, a body that is too large or in an unknown encoding. */
	refusedByHeaders(req: Request, res: Response, route: BodyRoute): boolean {
		if (!route.hasBody) return false;
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > this.#maxBodyBytes) {
			closeAfter(req, res);
			sendError(res, this.#tooLarge);
			return true;
		}
		const encoding = this.encodingOf(req);
		if (encoding !== 'identity' && !DECOMPRESSORS[encoding]) {
			closeAfter(req, res);
			sendError(res, {
				status: 415,
				error: 'unsupported_encoding',
				reason: 'Kiểu nén dữ liệu gửi lên không được hỗ trợ (chỉ gzip, deflate hoặc br).'
			});
			return true;
		}
		return false;
	}

	/**
	 * The whole body, decompressed and within the limits; `refused` when the device was answered
	 * (or went away) instead.
	 */
	async read(req: Request, res: Response, route: BodyRoute): Promise<Buffer | 'refused'> {
		const batch = route.batch;
		try {
			return await readBody({
				req,
				encoding: this.encodingOf(req),
				maxBytes: this.#maxBodyBytes,
				batch: batch ? { kind: batch, maxDocs: this.#maxDocsPerBatch } : undefined
			});
		} catch (error) {
			if (!(error instanceof BodyError)) throw error;
			if (error.kind === 'aborted') {
				res.destroy();
				return 'refused';
			}
			closeAfter(req, res);
			sendError(res, this.#failure(error));
			return 'refused';
		}
	}

	#failure(error: BodyError): Failure {
		if (error.kind === 'too_large') return this.#tooLarge;
		if (error.kind === 'too_many_docs') return this.#tooManyDocs;
		if (error.kind === 'too_deep') {
			return {
				status: 400,
				error: 'bad_request',
				reason: `Dữ liệu gửi lên lồng nhau quá sâu (tối đa ${MAX_JSON_DEPTH} tầng).`
			};
		}
		return {
			status: 400,
			error: 'bad_request',
			reason: 'Dữ liệu nén gửi lên bị hỏng, không giải nén được.'
		};
	}
}
