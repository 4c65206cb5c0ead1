import { JsonRowsParser } from './json-rows';
import type { RemoteOptions } from '$lib/data/store/pouch';
import { yieldToMain } from '$lib/data/sync/main-thread';

// The few standard CouchDB requests the sync engine makes, through the same-origin /couch proxy
// (works unchanged against Apache CouchDB 3): fetch, JSON in and out, request bodies gzip-encoded
// when they are worth it (the proxy and CouchDB accept `Content-Encoding: gzip`), answers read as
// a stream where they are large. Errors carry CouchDB's `status`, `error` and `reason`.

export class CouchHttpError extends Error {
	readonly status: number;
	readonly error: string;
	readonly reason: string;

	constructor(options: { status: number; error: string; reason: string; what: string }) {
		super(`${options.what}: ${options.status} ${options.error} ${options.reason}`);
		this.name = 'CouchHttpError';
		this.status = options.status;
		this.error = options.error;
		this.reason = options.reason;
	}
}

/**
 * A streamed answer is parsed this many characters at a time, the main thread handed back between
 * slices: a network read can hold hundreds of kilobytes once the link is fast or the page was busy,
 * and parsing it whole was a 100 ms task on a phone 4× slower than a laptop.
 */
const PARSE_SLICE_CHARS = 16_384;

/** Bodies smaller than this go as they are: compressing them saves less than a packet. */
const GZIP_MIN_BYTES = 1024;

async function gzip(text: string): Promise<ArrayBuffer | null> {
	if (typeof CompressionStream === 'undefined') return null;
	const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
	return new Response(stream).arrayBuffer();
}

export interface CouchRemote {
	readonly db: string;
	json<T>(options: {
		method?: string;
		path?: string;
		query?: Record<string, string | number | boolean>;
		body?: unknown;
		signal?: AbortSignal;
	}): Promise<T>;
	/**
	 * A request whose answer holds a large `results`/`rows` array: rows are handed to `onRows` as
	 * they arrive. Resolves with the rest of the answer; if the connection fails midway, the rows
	 * that had fully arrived have been handed over before it rejects.
	 */
	stream(options: {
		path: string;
		query?: Record<string, string | number | boolean>;
		signal?: AbortSignal;
		onRows: (rows: unknown[]) => void | Promise<void>;
	}): Promise<Record<string, unknown>>;
}

export function couchRemote(options: { db: string; remote?: RemoteOptions }): CouchRemote {
	const origin = options.remote?.origin ?? globalThis.location?.origin ?? '';
	const base = `${origin}/couch/${encodeURIComponent(options.db)}`;
	const extraHeaders = options.remote?.headers ?? {};

	const url = (path: string | undefined, query?: Record<string, string | number | boolean>) => {
		const search = query
			? '?' +
				Object.entries(query)
					.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
					.join('&')
			: '';
		return `${base}${path ? `/${path}` : ''}${search}`;
	};

	const send = async (init: {
		method: string;
		target: string;
		body?: unknown;
		signal?: AbortSignal;
		what: string;
	}): Promise<Response> => {
		const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
		let body: BodyInit | undefined;
		if (init.body !== undefined) {
			const text = JSON.stringify(init.body);
			headers['content-type'] = 'application/json';
			const packed = text.length >= GZIP_MIN_BYTES ? await gzip(text) : null;
			if (packed) {
				headers['content-encoding'] = 'gzip';
				body = packed;
			} else body = text;
		}
		const res = await fetch(init.target, {
			method: init.method,
			headers,
			body,
			credentials: 'same-origin',
			signal: init.signal
		});
		if (!res.ok) {
			let error = 'http_error';
			let reason = res.statusText;
			try {
				const parsed = (await res.json()) as { error?: string; reason?: string };
				error = parsed.error ?? error;
				reason = parsed.reason ?? reason;
			} catch {
				// Not JSON (a gateway's error page): the status says enough.
			}
			throw new CouchHttpError({ status: res.status, error, reason, what: init.what });
		}
		return res;
	};

	return {
		db: options.db,
		async json<T>(request: {
			method?: string;
			path?: string;
			query?: Record<string, string | number | boolean>;
			body?: unknown;
			signal?: AbortSignal;
		}) {
			const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
			const res = await send({
				method,
				target: url(request.path, request.query),
				body: request.body,
				signal: request.signal,
				what: `${method} ${request.path ?? ''}`
			});
			// Longpoll heartbeats are blank lines before the JSON.
			const text = await res.text();
			return JSON.parse(text) as T;
		},
		async stream(request) {
			const res = await send({
				method: 'GET',
				target: url(request.path, request.query),
				signal: request.signal,
				what: `GET ${request.path}`
			});
			const parser = new JsonRowsParser();
			const decoder = new TextDecoder();
			if (!res.body) {
				await request.onRows(parser.push(await res.text()));
				return parser.finish();
			}
			const reader = res.body.getReader();
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				const text = decoder.decode(value, { stream: true });
				for (let i = 0; i < text.length; i += PARSE_SLICE_CHARS) {
					if (i > 0) await yieldToMain();
					const rows = parser.push(text.slice(i, i + PARSE_SLICE_CHARS));
					if (rows.length > 0) await request.onRows(rows);
				}
			}
			const rows = parser.push(decoder.decode());
			if (rows.length > 0) await request.onRows(rows);
			return parser.finish();
		}
	};
}
