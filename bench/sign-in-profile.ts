import { writeFileSync } from 'node:fs';
import { longTasksSince } from './long-tasks';
import { parentsOf, type CpuProfile, type ProfileNode } from './cpu-profile-types';
import {
	CHEAP_PHONE,
	fillSignIn,
	launchBrowser,
	openPhonePage,
	openSite,
	scriptOption,
	seedUnit
} from './cheap-phone-launch';

// Where the cheap phone's main thread goes from tapping "Đăng nhập" to "Đã đồng bộ" (issue #17):
// a CPU profile (CDP Profiler, 1 ms samples) of that span on the cheap-phone profile (CPU 4×
// slower, 3G), and for each long task the page itself saw (PerformanceObserver 'longtask', the
// same as the cheap-phone bench counts) the functions that took its time, with their file, so that
// a long task can be told to be the sync's (pull.ts, PouchDB's writes) or the read model's
// (indexer, search index).
// Best on a build without minification, so the names mean something:
//   BUILD_DIR=/tmp/prof npx vite build --minify false && tsx scripts/externalize-inline-scripts.ts /tmp/prof
//   tsx bench/sign-in-profile.ts --build=/tmp/prof [--members=400] [--preset=3G] [--out=profile.cpuprofile]

const option = scriptOption;
const buildDir = option('build') ?? 'build';
const members = Number(option('members') ?? 400);
const preset = option('preset') ?? CHEAP_PHONE.preset;
const threshold = Number(option('threshold') ?? 50);

const site = await openSite({ buildDir, store: { kind: 'memory' } });
const browser = await launchBrowser();
try {
	const unit = await seedUnit(site.server, members);
	const { context, page, cdp } = await openPhonePage({
		browser,
		link: site.link,
		preset,
		cpuSlowdown: CHEAP_PHONE.cpuSlowdown,
		longTasks: true
	});
	await page.goto(`${site.link.url}/dang-nhap`);
	await fillSignIn(page, unit);
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
	await cdp.send('Profiler.start');
	// The page's clock when the profile started (to a few ms: enough to place 50 ms tasks).
	const pageAtStart = await page.evaluate(() => performance.now());
	const tapped = Date.now();
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByTestId('member-item').first().waitFor({ timeout: 600_000 });
	const listAt = Date.now() - tapped;
	await page
		.getByTestId('sync-label')
		.filter({ hasText: 'Đã đồng bộ' })
		.waitFor({ timeout: 600_000 });
	const syncedAt = Date.now() - tapped;
	const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
	const out = option('out');
	if (out) writeFileSync(out, JSON.stringify(profile));
	console.log(`first row ${listAt} ms after the tap, "Đã đồng bộ" at ${syncedAt} ms`);
	const longTasks = await longTasksSince(page, pageAtStart);
	report({ profile, longTasks, pageAtStart });
	await context.close();
} finally {
	await browser.close();
	await site.close();
}

function report(options: {
	profile: CpuProfile;
	longTasks: { start: number; duration: number }[];
	pageAtStart: number;
}): void {
	const { profile } = options;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = parentsOf(profile);
	const label = (node: ProfileNode) => {
		const file = node.callFrame.url.split('/').pop() ?? '';
		return `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
	};
	// Each sample at its time (µs, the profile's clock).
	const timed: { at: number; node: number; dt: number }[] = [];
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		timed.push({ at: t, node: profile.samples[i]!, dt: profile.timeDeltas[i + 1] ?? 0 });
	}
	type Task = { start: number; end: number; samples: { node: number; dt: number }[] };
	const tasks: Task[] = options.longTasks.map((task) => {
		const start = profile.startTime + (task.start - options.pageAtStart) * 1000;
		const end = start + task.duration * 1000;
		return {
			start,
			end,
			samples: timed
				.filter((sample) => sample.at >= start && sample.at < end)
				.filter((sample) => byId.get(sample.node)!.callFrame.functionName !== '(idle)')
		};
	});
	const long = tasks
		.map((task) => ({ ...task, ms: (task.end - task.start) / 1000 }))
		.filter((task) => task.ms >= threshold);
	console.log(`${long.length} long tasks ≥ ${threshold} ms`);
	for (const task of long) {
		const self = new Map<string, number>();
		const inclusive = new Map<string, number>();
		for (const sample of task.samples) {
			const node = byId.get(sample.node)!;
			self.set(label(node), (self.get(label(node)) ?? 0) + sample.dt);
			const seen = new Set<string>();
			for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
				const frame = byId.get(id)!;
				const name = label(frame);
				if (seen.has(name) || !frame.callFrame.url) continue;
				seen.add(name);
				inclusive.set(name, (inclusive.get(name) ?? 0) + sample.dt);
			}
		}
		const top = (map: Map<string, number>, n: number) =>
			[...map.entries()]
				.sort((a, b) => b[1] - a[1])
				.slice(0, n)
				.map(([name, us]) => `${(us / 1000).toFixed(0).padStart(5)} ms  ${name}`)
				.join('\n      ');
		console.log(
			`\n  task at +${((task.start - profile.startTime) / 1000).toFixed(0)} ms: ${task.ms.toFixed(0)} ms`
		);
		console.log(`    self:\n      ${top(self, 6)}`);
		console.log(`    inclusive:\n      ${top(inclusive, 14)}`);
	}
}
