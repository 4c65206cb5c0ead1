import { CouchError, type CouchClient } from './couch-client';

// CouchDB session cookies, one per login, obtained with the account's service secret through the
// standard `POST /_session`. CouchDB's cookie expires after `couch_httpd_auth/timeout` (600 s by
// default), so a cookie is used for at most `ttlMs` — well inside that — and renewed before; CouchDB
// also hands out refreshed cookies on ordinary responses, which `refresh` records. A cache only: a
// restarted server simply signs in again.
//
// A race behind a refusal: CouchDB stamps a cookie with a whole second and accepts it while its
// clock is before that second plus the timeout; Apache CouchDB takes the second by truncating, the
// embedded store by rounding (so a stamp may already be half a second old when made). With a short
// timeout (1 s in the session tests; any timeout shorter than our `ttlMs` in a misconfigured
// cluster) a cookie made at the wrong moment dies a few milliseconds later: the request retried
// after a 401 was refused again, and that second 401 reached the device, which may take itself for
// signed out. After a refusal the cache therefore hands out only a cookie with at least
// `MIN_LIFE_MS` left under either convention at the shortest timeout (its stamp plus half a second);
// one made later is replaced by a new one made once the stamp has moved on (a wait under a second,
// and only after CouchDB refused a cookie of that login).

interface Entry {
	cookie: string;
	obtainedAt: number;
}

export class CouchSessionCache {
	readonly #couch: CouchClient;
	readonly #ttlMs: number;
	readonly #entries = new Map<string, Entry>();
	readonly #pending = new Map<string, Promise<string>>();
	/** Logins whose cookie CouchDB refused: their next cookie must have most of a second to live. */
	readonly #refused = new Set<string>();

	constructor(options: { couch: CouchClient; ttlMs?: number }) {
		this.#couch = options.couch;
		this.#ttlMs = options.ttlMs ?? 270_000;
	}

	/** The `AuthSession=…` cookie pair for this login, signing in when needed. */
	async get(options: { login: string; serviceSecret: string }): Promise<string> {
		const entry = this.#entries.get(options.login);
		if (entry && Date.now() - entry.obtainedAt < this.#ttlMs) return entry.cookie;
		// One sign-in per login at a time: a replication burst must not start twenty sessions.
		let pending = this.#pending.get(options.login);
		if (!pending) {
			pending = this.#signIn(options)
				.then((cookie) => {
					this.#entries.set(options.login, { cookie, obtainedAt: Date.now() });
					return cookie;
				})
				.finally(() => this.#pending.delete(options.login));
			this.#pending.set(options.login, pending);
		}
		return pending;
	}

	async #signIn(options: { login: string; serviceSecret: string }): Promise<string> {
		const cookie = await this.#createSession(options);
		if (!this.#refused.delete(options.login)) return cookie;
		const minted = mintedAtMs(cookie);
		if (minted === undefined) return cookie;
		const now = Date.now();
		const left = minted + 500 - now;
		// A stamp far from our clock: CouchDB on another host with its own clock; nothing to tune.
		if (left >= MIN_LIFE_MS || left < -1_000) return cookie;
		await new Promise((resolve) => setTimeout(resolve, minted + 1_005 - now));
		return this.#createSession(options);
	}

	async #createSession(options: { login: string; serviceSecret: string }): Promise<string> {
		try {
			return (
				await this.#couch.createSession({ name: options.login, password: options.serviceSecret })
			).cookie;
		} catch (error) {
			// In a cluster a user created a moment ago may not have reached every node yet.
			if (!(error instanceof CouchError) || error.status !== 401) throw error;
			await new Promise((resolve) => setTimeout(resolve, 300));
			return (
				await this.#couch.createSession({ name: options.login, password: options.serviceSecret })
			).cookie;
		}
	}

	/** Records a fresher cookie that CouchDB sent back on a proxied response. */
	refresh(options: { login: string; cookie: string }): void {
		const entry = this.#entries.get(options.login);
		if (entry && entry.cookie !== options.cookie) {
			this.#entries.set(options.login, { cookie: options.cookie, obtainedAt: Date.now() });
		}
	}

	/** Drops the cookie after CouchDB refused it (401), so the next request signs in again. */
	invalidate(login: string): void {
		this.#entries.delete(login);
		this.#refused.add(login);
	}
}

/** After a refusal, a new cookie must have this long to live at the shortest timeout (see above). */
const MIN_LIFE_MS = 300;

/**
 * When CouchDB made an `AuthSession=` cookie: its value is base64url of "name:HEXSECONDS:hash"
 * (Apache CouchDB and the embedded store alike); undefined for anything else.
 */
export function mintedAtMs(cookie: string): number | undefined {
	const value = cookie.startsWith('AuthSession=') ? cookie.slice('AuthSession='.length) : cookie;
	let decoded: string;
	try {
		decoded = Buffer.from(decodeURIComponent(value), 'base64url').toString('latin1');
	} catch {
		return undefined;
	}
	const hex = decoded.split(':')[1];
	if (hex === undefined || !/^[0-9a-f]{1,12}$/i.test(hex)) return undefined;
	return parseInt(hex, 16) * 1_000;
}
