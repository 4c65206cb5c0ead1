import http from 'node:http';
import https from 'node:https';
import express, { type Request, type Response, type Router } from 'express';
import { couchRoles, type AccountDoc } from '../accounts/account-service';
import { sendError, UNAVAILABLE_ERROR } from '../http/app-error';
import { authSessionCookie, type CouchClient } from '../couch/couch-client';
import type { CouchSessionCache } from '../couch/session-cache';
import { classifyCouchRequest, upstreamUrl } from './allowlist';
import { BodyError, DECOMPRESSORS, MAX_JSON_DEPTH, readBody, type BatchKind } from './body';
import type { ProxyBodyGuard } from './write-guard';
import { canAccess, type SecurityCache } from '../couch/security-cache';
import { closeAfter } from '../http/request-guards';
import type { SessionController } from '../accounts/session-controller';

// The /couch reverse proxy (docs/decisions/0005-sessions-and-devices.md): authenticates the device,
// checks the allowlist and the database's `_security`, then forwards to CouchDB as the user, with the
// user's own CouchDB session cookie — never the admin's credentials, never the client's cookies.
// Answers stream: a first sync's `_changes` and `_bulk_get` answers are megabytes. Request bodies are
// read first, decompressed and bounded in bytes and documents (proxy-body.ts), so the store never
// starts on a request that is then refused, and a refusal still reaches the client.

/** How often a live `_changes` feed's device is checked again (see watchStanding). */
const LIVE_FEED_RECHECK_MS = 2000;

const LIVE_FEEDS = new Set(['longpoll', 'continuous', 'eventsource']);

/** Live `_changes` feeds must not sit in a compressor's buffer: heartbeats and changes go out at once. */
export function isLiveFeed(req: Request): boolean {
	if (!req.path.endsWith('/_changes')) return false;
	const feed = req.query.feed;
	return typeof feed === 'string' && LIVE_FEEDS.has(feed);
}

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

export function createProxyRouter(options: {
	couch: CouchClient;
	sessions: SessionController;
	couchSessions: CouchSessionCache;
	security: SecurityCache;
	maxBodyBytes: number;
	/** Documents per `_bulk_docs` / `_bulk_get` (and `_revs_diff`) request. */
	maxDocsPerBatch: number;
	/** A write to this unit database went through: recorded for the workers (db-updates.ts). */
	onWrite?: (db: string) => void;
	/** Reads and checks some write bodies before they go on (registry-guard.ts: citizen ids). */
	bodyGuard?: ProxyBodyGuard;
}): Router {
	const { couch, sessions, couchSessions, security, maxBodyBytes, maxDocsPerBatch } = options;
	const { onWrite, bodyGuard } = options;
	const router = express.Router();
	const upstreamIsHttps = couch.baseUrl.protocol === 'https:';
	const agent = upstreamIsHttps
		? new https.Agent({ keepAlive: true })
		: new http.Agent({ keepAlive: true });
	const tooLarge = {
		status: 413,
		error: 'too_large',
		reason: `Dữ liệu gửi lên quá lớn (tối đa ${Math.round(maxBodyBytes / 1024 / 1024)} MB). Hãy đồng bộ từng phần nhỏ hơn.`
	};
	const tooManyDocs = {
		status: 413,
		error: 'too_many_docs',
		reason: `Mỗi lần gửi tối đa ${maxDocsPerBatch} tài liệu. Hãy đồng bộ từng phần nhỏ hơn.`
	};
	let upstreamVersion: string | undefined;

	// JSON only: a form-encoded sign-in is what a cross-site login form would send.
	const sessionBody = [express.json({ limit: '16kb' })];

	router.use(async (req, res, next) => {
		try {
			await handle(req, res);
		} catch (error) {
			next(error);
		}
	});

	async function handle(req: Request, res: Response): Promise<void> {
		// From the URL as the client sent it: Express's own `req.url` below a mount point has
		// already dropped an empty segment (`/couch//db` arrives as `/db`).
		const original = req.originalUrl;
		const queryAt = original.indexOf('?');
		const fullPath = queryAt === -1 ? original : original.slice(0, queryAt);
		const query = queryAt === -1 ? '' : original.slice(queryAt);
		const rawPath = fullPath.startsWith(req.baseUrl) ? fullPath.slice(req.baseUrl.length) : '\0';
		const route = classifyCouchRequest({
			method: req.method,
			rawPath,
			contentType: req.headers['content-type']
		});

		if (route.kind === 'root') {
			upstreamVersion ??= (await couch.serverInfo().catch(() => undefined))?.version;
			res.json({ couchdb: 'Welcome', version: upstreamVersion ?? '', vendor: { name: 'Doanvu' } });
			return;
		}
		if (route.kind === 'session') {
			await couchSession(req, res);
			return;
		}

		const auth = await sessions.authenticate(req, res);
		if (!auth.ok) {
			sendError(res, { status: 401, error: auth.error, reason: auth.reason });
			return;
		}
		if (route.kind === 'refused') {
			sendError(res, route);
			return;
		}
		const secObj = await security.get(route.db);
		if (!secObj) {
			sendError(res, {
				status: 404,
				error: 'not_found',
				reason: 'Không tìm thấy dữ liệu của đơn vị này.'
			});
			return;
		}
		if (
			!canAccess({ security: secObj, name: auth.account.login, roles: couchRoles(auth.account) })
		) {
			sendError(res, {
				status: 403,
				error: 'forbidden',
				reason: 'Bạn không có quyền truy cập dữ liệu của đơn vị này.'
			});
			return;
		}
		const declared = Number(req.headers['content-length'] ?? 0);
		if (route.hasBody && declared > maxBodyBytes) {
			closeAfter(req, res);
			sendError(res, tooLarge);
			return;
		}
		const encoding = (req.headers['content-encoding'] ?? 'identity')
			.toString()
			.trim()
			.toLowerCase();
		if (route.hasBody && encoding !== 'identity' && !DECOMPRESSORS[encoding]) {
			closeAfter(req, res);
			sendError(res, {
				status: 415,
				error: 'unsupported_encoding',
				reason: 'Kiểu nén dữ liệu gửi lên không được hỗ trợ (chỉ gzip, deflate hoặc br).'
			});
			return;
		}
		const target = upstreamUrl({ base: couch.baseUrl, path: route.path, query });
		if (!target) {
			sendError(res, { status: 400, error: 'bad_request', reason: 'Đường dẫn không hợp lệ.' });
			return;
		}
		// Every body is read (bounded) before anything goes upstream: the store never sees a
		// half-checked request, and a refusal can still be answered on this connection.
		let body: Buffer | undefined;
		if (route.hasBody) {
			const batch: BatchKind | undefined = route.batch;
			try {
				body = await readBody({
					req,
					encoding,
					maxBytes: maxBodyBytes,
					batch: batch ? { kind: batch, maxDocs: maxDocsPerBatch } : undefined
				});
			} catch (error) {
				if (!(error instanceof BodyError)) throw error;
				if (error.kind === 'aborted') {
					res.destroy();
					return;
				}
				closeAfter(req, res);
				if (error.kind === 'too_large') sendError(res, tooLarge);
				else if (error.kind === 'too_many_docs') sendError(res, tooManyDocs);
				else if (error.kind === 'too_deep') {
					sendError(res, {
						status: 400,
						error: 'bad_request',
						reason: `Dữ liệu gửi lên lồng nhau quá sâu (tối đa ${MAX_JSON_DEPTH} tầng).`
					});
				} else {
					sendError(res, {
						status: 400,
						error: 'bad_request',
						reason: 'Dữ liệu nén gửi lên bị hỏng, không giải nén được.'
					});
				}
				return;
			}
		}
		const writes =
			req.method === 'PUT' || req.method === 'DELETE' || route.path.endsWith('/_bulk_docs');
		if (onWrite && writes) {
			const db = route.db;
			res.once('finish', () => {
				if (res.statusCode < 300) onWrite(db);
			});
		}
		if (body && bodyGuard?.wants({ method: req.method, path: route.path })) {
			await bodyGuard.handle({
				req,
				res,
				body,
				db: route.db,
				path: route.path + query,
				account: auth.account
			});
			return;
		}
		if (isLiveFeed(req)) watchStanding(req, res);
		await forward({ req, res, account: auth.account, target, body, retry: true });
	}

	/**
	 * A live feed was authorised when it opened; it is checked again every few seconds and ended
	 * as soon as the device is revoked, signed out or its account disabled (ending the response
	 * destroys the upstream feed too, see `forward`).
	 */
	function watchStanding(req: Request, res: Response): void {
		const timer = setInterval(() => {
			sessions
				.recheck(req)
				.then((standing) => {
					if (!standing.ok && !res.writableEnded) res.end();
				})
				.catch(() => {});
		}, LIVE_FEED_RECHECK_MS);
		timer.unref();
		res.once('close', () => clearInterval(timer));
	}

	async function couchSession(req: Request, res: Response): Promise<void> {
		if (req.method === 'POST') {
			await runMiddleware(sessionBody, req, res);
			await sessions.signIn(req, res);
			return;
		}
		if (req.method === 'DELETE') {
			await sessions.signOut(req, res);
			return;
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			sendError(res, {
				status: 403,
				error: 'forbidden',
				reason: 'Yêu cầu này không được phép qua máy chủ Đoàn vụ.'
			});
			return;
		}
		if (!sessions.hasSessionCookie(req)) {
			// As CouchDB answers an anonymous caller.
			res.set('cache-control', 'no-store').json({ ok: true, userCtx: { name: null, roles: [] } });
			return;
		}
		const auth = await sessions.authenticate(req, res);
		if (!auth.ok) {
			sendError(res, { status: 401, error: auth.error, reason: auth.reason });
			return;
		}
		res.set('cache-control', 'no-store').json({
			ok: true,
			userCtx: { name: auth.account.login, roles: couchRoles(auth.account) },
			info: { authenticated: 'cookie' }
		});
	}

	async function forward(options: {
		req: Request;
		res: Response;
		account: AccountDoc;
		target: URL;
		/** The request body, already read and decompressed. */
		body: Buffer | undefined;
		retry: boolean;
	}): Promise<void> {
		const { req, res, account } = options;
		const cookie = await couchSessions.get({
			login: account.login,
			serviceSecret: account.serviceSecret
		});
		const headers: http.OutgoingHttpHeaders = { cookie, accept: 'application/json' };
		for (const name of FORWARDED_REQUEST_HEADERS) {
			const value = req.headers[name];
			if (value !== undefined) headers[name] = value;
		}
		if (options.body) headers['content-length'] = options.body.length;

		const upstream = (upstreamIsHttps ? https : http).request(options.target, {
			method: req.method,
			headers,
			agent
		});

		let settled = false;
		const fail = (failure: { status: number; error: string; reason: string }) => {
			if (settled) return;
			settled = true;
			upstream.destroy();
			if (res.headersSent) res.destroy();
			else sendError(res, failure);
		};

		res.on('close', () => {
			// The client went away (a phone losing signal mid-sync): stop the upstream work too.
			if (!res.writableFinished) upstream.destroy();
		});
		upstream.on('error', () => fail({ status: 502, ...UNAVAILABLE_ERROR }));

		upstream.on('response', (answer) => {
			if (settled) {
				answer.resume();
				return;
			}
			const status = answer.statusCode ?? 502;
			if (status === 401) {
				// Our CouchDB cookie was refused (expired, or CouchDB restarted with a new secret).
				couchSessions.invalidate(account.login);
				answer.resume();
				settled = true;
				if (options.retry) {
					forward({ ...options, retry: false }).catch(() => {
						if (!res.headersSent) sendError(res, { status: 502, ...UNAVAILABLE_ERROR });
					});
					return;
				}
				res.set('retry-after', '1');
				sendError(res, {
					status: 503,
					error: 'upstream_session',
					reason: 'Máy chủ đang làm mới phiên kết nối dữ liệu. Vui lòng thử lại.'
				});
				return;
			}
			const refreshed = authSessionCookie(normalizeSetCookie(answer.headers['set-cookie']));
			if (refreshed) couchSessions.refresh({ login: account.login, cookie: refreshed });
			if (status >= 500) {
				answer.resume();
				fail({ status: 502, ...UNAVAILABLE_ERROR });
				return;
			}
			settled = true;
			res.status(status);
			for (const [name, value] of Object.entries(answer.headers)) {
				if (value === undefined) continue;
				if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('access-control-')) continue;
				res.setHeader(name, value);
			}
			if (isLiveFeed(req)) res.flushHeaders();
			answer.pipe(res);
			answer.on('error', () => res.destroy());
		});

		upstream.end(options.body);
	}

	return router;
}

function normalizeSetCookie(value: string | string[] | undefined): string[] {
	if (value === undefined) return [];
	return Array.isArray(value) ? value : [value];
}

function runMiddleware(
	stack: express.RequestHandler[],
	req: Request,
	res: Response
): Promise<void> {
	return stack.reduce(
		(previous, handler) =>
			previous.then(
				() =>
					new Promise<void>((resolve, reject) => {
						handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
					})
			),
		Promise.resolve()
	);
}
