import { UNIT_DB_PATTERN } from '../couch/db-names';
import { isDeviceLocalId } from './local-docs';

// What the /couch proxy lets through (docs/architecture.md, "/couch proxy"): exactly what PouchDB
// replication and the app need on unit databases, nothing else. The embedded store crashes or hangs
// on some requests from non-admins (database PUT/DELETE, GET /_users/…), so anything not listed is
// refused here and never reaches it.
//
// Decisions are taken on the path's parsed segments, each decoded exactly once, and a path that a
// URL parser could read differently from us is refused outright instead of being "normalised":
// `.` and `..` (plain or percent-encoded), empty segments (`//`), encoded separators (`%2F`, `%5C`),
// backslashes and control characters. `…/_local/..` once reached the store as the database itself.

export type ProxyRoute =
	| { kind: 'root' }
	| { kind: 'session' }
	| {
			kind: 'forward';
			db: string;
			/** Upstream path relative to CouchDB's base URL, rebuilt from the decoded segments. */
			path: string;
			/** The request may carry a body to stream upstream. */
			hasBody: boolean;
			/** A batch endpoint whose body is counted against the documents-per-batch limit. */
			batch?: BatchEndpoint;
	  }
	| { kind: 'refused'; status: 400 | 403; error: string; reason: string };

const REFUSED = {
	system: 'Không được phép truy cập tài nguyên hệ thống của máy chủ dữ liệu.',
	notUnit: 'Chỉ được truy cập cơ sở dữ liệu của đơn vị.',
	dbLifecycle: 'Không được tạo hoặc xóa cơ sở dữ liệu.',
	security: 'Không được xem hoặc thay đổi quyền truy cập của cơ sở dữ liệu.',
	design: 'Không được thay đổi tài liệu thiết kế.',
	local: 'Tài liệu cục bộ này không được phép truy cập qua máy chủ Đoàn vụ.',
	separator: 'Đường dẫn không được chứa dấu phân cách đã mã hóa (%2F, %5C).',
	attachment: 'Chưa hỗ trợ tệp đính kèm.',
	other: 'Yêu cầu này không được phép qua máy chủ Đoàn vụ.'
} as const;

const BAD_PATH = {
	kind: 'refused',
	status: 400,
	error: 'bad_request',
	reason: 'Đường dẫn không hợp lệ.'
} as const satisfies ProxyRoute;

function refuse(reason: string): ProxyRoute {
	return { kind: 'refused', status: 403, error: 'forbidden', reason };
}

const DB_ENDPOINTS: Record<string, readonly string[]> = {
	_all_docs: ['GET', 'POST'],
	_changes: ['GET', 'POST'],
	_bulk_docs: ['POST'],
	_bulk_get: ['POST'],
	_revs_diff: ['POST']
};

// Bodies that list documents: `docs`, ids with their revisions, `keys` of `_all_docs`, `doc_ids` of
// `_changes`. Each is bounded by the documents-per-batch limit.
const BATCH_ENDPOINTS = ['_bulk_docs', '_bulk_get', '_revs_diff', '_all_docs', '_changes'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

// Raw characters a segment may hold before decoding: RFC 3986 pchar minus nothing we need. A raw
// backslash, space, quote or control character is refused before anything else looks at it.
const RAW_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;

/**
 * Splits `/a/b/` into decoded segments, or says why the path is refused. A single trailing slash
 * is kept as a final empty segment (PouchDB asks for the database as `/db/`); any other empty
 * segment, a dot segment or an encoded separator is refused.
 */
export function parseSegments(rawPath: string): string[] | ProxyRoute {
	if (!rawPath.startsWith('/')) return BAD_PATH;
	const raws = rawPath.slice(1).split('/');
	const segments: string[] = [];
	for (const [index, raw] of raws.entries()) {
		const last = index === raws.length - 1;
		if (!RAW_SEGMENT.test(raw)) return BAD_PATH;
		if (/%(2f|5c)/i.test(raw)) return refuse(REFUSED.separator);
		let decoded: string;
		try {
			decoded = decodeURIComponent(raw);
		} catch {
			return BAD_PATH;
		}
		if (decoded === '' && !(last && index > 0)) return BAD_PATH;
		if (decoded === '.' || decoded === '..') return BAD_PATH;
		// eslint-disable-next-line no-control-regex
		if (/[\u0000-\u001f\u007f\\/]/.test(decoded)) return BAD_PATH;
		segments.push(decoded);
	}
	return segments;
}

/**
 * Classifies a request by method and raw path (the part after `/couch`, without the query string,
 * still percent-encoded).
 */
export function classifyCouchRequest(options: {
	method: string;
	rawPath: string;
	contentType?: string | undefined;
}): ProxyRoute {
	const method = options.method.toUpperCase();
	if (options.rawPath === '/' || options.rawPath === '') {
		return method === 'GET' || method === 'HEAD' ? { kind: 'root' } : refuse(REFUSED.other);
	}
	const parsed = parseSegments(options.rawPath);
	if (!Array.isArray(parsed)) return parsed;
	const [db = '', ...rest] = parsed;

	if (db === '_session' && rest.length === 0) return { kind: 'session' };
	if (db.startsWith('_')) return refuse(REFUSED.system);
	if (!UNIT_DB_PATTERN.test(db)) return refuse(REFUSED.notUnit);

	const dbPath = encodeURIComponent(db);
	const forward = (path: string, hasBody = false): ProxyRoute => ({
		kind: 'forward',
		db,
		path,
		hasBody
	});

	// The database itself: `/db` or `/db/` (PouchDB asks with the trailing slash).
	if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
		if (method === 'GET' || method === 'HEAD') return forward(rest.length ? `${dbPath}/` : dbPath);
		if (method === 'PUT' || method === 'DELETE') return refuse(REFUSED.dbLifecycle);
		return refuse(REFUSED.other);
	}
	// Below the database a trailing slash names nothing we serve.
	if (rest.at(-1) === '') return BAD_PATH;

	const [head = '', second, ...tail] = rest;

	if (head in DB_ENDPOINTS && rest.length === 1) {
		if (!DB_ENDPOINTS[head]?.includes(method)) return refuse(REFUSED.other);
		const route = forward(`${dbPath}/${head}`, method === 'POST');
		const batch = BATCH_ENDPOINTS.find((name) => name === head);
		return route.kind === 'forward' && batch && method === 'POST' ? { ...route, batch } : route;
	}
	if (head === '_security') return refuse(REFUSED.security);
	if (head === '_local') {
		if (second === undefined || tail.length > 0) return refuse(REFUSED.other);
		if (!isDeviceLocalId(second)) return refuse(REFUSED.local);
		if (!['GET', 'PUT', 'DELETE'].includes(method)) return refuse(REFUSED.other);
		return forward(`${dbPath}/_local/${encodeURIComponent(second)}`, method === 'PUT');
	}
	if (head === '_design') {
		if (second === undefined) return refuse(REFUSED.other);
		if (method !== 'GET' && method !== 'HEAD') return refuse(REFUSED.design);
		// Views, shows, lists and design attachments run code or expose more than documents.
		if (tail.length > 0) return refuse(REFUSED.other);
		return forward(`${dbPath}/_design/${encodeURIComponent(second)}`);
	}
	if (head.startsWith('_')) return refuse(REFUSED.other);
	if (rest.length > 1) return refuse(REFUSED.attachment);

	// A document.
	if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return refuse(REFUSED.other);
	if (method === 'PUT' && /^multipart\//i.test(options.contentType ?? '')) {
		return refuse(REFUSED.attachment);
	}
	return forward(`${dbPath}/${encodeURIComponent(head)}`, method === 'PUT');
}

/**
 * The upstream URL for a forwarded path and query, or undefined if resolving it against the base
 * would land anywhere else than the path as built (a second line of defence behind the segment
 * rules above: no segment may be dropped or merged by URL resolution).
 */
export function upstreamUrl(options: { base: URL; path: string; query: string }): URL | undefined {
	const basePath = options.base.pathname.endsWith('/')
		? options.base.pathname
		: `${options.base.pathname}/`;
	let target: URL;
	try {
		target = new URL(`${basePath}${options.path}${options.query}`, options.base);
	} catch {
		return undefined;
	}
	if (target.origin !== options.base.origin) return undefined;
	if (target.pathname !== `${basePath}${options.path}`) return undefined;
	return target;
}
