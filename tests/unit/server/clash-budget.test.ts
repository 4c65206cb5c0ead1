import { describe, expect, it } from 'vitest';
import { ClashLookupBudget } from '../../../server/registry/clash-budget';

// The batch clash look-up's brake (server/registry/clash-budget.ts): distinct numbers per account
// and per unit over a window, requests per account over another; a number asked again within the
// window is free; a refused request counts nothing; the windows start over.

const LIMITS = {
	idsPerAccount: 10,
	idsPerUnit: 15,
	windowMs: 1_000,
	requestsPerAccount: 5,
	requestWindowMs: 100
};

function ids(from: number, count: number): string[] {
	return Array.from({ length: count }, (_, i) => String(100_000_000_000 + from + i));
}

describe('ClashLookupBudget', () => {
	it('counts distinct numbers per account; numbers asked again are free; a refusal counts nothing', () => {
		let now = 0;
		const budget = new ClashLookupBudget({ limits: LIMITS, now: () => now });
		const ask = (citizenIds: string[], login = 'a') =>
			budget.reserve({ login, unitId: 'u1', citizenIds });
		expect(ask(ids(0, 8)).ok).toBe(true);
		now += 200;
		expect(ask(ids(0, 8)).ok).toBe(true);
		now += 200;
		const over = ask(ids(5, 6)); // 3 new on top of 8: 11 > 10
		expect(over).toMatchObject({ ok: false, reason: 'ids' });
		// Retry when the day (here a second) that started at 0 is over.
		expect(over.ok ? 0 : over.retryAfterSeconds).toBe(1);
		now += 200;
		expect(ask(ids(8, 2)).ok).toBe(true); // exactly 10: the refused request spent nothing
		now = 1_000;
		expect(ask(ids(100, 10)).ok).toBe(true); // a new window
	});

	it('counts the unit’s accounts together', () => {
		let now = 0;
		const budget = new ClashLookupBudget({ limits: LIMITS, now: () => now });
		expect(budget.reserve({ login: 'a', unitId: 'u1', citizenIds: ids(0, 10) }).ok).toBe(true);
		now += 150;
		// The same numbers by a colleague are not new to the unit.
		expect(budget.reserve({ login: 'b', unitId: 'u1', citizenIds: ids(0, 10) }).ok).toBe(true);
		now += 150;
		expect(budget.reserve({ login: 'b', unitId: 'u1', citizenIds: ids(20, 6) })).toMatchObject({
			ok: false,
			reason: 'ids'
		});
		expect(budget.reserve({ login: 'c', unitId: 'u2', citizenIds: ids(20, 6) }).ok).toBe(true);
	});

	it('brakes requests per account, whatever they ask', () => {
		let now = 0;
		const budget = new ClashLookupBudget({ limits: LIMITS, now: () => now });
		for (let i = 0; i < LIMITS.requestsPerAccount; i++) {
			expect(budget.reserve({ login: 'a', unitId: 'u1', citizenIds: ids(0, 1) }).ok).toBe(true);
		}
		expect(budget.reserve({ login: 'a', unitId: 'u1', citizenIds: ids(0, 1) })).toMatchObject({
			ok: false,
			reason: 'requests'
		});
		now += LIMITS.requestWindowMs + 1;
		expect(budget.reserve({ login: 'a', unitId: 'u1', citizenIds: ids(0, 1) }).ok).toBe(true);
	});
});
