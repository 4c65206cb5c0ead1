import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginRateLimiter } from '../../../server/accounts/login-rate-limiter';

// The limiter's arithmetic on a fake clock: reservations are counted at once, released ones give
// their place back, a known device skips the per-login count, and repeated lockouts back off.

const MINUTE = 60_000;

beforeEach(() => {
	vi.useFakeTimers();
	vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
});

afterEach(() => {
	vi.useRealTimers();
});

function exhaust(limiter: LoginRateLimiter, login: string, ip: string): number {
	let granted = 0;
	while (limiter.reserveSignIn({ login, ip, knownDevice: false }).ok) granted++;
	return granted;
}

describe('LoginRateLimiter', () => {
	it('counts a reservation at once; a released one gives its place back', () => {
		const limiter = new LoginRateLimiter({ perLogin: 3, perIp: 100, windowMs: 15 * MINUTE });
		const first = limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false });
		expect(first.ok).toBe(true);
		if (first.ok) first.release();
		expect(exhaust(limiter, 'a', '1')).toBe(3);
	});

	it('a known device is not stopped by the per-login count, only by its address', () => {
		const limiter = new LoginRateLimiter({ perLogin: 3, perIp: 5, windowMs: 15 * MINUTE });
		exhaust(limiter, 'a', 'attacker');
		expect(limiter.reserveSignIn({ login: 'a', ip: 'phone', knownDevice: false }).ok).toBe(false);
		expect(limiter.reserveSignIn({ login: 'a', ip: 'phone', knownDevice: true }).ok).toBe(true);
		// The attacker's address is its own business: 3 for 'a', then 2 more logins, then blocked.
		expect(exhaust(limiter, 'b', 'attacker')).toBe(2);
		expect(limiter.reserveSignIn({ login: 'c', ip: 'attacker', knownDevice: true }).ok).toBe(false);
	});

	it('blocks for a window, then twice as long at the next lockout, and says how long', () => {
		const limiter = new LoginRateLimiter({ perLogin: 2, perIp: 100, windowMs: 10 * MINUTE });
		exhaust(limiter, 'a', '1');
		const blocked = limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false });
		expect(blocked).toEqual({ ok: false, retryAfterSeconds: 600 });

		vi.advanceTimersByTime(10 * MINUTE + 1);
		expect(exhaust(limiter, 'a', '1')).toBe(2);
		const again = limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false });
		expect(again).toEqual({ ok: false, retryAfterSeconds: 1200 });

		vi.advanceTimersByTime(10 * MINUTE);
		expect(limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false }).ok).toBe(false);
		vi.advanceTimersByTime(10 * MINUTE + 1);
		expect(limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false }).ok).toBe(true);
	});

	it('forgets the backoff after a quiet window, and never blocks longer than maxBlockMs', () => {
		const limiter = new LoginRateLimiter({
			perLogin: 1,
			perIp: 100,
			windowMs: MINUTE,
			maxBlockMs: 3 * MINUTE
		});
		for (let round = 0; round < 6; round++) {
			exhaust(limiter, 'a', '1');
			const blocked = limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false });
			expect(blocked.ok).toBe(false);
			if (!blocked.ok) expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(180);
			vi.advanceTimersByTime(3 * MINUTE + 1);
		}
		vi.advanceTimersByTime(2 * MINUTE);
		exhaust(limiter, 'a', '1');
		expect(limiter.reserveSignIn({ login: 'a', ip: '1', knownDevice: false })).toEqual({
			ok: false,
			retryAfterSeconds: 60
		});
	});

	it('lookups are limited per account, per unit and per address together', () => {
		const limiter = new LoginRateLimiter({ perLogin: 2, perUnit: 3, perIp: 100, windowMs: MINUTE });
		const look = (login: string, unitId = 'u1') =>
			limiter.reserveLookup({ login, unitId, ip: '1' }).ok;
		expect([look('a'), look('a'), look('a')]).toEqual([true, true, false]);
		expect([look('b'), look('b')]).toEqual([true, false]);
		expect(look('c', 'u2')).toBe(true);
	});
});
