// Attempt limits for sign-in, password changes and citizen-id lookups (docs/architecture.md,
// "Sessions" and "National citizen-id registry"). In memory on purpose: it is a brake, not a record;
// with several server processes each brakes on its own, which still bounds guessing to a few dozen
// tries per window.
//
// Atomic: an attempt is *reserved* — checked and counted in one synchronous step — before the slow
// work (the password hash, the registry read) starts, and released if it turns out harmless (a right
// password). Checking first and counting after let 40 parallel guesses through a limit of 10.
//
// Backoff: a key that reaches its limit is blocked for one window; each time it reaches it again
// before it has been quiet for a whole window the block doubles (up to `maxBlockMs`).

export interface RateLimits {
	perLogin: number;
	perIp: number;
	/** Lookups per unit (all the unit's accounts together); absent: no unit limit. */
	perUnit?: number;
	windowMs: number;
	/** Longest block after repeated lockouts; absent: 24 hours. */
	maxBlockMs?: number;
}

export type Reservation =
	{ ok: true; release: () => void } | { ok: false; retryAfterSeconds: number };

interface KeyState {
	hits: number[];
	strikes: number;
	blockedUntil: number;
}

export class LoginRateLimiter {
	readonly limits: Readonly<RateLimits>;
	readonly #windowMs: number;
	readonly #maxBlockMs: number;
	readonly #keys = new Map<string, KeyState>();

	constructor(limits: RateLimits) {
		this.limits = { ...limits };
		this.#windowMs = limits.windowMs;
		this.#maxBlockMs = Math.max(limits.maxBlockMs ?? 24 * 60 * 60_000, limits.windowMs);
	}

	/**
	 * A sign-in attempt, per address and per login. `knownDevice`: the request carries a live device
	 * cookie of this very account, so the per-login count (which anyone can drive up from anywhere)
	 * does not stop it — the per-address one still does.
	 */
	reserveSignIn(options: { login: string; ip: string; knownDevice: boolean }): Reservation {
		return this.reserve([
			{ key: `ip:${options.ip}`, limit: this.limits.perIp },
			...(options.knownDevice
				? []
				: [{ key: `login:${options.login}`, limit: this.limits.perLogin }])
		]);
	}

	/** A password change: the old password is a guess like any other. Per account and per device. */
	reservePasswordChange(options: { login: string; deviceId: string }): Reservation {
		return this.reserve([
			{ key: `password-login:${options.login}`, limit: this.limits.perLogin },
			{ key: `password-device:${options.deviceId}`, limit: this.limits.perLogin }
		]);
	}

	/** A citizen-id lookup that may name the unit holding a number: per account, unit and address. */
	reserveLookup(options: { login: string; unitId: string; ip: string }): Reservation {
		return this.reserve([
			{ key: `login:${options.login}`, limit: this.limits.perLogin },
			{ key: `ip:${options.ip}`, limit: this.limits.perIp },
			...(this.limits.perUnit === undefined
				? []
				: [{ key: `unit:${options.unitId}`, limit: this.limits.perUnit }])
		]);
	}

	/** Checks every key, then counts the attempt against all of them, with no await in between. */
	reserve(rules: { key: string; limit: number }[]): Reservation {
		const now = Date.now();
		let blockedUntil = 0;
		for (const { key, limit } of rules) {
			const state = this.#state(key, now);
			if (state.blockedUntil > now) {
				blockedUntil = Math.max(blockedUntil, state.blockedUntil);
			} else if (state.hits.length >= limit) {
				state.strikes += 1;
				const block = Math.min(this.#windowMs * 2 ** (state.strikes - 1), this.#maxBlockMs);
				state.blockedUntil = now + block;
				blockedUntil = Math.max(blockedUntil, state.blockedUntil);
			}
		}
		if (blockedUntil > now) {
			return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - now) / 1000)) };
		}
		const states = rules.map(({ key }) => this.#state(key, now));
		for (const state of states) state.hits.push(now);
		if (this.#keys.size > 100_000) this.#prune(now);
		let released = false;
		return {
			ok: true,
			release: () => {
				if (released) return;
				released = true;
				for (const state of states) {
					const index = state.hits.lastIndexOf(now);
					if (index !== -1) state.hits.splice(index, 1);
				}
			}
		};
	}

	#state(key: string, now: number): KeyState {
		let state = this.#keys.get(key);
		if (!state) {
			state = { hits: [], strikes: 0, blockedUntil: 0 };
			this.#keys.set(key, state);
		}
		const cutoff = now - this.#windowMs;
		if (state.hits.length > 0 && state.hits[0]! <= cutoff) {
			state.hits = state.hits.filter((at) => at > cutoff);
		}
		// A whole quiet window after the last block: the backoff starts over.
		if (state.strikes > 0 && state.hits.length === 0 && now > state.blockedUntil + this.#windowMs) {
			state.strikes = 0;
		}
		return state;
	}

	#prune(now: number): void {
		for (const [key, state] of this.#keys) {
			const cutoff = now - this.#windowMs;
			const quiet = !state.hits.some((at) => at > cutoff);
			if (quiet && now > state.blockedUntil + this.#windowMs) this.#keys.delete(key);
		}
	}
}
