import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { launchBrowser, phoneContext } from '../tests/support/browser';
import { ROOT } from './bundle';
import { openLink } from './link-client';
import { startBenchServer, type BenchServer, type BenchStore } from './server-client';
import { mapLimit } from './sync-bench';

// The superior's morning screen (issue #13) on a province with 300 subordinate units, built and
// served by the real server with its figures worker:
//   - the bytes the province's device syncs for its subtree's figures (its own database: one
//     figures document per unit beneath it, and its own);
//   - from "Đăng nhập" on the sign-in page to the progress list on /tong-quan, over Slow 4G, on a
//     phone-sized Chromium (the sign-in page itself already loaded: the app is installed);
//   - how long an edit in a grassroots unit, sent through /couch as its secretary, takes to reach
//     the province's figures, with the worker on its own loop (not nudged by the bench).

export interface DashboardResult {
	subordinates: number;
	members: number;
	/** The province's database: documents and their size as a first sync sends them. */
	provinceDb: { docs: number; raw: number; gzip: number; brotli4: number };
	/** From the sign-in click to the first progress row, Slow 4G, first visit (median). */
	signInToDashboardMs: { median: number; samples: number[] };
	/** Down the link during those sign-ins (API, sync and the dashboard's code), median. */
	signInDownBytes: number;
	/** The same once the app is installed (its code from the service worker's cache). */
	installedSignInMs: { median: number; samples: number[] };
	installedDownBytes: number;
	/** From an edit's answer to the province's copy of the unit's figures showing it. */
	rollupMs: { median: number; samples: number[] };
}

const COMMUNES = 100;
const SCHOOLS = 50;
const BRANCHES_PER_SCHOOL = 3;
const MEMBERS = 30;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

async function couchJson<T>(options: {
	server: BenchServer;
	cookie: string;
	path: string;
	method?: string;
	body?: unknown;
}): Promise<{ status: number; body: T }> {
	const res = await fetch(`${options.server.url}/couch/${options.path}`, {
		method: options.method ?? 'GET',
		headers: {
			cookie: options.cookie,
			...(options.body ? { 'content-type': 'application/json' } : {})
		},
		body: options.body ? JSON.stringify(options.body) : undefined
	});
	return { status: res.status, body: (await res.json()) as T };
}

export async function dashboardBench(options: {
	store: BenchStore;
	samples?: number;
	log: (line: string) => void;
}): Promise<DashboardResult> {
	const server = await startBenchServer({ store: options.store, buildDir: join(ROOT, 'build') });
	const link = await openLink({ preset: 'Slow 4G', targetPort: server.port });
	const browser = await launchBrowser();
	try {
		options.log(`  a province, ${COMMUNES} communes and ${SCHOOLS} schools with their chi đoàn…`);
		const password = `mk-${randomBytes(6).toString('hex')}`;
		const province = await server.createUnit({
			name: 'Tỉnh đoàn Phú Thọ',
			kind: 'tinh-doan',
			password
		});
		const grassroots = await mapLimit(
			Array.from({ length: COMMUNES }, (_, i) => i),
			4,
			(i) =>
				server.createUnit({
					name: `Đoàn xã Sơn ${i + 1}`,
					kind: 'doan-xa',
					parentId: province.id,
					password
				})
		);
		const schools = await mapLimit(
			Array.from({ length: SCHOOLS }, (_, i) => i),
			4,
			(i) =>
				server.createUnit({
					name: `Đoàn trường THPT số ${i + 1}`,
					kind: 'doan-truong',
					parentId: province.id,
					password
				})
		);
		const branches = await mapLimit(
			schools.flatMap((school) =>
				Array.from({ length: BRANCHES_PER_SCHOOL }, (_, j) => ({ school, j }))
			),
			4,
			({ school, j }) =>
				server.createUnit({
					name: `Chi đoàn lớp ${10 + j}A`,
					kind: 'chi-doan-co-so',
					parentId: school.id,
					password
				})
		);
		const withMembers = [...grassroots, ...branches];
		await mapLimit(withMembers, 4, (unit, i) =>
			server.seed({
				db: unit.db,
				unitId: unit.id,
				login: unit.login,
				seed: `dash-${i}`,
				members: MEMBERS,
				ethnicMix: 'mountain-district',
				today: '2026-11-28'
			})
		);
		const all = [province, ...grassroots, ...schools, ...branches];
		options.log('  the figures worker rolls them up…');
		await server.figures({ dbs: all.map((unit) => unit.db) });
		const payload = await server.payload(province.db);

		// Each sample on a fresh phone: the sign-in page opened on a fast link (and, `installed`, the
		// app installed for offline use, as on the phone of someone who used it before), then Slow 4G
		// from the click on "Đăng nhập" to the first row of the progress list.
		const signIn = async (installed: boolean) => {
			const context = await phoneContext(browser);
			try {
				const page = await context.newPage();
				await link.setPreset('none');
				await page.goto(`${link.url}/dang-nhap`);
				await page.getByLabel('Tên đăng nhập').fill(province.login);
				await page.getByLabel('Mật khẩu').fill(password);
				await page.waitForLoadState('networkidle');
				if (installed) {
					await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, {
						timeout: 120_000
					});
				}
				await link.setPreset('Slow 4G');
				const before = await link.stats();
				const started = performance.now();
				await page.getByRole('button', { name: 'Đăng nhập' }).click();
				await page.waitForURL('**/tong-quan', { timeout: 120_000 });
				await page.getByTestId('progress-row').first().waitFor({ timeout: 120_000 });
				const ms = performance.now() - started;
				const down = (await link.stats()).downBytes - before.downBytes;
				options.log(
					`  sign-in → dashboard${installed ? ' (installed)' : ''} ${Math.round(ms)} ms, ↓${down} bytes`
				);
				return { ms, down };
			} finally {
				await context.close();
			}
		};
		const count = options.samples ?? 3;
		const cold: { ms: number; down: number }[] = [];
		const installed: { ms: number; down: number }[] = [];
		for (let i = 0; i < count; i++) cold.push(await signIn(false));
		for (let i = 0; i < count; i++) installed.push(await signIn(true));

		options.log('  edits in a grassroots unit reach the province…');
		const cookie = await server.signIn({ login: grassroots[0]!.login, password });
		const provinceCookie = await server.signIn({ login: province.login, password });
		const unit = grassroots[0]!;
		const rollup: number[] = [];
		const members = await couchJson<{ rows: { id: string; doc: Record<string, unknown> }[] }>({
			server,
			cookie,
			path: `${unit.db}/_all_docs?include_docs=true&startkey=%22member%3A%22&endkey=%22member%3A%EF%BF%B0%22&limit=50`
		});
		// Members on the rolls only: an edit of anyone else changes no count.
		const onRolls = members.body.rows.filter((row) => row.doc.status === 'active').slice(0, 5);
		if (onRolls.length === 0) throw new Error('no member on the rolls to edit');
		for (const row of onRolls) {
			const figuresPath = `${province.db}/${encodeURIComponent(`figures:${unit.id}`)}`;
			const before = await couchJson<{ own: { partyMembers: number } }>({
				server,
				cookie: provinceCookie,
				path: figuresPath
			});
			const now = new Date().toISOString();
			const put = await couchJson<{ ok?: boolean }>({
				server,
				cookie,
				method: 'PUT',
				path: `${unit.db}/${encodeURIComponent(row.id)}`,
				body: {
					...row.doc,
					partyMember: !row.doc.partyMember,
					updatedAt: now,
					updatedBy: unit.login
				}
			});
			if (put.status !== 201)
				throw new Error(`edit refused: ${put.status} ${JSON.stringify(put.body)}`);
			const started = performance.now();
			const expected = before.body.own.partyMembers + (row.doc.partyMember ? -1 : 1);
			for (;;) {
				const now = await couchJson<{ own: { partyMembers: number } }>({
					server,
					cookie: provinceCookie,
					path: figuresPath
				});
				if (now.body.own.partyMembers === expected) break;
				if (performance.now() - started > 60_000)
					throw new Error('the edit never reached the province');
				await new Promise((r) => setTimeout(r, 25));
			}
			rollup.push(performance.now() - started);
		}
		return {
			subordinates: all.length - 1,
			members: withMembers.length * MEMBERS,
			provinceDb: {
				docs: payload.docs,
				raw: payload.raw,
				gzip: payload.gzip,
				brotli4: payload.brotli4
			},
			signInToDashboardMs: {
				median: median(cold.map((c) => c.ms)),
				samples: cold.map((c) => c.ms)
			},
			signInDownBytes: median(cold.map((c) => c.down)),
			installedSignInMs: {
				median: median(installed.map((c) => c.ms)),
				samples: installed.map((c) => c.ms)
			},
			installedDownBytes: median(installed.map((c) => c.down)),
			rollupMs: { median: median(rollup), samples: rollup }
		};
	} finally {
		await browser.close();
		await link.close();
		await server.close();
	}
}
