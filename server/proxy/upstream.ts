import http from 'node:http';
import https from 'node:https';
import type { Request, Response } from 'express';
import type { AccountDoc } from '../accounts/account-service';
import { sendError, UNAVAILABLE_ERROR } from '../http/app-error';
import { authSessionCookie, type CouchClient } from '../couch/couch-client';
import type { CouchSessionCache } from '../couch/session-cache';

// The one way a device's request goes on to CouchDB (the proxy, and the write guard once it has
// checked a body): as the user, with the user's own CouchDB session cookie — never the admin's
// credentials, never the client's cookies — over kept-alive connections. The body is the one the
// proxy already read (decompressed, bounded). A 401 from CouchDB means our session cookie for the
// user was refused (expired, or CouchDB restarted with a new secret): a fresh one is tried once, and
// if CouchDB refuses that too the device gets a 503 to retry, never a 401 that would sign it out.
// A CouchDB failure (5xx, or no answer) is a 502.

// Request headers CouchDB needs; everything else (cookies, Authorization, Origin…) stays here.
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'if-match', 'if-none-match'];

// Response headers that are hop-by-hop, reveal the upstream, or would let another origin in.
const DROPPED_RESPONSE_HEADERS = new Set([
	'connection',
	'keep-alive',
	'transfer-encoding',
	'te',
	'trailer',
	'upgrade',
	'proxy-authenticate',
	'set-cookie',
	'server',
	'x-powered-by',
	'www-authenticate'
]);

const UPSTREAM_SESSION = {
	status: 503,
	error: 'upstream_session',
	reason: 'Máy chủ đang làm mới phiên kết nối dữ liệu. Vui lòng thử lại.'
};

export interface UpstreamRequest {
	req: Request;
	res: Response;
	account: AccountDoc;
	/** The CouchDB URL, query string included. */
	target: URL;
	/** The request body, already read and decompressed. */
	body: Buffer | string | undefined;
}

/** A whole CouchDB answer, read into memory (for the write guard, which merges it with refusals). */
export interface BufferedAnswer {
	status: number;
	text: string;
	contentType: string;
}

/**
 * What reached CouchDB and came back: an answer to pass on, or `answered` when the device has
 * already been sent a refusal (502, 503) or has gone away.
 */
type Exchange = { kind: 'answer'; answer: http.IncomingMessage } | { kind: 'answered' };

export class CouchUpstream {
	readonly #couchSessions: CouchSessionCache;
	readonly #isHttps: boolean;
	readonly #agent: http.Agent;

	constructor(options: { couch: CouchClient; couchSessions: CouchSessionCache }) {
		this.#couchSessions = options.couchSessions;
		this.#isHttps = options.couch.baseUrl.protocol === 'https:';
		this.#agent = this.#isHttps
			? new https.Agent({ keepAlive: true })
			: new http.Agent({ keepAlive: true });
	}

	/** Forwards the request and streams CouchDB's answer back (a first sync's are megabytes). */
	async pipe(request: UpstreamRequest & { liveFeed: boolean }): Promise<void> {
		const { res } = request;
		const exchange = await this.#exchange(request, 'client');
		if (exchange.kind === 'answered') return;
		const { answer } = exchange;
		res.status(answer.statusCode ?? 502);
		for (const [name, value] of Object.entries(answer.headers)) {
			if (value === undefined) continue;
			if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('access-control-')) continue;
			res.setHeader(name, value);
		}
		if (request.liveFeed) res.flushHeaders();
		answer.pipe(res);
		answer.on('error', () => res.destroy());
	}

	/**
	 * Forwards a JSON body and reads CouchDB's whole answer; undefined when the device has already
	 * been answered (CouchDB failed or refused our session).
	 */
	async buffered(request: UpstreamRequest): Promise<BufferedAnswer | undefined> {
		const exchange = await this.#exchange(request, 'json');
		if (exchange.kind === 'answered') return undefined;
		const { answer } = exchange;
		let text = '';
		answer.setEncoding('utf8');
		try {
			for await (const chunk of answer) text += chunk as string;
		} catch {
			this.#refuse(request.res, { status: 502, ...UNAVAILABLE_ERROR });
			return undefined;
		}
		return {
			status: answer.statusCode ?? 502,
			text,
			contentType: String(answer.headers['content-type'] ?? 'application/json')
		};
	}

	/**
	 * Sends the request; on a refused session cookie, once more with a fresh one. `client` passes the
	 * device's own content headers on; `json` sends a body the server serialised itself.
	 */
	async #exchange(request: UpstreamRequest, headersFrom: 'client' | 'json'): Promise<Exchange> {
		const { res, account } = request;
		for (let attempt = 0; ; attempt++) {
			const cookie = await this.#couchSessions.get({
				login: account.login,
				serviceSecret: account.serviceSecret
			});
			const answer = await this.#send(request, cookie, headersFrom);
			if (!answer) {
				this.#refuse(res, { status: 502, ...UNAVAILABLE_ERROR });
				return { kind: 'answered' };
			}
			if (headersFrom === 'client' && (res.destroyed || res.writableEnded)) {
				answer.resume();
				return { kind: 'answered' };
			}
			const status = answer.statusCode ?? 502;
			if (status === 401) {
				answer.resume();
				this.#couchSessions.invalidate(account.login);
				if (attempt === 0) continue;
				res.set('retry-after', '1');
				this.#refuse(res, UPSTREAM_SESSION);
				return { kind: 'answered' };
			}
			const refreshed = authSessionCookie(normalizeSetCookie(answer.headers['set-cookie']));
			if (refreshed) this.#couchSessions.refresh({ login: account.login, cookie: refreshed });
			if (status >= 500) {
				answer.resume();
				this.#refuse(res, { status: 502, ...UNAVAILABLE_ERROR });
				return { kind: 'answered' };
			}
			return { kind: 'answer', answer };
		}
	}

	/** One request upstream; undefined when CouchDB could not be reached or the device went away. */
	#send(
		request: UpstreamRequest,
		cookie: string,
		headersFrom: 'client' | 'json'
	): Promise<http.IncomingMessage | undefined> {
		const { req, res, body } = request;
		const headers: http.OutgoingHttpHeaders = { cookie, accept: 'application/json' };
		if (headersFrom === 'client') {
			for (const name of FORWARDED_REQUEST_HEADERS) {
				const value = req.headers[name];
				if (value !== undefined) headers[name] = value;
			}
		} else {
			headers['content-type'] = 'application/json';
			const ifMatch = req.headers['if-match'];
			if (ifMatch !== undefined) headers['if-match'] = ifMatch.toString();
		}
		if (body !== undefined) {
			headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
		}

		const upstream = (this.#isHttps ? https : http).request(request.target, {
			method: req.method,
			headers,
			agent: this.#agent
		});
		if (headersFrom === 'client') {
			res.on('close', () => {
				// The client went away (a phone losing signal mid-sync): stop the upstream work too.
				// Not for a checked write: its registry claims are settled on CouchDB's answer.
				if (!res.writableFinished) upstream.destroy();
			});
		}
		return new Promise((resolve) => {
			upstream.on('error', () => resolve(undefined));
			upstream.on('response', (answer) => resolve(answer));
			upstream.end(body);
		});
	}

	#refuse(res: Response, failure: { status: number; error: string; reason: string }): void {
		if (res.headersSent) res.destroy();
		else if (!res.destroyed) sendError(res, failure);
	}
}

function normalizeSetCookie(value: string | string[] | undefined): string[] {
	if (value === undefined) return [];
	return Array.isArray(value) ? value : [value];
}
