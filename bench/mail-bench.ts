import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ulid } from '../server/ulid';
import type { MailDoc, MailStatusDoc } from '../src/lib/domain/mail';
import { ROOT } from './bundle';
import { startBenchServer, storeLabel, type BenchServer, type BenchStore } from './server-client';
import { mapLimit } from './sync-bench';

// Scenario `mail-fanout` (issue #15, docs/decisions/0021-mail-between-units.md): a province's
// secretary sends a directive to its 300 communes. Measured: from the answer to the directive's
// push through /couch to the status document listing all 300 delivered — the post office writes the
// status once every copy is in, so this is the time until the last commune holds its copy. The
// server runs in a process of its own with its workers as in production (nudged by the push, not by
// the bench). Each copy is then checked through /couch: one per commune, at revision 1.
//
//   npx tsx bench/mail-bench.ts [--samples=3] [--store=memory] [--out=path.json]
// or as `npm run bench -- --only=mail-fanout`.

export interface MailFanoutResult {
	recipients: number;
	/** Creating the units and their secretaries (context, not the measure). */
	setupMs: number;
	/** Push answered → status lists every recipient delivered, per sample. */
	fanoutMs: { median: number; samples: number[] };
	/** Copies per second at the median. */
	copiesPerSecond: number;
	/** Every recipient held exactly one copy, at revision 1, after every sample. */
	exactlyOnce: boolean;
}

const RECIPIENTS = 300;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

async function couch<T>(options: {
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

function directive(options: { unitId: string; login: string; recipients: string[] }): MailDoc {
	const at = new Date().toISOString();
	return {
		_id: `mail:${ulid()}`,
		type: 'mail',
		v: 1,
		unitId: options.unitId,
		kind: 'directive',
		subject: 'Triển khai Tháng Thanh niên',
		body: 'Đề nghị các cơ sở đoàn triển khai kế hoạch và báo cáo kết quả trước ngày 25.',
		recipients: options.recipients,
		directive: {
			docType: 'KH',
			number: '15-KH/TĐTN',
			date: at.slice(0, 10),
			summary: 'Kế hoạch triển khai Tháng Thanh niên'
		},
		fromName: 'Tỉnh đoàn Đo Thư',
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

export async function mailFanoutBench(options: {
	store: BenchStore;
	samples?: number;
	log: (line: string) => void;
}): Promise<MailFanoutResult> {
	const { log } = options;
	const server = await startBenchServer({ store: options.store });
	try {
		const password = 'mat-khau-do-thu-2026';
		const setupStarted = performance.now();
		const province = await server.createUnit({
			name: 'Tỉnh đoàn Đo Thư',
			kind: 'tinh-doan',
			password
		});
		const communes = await mapLimit(
			Array.from({ length: RECIPIENTS }, (_, i) => i),
			4,
			(i) => server.createUnit({ name: `Đoàn xã Đo ${i + 1}`, parentId: province.id, password })
		);
		const setupMs = performance.now() - setupStarted;
		log(`  ${RECIPIENTS} communes in ${(setupMs / 1000).toFixed(1)} s`);
		const cookie = await server.signIn({ login: province.login, password });

		const samples: number[] = [];
		let exactlyOnce = true;
		for (let s = 0; s < (options.samples ?? 3); s++) {
			const mail = directive({
				unitId: province.id,
				login: province.login,
				recipients: communes.map((c) => c.id)
			});
			const mailId = mail._id.slice('mail:'.length);
			const put = await couch({
				server,
				cookie,
				path: `${province.db}/${encodeURIComponent(mail._id)}`,
				method: 'PUT',
				body: mail
			});
			if (put.status !== 201) throw new Error(`the directive was refused: ${put.status}`);
			const pushed = performance.now();
			for (;;) {
				const status = await couch<MailStatusDoc>({
					server,
					cookie,
					path: `${province.db}/${encodeURIComponent(`mail-status:${mailId}`)}`
				});
				const entries = status.status === 200 ? Object.values(status.body.recipients) : [];
				if (entries.length === RECIPIENTS) {
					if (entries.some((e) => e.state !== 'delivered')) throw new Error('a refusal');
					break;
				}
				if (performance.now() - pushed > 120_000) throw new Error('fan-out timed out');
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			const ms = performance.now() - pushed;
			samples.push(ms);
			log(`  sample ${s + 1}: ${RECIPIENTS} copies in ${ms.toFixed(0)} ms`);
			// Each commune holds one copy, at revision 1 (the province reads its subtree).
			const revs = await mapLimit(communes, 8, async (commune) => {
				const copy = await couch<{ _rev?: string }>({
					server,
					cookie,
					path: `${commune.db}/${encodeURIComponent(`mail-received:${province.id}:${mailId}`)}`
				});
				return copy.status === 200 ? copy.body._rev : undefined;
			});
			if (!revs.every((rev) => rev?.startsWith('1-'))) exactlyOnce = false;
		}
		const mid = median(samples);
		return {
			recipients: RECIPIENTS,
			setupMs,
			fanoutMs: { median: mid, samples },
			copiesPerSecond: Math.round((RECIPIENTS / mid) * 1000),
			exactlyOnce
		};
	} finally {
		await server.close();
	}
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const option = (name: string) =>
		args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
	const store: BenchStore = { kind: option('store') === 'memory' ? 'memory' : 'leveldb' };
	const at = new Date().toISOString();
	const start = loadavg()[0]!;
	const result = await mailFanoutBench({
		store,
		samples: Number(option('samples') ?? 3),
		log: (line) => console.log(line)
	});
	const out =
		option('out') ?? join(ROOT, 'bench', 'results', `mail-fanout-${at.slice(0, 10)}.json`);
	mkdirSync(join(out, '..'), { recursive: true });
	const machine = {
		cpus: cpus().length,
		cpuModel: cpus()[0]?.model ?? '',
		memoryGb: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		loadAverage: { start, end: loadavg()[0]! },
		note: '2 cores shared with other work; figures are indicative, not a dedicated server'
	};
	const file = { at, machine, store: storeLabel(store), mailFanout: result };
	writeFileSync(out, `${JSON.stringify(file, null, '\t')}\n`);
	console.log(JSON.stringify(result, null, 2));
	console.log(`written to ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
