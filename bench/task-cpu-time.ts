import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

// The main thread's tasks by the CPU time they took (Chromium's trace: each
// `ThreadControllerImpl::RunTask` event carries `dur`, wall time, and `tdur`, the thread's own CPU
// time). On a machine shared with other work a task's wall time grows with the machine's load — a
// 120 ms busy loop measured 134 ms wall but only 28 ms of CPU under a load average of 20 — so the
// longtask observer's numbers say as much about the neighbours as about the app; `tdur` does not.
// Under CDP's CPU throttling `tdur` grows with the slowdown (measured: 4× gave tasks of 259 ms of
// CPU for 318 ms of wall time), so the slowed row's CPU times are already at a phone's scale.
// The trace file (Playwright's browser.startTracing with a path) has one event per line.

export interface TaskCpuTimes {
	/** The renderer main thread's tasks of at least 50 ms of CPU, longest first, in ms. */
	longTasksCpuMs: number[];
	/** Their wall time (same order). */
	longTasksWallMs: number[];
}

export const TRACE_CATEGORIES = ['toplevel', '__metadata'];

export async function taskCpuTimes(options: { traceFile: string }): Promise<TaskCpuTimes> {
	const names = new Map<string, string>();
	const tasks = new Map<string, { cpu: number; wall: number }[]>();
	const lines = createInterface({ input: createReadStream(options.traceFile) });
	for await (const raw of lines) {
		const line = raw.trim().replace(/,$/, '');
		if (!line.startsWith('{"')) continue;
		let event: {
			ph?: string;
			name?: string;
			pid?: number;
			tid?: number;
			dur?: number;
			tdur?: number;
			args?: { name?: string };
		};
		try {
			event = JSON.parse(line);
		} catch {
			continue;
		}
		const thread = `${event.pid}:${event.tid}`;
		if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name) {
			names.set(thread, event.args.name);
		} else if (
			event.ph === 'X' &&
			event.name === 'ThreadControllerImpl::RunTask' &&
			(event.tdur ?? 0) >= 50_000
		) {
			const list = tasks.get(thread) ?? [];
			list.push({ cpu: (event.tdur ?? 0) / 1000, wall: (event.dur ?? 0) / 1000 });
			tasks.set(thread, list);
		}
	}
	// The page's main thread: of the renderers' main threads, the one that worked the most.
	const main = [...tasks]
		.filter(([thread]) => names.get(thread) === 'CrRendererMain')
		.sort((a, b) => total(b[1]) - total(a[1]))[0]?.[1];
	const sorted = [...(main ?? [])].sort((a, b) => b.cpu - a.cpu);
	return {
		longTasksCpuMs: sorted.map((t) => Math.round(t.cpu)),
		longTasksWallMs: sorted.map((t) => Math.round(t.wall))
	};
}

function total(list: { cpu: number }[]): number {
	return list.reduce((sum, t) => sum + t.cpu, 0);
}
