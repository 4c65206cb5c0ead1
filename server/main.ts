import { existsSync } from 'node:fs';
import { createDoanvuServer } from './site/doanvu-server';
import { ConfigError } from './config';
import type { WorkerHooks } from './workers/job-runner';

// `npx tsx server/main.ts [--demo]`: starts the server from the environment (see .env.example).

// A .env file in the working directory, if any; variables already set in the environment win.
if (existsSync('.env')) process.loadEnvFile('.env');

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--demo');
if (unknown.length > 0) {
	console.error(
		`Tham số không hợp lệ: ${unknown.join(' ')}\nCách dùng: tsx server/main.ts [--demo]`
	);
	process.exit(2);
}

/**
 * Tests only (tests/integration/multi-process.test.ts): `DOANVU_TEST_CRASH_AFTER_STEP=transfer:3`
 * makes this process's workers stop dead after the third step of the first such job, and
 * `merge:copy:batch` after the first copied batch of that step, keeping the job's lease, so that
 * the test can SIGKILL a process that holds a job half done. Unset in production.
 */
function crashHooksFromEnv(value: string | undefined): WorkerHooks | undefined {
	const match = value?.match(/^(merge|split|transfer):(?:(\d+)|([a-z]+):batch)$/);
	if (!match) return undefined;
	const [, kind, index, batchStep] = match;
	let fired = false;
	const crash = (jobId: string, where: string): 'crash' => {
		fired = true;
		console.log(`DOANVU_TEST_CRASH_AFTER_STEP: ${jobId} dừng ${where}`);
		return 'crash';
	};
	return {
		afterStep: (info) =>
			!fired && index && info.kind === kind && info.index === Number(index)
				? crash(info.jobId, `sau bước ${info.step}`)
				: undefined,
		afterBatch: (info) =>
			!fired && batchStep && info.kind === kind && info.step === batchStep && info.copied > 0
				? crash(info.jobId, `giữa bước ${info.step}`)
				: undefined
	};
}

try {
	const server = await createDoanvuServer({
		workerHooks: crashHooksFromEnv(process.env.DOANVU_TEST_CRASH_AFTER_STEP)
	});
	console.log(`Đoàn vụ đang chạy tại ${server.url}`);
	if (args.includes('--demo')) {
		const { loadDemo } = await import('./site/demo-loader');
		await loadDemo({ server, print: (line: string) => console.log(line) });
	}
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('Đang dừng máy chủ…');
		await server.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
} catch (error) {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
}
