import type { BrowserContext, Page } from 'playwright-core';

// The page's long tasks as the browser reports them (PerformanceObserver 'longtask'), from its first
// script on: the benches that bound the main thread's longest task all read them the same way.

export interface LongTask {
	/** On the page's clock (performance.now()). */
	start: number;
	duration: number;
}

/** Records every long task of the context's pages from their first script on. */
export async function observeLongTasks(context: BrowserContext): Promise<void> {
	await context.addInitScript(() => {
		const tasks: { start: number; duration: number }[] = [];
		(window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) {
				tasks.push({ start: entry.startTime, duration: entry.duration });
			}
		}).observe({ type: 'longtask', buffered: true });
	});
}

/** The long tasks that started at or after `from` (the page's clock). */
export function longTasksSince(page: Page, from: number): Promise<LongTask[]> {
	return page.evaluate(
		(since) =>
			(
				window as unknown as { __longTasks: { start: number; duration: number }[] }
			).__longTasks.filter((task) => task.start >= since),
		from
	);
}
