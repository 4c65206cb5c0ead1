// A small typed client for the standard CouchDB HTTP API, used with the server admin's credentials.
// The embedded store is reached the same way (over loopback HTTP), so nothing here may rely on an
// embedded-only feature (docs/decisions/0002-server-framework.md).

export interface CouchDoc {
	_id: string;
	_rev?: string;
	_deleted?: boolean;
}

export interface SecurityObject {
	admins?: { names?: string[]; roles?: string[] };
	members?: { names?: string[]; roles?: string[] };
}

export interface DesignDoc extends CouchDoc {
	language?: string;
	validate_doc_update?: string;
	[key: string]: unknown;
}

export interface BulkResult {
	id: string;
	rev?: string;
	ok?: boolean;
	error?: string;
	reason?: string;
}

export interface AllDocsRow<T> {
	id: string;
	key: string;
	value: { rev: string; deleted?: boolean };
	doc?: T | null;
	error?: string;
}

export class CouchError extends Error {
	readonly status: number;
	readonly error: string;
	readonly reason: string;

	constructor(options: { status: number; error: string; reason: string; what: string }) {
		super(`${options.what}: ${options.status} ${options.error} (${options.reason})`);
		this.status = options.status;
		this.error = options.error;
		this.reason = options.reason;
	}
}

export interface CouchTarget {
	/** Base URL without credentials, ending with '/'. */
	baseUrl: URL;
	user: string | undefined;
	password: string | undefined;
}

/** Splits credentials out of a URL (fetch refuses URLs that carry them). */
export function parseCouchUrl(options: {
	url: string;
	user?: string | undefined;
	password?: string | undefined;
}): CouchTarget {
	const url = new URL(options.url);
	const user = options.user ?? (url.username ? decodeURIComponent(url.username) : undefined);
	const password =
		options.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
	url.username = '';
	url.password = '';
	url.search = '';
	url.hash = '';
	if (!url.pathname.endsWith('/')) url.pathname += '/';
	return { baseUrl: url, user, password };
}

/** Path of a document inside a database; `_design/` and `_local/` keep their slash. */
export function docPath(options: { db: string; id: string }): string {
	const db = encodeURIComponent(options.db);
	for (const prefix of ['_design/', '_local/']) {
		if (options.id.startsWith(prefix)) {
			return `${db}/${prefix}${encodeURIComponent(options.id.slice(prefix.length))}`;
		}
	}
	return `${db}/${encodeURIComponent(options.id)}`;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface CouchRequest {
	method?: string;
	/** Relative to the base URL, without a leading slash. */
	path: string;
	query?: Query;
	body?: unknown;
	/** 'admin' (default) or a CouchDB AuthSession cookie of a user, or none. */
	auth?: 'admin' | 'none' | { cookie: string };
	what?: string;
}

export interface CouchResponse<T> {
	status: number;
	headers: Headers;
	body: T;
}

export class CouchClient {
	readonly baseUrl: URL;
	readonly adminUser: string | undefined;
	readonly #authorization: string | undefined;

	constructor(target: CouchTarget) {
		this.baseUrl = target.baseUrl;
		this.adminUser = target.user;
		this.#authorization =
			target.user !== undefined
				? `Basic ${Buffer.from(`${target.user}:${target.password ?? ''}`).toString('base64')}`
				: undefined;
	}

	url(path: string, query?: Query): URL {
		const url = new URL(path, this.baseUrl);
		for (const [key, value] of Object.entries(query ?? {})) {
			if (value !== undefined) url.searchParams.set(key, String(value));
		}
		return url;
	}

	/** Any request; never throws on an HTTP status (only on network failure). */
	async request<T = unknown>(options: CouchRequest): Promise<CouchResponse<T>> {
		const headers: Record<string, string> = { accept: 'application/json' };
		const auth = options.auth ?? 'admin';
		if (auth === 'admin' && this.#authorization) headers.authorization = this.#authorization;
		if (typeof auth === 'object') headers.cookie = auth.cookie;
		let body: string | undefined;
		if (options.body !== undefined) {
			headers['content-type'] = 'application/json';
			body = JSON.stringify(options.body);
		}
		const res = await fetch(this.url(options.path, options.query), {
			method: options.method ?? 'GET',
			headers,
			body
		});
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			// Not JSON (a proxy's error page): keep the text for the error message.
		}
		return { status: res.status, headers: res.headers, body: parsed as T };
	}

	/** A request whose non-2xx answer becomes a CouchError. */
	async json<T>(options: CouchRequest): Promise<T> {
		const res = await this.request<T>(options);
		if (res.status >= 200 && res.status < 300) return res.body;
		throw toCouchError({
			status: res.status,
			body: res.body,
			what: options.what ?? `${options.method ?? 'GET'} /${options.path}`
		});
	}

	/**
	 * A request with the admin's credentials whose answer is left unread, for bytes that must not
	 * become text (an attachment streamed to a device). The caller reads or cancels the body.
	 */
	raw(options: {
		path: string;
		method?: string;
		query?: Query;
		headers?: Record<string, string>;
	}): Promise<Response> {
		const headers: Record<string, string> = { ...options.headers };
		if (this.#authorization) headers.authorization = this.#authorization;
		return fetch(this.url(options.path, options.query), {
			method: options.method ?? 'GET',
			headers
		});
	}

	serverInfo(): Promise<{ couchdb?: string; version?: string; uuid?: string }> {
		return this.json({ path: '', auth: 'none' });
	}

	async getDoc<T extends CouchDoc>(options: {
		db: string;
		id: string;
		query?: Query;
	}): Promise<T | undefined> {
		const res = await this.request<T>({ path: docPath(options), query: options.query });
		if (res.status === 404) return undefined;
		if (res.status !== 200) {
			throw toCouchError({ status: res.status, body: res.body, what: `GET ${options.id}` });
		}
		return res.body;
	}

	/** Writes one document; a 409 conflict throws CouchError with status 409. */
	async putDoc<T extends CouchDoc>(options: {
		db: string;
		doc: T;
	}): Promise<{ id: string; rev: string }> {
		return this.json({
			method: 'PUT',
			path: docPath({ db: options.db, id: options.doc._id }),
			body: options.doc,
			what: `PUT ${options.doc._id}`
		});
	}

	bulkDocs(options: { db: string; docs: unknown[] }): Promise<BulkResult[]> {
		return this.json({
			method: 'POST',
			path: `${encodeURIComponent(options.db)}/_bulk_docs`,
			body: { docs: options.docs },
			what: `POST ${options.db}/_bulk_docs`
		});
	}

	async allDocs<T>(options: {
		db: string;
		startkey?: string;
		endkey?: string;
		keys?: string[];
		limit?: number;
		includeDocs?: boolean;
	}): Promise<AllDocsRow<T>[]> {
		const query: Query = {
			include_docs: options.includeDocs ?? false,
			limit: options.limit
		};
		if (options.startkey !== undefined) query.startkey = JSON.stringify(options.startkey);
		if (options.endkey !== undefined) query.endkey = JSON.stringify(options.endkey);
		const result = await this.json<{ rows: AllDocsRow<T>[] }>({
			method: options.keys ? 'POST' : 'GET',
			path: `${encodeURIComponent(options.db)}/_all_docs`,
			query,
			body: options.keys ? { keys: options.keys } : undefined,
			what: `${options.db}/_all_docs`
		});
		return result.rows;
	}

	async databaseExists(db: string): Promise<boolean> {
		const res = await this.request({ method: 'HEAD', path: encodeURIComponent(db) });
		if (res.status === 200) return true;
		if (res.status === 404) return false;
		throw toCouchError({ status: res.status, body: res.body, what: `HEAD /${db}` });
	}

	/** Creates a database; false when it already existed (412), so callers may call it every time. */
	async createDatabase(db: string): Promise<boolean> {
		const res = await this.request({ method: 'PUT', path: encodeURIComponent(db) });
		if (res.status === 201 || res.status === 202) return true;
		if (res.status === 412) return false;
		throw toCouchError({ status: res.status, body: res.body, what: `PUT /${db}` });
	}

	async deleteDatabase(db: string): Promise<boolean> {
		const res = await this.request({ method: 'DELETE', path: encodeURIComponent(db) });
		if (res.status === 200 || res.status === 202) return true;
		if (res.status === 404) return false;
		throw toCouchError({ status: res.status, body: res.body, what: `DELETE /${db}` });
	}

	/** The database's security object, or undefined when the database does not exist. */
	async getSecurity(db: string): Promise<SecurityObject | undefined> {
		const res = await this.request<SecurityObject>({
			path: `${encodeURIComponent(db)}/_security`
		});
		if (res.status === 404) return undefined;
		if (res.status !== 200) {
			throw toCouchError({ status: res.status, body: res.body, what: `GET /${db}/_security` });
		}
		return res.body ?? {};
	}

	async putSecurity(options: { db: string; security: SecurityObject }): Promise<void> {
		await this.json({
			method: 'PUT',
			path: `${encodeURIComponent(options.db)}/_security`,
			body: options.security,
			what: `PUT /${options.db}/_security`
		});
	}

	/** Creates or updates a design document; leaves it alone when nothing changed. */
	async putDesignDoc(options: {
		db: string;
		doc: DesignDoc;
	}): Promise<'created' | 'updated' | 'unchanged'> {
		const existing = await this.getDoc<DesignDoc>({ db: options.db, id: options.doc._id });
		if (existing && sameContent(existing, options.doc)) return 'unchanged';
		await this.putDoc({
			db: options.db,
			doc: existing?._rev ? { ...options.doc, _rev: existing._rev } : options.doc
		});
		return existing ? 'updated' : 'created';
	}

	/**
	 * Signs a user in with the standard `POST /_session`; returns the `AuthSession=…` cookie pair.
	 * Throws CouchError 401 on wrong credentials.
	 */
	async createSession(options: {
		name: string;
		password: string;
	}): Promise<{ cookie: string; roles: string[] }> {
		const res = await this.request<{ ok?: boolean; roles?: string[] }>({
			method: 'POST',
			path: '_session',
			body: { name: options.name, password: options.password },
			auth: 'none'
		});
		if (res.status !== 200) {
			throw toCouchError({ status: res.status, body: res.body, what: 'POST /_session' });
		}
		const cookie = authSessionCookie(res.headers.getSetCookie());
		if (!cookie) {
			throw new CouchError({
				status: 502,
				error: 'no_cookie',
				reason: 'CouchDB answered POST /_session without an AuthSession cookie',
				what: 'POST /_session'
			});
		}
		return { cookie, roles: res.body?.roles ?? [] };
	}
}

/** Finds a non-empty `AuthSession=…` pair among Set-Cookie header values. */
export function authSessionCookie(setCookies: readonly string[]): string | undefined {
	for (const header of setCookies) {
		const pair = header.split(';', 1)[0]?.trim() ?? '';
		if (pair.startsWith('AuthSession=') && pair.length > 'AuthSession='.length) return pair;
	}
	return undefined;
}

function toCouchError(options: { status: number; body: unknown; what: string }): CouchError {
	const body = (typeof options.body === 'object' && options.body) || {};
	const { error, reason } = body as { error?: unknown; reason?: unknown };
	return new CouchError({
		status: options.status,
		error: typeof error === 'string' ? error : 'http_error',
		reason:
			typeof reason === 'string'
				? reason
				: typeof options.body === 'string'
					? options.body.slice(0, 200)
					: '',
		what: options.what
	});
}

function sameContent(a: DesignDoc, b: DesignDoc): boolean {
	const strip = ({ _rev: _r, ...rest }: DesignDoc) => rest;
	return stableStringify(strip(a)) === stableStringify(strip(b));
}

function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, item]) => item !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
