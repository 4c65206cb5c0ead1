// Failed sign-ins counted per login and per client address over a sliding window. In memory on
// purpose: it is a brake, not a record; with several server processes each brakes on its own, which
// still bounds guessing to a few dozen tries per window.

export class LoginRateLimiter {
	readonly #perLogin: number;
	readonly #perIp: number;
	readonly #windowMs: number;
	readonly #failures = new Map<string, number[]>();

	constructor(options: { perLogin: number; perIp: number; windowMs: number }) {
		this.#perLogin = options.perLogin;
		this.#perIp = options.perIp;
		this.#windowMs = options.windowMs;
	}

	isBlocked(options: { login: string; ip: string }): boolean {
		return (
			this.#count(`login:${options.login}`) >= this.#perLogin ||
			this.#count(`ip:${options.ip}`) >= this.#perIp
		);
	}

	recordFailure(options: { login: string; ip: string }): void {
		const now = Date.now();
		for (const key of [`login:${options.login}`, `ip:${options.ip}`]) {
			const list = this.#recent(key);
			list.push(now);
			this.#failures.set(key, list);
		}
		if (this.#failures.size > 100_000) this.#prune();
	}

	/** A successful sign-in clears the login's count (not the address's: others share it). */
	recordSuccess(options: { login: string }): void {
		this.#failures.delete(`login:${options.login}`);
	}

	#count(key: string): number {
		return this.#recent(key).length;
	}

	#recent(key: string): number[] {
		const cutoff = Date.now() - this.#windowMs;
		const list = (this.#failures.get(key) ?? []).filter((at) => at > cutoff);
		if (list.length === 0) this.#failures.delete(key);
		return list;
	}

	#prune(): void {
		for (const key of [...this.#failures.keys()]) this.#recent(key);
	}
}
