import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
	DECLARATION_SCHEMA_VERSION,
	formatJoinToken,
	joinLinkId,
	newJoinCode,
	type JoinLinkDoc
} from '../src/lib/domain/declarations';
import { launchBrowser, phoneContext } from '../tests/support/browser';
import { ROOT } from './bundle';
import { openLink } from './link-client';
import { startBenchServer, type BenchStore } from './server-client';

// The members' public declaration page (issue #14, docs/decisions/0019-self-declarations.md) as a
// member first opens a join link from a poster: a phone-sized Chromium with its CPU slowed 4× over
// the emulated 3G link (the same link the sync benches use), a cold cache each time. What it
// downloads before the form is usable — JavaScript, CSS and HTML, gzip as the server sends them —
// and how long from navigation to the form on screen (the page's `declaration-form-ready` mark),
// the median of `samples` visits.

export interface DeclarationPageResult {
	/** Before the form is usable, gzip (level 6, the server's). */
	bytes: { js: number; css: number; html: number; total: number };
	scripts: { url: string; bytes: number }[];
	/** Down the link for the whole first visit (the checks and the worker's install included). */
	wireDown: number;
	formReadyMs: { median: number; samples: number[] };
	cpuSlowdown: number;
	preset: string;
}

const CPU_SLOWDOWN = 4;
const PRESET = '3G';

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function gzipOfBuilt(path: string): number {
	const file = join(ROOT, 'build', path);
	if (!existsSync(file)) return 0;
	return gzipSync(new Uint8Array(readFileSync(file))).length;
}

export async function declarationPageBench(options: {
	store: BenchStore;
	samples?: number;
	log: (line: string) => void;
}): Promise<DeclarationPageResult> {
	const server = await startBenchServer({ store: options.store, buildDir: join(ROOT, 'build') });
	const link = await openLink({ preset: PRESET, targetPort: server.port });
	const browser = await launchBrowser();
	try {
		const password = `mk-${randomBytes(6).toString('hex')}`;
		const unit = await server.createUnit({ name: 'Đoàn xã Khai Báo', password });
		const cookie = await server.signIn({ login: unit.login, password });
		const at = new Date().toISOString();
		const code = newJoinCode();
		const doc: JoinLinkDoc = {
			_id: joinLinkId(),
			type: 'join-link',
			v: DECLARATION_SCHEMA_VERSION,
			unitId: unit.id,
			code,
			enabled: true,
			createdAt: at,
			createdBy: unit.login,
			updatedAt: at,
			updatedBy: unit.login
		};
		const put = await fetch(`${server.url}/couch/${unit.db}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			headers: { cookie, 'content-type': 'application/json' },
			body: JSON.stringify(doc)
		});
		if (put.status !== 201) throw new Error(`join link: ${put.status} ${await put.text()}`);
		const token = formatJoinToken({ unitId: unit.id, code });

		const samples: number[] = [];
		let last: Omit<DeclarationPageResult, 'formReadyMs' | 'cpuSlowdown' | 'preset'> | undefined;
		for (let i = 0; i < (options.samples ?? 3); i++) {
			options.log(`  visit ${i + 1}…`);
			const context = await phoneContext(browser);
			const page = await context.newPage();
			const cdp = await context.newCDPSession(page);
			await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
			await link.resetStats();
			await page.goto(`${link.url}/khai/${token}`, { timeout: 120_000 });
			await page.locator('#f-familyName').waitFor({ timeout: 120_000 });
			await page.waitForFunction(
				() => performance.getEntriesByName('declaration-form-ready').length > 0,
				null,
				{ timeout: 120_000 }
			);
			const seen = await page.evaluate(() => {
				const ready = performance.getEntriesByName('declaration-form-ready')[0]!.startTime;
				return {
					ready,
					before: (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
						.filter((r) => r.startTime <= ready)
						.map((r) => new URL(r.name).pathname)
				};
			});
			samples.push(seen.ready);
			await page.waitForLoadState('networkidle', { timeout: 120_000 });
			const wire = await link.stats();
			const scripts = seen.before
				.filter((path) => path.endsWith('.js'))
				.map((url) => ({ url, bytes: gzipOfBuilt(url) }));
			const js = scripts.reduce((sum, s) => sum + s.bytes, 0);
			const css = seen.before
				.filter((path) => path.endsWith('.css'))
				.reduce((sum, path) => sum + gzipOfBuilt(path), 0);
			const html = gzipOfBuilt('index.html');
			last = {
				bytes: { js, css, html, total: js + css + html },
				scripts: scripts.sort((a, b) => b.bytes - a.bytes),
				wireDown: wire.downBytes
			};
			await context.close();
		}
		return {
			...last!,
			formReadyMs: { median: median(samples), samples },
			cpuSlowdown: CPU_SLOWDOWN,
			preset: PRESET
		};
	} finally {
		await browser.close();
		await link.close();
		await server.close();
	}
}
