import express, { type Request, type Response, type Router } from 'express';
import { couchRoles, type AccountDoc } from '../accounts/account-service';
import type { SessionController } from '../accounts/session-controller';
import type { CouchClient } from '../couch/couch-client';
import { canAccess, type SecurityCache } from '../couch/security-cache';
import { sendError } from '../http/app-error';
import { classifyCouchRequest, upstreamUrl, type ProxyRoute } from './allowlist';
import { BodyLimits } from './body-limits';
import { isLiveFeed, watchStanding } from './live-feed';
import { answerCouchSession } from './session-route';
import type { CouchUpstream } from './upstream';
import type { ProxyBodyGuard } from './write-guard';

// The /couch reverse proxy (docs/decisions/0005-sessions-and-devices.md): authenticates the device,
// checks the allowlist and the database's `_security`, then forwards to CouchDB as the user
// (upstream.ts). Answers stream: a first sync's `_changes` and `_bulk_get` answers are megabytes.
// Request bodies are read first, decompressed and bounded in bytes and documents (body-limits.ts),
// so the store never starts on a request that is then refused, and a refusal still reaches the
// client. Writes whose bodies must be checked go through the write guard (write-guard.ts) instead.

type ForwardRoute = Extract<ProxyRoute, { kind: 'forward' }>;

/** A request that may go on: whose it is, where to, and its body as read. */
interface Admitted {
	route: ForwardRoute;
	account: AccountDoc;
	/** The device the request came from (its cookie). */
	deviceId: string;
	target: URL;
	query: string;
	body: Buffer | undefined;
}

export function createProxyRouter(options: {
	couch: CouchClient;
	sessions: SessionController;
	security: SecurityCache;
	upstream: CouchUpstream;
	maxBodyBytes: number;
	/** Documents per `_bulk_docs` / `_bulk_get` (and `_revs_diff`) request. */
	maxDocsPerBatch: number;
	/** A write to this unit database went through: recorded for the workers (db-updates.ts). */
	onWrite?: (db: string) => void;
	/** Reads and checks some write bodies before they go on (write-guard.ts). */
	bodyGuard?: ProxyBodyGuard;
}): Router {
	const proxy = new CouchProxy(options);
	const router = express.Router();
	router.use(async (req, res, next) => {
		try {
			await proxy.handle(req, res);
		} catch (error) {
			next(error);
		}
	});
	return router;
}

class CouchProxy {
	readonly #couch: CouchClient;
	readonly #sessions: SessionController;
	readonly #security: SecurityCache;
	readonly #upstream: CouchUpstream;
	readonly #limits: BodyLimits;
	readonly #onWrite: ((db: string) => void) | undefined;
	readonly #bodyGuard: ProxyBodyGuard | undefined;
	#upstreamVersion: string | undefined;

	constructor(options: Parameters<typeof createProxyRouter>[0]) {
		this.#couch = options.couch;
		this.#sessions = options.sessions;
		this.#security = options.security;
		this.#upstream = options.upstream;
		this.#limits = new BodyLimits(options);
		this.#onWrite = options.onWrite;
		this.#bodyGuard = options.bodyGuard;
	}

	async handle(req: Request, res: Response): Promise<void> {
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
			this.#upstreamVersion ??= (await this.#couch.serverInfo().catch(() => undefined))?.version;
			res.json({
				couchdb: 'Welcome',
				version: this.#upstreamVersion ?? '',
				vendor: { name: 'Doanvu' }
			});
			return;
		}
		if (route.kind === 'session') {
			await answerCouchSession(this.#sessions, req, res);
			return;
		}
		const admitted = await this.#admit(req, res, route, query);
		if (!admitted) return;
		this.#recordWrite(req, res, admitted.route);
		const { account, deviceId, target, body } = admitted;
		if (body && this.#bodyGuard?.wants({ method: req.method, path: admitted.route.path })) {
			await this.#bodyGuard.handle({
				req,
				res,
				body,
				db: admitted.route.db,
				path: admitted.route.path + admitted.query,
				target,
				account,
				deviceId
			});
			return;
		}
		const liveFeed = isLiveFeed(req);
		if (liveFeed) watchStanding(this.#sessions, req, res);
		await this.#upstream.pipe({ req, res, account, target, body, liveFeed });
	}

	/**
	 * Authenticated, allowed, admitted by the database's access list, within the body limits; or
	 * undefined once the device has been answered with why not.
	 */
	async #admit(
		req: Request,
		res: Response,
		route: Exclude<ProxyRoute, { kind: 'root' | 'session' }>,
		query: string
	): Promise<Admitted | undefined> {
		const auth = await this.#sessions.authenticate(req, res);
		if (!auth.ok) {
			sendError(res, { status: 401, error: auth.error, reason: auth.reason });
			return undefined;
		}
		if (route.kind === 'refused') {
			sendError(res, route);
			return undefined;
		}
		const secObj = await this.#security.get(route.db);
		if (!secObj) {
			sendError(res, {
				status: 404,
				error: 'not_found',
				reason: 'Không tìm thấy dữ liệu của đơn vị này.'
			});
			return undefined;
		}
		if (
			!canAccess({ security: secObj, name: auth.account.login, roles: couchRoles(auth.account) })
		) {
			sendError(res, {
				status: 403,
				error: 'forbidden',
				reason: 'Bạn không có quyền truy cập dữ liệu của đơn vị này.'
			});
			return undefined;
		}
		if (this.#limits.refusedByHeaders(req, res, route)) return undefined;
		const target = upstreamUrl({ base: this.#couch.baseUrl, path: route.path, query });
		if (!target) {
			sendError(res, { status: 400, error: 'bad_request', reason: 'Đường dẫn không hợp lệ.' });
			return undefined;
		}
		// Every body is read (bounded) before anything goes upstream: the store never sees a
		// half-checked request, and a refusal can still be answered on this connection.
		let body: Buffer | undefined;
		if (route.hasBody) {
			const read = await this.#limits.read(req, res, route);
			if (read === 'refused') return undefined;
			body = read;
		}
		return { route, account: auth.account, deviceId: auth.device.id, target, query, body };
	}

	/** A write that succeeds is reported (onWrite) once its answer is out. */
	#recordWrite(req: Request, res: Response, route: ForwardRoute): void {
		const writes =
			req.method === 'PUT' || req.method === 'DELETE' || route.path.endsWith('/_bulk_docs');
		if (!this.#onWrite || !writes) return;
		const onWrite = this.#onWrite;
		const db = route.db;
		res.once('finish', () => {
			if (res.statusCode < 300) onWrite(db);
		});
	}
}
