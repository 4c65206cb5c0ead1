import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import PouchDB from './pouchdb-node';

// The server as production runs it — `tsx server/main.ts` in a process of its own, the LevelDB store
// under DATA_DIR — so that a test can SIGKILL it mid-request and start it again on the same data.
// The embedded store runs in a child of that process which exits when its parent is gone, so the
// kill takes the store down with it, as a power cut or the kernel's OOM killer would.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
	url: string;
	port: number;
	/** The process id (a job's lease names it: `<host>:<pid>:<random>`). */
	pid: number;
	/** SIGKILL: no shutdown handler runs, nothing is flushed on the way out. */
	kill(): Promise<void>;
	/** SIGTERM and wait (the normal stop at the end of a test). */
	stop(): Promise<void>;
	/** What the process printed, for a failing test's message. */
	output(): string;
}

/** A TCP port free right now, so that a restarted server can listen on the same one. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as net.AddressInfo;
			probe.close(() => resolve(port));
		});
	});
}

export async function startServerProcess(options: {
	dataDir: string;
	port: number;
	/**
	 * More environment, applied last: COUCHDB_URL and friends put this process on another server's
	 * store (several processes on one store, tests/integration/multi-process.test.ts).
	 */
	env?: Record<string, string>;
}): Promise<ServerProcess> {
	const env: Record<string, string | undefined> = {
		...process.env,
		DATA_DIR: options.dataDir,
		PORT: String(options.port),
		HOST: '127.0.0.1',
		DOANVU_STORE: 'leveldb',
		LOG: 'off',
		// Always the embedded store: this is about what survives a kill of the one process.
		COUCHDB_URL: '',
		...options.env
	};
	// `node --import tsx`, not the tsx command: that one runs the server in a child process of its
	// own, so a SIGKILL would hit the wrapper and leave the server running.
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		cwd: ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let printed = '';
	child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const url = `http://127.0.0.1:${options.port}`;

	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null) {
			throw new Error(`the server process exited (${child.exitCode}): ${printed}`);
		}
		const healthy = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) })
			.then((res) => res.ok)
			.catch(() => false);
		if (healthy) break;
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`the server process did not start in time: ${printed}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}

	return {
		url,
		port: options.port,
		pid: child.pid ?? 0,
		async kill() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			await exited;
		},
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			const stopped = await Promise.race([
				exited.then(() => true),
				new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))
			]);
			if (!stopped) {
				child.kill('SIGKILL');
				await exited;
			}
		},
		output: () => printed
	};
}

/** A PouchDB speaking to /couch/<db> of a server process with a device cookie. */
export function remoteDbAt(options: { url: string; db: string; cookie: string }): PouchDB.Database {
	return new PouchDB(`${options.url}/couch/${options.db}`, {
		adapter: 'http',
		skip_setup: true,
		fetch: (url: string | Request, init?: RequestInit) => {
			const headers = new Headers(init?.headers);
			headers.set('cookie', options.cookie);
			return fetch(url, { ...init, headers });
		}
	} as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

/** A server process's first unit and its administrator, signed in. */
export interface ProcessSite {
	dataDir: string;
	port: number;
	cookie: string;
	login: string;
	unitId: string;
	db: string;
}

/**
 * A server process on a fresh data directory (the caller removes it), with its first unit set up
 * through the API, as on a new install.
 */
export async function startFreshSite(options: {
	/** Names the temporary directory and the login, for a failing test's message. */
	name: string;
	env?: Record<string, string>;
}): Promise<{ server: ServerProcess; site: ProcessSite }> {
	const dataDir = mkdtempSync(join(tmpdir(), `doanvu-${options.name}-`));
	const port = await freePort();
	const server = await startServerProcess({ dataDir, port, env: options.env });
	const login = `${options.name}${randomBytes(5).toString('hex')}`;
	const res = await fetch(`${server.url}/api/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			unitName: 'Tỉnh đoàn Thử',
			unitKind: 'tinh-doan',
			login,
			fullName: 'Nguyễn Văn Thử',
			password: 'mat-khau-rat-dai-2026'
		})
	});
	if (res.status !== 201) throw new Error(`setup answered ${res.status}: ${await res.text()}`);
	const cookie = res.headers.getSetCookie()[0]?.split(';', 1)[0] ?? '';
	if (!cookie.startsWith('dv_session=')) throw new Error('setup set no dv_session cookie');
	const session = (await (
		await fetch(`${server.url}/api/session`, { headers: { cookie } })
	).json()) as { unit: { id: string; db: string } };
	return {
		server,
		site: { dataDir, port, cookie, login, unitId: session.unit.id, db: session.unit.db }
	};
}

/**
 * The server processes of one test file: the one a test runs is stopped after it, every data
 * directory is removed once the file is done. Create it at the top of the file (it registers its
 * own hooks).
 */
export class ProcessSites {
	readonly #dirs: string[] = [];
	#running: ServerProcess | undefined;

	constructor() {
		afterEach(async () => {
			await this.#running?.stop();
			this.#running = undefined;
		});
		afterAll(() => {
			for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
		});
	}

	/** The server process the current test started last. */
	get running(): ServerProcess {
		if (!this.#running) throw new Error('no server process is running');
		return this.#running;
	}

	/** A fresh data directory with its first unit set up through the API (startFreshSite). */
	async fresh(options: { name: string; env?: Record<string, string> }): Promise<ProcessSite> {
		const { server, site } = await startFreshSite(options);
		this.#dirs.push(site.dataDir);
		this.#running = server;
		return site;
	}

	/** The server again, on the same data directory and port (after a kill). */
	async restart(site: ProcessSite): Promise<ServerProcess> {
		this.#running = await startServerProcess({ dataDir: site.dataDir, port: site.port });
		return this.#running;
	}

	/** A directory of the test's own, removed with the others. */
	track(dir: string): string {
		this.#dirs.push(dir);
		return dir;
	}
}
