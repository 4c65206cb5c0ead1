import http from 'node:http';
import zlib from 'node:zlib';

// fetch() as a browser does it, for the Node side of the bench (the baseline and our engine both
// use it, installed as the global fetch):
// - HTTP/1.1 keep-alive with at most six connections per server, further requests queued (Node's
//   own fetch opens as many connections as asked);
// - answers decoded as they arrive, chunk by chunk, as Chromium's network stack does (Node's fetch
//   holds brotli output back in large blocks, which would make an interrupted download look as if
//   it had received less than it had).
// Several simulated devices in one process (the load scenario) are told apart by their cookie: each
// gets its own pool of six connections.

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function decoderFor(
	encoding: string | undefined
): zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate | null {
	switch ((encoding ?? '').trim().toLowerCase()) {
		case 'gzip':
		case 'x-gzip':
			return zlib.createGunzip({
				flush: zlib.constants.Z_SYNC_FLUSH,
				finishFlush: zlib.constants.Z_SYNC_FLUSH
			});
		case 'deflate':
			return zlib.createInflate({
				flush: zlib.constants.Z_SYNC_FLUSH,
				finishFlush: zlib.constants.Z_SYNC_FLUSH
			});
		case 'br':
			return zlib.createBrotliDecompress({
				flush: zlib.constants.BROTLI_OPERATION_FLUSH,
				finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH
			});
		default:
			return null;
	}
}

async function bodyBytes(body: BodyInit | null | undefined): Promise<Buffer | undefined> {
	if (body === undefined || body === null) return undefined;
	if (typeof body === 'string') return Buffer.from(body);
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	return Buffer.from(await new Response(body).arrayBuffer());
}

export function browserLikeFetch(options: { perOrigin?: number } = {}): typeof fetch {
	const perOrigin = options.perOrigin ?? 6;
	const agents = new Map<string, http.Agent>();

	return async (input: string | URL | Request, init: RequestInit = {}) => {
		const request = input instanceof Request ? input : null;
		const url = new URL(request ? request.url : input instanceof URL ? input.href : String(input));
		const headers = new Headers(request?.headers);
		for (const [k, v] of new Headers(init.headers)) headers.set(k, v);
		const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
		const body = await bodyBytes(
			init.body ?? (request && request.body ? await request.arrayBuffer() : undefined)
		);
		const signal = init.signal ?? request?.signal ?? undefined;
		const device = `${url.origin} ${headers.get('cookie') ?? ''}`;
		let agent = agents.get(device);
		if (!agent)
			agents.set(device, (agent = new http.Agent({ keepAlive: true, maxSockets: perOrigin })));
		if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'gzip, deflate, br');
		if (body) headers.set('content-length', String(body.length));
		if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');

		return new Promise<Response>((resolve, reject) => {
			let req: http.ClientRequest;
			const abort = () => {
				const reason = signal?.reason ?? new DOMException('Aborted', 'AbortError');
				req.destroy(reason instanceof Error ? reason : new Error(String(reason)));
				reject(reason);
			};
			signal?.addEventListener('abort', abort, { once: true });
			const send = (mayRetry: boolean) => {
				req = http.request(url, { method, agent, headers: Object.fromEntries(headers) });
				req.on('error', (error: NodeJS.ErrnoException) => {
					// A kept-alive connection the server closed just as it was reused: browsers send the
					// request again on a new connection, and so does this.
					if (mayRetry && req.reusedSocket && ['ECONNRESET', 'EPIPE'].includes(error.code ?? '')) {
						send(false);
						return;
					}
					signal?.removeEventListener('abort', abort);
					reject(new TypeError('fetch failed', { cause: error }));
				});
				req.on('response', onResponse);
				req.end(body);
			};
			const onResponse = (res: http.IncomingMessage) => {
				const status = res.statusCode ?? 0;
				const answerHeaders = new Headers();
				for (const [k, v] of Object.entries(res.headers)) {
					if (v === undefined) continue;
					for (const value of Array.isArray(v) ? v : [v]) answerHeaders.append(k, value);
				}
				if (NULL_BODY_STATUS.has(status) || method === 'HEAD') {
					res.resume();
					signal?.removeEventListener('abort', abort);
					resolve(new Response(null, { status, headers: answerHeaders }));
					return;
				}
				// Data that reached the device is decoded and handed over before any error, as a browser
				// does: a connection lost mid-answer errors the body only after its last decoded byte.
				const decoder = decoderFor(res.headers['content-encoding']);
				let ended = false;
				const finish = () => {
					if (ended) return;
					ended = true;
					decoder?.end();
				};
				if (decoder) {
					res.on('data', (chunk: Buffer) => decoder.write(chunk));
					res.on('end', finish);
				}
				res.on('aborted', finish);
				res.on('error', finish);
				res.on('close', finish);
				const source: AsyncIterator<Buffer> = (decoder ?? res)[Symbol.asyncIterator]();
				const stream = new ReadableStream<Uint8Array>(
					{
						async pull(controller) {
							try {
								const { done, value } = await source.next();
								if (!done) controller.enqueue(new Uint8Array(value));
								else if (res.complete) controller.close();
								else controller.error(new TypeError('network error: connection closed mid-answer'));
							} catch (error) {
								controller.error(new TypeError('network error', { cause: error }));
							}
							if (ended || res.complete) signal?.removeEventListener('abort', abort);
						},
						cancel() {
							res.destroy();
							decoder?.destroy();
						}
					},
					{ highWaterMark: 0 }
				);
				resolve(
					new Response(stream, { status, statusText: res.statusMessage, headers: answerHeaders })
				);
			};
			send(true);
		});
	};
}
