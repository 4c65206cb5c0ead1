import { UNIT_DB_PATTERN } from './db-names';

// What the /couch proxy lets through (docs/architecture.md, "/couch proxy"): exactly what PouchDB
// replication and the app need on unit databases, nothing else. The embedded store crashes or hangs
// on some requests from non-admins (database PUT/DELETE, GET /_users/…), so anything not listed is
// refused here and never reaches it.

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
	  }
	| { kind: 'refused'; status: 400 | 403; error: string; reason: string };

const REFUSED = {
	system: 'Không được phép truy cập tài nguyên hệ thống của máy chủ dữ liệu.',
	notUnit: 'Chỉ được truy cập cơ sở dữ liệu của đơn vị.',
	dbLifecycle: 'Không được tạo hoặc xóa cơ sở dữ liệu.',
	security: 'Không được xem hoặc thay đổi quyền truy cập của cơ sở dữ liệu.',
	design: 'Không được thay đổi tài liệu thiết kế.',
	attachment: 'Chưa hỗ trợ tệp đính kèm.',
	other: 'Yêu cầu này không được phép qua máy chủ Đoàn vụ.'
} as const;

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
	const raw = options.rawPath.replace(/^\/+/, '');
	if (raw === '')
		return method === 'GET' || method === 'HEAD' ? { kind: 'root' } : refuse(REFUSED.other);

	let segments: string[];
	try {
		segments = raw.split('/').map((segment) => decodeURIComponent(segment));
	} catch {
		return {
			kind: 'refused',
			status: 400,
			error: 'bad_request',
			reason: 'Đường dẫn không hợp lệ.'
		};
	}
	const [db = '', ...rest] = segments;

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

	// A document id sent with an encoded slash (`_design%2Fx`) is the same document as `_design/x`.
	const [first = '', ...more] = rest;
	const parts =
		more.length === 0 && (first.startsWith('_design/') || first.startsWith('_local/'))
			? [first.slice(0, first.indexOf('/')), first.slice(first.indexOf('/') + 1)]
			: rest;
	const [head = '', second, ...tail] = parts;

	if (head in DB_ENDPOINTS && parts.length === 1) {
		if (!DB_ENDPOINTS[head]?.includes(method)) return refuse(REFUSED.other);
		return forward(`${dbPath}/${head}`, method === 'POST');
	}
	if (head === '_security') return refuse(REFUSED.security);
	if (head === '_local') {
		if (second === undefined || second === '' || tail.length > 0) return refuse(REFUSED.other);
		// On the embedded store this document *is* the database's security (pouchdb-security).
		if (second === '_security') return refuse(REFUSED.security);
		if (!['GET', 'PUT', 'DELETE'].includes(method)) return refuse(REFUSED.other);
		return forward(`${dbPath}/_local/${encodeURIComponent(second)}`, method === 'PUT');
	}
	if (head === '_design') {
		if (second === undefined || second === '') return refuse(REFUSED.other);
		if (method !== 'GET' && method !== 'HEAD') return refuse(REFUSED.design);
		// Views, shows, lists and design attachments run code or expose more than documents.
		if (tail.length > 0) return refuse(REFUSED.other);
		return forward(`${dbPath}/_design/${encodeURIComponent(second)}`);
	}
	if (head.startsWith('_')) return refuse(REFUSED.other);
	if (parts.length > 1) return refuse(REFUSED.attachment);
	if (head === '.' || head === '..') return refuse(REFUSED.other);

	// A document.
	if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return refuse(REFUSED.other);
	if (method === 'PUT' && /^multipart\//i.test(options.contentType ?? '')) {
		return refuse(REFUSED.attachment);
	}
	return forward(`${dbPath}/${encodeURIComponent(head)}`, method === 'PUT');
}
