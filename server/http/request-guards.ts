import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './app-error';

// Checks every request to /api and /couch before any router reads it (docs/decisions/
// 0011-security-headers-and-request-limits.md):
//
// - cross-site writes: a state-changing request that a browser marks as coming from another site
//   (Fetch Metadata `Sec-Fetch-Site`, else `Origin`) is refused. Requests with neither header are
//   not from a browser page (scripts, the tests, PouchDB under Node) and cannot carry a victim's
//   cookie by surprise, so they pass;
// - JSON only: a body sent to a state-changing endpoint must be `application/json`. The types a
//   plain HTML form or a "simple" cross-origin fetch may send (text/plain, form-encoded, multipart)
//   are exactly the ones a cross-site attack uses without a CORS preflight. One exception: the
//   upload of an attachment's raw bytes (isAttachmentUpload below);
// - slow bodies: a body that trickles in below a minimum rate is cut, so that a few slow clients
//   cannot hold the server's connections for the whole request timeout.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const CROSS_SITE = {
	status: 403,
	error: 'cross_site',
	reason: 'Yêu cầu đến từ một trang web khác nên bị từ chối. Hãy mở ứng dụng Đoàn vụ trực tiếp.'
};

const NOT_JSON = {
	status: 415,
	error: 'unsupported_media_type',
	reason: 'Dữ liệu gửi lên phải ở dạng JSON (Content-Type: application/json).'
};

const TOO_SLOW = {
	status: 408,
	error: 'request_timeout',
	reason: 'Dữ liệu gửi lên quá chậm nên kết nối bị ngắt. Hãy thử lại khi mạng ổn định hơn.'
};

function header(req: Request, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** The host the browser addressed: X-Forwarded-Host only from a proxy that TRUST_PROXY trusts. */
function addressedHost(req: Request): string | undefined {
	const trust = req.app.get('trust proxy fn') as
		((address: string, hop: number) => boolean) | undefined;
	const forwarded = header(req, 'x-forwarded-host');
	if (forwarded && trust?.(req.socket.remoteAddress ?? '', 0)) {
		return forwarded.split(',')[0]?.trim().toLowerCase();
	}
	return header(req, 'host')?.trim().toLowerCase();
}

/** Whether a request comes from a page of another origin (or one that hides where it comes from). */
export function isCrossSite(req: Request): boolean {
	const site = header(req, 'sec-fetch-site')?.toLowerCase();
	if (site !== undefined) return site !== 'same-origin' && site !== 'none';
	const origin = header(req, 'origin');
	if (origin === undefined) return false;
	let parsed: URL;
	try {
		parsed = new URL(origin);
	} catch {
		return true; // `null` (sandboxed frames, some redirects) or garbage
	}
	const host = addressedHost(req);
	if (!host || parsed.host.toLowerCase() !== host) return true;
	// req.protocol honours X-Forwarded-Proto under the same TRUST_PROXY rule.
	return parsed.protocol !== `${req.protocol}:`;
}

function hasBody(req: Request): boolean {
	const length = header(req, 'content-length');
	if (length !== undefined) return Number(length) > 0;
	return header(req, 'transfer-encoding') !== undefined;
}

/**
 * The one /api route whose body is not JSON: an attachment's raw bytes (server/attachments/). Its
 * own router accepts only the attachment types, none of which a form or a "simple" cross-origin
 * request may send, and the cross-site check above still applies to it. Exactly this method and
 * path, as spelt: any other spelling meets the JSON rule.
 */
function isAttachmentUpload(req: Request): boolean {
	return req.method === 'POST' && req.originalUrl.split('?', 1)[0] === '/api/attachments';
}

function isJson(contentType: string | undefined): boolean {
	const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
	return type === 'application/json';
}

/** Refuses cross-site state-changing requests and non-JSON bodies. */
export function crossSiteGuard(): RequestHandler {
	return (req: Request, res: Response, next: NextFunction) => {
		if (SAFE_METHODS.has(req.method)) return next();
		if (isCrossSite(req)) {
			sendError(res, CROSS_SITE);
			return;
		}
		if (hasBody(req) && !isJson(header(req, 'content-type')) && !isAttachmentUpload(req)) {
			// The body is never read: close the connection after the answer so it cannot be
			// taken for the next request.
			closeAfter(req, res);
			sendError(res, NOT_JSON);
			return;
		}
		next();
	};
}

/**
 * After refusing a request whose body was not read: answer, then close the connection. The rest of
 * the body is read and dropped for a few seconds first, because closing a socket with unread data
 * makes TCP send a reset that can destroy the answer before the client reads it.
 */
export function closeAfter(req: Request, res: Response, lingerMs = 5000): void {
	if (!res.headersSent) res.setHeader('connection', 'close');
	req.resume();
	const socket = req.socket;
	const timer = setTimeout(() => socket.destroy(), lingerMs);
	timer.unref();
	socket.once('close', () => clearTimeout(timer));
	req.once('end', () => {
		res.once('finish', () => socket.end());
		if (res.writableFinished) socket.end();
	});
}

/**
 * Cuts request bodies that arrive slower than `minBytesPerSecond` on average once `graceMs` have
 * passed (a body that has not started after the grace period is cut too).
 */
export function slowBodyGuard(options: {
	minBytesPerSecond: number;
	graceMs: number;
	checkEveryMs?: number;
}): RequestHandler {
	const every = options.checkEveryMs ?? 1000;
	return (req: Request, res: Response, next: NextFunction) => {
		if (options.minBytesPerSecond <= 0 || !hasBody(req) || req.complete) return next();
		const socket = req.socket;
		const start = Date.now();
		const startBytes = socket.bytesRead;
		const timer = setInterval(() => {
			if (req.complete || res.writableEnded || socket.destroyed) {
				clearInterval(timer);
				return;
			}
			const elapsed = Date.now() - start;
			if (elapsed < options.graceMs) return;
			const received = socket.bytesRead - startBytes;
			if (received >= (options.minBytesPerSecond * elapsed) / 1000) return;
			clearInterval(timer);
			if (res.headersSent) {
				socket.destroy();
				return;
			}
			res.setHeader('connection', 'close');
			res.once('finish', () => socket.destroy());
			sendError(res, TOO_SLOW);
		}, every);
		timer.unref();
		const stop = () => clearInterval(timer);
		req.once('end', stop);
		res.once('close', stop);
		next();
	};
}
