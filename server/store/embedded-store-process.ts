import type { StoreKind } from '../config';
import { startStoreInThisProcess, type EmbeddedStore } from './embedded-store-app';
import { shareOneVmContextForDesignCode } from './embedded-store-vm';

// Entry of the embedded store's own process (forked by embedded-store.ts): express-pouchdb and its
// LevelDB work on this process's event loop, so a burst of writes never delays the server's
// requests. The parent sends one `start`, then `close`; this process reports its url and admin over
// IPC and otherwise speaks only HTTP.

export type StoreRequest = { op: 'start'; dataDir: string; store: StoreKind } | { op: 'close' };

export type StoreReport =
	| { op: 'ready'; url: string; admin: { user: string; password: string } }
	| { op: 'failed'; message: string };

shareOneVmContextForDesignCode();

let store: EmbeddedStore | undefined;
let closing: Promise<void> | undefined;

/** Closes the store (LevelDB releases its lock) and ends the process, once. */
function shutdown(code: number): Promise<void> {
	closing ??= (async () => {
		try {
			await store?.close();
		} finally {
			process.exit(code);
		}
	})();
	return closing;
}

// The server is gone (crashed or SIGKILLed; a normal close sends `close` first): the IPC channel
// closes with it, and this process must not outlive it holding the LevelDB lock of DATA_DIR. It
// exits at once, without closing: nobody is left to answer, every acknowledged write is already in
// LevelDB's log (in the OS's hands, as after a SIGKILL of the old single process), and the lock is
// released soonest for the restart.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void shutdown(0));
// Ctrl-C in a terminal reaches the whole process group: the server closes this store itself once
// its own requests are done, so the store must not vanish under them first.
process.on('SIGINT', () => {});

process.on('message', (message: StoreRequest) => {
	if (message.op === 'close') {
		void shutdown(0);
		return;
	}
	if (message.op !== 'start' || store) return;
	startStoreInThisProcess({ dataDir: message.dataDir, store: message.store }).then(
		(started) => {
			store = started;
			const report: StoreReport = { op: 'ready', url: started.url, admin: started.admin };
			process.send?.(report);
		},
		(error: unknown) => {
			const report: StoreReport = {
				op: 'failed',
				message: error instanceof Error ? error.message : String(error)
			};
			process.send?.(report, () => void shutdown(1));
		}
	);
});
