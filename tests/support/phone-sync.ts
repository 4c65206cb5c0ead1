import {
	startUnitSync,
	type SyncListener,
	type SyncProblem,
	type UnitSyncHandle
} from '../../src/lib/data/sync/unit-sync';
import type { TestServer } from './test-server';

// A phone's sync in Node (fake IndexedDB, PouchDB in memory) against the real test server through
// the app's own engine, as the integration tests that sign a phone in and sync it set it up.

/** Polls `check` every 50 ms until it holds; rejects after `ms` (a sync's first run can be slow). */
export function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const tick = async () => {
			if (await check()) return resolve();
			if (Date.now() - started > ms) return reject(new Error('timed out'));
			setTimeout(tick, 50);
		};
		void tick();
	});
}

export interface PhoneSync {
	handle: UnitSyncHandle;
	/** Every problem the engine reported, in order. */
	problems: SyncProblem[];
	/** `docId: reason` for every document the server refused. */
	refused: string[];
	/** Whether the engine has been idle (caught up) at least once. */
	idle: () => boolean;
}

/**
 * Starts the app's sync of one unit database with the signed-in phone's cookie. `listener` adds to
 * what is recorded (a test that follows progress, say).
 */
export function startPhoneSync(options: {
	server: TestServer;
	db: string;
	cookie: string;
	listener?: SyncListener;
}): PhoneSync {
	const { listener = {} } = options;
	const problems: SyncProblem[] = [];
	const refused: string[] = [];
	let idle = false;
	const handle = startUnitSync({
		db: options.db,
		remote: { origin: options.server.url, headers: { cookie: options.cookie } },
		listener: {
			...listener,
			onIdle: (event) => {
				idle = true;
				listener.onIdle?.(event);
			},
			onProblem: (event) => {
				problems.push(event.problem);
				listener.onProblem?.(event);
			},
			onRefused: (event) => {
				refused.push(`${event.docId}: ${event.reason}`);
				listener.onRefused?.(event);
			}
		}
	});
	return { handle, problems, refused, idle: () => idle };
}
