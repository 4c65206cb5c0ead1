import type { CDPSession } from 'playwright-core';

// Where a page's long tasks spend their time: the DevTools protocol's sampling profiler
// (`Profiler.start/stop`) over a stretch of work, then, for each run of busy samples longer than
// `minMs` (a run of samples with no "(idle)" between them is a task, or tasks back to back), the
// functions that took the most of it — by self time and including what they called. The longtask
// observer says how long a task was; this says whose it was (issue #16's import write).

interface ProfileNode {
	id: number;
	parent?: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	children?: number[];
}

interface Profile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
}

export interface BusyStretch {
	/** Milliseconds from the profile's start. */
	atMs: number;
	durationMs: number;
	/** The heaviest functions by self time: `name (file:line) ms`. */
	self: string[];
	/** The heaviest frames counting what they called (the app's own code first to look at). */
	inclusive: string[];
}

export async function startCpuProfile(cdp: CDPSession): Promise<void> {
	await cdp.send('Profiler.enable');
	// 200 µs: fine enough to name a function in a 100 ms task, cheap enough not to make it 2× longer.
	await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
	await cdp.send('Profiler.start');
}

export async function stopCpuProfile(cdp: CDPSession): Promise<Profile> {
	const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
	await cdp.send('Profiler.disable');
	return profile;
}

function frameName(node: ProfileNode): string {
	const { functionName, url, lineNumber, columnNumber } = node.callFrame;
	const file = url ? url.replace(/^.*\//, '') : '';
	// Minified chunks are a few long lines: the column is what finds the function in the build.
	const where = file ? ` (${file}:${lineNumber + 1}:${columnNumber + 1})` : '';
	return `${functionName || '(anonymous)'}${where}`;
}

const IDLE = new Set(['(idle)']);

/**
 * The busiest stretches of the profile: runs of busy samples of at least `minMs`, or, given
 * `windows` (the long tasks the page observed, in ms from the profile's start), each window's
 * samples — one task's own functions, not its neighbours'.
 */
export function busyStretches(options: {
	profile: Profile;
	minMs: number;
	top?: number;
	windows?: { startMs: number; durationMs: number }[];
}): BusyStretch[] {
	const { profile, minMs } = options;
	const top = options.top ?? 8;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	for (const node of profile.nodes) {
		for (const child of node.children ?? []) {
			const c = byId.get(child);
			if (c) c.parent = node.id;
		}
	}
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	const times: number[] = [];
	let t = profile.startTime;
	for (let i = 0; i < samples.length; i++) {
		t += deltas[i] ?? 0;
		times.push(t);
	}
	const stretches: BusyStretch[] = [];
	let from = -1;
	const close = (end: number) => {
		if (from < 0) return;
		const durationMs = (times[end]! - times[from]!) / 1000;
		if (durationMs >= minMs) stretches.push(digest({ from, end, durationMs }));
		from = -1;
	};
	const digest = (range: { from: number; end: number; durationMs: number }): BusyStretch => {
		const self = new Map<string, number>();
		const inclusive = new Map<string, number>();
		for (let i = range.from; i < range.end; i++) {
			const weight = ((times[i + 1] ?? times[i]!) - times[i]!) / 1000;
			const leaf = byId.get(samples[i]!);
			if (!leaf) continue;
			const leafName = frameName(leaf);
			self.set(leafName, (self.get(leafName) ?? 0) + weight);
			const seen = new Set<string>();
			for (let node: ProfileNode | undefined = leaf; node; node = byId.get(node.parent ?? -1)) {
				const name = frameName(node);
				if (seen.has(name) || name === '(root)') continue;
				seen.add(name);
				inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
			}
		}
		const list = (map: Map<string, number>) =>
			[...map]
				.sort((a, b) => b[1] - a[1])
				.slice(0, top)
				.map(([name, spent]) => `${name} ${Math.round(spent)} ms`);
		return {
			atMs: Math.round((times[range.from]! - profile.startTime) / 1000),
			durationMs: Math.round(range.durationMs),
			self: list(self),
			inclusive: list(inclusive)
		};
	};
	if (options.windows) {
		for (const w of options.windows) {
			const startUs = profile.startTime + w.startMs * 1000;
			const endUs = startUs + w.durationMs * 1000;
			const from = times.findIndex((at) => at >= startUs);
			let end = times.findIndex((at) => at > endUs);
			if (end < 0) end = times.length - 1;
			if (from >= 0 && end > from) stretches.push(digest({ from, end, durationMs: w.durationMs }));
		}
		return stretches.sort((a, b) => b.durationMs - a.durationMs);
	}
	for (let i = 0; i < samples.length; i++) {
		const node = byId.get(samples[i]!);
		const idle = !node || IDLE.has(node.callFrame.functionName);
		if (idle) close(i);
		else if (from < 0) from = i;
	}
	close(samples.length - 1);
	return stretches.sort((a, b) => b.durationMs - a.durationMs);
}
