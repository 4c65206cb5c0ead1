import type { CDPSession, Page } from 'playwright-core';

// What the cheap-phone benches (bench/cheap-phone-bench.ts, bench/cheap-phone-pinned.ts) do in the
// page. The waits run in the page with plain DOM queries, not Playwright's locators: on the
// throttled CPU its selector engine and actionability checks were themselves 100–200 ms tasks,
// which the long-task figure counted as the app's (bench/sign-in-profile.ts showed them).
// Each wait is named and logged when it starts and ends, so a run that times out says which wait
// expired (the pinned set's 15-minute timeouts were unexplained for that lack).

/** Where a wait's start and end are written (the bench's log); silent when not given. */
export type WaitLog = (line: string) => void;

/** The CPU slowed as on a cheap phone (CDP, as Lighthouse's mobile profile does). */
export async function throttleCpu(cdp: CDPSession, rate: number): Promise<void> {
	await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}

/** The tap on "Đăng nhập", as the button's click. */
export async function tapSignIn(page: Page): Promise<void> {
	await page.evaluate(() =>
		document.querySelector<HTMLButtonElement>('form button[type="submit"]')!.click()
	);
}

/** Types `text` in the roster's search box at once, as a paste would. */
export async function typeSearch(page: Page, text: string): Promise<void> {
	await page.evaluate((value) => {
		const input = document.querySelector<HTMLInputElement>('[data-testid="search"]')!;
		input.value = value;
		input.dispatchEvent(new Event('input', { bubbles: true }));
	}, text);
}

/**
 * Waits until `check` holds in the page, looked at every 50 ms. `name` says what is waited for in
 * the log and in the error when `timeout` runs out.
 */
export async function waitInPage<A extends string | number | undefined>(
	page: Page,
	wait: {
		name: string;
		check: (arg: A) => boolean;
		arg?: A;
		timeout?: number;
		log?: WaitLog;
		/** What the page shows meanwhile, logged every 30 s (a long wait says whether it moves). */
		progress?: () => string;
	}
): Promise<void> {
	const started = Date.now();
	wait.log?.(`    wait ${wait.name}…`);
	const { progress, log } = wait;
	const timer =
		progress && log
			? setInterval(() => {
					page.evaluate(progress).then(
						(shown) => log(`      ${Math.round((Date.now() - started) / 1000)} s: ${shown}`),
						() => undefined
					);
				}, 30_000)
			: null;
	try {
		await page.waitForFunction(wait.check as (arg: unknown) => boolean, wait.arg, {
			timeout: wait.timeout ?? 900_000,
			polling: 50
		});
	} catch (error) {
		const shown = progress ? await page.evaluate(progress).catch(() => '?') : '';
		throw new Error(
			`the wait "${wait.name}" expired after ${Date.now() - started} ms${shown ? ` (${shown})` : ''}`,
			{ cause: error }
		);
	} finally {
		if (timer) clearInterval(timer);
	}
	wait.log?.(`    wait ${wait.name}: ${Date.now() - started} ms`);
}

/** The roster's count and the sync badge, as a wait's progress. */
export function rosterState(): string {
	const count = document.querySelector('[data-testid="member-count"]')?.textContent ?? 'no count';
	const badge = document.querySelector('[data-testid="sync-label"]')?.textContent ?? 'no badge';
	return `${count}; ${badge}`;
}

/**
 * Types `name` in the roster's search box and waits until the list answers it: that name listed,
 * and only names that begin with it (a search for "Nguyễn Văn An" rightly lists "Nguyễn Văn Anh"
 * too: waiting for the name alone never ended for such names).
 */
export async function searchFor(page: Page, name: string, log?: WaitLog): Promise<void> {
	await typeSearch(page, name);
	await waitInPage(page, {
		name: `search "${name}" answered`,
		check: (wanted) => {
			const items = [...document.querySelectorAll('[data-testid="member-item"] .name')];
			const names = items.map((item) => item.textContent ?? '');
			return names.includes(wanted) && names.every((shown) => shown.startsWith(wanted));
		},
		arg: name,
		log
	});
}

/** The first member's name in the roster, once a row shows. */
export async function firstListedName(page: Page, log?: WaitLog): Promise<string> {
	await waitInPage(page, {
		name: 'first roster row',
		check: () => !!document.querySelector('[data-testid="member-item"] .name'),
		log
	});
	return page.evaluate(
		() => document.querySelector('[data-testid="member-item"] .name')!.textContent!
	);
}

/** The sync badge says every first sync is over. */
export async function waitSynced(page: Page, log?: WaitLog): Promise<void> {
	await waitInPage(page, {
		name: 'badge "Đã đồng bộ"',
		check: () => document.querySelector('[data-testid="sync-label"]')?.textContent === 'Đã đồng bộ',
		log,
		progress: rosterState
	});
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
