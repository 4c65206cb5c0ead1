import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { MEMBER_SHEET_COLUMNS, memberCellText } from '../src/lib/domain/spreadsheets/member-sheet';
import { generateMembers } from '../src/lib/synthetic';
import {
	launchBrowser,
	phoneContext,
	submitSignIn,
	waitForServiceWorker
} from '../tests/support/browser';
import { ROOT } from './bundle';
import {
	busyStretches,
	startCpuProfile,
	stopCpuProfile,
	type BusyStretch
} from './cpu-profile-digest';
import { startBenchServer, type BenchStore } from './server-client';
import { taskCpuTimes, TRACE_CATEGORIES } from './task-cpu-time';
import { longTasksSince, observeLongTasks } from './long-tasks';

// Issue #16's large file: a unit's 5,000-row .xlsx imported through the screen (/doan-vien/nhap) in
// a phone-sized Chromium on the built app, the CPU slowed `cpuSlowdown` times (CDP
// `Emulation.setCPUThrottlingRate`, as the cheap-phone bench does; the issue's row is 4×, the
// unslowed one is kept beside it). Measured: from
// choosing the file to the preview's counts on screen (read and checked in the worker, the column
// mapping step confirmed as guessed), from "Nhập" to the report (the all-or-nothing write), and
// the longest main-thread task over the whole import (PerformanceObserver 'longtask'; the target
// is under 100 ms: the screen stays responsive while 5,000 rows are read, checked and written).

export interface MemberImportResult {
	/** Which build was measured ('this build', or a baseline given with --baseline-build). */
	build: string;
	rows: number;
	cpuSlowdown: number;
	/** File chosen → preview counts on screen (includes the mapping step's click). */
	toPreviewMs: number;
	/** "Nhập" confirmed → the report on screen. */
	writeMs: number;
	/** The longest main-thread task from choosing the file to the report. */
	longestTaskMs: number;
	/** Main-thread tasks over 100 ms during the import. */
	tasksOver100: number;
	/**
	 * The longest main-thread task by its CPU time (Chromium's trace, task-cpu-time.ts), from the
	 * file chosen to the report: what the machine's load does not inflate (the CPU slowdown does
	 * count in it).
	 */
	longestTaskCpuMs: number;
	/** Main-thread tasks of over 100 ms of CPU time. */
	tasksOver100Cpu: number;
	/**
	 * The same, per phase (each phase traced on its own): file chosen → the preview's counts, and
	 * "Nhập" → the report and half a second after it (what the write's end sets off).
	 */
	phasesCpuMs: { preview: number[]; write: number[] };
	/** Planning the write, slices and yields included (the flow's 'member-import:plan' measure). */
	planMs: number;
	counts: Record<string, string>;
	created: string;
	/** With `profile`: the write's busiest stretches of main-thread samples and whose they were. */
	profile?: BusyStretch[];
	/**
	 * The same file imported again once the first is synced, every row's address changed: every
	 * row an update of a member already on the phone (the before images read, the journal holding
	 * them, every member document a second revision). Absent with `update: false`.
	 */
	update?: Omit<MemberImportResult, 'build' | 'rows' | 'cpuSlowdown' | 'update'>;
}

const ROWS = 5_000;
/**
 * `DOANVU_TRACE_DIR=dir`: the phases' traces are kept there, with the timeline's events (each
 * task's function calls, script URL and position, message and timer events, the script stack of a
 * forced style or layout) to tell whose a long task is without a sampling profiler's overhead.
 */
const TRACE_DIR = process.env.DOANVU_TRACE_DIR;
const CATEGORIES = TRACE_DIR
	? [...TRACE_CATEGORIES, 'devtools.timeline', 'disabled-by-default-devtools.timeline.stack']
	: TRACE_CATEGORIES;
const TODAY = '2026-11-28';

/**
 * The unit's sheet. `changed`: the same members with every row's current address changed, so that
 * importing it after the first file makes every row an update of a member already there.
 */
async function writeSheet(path: string, rows: number, changed = false): Promise<void> {
	const generated = generateMembers({
		seed: 'member-import-bench',
		count: rows,
		unitId: 'benchimport',
		branchIds: [],
		today: TODAY
	});
	const members = changed
		? generated.map((member) => ({
				...member,
				currentAddress: `${member.currentAddress ?? ''} (đã chuyển)`.trim()
			}))
		: generated;
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('Đoàn viên');
	sheet.addRow(MEMBER_SHEET_COLUMNS.map((c) => c.header));
	for (const member of members) {
		sheet.addRow(
			MEMBER_SHEET_COLUMNS.map((column) => memberCellText({ member, column, branchName: () => '' }))
		);
	}
	await workbook.xlsx.writeFile(path);
}

export async function memberImportBench(options: {
	store: BenchStore;
	rows?: number;
	cpuSlowdown?: number;
	/** Samples the main thread during the write (CDP Profiler) and names the long stretches' code. */
	profile?: boolean;
	/** The build to serve: this checkout's `build/` by default. */
	build?: { label: string; dir: string };
	/** Stops at the preview (nothing written): a quicker sample of the preview phase alone. */
	previewOnly?: boolean;
	/** Also the update path (the file again, every row changed); true unless false. */
	update?: boolean;
	log: (line: string) => void;
}): Promise<MemberImportResult> {
	const rows = options.rows ?? ROWS;
	const cpuSlowdown = options.cpuSlowdown ?? 1;
	const dir = mkdtempSync(join(tmpdir(), 'doanvu-import-bench-'));
	const file = join(dir, `doan-vien-${rows}.xlsx`);
	options.log(`  writing a ${rows}-row sheet…`);
	await writeSheet(file, rows);
	const build = options.build ?? { label: 'this build', dir: join(ROOT, 'build') };
	const server = await startBenchServer({ store: options.store, buildDir: build.dir });
	const browser = await launchBrowser();
	try {
		const password = `mk-${randomBytes(6).toString('hex')}`;
		const unit = await server.createUnit({ name: 'Đoàn xã Nhập Thử', password });
		const context = await phoneContext(browser);
		await observeLongTasks(context);
		const page = await context.newPage();
		// Signed in and synced (vitest's polling helpers are not available outside the tests).
		await page.goto(`${server.url}/dang-nhap`);
		await submitSignIn(page, { login: unit.login, password });
		await page.waitForURL('**/doan-vien');
		await waitForServiceWorker(page);
		await waitSynced(page);
		await page.goto(`${server.url}/doan-vien/nhap`);
		await page.getByTestId('import-file').waitFor();
		const cdp = await context.newCDPSession(page);
		const stamp = () => `${build.label.replace(/\W+/g, '-')}-cpu${cpuSlowdown}-${Date.now()}`;
		const measure = (what: { file: string; previewOnly?: boolean; profile?: boolean }) =>
			measureImport({
				page,
				browser,
				cdp,
				dir,
				cpuSlowdown,
				stamp,
				log: options.log,
				...what
			});
		const first = await measure({
			file,
			previewOnly: options.previewOnly,
			profile: options.profile
		});
		let update: MemberImportResult['update'];
		if (!options.previewOnly && options.update !== false) {
			// Every member uploaded and the CPU as it is meanwhile: the upload of the first import
			// is not measured with the second.
			await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
			await page.goto(`${server.url}/doan-vien`);
			await waitSynced(page);
			const changed = join(dir, `doan-vien-${rows}-changed.xlsx`);
			await writeSheet(changed, rows, true);
			await page.goto(`${server.url}/doan-vien/nhap`);
			await page.getByTestId('import-file').waitFor();
			options.log('  the same members again, every row changed (the update path):');
			update = await measure({ file: changed });
			options.log(
				`  update path (${build.label}), CPU ÷${cpuSlowdown}: preview ${update.toPreviewMs} ms, write ${update.writeMs} ms, longest task ${update.longestTaskMs} ms, by CPU time ${update.longestTaskCpuMs} ms (write ${update.phasesCpuMs.write[0] ?? 0} ms); updated: ${update.counts.update}`
			);
		}
		await context.close();
		return { build: build.label, rows, cpuSlowdown, ...first, ...(update ? { update } : {}) };
	} finally {
		await browser.close();
		await server.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function waitSynced(page: Page): Promise<void> {
	await page.waitForFunction(
		() => document.querySelector('[data-testid="sync-label"]')?.textContent === 'Đã đồng bộ',
		null,
		{ timeout: 600_000 }
	);
}

/** One import through the screen, from choosing `file` to the report (or the preview alone). */
async function measureImport(options: {
	page: Page;
	browser: Browser;
	cdp: CDPSession;
	dir: string;
	file: string;
	cpuSlowdown: number;
	previewOnly?: boolean;
	profile?: boolean;
	stamp: () => string;
	log: (line: string) => void;
}): Promise<NonNullable<MemberImportResult['update']>> {
	const { page, browser, cdp, dir, file, cpuSlowdown } = options;
	if (cpuSlowdown > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });

	options.log('  import: reading and checking…');
	const start = await page.evaluate(() => performance.now());
	const previewTrace = join(dir, 'trace-preview.json');
	await browser.startTracing(page, { path: previewTrace, categories: CATEGORIES });
	const t0 = Date.now();
	await page.getByTestId('import-file').setInputFiles(file);
	await page.getByTestId('mapping-check').click({ timeout: 600_000 });
	await page.getByTestId('import-counts').waitFor({ timeout: 600_000 });
	const toPreviewMs = Date.now() - t0;
	const previewAt = await page.evaluate(() => performance.now());
	const counts: Record<string, string> = {};
	for (const kind of ['new', 'update', 'duplicate', 'clash', 'invalid']) {
		counts[kind] =
			(await page.getByTestId(`count-${kind}`).locator('.n').textContent())?.trim() ?? '';
	}

	await browser.stopTracing();
	if (options.previewOnly) {
		await page.waitForTimeout(500);
		const preview = await taskCpuTimes({ traceFile: previewTrace });
		if (TRACE_DIR) copyFileSync(previewTrace, join(TRACE_DIR, `${options.stamp()}-preview.json`));
		options.log(
			`  preview: tasks by CPU time (≥ 50 ms): ${preview.longTasksCpuMs.join(', ') || 'none'}`
		);
		return {
			toPreviewMs,
			writeMs: 0,
			longestTaskMs: 0,
			tasksOver100: 0,
			longestTaskCpuMs: preview.longTasksCpuMs[0] ?? 0,
			tasksOver100Cpu: preview.longTasksCpuMs.filter((cpu) => cpu > 100).length,
			phasesCpuMs: { preview: preview.longTasksCpuMs, write: [] },
			planMs: 0,
			counts,
			created: ''
		};
	}
	const writeTrace = join(dir, 'trace-write.json');

	options.log('  import: writing…');
	await page.getByTestId('import-start').click();
	await browser.startTracing(page, { path: writeTrace, categories: CATEGORIES });
	if (options.profile) await startCpuProfile(cdp);
	const profiledFrom = await page.evaluate(() => performance.now());
	const t1 = Date.now();
	await page.getByRole('dialog').getByRole('button', { name: 'Nhập', exact: true }).click();
	await page.getByTestId('report-created').waitFor({ timeout: 600_000 });
	const writeMs = Date.now() - t1;
	// A second more: what the end of the write sets off (indexing, live queries) is profiled too;
	// then each long task of the write is matched with the samples taken during it.
	if (options.profile) await page.waitForTimeout(1500);
	const cpuProfile = options.profile ? await stopCpuProfile(cdp) : undefined;
	const writeTasks = cpuProfile
		? (await longTasksSince(page, profiledFrom)).map((t) => ({
				startMs: t.start - profiledFrom,
				durationMs: t.duration
			}))
		: [];
	// The raw profile and the tasks, to read in DevTools or a script (`DOANVU_PROFILE_OUT=file`).
	if (cpuProfile && process.env.DOANVU_PROFILE_OUT) {
		writeFileSync(process.env.DOANVU_PROFILE_OUT, JSON.stringify({ cpuProfile, writeTasks }));
	}
	const profile = cpuProfile
		? busyStretches({ profile: cpuProfile, minMs: 50, windows: writeTasks }).slice(0, 5)
		: undefined;
	for (const stretch of profile ?? []) {
		options.log(`  task ${stretch.durationMs} ms at +${stretch.atMs} ms of the write:`);
		options.log(`    self: ${stretch.self.join('; ')}`);
		options.log(`    incl: ${stretch.inclusive.join('; ')}`);
	}
	const created = (await page.getByTestId('report-created').textContent())?.trim() ?? '';
	// Long tasks are reported a moment after they end.
	await page.waitForTimeout(500);
	await browser.stopTracing();
	if (TRACE_DIR) {
		const stamp = options.stamp();
		copyFileSync(previewTrace, join(TRACE_DIR, `${stamp}-preview.json`));
		copyFileSync(writeTrace, join(TRACE_DIR, `${stamp}-write.json`));
	}
	const phases = {
		preview: await taskCpuTimes({ traceFile: previewTrace }),
		write: await taskCpuTimes({ traceFile: writeTrace })
	};
	for (const [phase, times] of Object.entries(phases)) {
		options.log(
			`  ${phase}: tasks by CPU time (≥ 50 ms): ${times.longTasksCpuMs.map((cpu, i) => `${cpu} ms (wall ${times.longTasksWallMs[i]} ms)`).join(', ') || 'none'}`
		);
	}
	const cpuTimes = {
		longTasksCpuMs: [...phases.preview.longTasksCpuMs, ...phases.write.longTasksCpuMs].sort(
			(a, b) => b - a
		)
	};
	const all = await longTasksSince(page, start);
	const tasks = all.map((t) => t.duration);
	const planMs = await page.evaluate(() =>
		Math.round(performance.getEntriesByName('member-import:plan').at(-1)?.duration ?? -1)
	);
	options.log(`  planning the write (slices of 250 rows, wall time): ${planMs} ms`);
	const phase = (t: { start: number }) => (t.start < previewAt ? 'to preview' : 'write');
	options.log(
		`  long tasks: ${all.map((t) => `${Math.round(t.duration)} ms (${phase(t)}, +${Math.round(t.start - start)} ms)`).join(', ') || 'none'}`
	);
	return {
		toPreviewMs,
		writeMs,
		longestTaskMs: Math.round(Math.max(0, ...tasks)),
		tasksOver100: tasks.filter((d) => d > 100).length,
		longestTaskCpuMs: cpuTimes.longTasksCpuMs[0] ?? 0,
		tasksOver100Cpu: cpuTimes.longTasksCpuMs.filter((cpu) => cpu > 100).length,
		phasesCpuMs: {
			preview: phases.preview.longTasksCpuMs,
			write: phases.write.longTasksCpuMs
		},
		planMs,
		counts,
		created,
		...(profile ? { profile } : {})
	};
}
