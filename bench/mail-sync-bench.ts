import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from '../server/ulid';
import { ROOT } from './bundle';
import { couchdbStore, startBenchServer, storeLabel, type BenchStore } from './server-client';
import { firstSync, makeUnit, type FirstSyncResult } from './sync-bench';

// Scenario `mail-first-sync` (issue #15; docs/decisions/0021-mail-between-units.md, "Attachments"):
// a commune that has received 50 directives, each carrying a 1 MB PDF, syncs for the first time —
// against the same commune (same members, same 50 directives) whose directives carry no file. The
// attachments must not count: the files live in the server's file store and a mail names them by
// hash, so both first syncs move nearly the same bytes in nearly the same time. The PDFs are really
// uploaded through POST /api/attachments by the province's secretary; the delivered copies
// (`mail-received:`) are written by the server's admin, as the post office writes them.
//
// Usage: tsx bench/mail-sync-bench.ts [--store=memory] [--couchdb=URL] [--preset=3G]
//        [--members=400] [--out=bench/results/mail-first-sync-<date>.json]

const args = process.argv.slice(2);
const option = (name: string) =>
	args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const DIRECTIVES = 50;
const FILE_BYTES = 1024 * 1024;
const TODAY = '2026-11-28';
const members = Number(option('members') ?? 400);
const preset = option('preset') ?? '3G';
const store: BenchStore = option('couchdb')
	? couchdbStore(option('couchdb')!)
	: { kind: option('store') === 'memory' ? 'memory' : 'leveldb' };
const log = (line: string) => console.log(line);

interface Uploaded {
	id: string;
	name: string;
	type: string;
	size: number;
}

export interface MailFirstSyncResult {
	scenario: 'mail-first-sync';
	store: string;
	link: string;
	members: number;
	directives: number;
	fileBytes: number;
	/** The 50 PDFs through POST /api/attachments (loopback, not the emulated link). */
	uploadMs: number;
	withAttachments: Omit<FirstSyncResult, 'scenario'>;
	withoutAttachments: Omit<FirstSyncResult, 'scenario'>;
	/** with ÷ without, for the app's engine: 1.00 means the files did not count at all. */
	ratio: { downBytes: number; ms: number; payloadGzip: number };
	/** What the files would have added had they travelled in the unit database. */
	filesTotalBytes: number;
}

function pdf(size: number): Buffer {
	const head = Buffer.from('%PDF-1.7\n', 'latin1');
	return Buffer.concat([head, randomBytes(size - head.length)] as Uint8Array[]);
}

async function upload(url: string, cookie: string, i: number): Promise<Uploaded> {
	const bytes = pdf(FILE_BYTES);
	const name = `Công văn ${i + 1}-CV-TĐTN.pdf`;
	const res = await fetch(`${url}/api/attachments`, {
		method: 'POST',
		headers: {
			cookie,
			'content-type': 'application/pdf',
			'x-file-name': encodeURIComponent(name)
		},
		body: bytes as Uint8Array<ArrayBuffer>
	});
	if (res.status !== 201) throw new Error(`upload ${i}: ${res.status} ${await res.text()}`);
	const answer = (await res.json()) as Uploaded;
	const hash = createHash('sha256')
		.update(bytes as Uint8Array)
		.digest('hex');
	if (answer.id !== hash) throw new Error(`upload ${i}: the server named it ${answer.id}`);
	return answer;
}

function directives(options: {
	unitId: string;
	from: { id: string; login: string };
	mailIds: string[];
	files: Uploaded[] | undefined;
}): { _id: string }[] {
	const { unitId, from, mailIds, files } = options;
	return mailIds.map((mailId, i) => {
		const at = new Date(Date.parse(`${TODAY}T01:00:00.000Z`) + i * 60_000).toISOString();
		const file = files?.[i];
		return {
			_id: `mail-received:${from.id}:${mailId}`,
			type: 'mail-received',
			v: 1,
			unitId,
			mailId,
			fromUnitId: from.id,
			kind: 'directive',
			subject: `Về việc triển khai tháng thanh niên, đợt ${i + 1}`,
			body: 'Đề nghị các cơ sở Đoàn tổ chức triển khai, báo cáo kết quả về Tỉnh đoàn đúng hạn. '.repeat(
				6
			),
			recipients: [unitId],
			directive: {
				docType: 'CV',
				number: `${i + 1}-CV/TĐTN`,
				date: TODAY,
				summary: 'Về việc triển khai các hoạt động tháng thanh niên năm 2027'
			},
			...(file ? { attachments: [{ ...file, required: i % 5 === 0 }] } : {}),
			fromName: 'Tỉnh đoàn Phú Thọ',
			createdAt: at,
			createdBy: from.login,
			updatedAt: at,
			updatedBy: from.login,
			sentAt: at,
			sentBy: from.login
		};
	});
}

function withoutScenario(result: FirstSyncResult): Omit<FirstSyncResult, 'scenario'> {
	const { scenario: _scenario, ...rest } = result;
	delete (rest as { oursLog?: unknown }).oursLog;
	return rest;
}

async function main(): Promise<void> {
	const server = await startBenchServer({ store });
	try {
		log(`mail-first-sync on ${storeLabel(store)}, ${preset}, ${members} members per commune`);
		const password = `mk-${randomBytes(6).toString('hex')}`;
		const province = await server.createUnit({
			name: 'Tỉnh đoàn Phú Thọ',
			kind: 'tinh-doan',
			password
		});
		const provinceCookie = await server.signIn({ login: province.login, password });
		let started = performance.now();
		const files: Uploaded[] = [];
		for (let i = 0; i < DIRECTIVES; i++) files.push(await upload(server.url, provinceCookie, i));
		const uploadMs = performance.now() - started;
		log(`  ${DIRECTIVES} × 1 MB PDFs uploaded in ${(uploadMs / 1000).toFixed(1)} s`);

		const seed = 'mail-first-sync';
		const withFiles = await makeUnit({ server, name: 'Xã Có Tệp', members, seed, today: TODAY });
		const plain = await makeUnit({ server, name: 'Xã Không Tệp', members, seed, today: TODAY });
		const from = { id: province.id, login: province.login };
		const mailIds = Array.from({ length: DIRECTIVES }, (_, i) =>
			ulid(Date.parse(`${TODAY}T01:00:00.000Z`) + i)
		);
		await server.putDocs({
			db: withFiles.db,
			docs: directives({ unitId: withFiles.id, from, mailIds, files })
		});
		await server.putDocs({
			db: plain.db,
			docs: directives({ unitId: plain.id, from, mailIds, files: undefined })
		});

		log('  first sync, directives with attachments:');
		started = performance.now();
		const a = await firstSync({
			scenario: 'mail-first-sync with attachments',
			server,
			units: [withFiles],
			preset,
			log
		});
		log('  first sync, the same directives without attachments:');
		const b = await firstSync({
			scenario: 'mail-first-sync without attachments',
			server,
			units: [plain],
			preset,
			log
		});
		const result: MailFirstSyncResult = {
			scenario: 'mail-first-sync',
			store: storeLabel(store),
			link: preset,
			members,
			directives: DIRECTIVES,
			fileBytes: FILE_BYTES,
			uploadMs: Math.round(uploadMs),
			withAttachments: withoutScenario(a),
			withoutAttachments: withoutScenario(b),
			ratio: {
				downBytes: Number((a.ours.downBytes / b.ours.downBytes).toFixed(3)),
				ms: Number((a.ours.ms / b.ours.ms).toFixed(3)),
				payloadGzip: Number((a.payload.gzip / b.payload.gzip).toFixed(3))
			},
			filesTotalBytes: DIRECTIVES * FILE_BYTES
		};
		const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
		log(
			`  ours with files: ${(a.ours.ms / 1000).toFixed(1)} s, ${kib(a.ours.downBytes)} down; ` +
				`without: ${(b.ours.ms / 1000).toFixed(1)} s, ${kib(b.ours.downBytes)} down ` +
				`(ratio bytes ${result.ratio.downBytes}, time ${result.ratio.ms}); ` +
				`the files themselves: ${kib(result.filesTotalBytes)}`
		);
		const out =
			option('out') ??
			join(
				ROOT,
				'bench',
				'results',
				`mail-first-sync-${new Date().toISOString().slice(0, 10)}.json`
			);
		mkdirSync(join(out, '..'), { recursive: true });
		writeFileSync(out, `${JSON.stringify(result, null, '\t')}\n`);
		log(`  written to ${out}`);
	} finally {
		await server.close();
	}
}

await main();
