import { LoginRateLimiter, type Reservation } from '../accounts/login-rate-limiter';

// The brakes on the public declaration API (docs/decisions/0019-self-declarations.md, "Limits"): it
// is the one door without an account, so what one address or one link can do is bounded. In memory,
// per process, like sign-in's (login-rate-limiter.ts: checked and counted in one synchronous step,
// repeated lockouts doubling): a brake, not a record.

export interface DeclarationLimits {
	/** Submissions (POST /api/declarations) per client address per `windowMs`. */
	submitPerIp: number;
	/** Receipt requests (status, correct, withdraw) per client address per `windowMs`. */
	receiptPerIp: number;
	/** Receipt codes that match nothing, per client address per `windowMs`: guessing. */
	unknownReceiptPerIp: number;
	/** Join-link look-ups (GET /api/join/…) per client address per `windowMs`. */
	joinPerIp: number;
	/** Join links that match nothing (unknown, rotated, paused), per address per `windowMs`. */
	unknownJoinPerIp: number;
	windowMs: number;
	/** Submissions per join link per `linkWindowMs`: a school hall behind one address stays under. */
	submitPerLink: number;
	linkWindowMs: number;
	/** Longest block after repeated lockouts. */
	maxBlockMs: number;
	/** Refusals are written to the audit trail as counts at most this often (10 minutes). */
	refusalAuditMs?: number;
}

/** Go on (and `release` once the code or link is known), or wait this many seconds. */
export type Guarded = { release: () => void } | { blocked: number };

export const DECLARATION_LIMITS: DeclarationLimits = {
	submitPerIp: 30,
	receiptPerIp: 60,
	unknownReceiptPerIp: 10,
	joinPerIp: 120,
	unknownJoinPerIp: 30,
	windowMs: 10 * 60_000,
	submitPerLink: 300,
	linkWindowMs: 60 * 60_000,
	maxBlockMs: 24 * 60 * 60_000,
	refusalAuditMs: 10 * 60_000
};

export class DeclarationLimiter {
	readonly limits: Readonly<DeclarationLimits>;
	readonly #perAddress: LoginRateLimiter;
	readonly #perLink: LoginRateLimiter;

	constructor(limits: DeclarationLimits) {
		this.limits = { ...limits };
		// perLogin/perIp are unused: `reserve` takes its own rules.
		this.#perAddress = new LoginRateLimiter({
			perLogin: 0,
			perIp: 0,
			windowMs: limits.windowMs,
			maxBlockMs: limits.maxBlockMs
		});
		this.#perLink = new LoginRateLimiter({
			perLogin: 0,
			perIp: 0,
			windowMs: limits.linkWindowMs,
			maxBlockMs: limits.maxBlockMs
		});
	}

	/** A submission from this address (counted whatever becomes of it). */
	submission(ip: string): Reservation {
		return this.#perAddress.reserve([{ key: `submit:${ip}`, limit: this.limits.submitPerIp }]);
	}

	/** A submission through this link (`<unitId>-<CODE>`, counted once the link is known). */
	link(link: string): Reservation {
		return this.#perLink.reserve([{ key: `link:${link}`, limit: this.limits.submitPerLink }]);
	}

	/**
	 * A request carrying a receipt code: counted as a request and, until the code turns out to
	 * exist (`release` of `guess`), as a guess — so a run of unknown codes stops at the guessing
	 * limit while the member's own requests count only against the plain one.
	 */
	receipt(ip: string): Guarded {
		return this.#guarded({
			request: { key: `receipt:${ip}`, limit: this.limits.receiptPerIp },
			guess: { key: `guess:${ip}`, limit: this.limits.unknownReceiptPerIp }
		});
	}

	/**
	 * A join-link look-up, counted the same way: each one as a request, and as a guess until the
	 * link turns out to work. A phone opening its unit's poster again and again stays under; a run
	 * of made-up links, each one a read of the store, stops.
	 */
	joinLookup(ip: string): Guarded {
		return this.#guarded({
			request: { key: `join:${ip}`, limit: this.limits.joinPerIp },
			guess: { key: `join-guess:${ip}`, limit: this.limits.unknownJoinPerIp }
		});
	}

	#guarded(rules: {
		request: { key: string; limit: number };
		guess: { key: string; limit: number };
	}): Guarded {
		const request = this.#perAddress.reserve([rules.request]);
		if (!request.ok) return { blocked: request.retryAfterSeconds };
		const guess = this.#perAddress.reserve([rules.guess]);
		if (!guess.ok) return { blocked: guess.retryAfterSeconds };
		return { release: guess.release };
	}
}
