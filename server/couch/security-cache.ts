import type { CouchClient, SecurityObject } from './couch-client';

// Unit databases' `_security`, read as admin and kept ~30 s: the proxy checks it on every request
// before forwarding, and it changes only when the tree is reorganised.

export class SecurityCache {
	readonly #couch: CouchClient;
	readonly #ttlMs: number;
	readonly #entries = new Map<string, { at: number; security: SecurityObject }>();

	constructor(options: { couch: CouchClient; ttlMs?: number }) {
		this.#couch = options.couch;
		this.#ttlMs = options.ttlMs ?? 30_000;
	}

	/** undefined when the database does not exist (not cached: it may be created any moment). */
	async get(db: string): Promise<SecurityObject | undefined> {
		const cached = this.#entries.get(db);
		if (cached && Date.now() - cached.at < this.#ttlMs) return cached.security;
		const security = await this.#couch.getSecurity(db);
		if (security) {
			if (this.#entries.size > 50_000) this.#entries.clear();
			this.#entries.set(db, { at: Date.now(), security });
		}
		return security;
	}

	forget(db: string): void {
		this.#entries.delete(db);
	}
}

/**
 * Whether a user may use a database. Stricter than CouchDB on one point: a database whose members
 * list is empty is public for CouchDB, but nobody's here — every unit database names its roles.
 */
export function canAccess(options: {
	security: SecurityObject;
	name: string;
	roles: readonly string[];
}): boolean {
	const { security, name, roles } = options;
	for (const group of [security.admins, security.members]) {
		if (group?.names?.includes(name)) return true;
		if (group?.roles?.some((role) => roles.includes(role))) return true;
	}
	return false;
}
