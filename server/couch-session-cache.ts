import { CouchError, type CouchClient } from './couch-client';

// CouchDB session cookies, one per login, obtained with the account's service secret through the
// standard `POST /_session`. CouchDB's cookie expires after `couch_httpd_auth/timeout` (600 s by
// default), so a cookie is used for at most `ttlMs` — well inside that — and renewed before; CouchDB
// also hands out refreshed cookies on ordinary responses, which `refresh` records. A cache only: a
// restarted server simply signs in again.

interface Entry {
	cookie: string;
	obtainedAt: number;
}

export class CouchSessionCache {
	readonly #couch: CouchClient;
	readonly #ttlMs: number;
	readonly #entries = new Map<string, Entry>();
	readonly #pending = new Map<string, Promise<string>>();

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
	}
}
