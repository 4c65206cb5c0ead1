import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMembers } from '../../src/lib/synthetic';
import {
	startUnitSync,
	type SyncProblem,
	type UnitSyncPhase
} from '../../src/lib/data/sync/unit-sync';
import { destroyLocalDbs } from '../../src/lib/data/store/pouch';
import { startTestServer, type TestServer } from '../support/test-server';

// A unit sync's named phases (src/lib/data/sync/unit-sync.ts) against the real server: what the
// engine owner and a reader of the code rely on — a first sync, then live; a restart starts over;
// no signal means retrying; a revoked device halts (no retry hammers the server) until restarted;
// stopped is final.

let server: TestServer;
let unit: { id: string; db: string };
let cookie: string;
let deviceId: string;
const OFFLINE_DB = 'unit_phasesoffline';

beforeAll(async () => {
	server = await startTestServer();
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thử Trạng Thái' });
	unit = created.unit;
	const members = generateMembers({
		seed: 11,
		count: 300,
		unitId: unit.id,
		branchIds: [],
		today: '2026-11-28',
		ethnicMix: 'mountain-district'
	});
	await server.couch.bulkDocs({ db: unit.db, docs: members });
	const signedIn = await server.signIn({ login: created.login, password: created.password });
	cookie = signedIn.cookie;
	deviceId = signedIn.session.device.id;
});

afterAll(async () => {
	await destroyLocalDbs([unit.db, OFFLINE_DB]);
	await server?.close();
});

function until(check: () => boolean, ms = 20_000): Promise<void> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const tick = () => {
			if (check()) return resolve();
			if (Date.now() - started > ms) return reject(new Error('timed out'));
			setTimeout(tick, 20);
		};
		tick();
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a unit sync goes through named phases', () => {
	it('first sync, live, restart, halted when revoked, and stopped for good', async () => {
		const seen: UnitSyncPhase[] = [];
		const problems: SyncProblem[] = [];
		let idles = 0;
		const handle = startUnitSync({
			db: unit.db,
			remote: { origin: server.url, headers: { cookie } },
			listener: {
				onProgress: () => seen.push(handle.phase),
				onIdle: () => {
					idles += 1;
					seen.push(handle.phase);
				},
				onProblem: ({ problem }) => problems.push(problem)
			}
		});
		try {
			expect(handle.phase).toBe('starting');
			await until(() => idles > 0);
			expect(seen).toContain('first-sync');
			expect(seen.at(-1)).toBe('live');
			expect(handle.phase).toBe('live');

			handle.restart();
			expect(handle.phase).toBe('starting');
			const before = idles;
			await until(() => idles > before);
			expect(handle.phase).toBe('live');
			expect(problems).toEqual([]);

			await server.devices.revokeDevice({ deviceId, revokedBy: 'test' });
			handle.restart();
			await until(() => problems.length > 0);
			expect(problems.map((p) => p.kind)).toEqual(['revoked']);
			expect(handle.phase).toBe('halted');
			// A retry would come after 1 s: a halted sync makes none.
			await sleep(2_500);
			expect(problems).toHaveLength(1);
			expect(handle.phase).toBe('halted');
		} finally {
			handle.stop();
		}
		expect(handle.phase).toBe('stopped');
		handle.restart();
		expect(handle.phase).toBe('stopped');
	});

	it('without a signal it is retrying, and stop ends it', async () => {
		const problems: SyncProblem[] = [];
		// Port 9 on loopback: nothing listens, every request fails as if offline.
		const handle = startUnitSync({
			db: OFFLINE_DB,
			remote: { origin: 'http://127.0.0.1:9' },
			listener: { onProblem: ({ problem }) => problems.push(problem) }
		});
		try {
			await until(() => problems.length > 0);
			expect(problems[0]?.kind).toBe('offline');
			expect(handle.phase).toBe('retrying');
		} finally {
			handle.stop();
		}
		expect(handle.phase).toBe('stopped');
		const told = problems.length;
		await sleep(1_500);
		expect(problems).toHaveLength(told);
	});
});
