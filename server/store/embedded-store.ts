import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoreKind, StoreProcess } from '../config';
import { startStoreInThisProcess, type EmbeddedStore } from './embedded-store-app';
import type { StoreReport, StoreRequest } from './embedded-store-process';

export type { EmbeddedStore } from './embedded-store-app';

// Where the embedded store runs (docs/decisions/0013-embedded-store-process.md). 'child': a process
// of its own, so express-pouchdb's work (JSON, revision trees, LevelDB) uses the machine's other
// core and never blocks the server's event loop — 300 devices syncing at once stay served. 'inline':
// in this process, as the test servers' memory store runs (no process to start per test server).
// Either way the server talks to it over HTTP only.

const CLOSE_TIMEOUT_MS = 10_000;

export async function startEmbeddedStore(options: {
	dataDir: string;
	store: StoreKind;
	/** Default: a child for LevelDB, this process for the memory store (config.ts). */
	process?: StoreProcess;
}): Promise<EmbeddedStore> {
	const where = options.process ?? (options.store === 'memory' ? 'inline' : 'child');
	if (where === 'inline') return startStoreInThisProcess(options);

	// Always through tsx's loader: the server runs from TypeScript (`tsx server/main.ts`, tests and
	// bench with `node --import tsx`, vitest workers), and the entry below is a .ts file.
	const child = fork(fileURLToPath(new URL('./embedded-store-process.ts', import.meta.url)), {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		serialization: 'json'
	});
	const exited = new Promise<void>((resolveExit) => {
		if (child.exitCode !== null || child.signalCode !== null) resolveExit();
		else child.once('exit', () => resolveExit());
	});

	const ready = await new Promise<Extract<StoreReport, { op: 'ready' }>>((resolveReady, reject) => {
		const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
			reject(
				new Error(`Kho dữ liệu nhúng dừng trước khi sẵn sàng (mã ${code ?? signal ?? 'không rõ'}).`)
			);
		child.once('error', reject);
		child.once('exit', onExit);
		child.on('message', (report: StoreReport) => {
			child.off('exit', onExit);
			child.off('error', reject);
			if (report.op === 'ready') resolveReady(report);
			else reject(new Error(report.message));
		});
		const request: StoreRequest = {
			op: 'start',
			dataDir: options.dataDir,
			store: options.store
		};
		child.send(request);
	}).catch(async (error: unknown) => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		await exited;
		throw error;
	});

	let closing: Promise<void> | undefined;
	const close = () => {
		closing ??= (async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const request: StoreRequest = { op: 'close' };
			if (child.connected) child.send(request);
			else child.kill('SIGTERM');
			// A store stuck on a write must not hold the server's shutdown (or a test) forever.
			const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
			await exited;
			clearTimeout(timer);
		})();
		return closing;
	};
	return { url: ready.url, admin: ready.admin, close };
}
