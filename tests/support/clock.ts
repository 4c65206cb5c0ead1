import { vi } from 'vitest';
import { addDays, formatDate, todayIso } from '../../src/lib/domain/dates';

// The clock the tests control. No test may depend on the machine's zone or on the wall clock's
// date: Vietnam (UTC+7) is already on the next day between 17:00 and 24:00 UTC, which is where
// tests that computed "today" in the machine's zone used to fail.
//
// `DOANVU_TEST_NOW` (an ISO instant, e.g. 2026-12-06T20:30:00Z) sets where "now" starts, and time
// then flows normally from it:
//   - in Node, `installTestClock` (the unit and e2e projects' setup file) fakes `Date` only, so the
//     tests, the in-process test server and its workers all read the same clock;
//   - in Chromium, `phoneContext` (tests/support/browser.ts) installs Playwright's clock at the
//     same instant.
// Without it, now is the real time. Either way, tests take "today" from here, as Vietnam's date.

/** The instant the tests' clock starts from, or undefined for the real clock. */
export function fixedStart(): number | undefined {
	const text = process.env.DOANVU_TEST_NOW;
	if (!text) return undefined;
	const ms = Date.parse(text);
	if (Number.isNaN(ms)) throw new Error(`DOANVU_TEST_NOW is not an ISO instant: "${text}"`);
	return ms;
}

/** Fakes Node's `Date` from DOANVU_TEST_NOW on, advancing with real time; timers stay real. */
export function installTestClock(): void {
	const start = fixedStart();
	if (start === undefined) return;
	vi.useFakeTimers({ toFake: ['Date'], now: start, shouldAdvanceTime: true });
}

/**
 * Where Playwright's clock must be installed for a browser page to read the tests' clock. Playwright
 * runs in this process and stamps the install with this process's `Date.now()` — the faked one — and
 * a page opened later replays it shifted by (its own real now − that stamp): installed at the tests'
 * now, a page would run on the real clock. Installing as far before the tests' now as the stamp is
 * after the real one cancels the shift. `tests/e2e/test-clock.test.ts` fails if it does not.
 */
export function browserClockStart(): number {
	const now = Date.now();
	if (!vi.isFakeTimers()) return now;
	return now - (vi.getRealSystemTime() - now);
}

/** Vietnam's date now, ISO ("2026-12-07"), from the tests' clock. */
export function vietnamToday(): string {
	return todayIso(new Date());
}

/** An ISO date as a user types it: "07/12/2026". */
export function typedDate(iso: string): string {
	return formatDate(iso);
}

/** An ISO date moved by whole years, months and days (days past a month's end roll over). */
export function shiftDate(options: {
	date: string;
	years?: number;
	months?: number;
	days?: number;
}): string {
	const [y, m, d] = options.date.split('-').map(Number) as [number, number, number];
	const utc = new Date(0);
	utc.setUTCFullYear(y + (options.years ?? 0), m - 1 + (options.months ?? 0), d);
	return addDays({ date: utc.toISOString().slice(0, 10), days: options.days ?? 0 });
}
