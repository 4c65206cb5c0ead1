// The brake on POST /api/registry/clashes (docs/spreadsheets.md, "Clashes for a whole file"): a
// member import asks about thousands of citizen ids at once, which the single look-up's limit (30 a
// minute) cannot carry; but the batch must not become a faster way to learn where numbers are
// active. So it is counted by **distinct ids** per account and per unit over a day — below what
// the single look-up lets an account ask in a day (30 a minute) — and by requests per account
// over an hour (each request reads thousands of claims). An id asked again within the day is not
// counted again: a secretary who fixes her file and previews it again spends nothing more on the
// rows she already asked about.
//
// In memory, like the other limiters (login-rate-limiter.ts): a brake, not a record. The ids are
// held for the day only to recognise them when asked again, never logged or written anywhere.

export interface ClashLookupLimits {
	/** Distinct ids an account may ask about per window. */
	idsPerAccount: number;
	/** Distinct ids all the accounts of one unit together may ask about per window. */
	idsPerUnit: number;
	windowMs: number;
	/** Requests per account per `requestWindowMs`. */
	requestsPerAccount: number;
	requestWindowMs: number;
}

/**
 * 6,000 distinct ids a day per account (a 5,000-row file with room for corrections) and 12,000 per
 * unit; 60 requests an hour per account (a 5,000-row file asks in five or so).
 */
export const CLASH_LOOKUP_LIMITS: ClashLookupLimits = {
	idsPerAccount: 6_000,
	idsPerUnit: 12_000,
	windowMs: 24 * 3_600_000,
	requestsPerAccount: 60,
	requestWindowMs: 3_600_000
};

export type ClashReservation =
	{ ok: true } | { ok: false; reason: 'ids' | 'requests'; retryAfterSeconds: number };

interface IdWindow {
	startedAt: number;
	ids: Set<string>;
}

export class ClashLookupBudget {
	readonly limits: Readonly<ClashLookupLimits>;
	readonly #ids = new Map<string, IdWindow>();
	readonly #requests = new Map<string, number[]>();
	readonly #now: () => number;

	constructor(options: { limits?: ClashLookupLimits; now?: () => number } = {}) {
		this.limits = { ...(options.limits ?? CLASH_LOOKUP_LIMITS) };
		this.#now = options.now ?? Date.now;
	}

	/**
	 * Checks and counts one request of `citizenIds` (distinct) in one synchronous step, before the
	 * registry is read: parallel requests cannot slip past the limit together.
	 */
	reserve(options: {
		login: string;
		unitId: string;
		citizenIds: readonly string[];
	}): ClashReservation {
		const now = this.#now();
		const requests = (this.#requests.get(options.login) ?? []).filter(
			(at) => at > now - this.limits.requestWindowMs
		);
		if (requests.length >= this.limits.requestsPerAccount) {
			this.#requests.set(options.login, requests);
			const retry = requests[0]! + this.limits.requestWindowMs - now;
			return {
				ok: false,
				reason: 'requests',
				retryAfterSeconds: Math.max(1, Math.ceil(retry / 1000))
			};
		}
		const windows = [
			{ key: `login:${options.login}`, limit: this.limits.idsPerAccount },
			{ key: `unit:${options.unitId}`, limit: this.limits.idsPerUnit }
		].map(({ key, limit }) => ({ window: this.#window(key, now), limit }));
		for (const { window, limit } of windows) {
			let fresh = 0;
			for (const id of options.citizenIds) if (!window.ids.has(id)) fresh++;
			if (window.ids.size + fresh > limit) {
				const retry = window.startedAt + this.limits.windowMs - now;
				return {
					ok: false,
					reason: 'ids',
					retryAfterSeconds: Math.max(1, Math.ceil(retry / 1000))
				};
			}
		}
		for (const { window } of windows) for (const id of options.citizenIds) window.ids.add(id);
		requests.push(now);
		this.#requests.set(options.login, requests);
		return { ok: true };
	}

	#window(key: string, now: number): IdWindow {
		let window = this.#ids.get(key);
		if (!window || now - window.startedAt >= this.limits.windowMs) {
			window = { startedAt: now, ids: new Set() };
			this.#ids.set(key, window);
			if (this.#ids.size > 10_000) this.#prune(now);
		}
		return window;
	}

	#prune(now: number): void {
		for (const [key, window] of this.#ids) {
			if (now - window.startedAt >= this.limits.windowMs) this.#ids.delete(key);
		}
		for (const [login, times] of this.#requests) {
			if (!times.some((at) => at > now - this.limits.requestWindowMs)) this.#requests.delete(login);
		}
	}
}
