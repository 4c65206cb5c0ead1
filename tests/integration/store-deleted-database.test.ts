import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedStore, type EmbeddedStore } from '../../server/store/embedded-store';

// A deleted database stays deleted on the embedded store, as on CouchDB. express-pouchdb checked
// that a database exists, then opened it in a later turn: a request that arrived while the server
// deleted the database (a watcher's read, a worker's write after an import's roll-back) opened it
// again, empty — and the unit database of a rolled-back import came back.

const stores: EmbeddedStore[] = [];

afterAll(async () => {
	await Promise.all(stores.map((store) => store.close()));
});

async function open(kind: 'memory' | 'leveldb'): Promise<EmbeddedStore> {
	const store = await startEmbeddedStore({
		dataDir: mkdtempSync(join(tmpdir(), 'doanvu-deleted-')),
		store: kind,
		process: 'inline'
	});
	stores.push(store);
	return store;
}

function client(store: EmbeddedStore) {
	const authorization = `Basic ${Buffer.from(`${store.admin.user}:${store.admin.password}`).toString('base64')}`;
	return (path: string, init: RequestInit = {}) =>
		fetch(new URL(path, store.url), {
			...init,
			headers: { authorization, 'content-type': 'application/json', ...init.headers }
		});
}

describe.each(['memory', 'leveldb'] as const)('the embedded store (%s)', (kind) => {
	it('does not bring back a database deleted while requests named it', async () => {
		const store = await open(kind);
		const request = client(store);
		for (let round = 0; round < 5; round++) {
			const db = `doanvu_unit_race${round}`;
			expect((await request(db, { method: 'PUT' })).status).toBe(201);
			expect(
				(await request(`${db}/tai-lieu`, { method: 'PUT', body: JSON.stringify({ a: 1 }) })).status
			).toBe(201);
			// Reads and writes in flight around the deletion, as the server's workers make them.
			const around = Array.from({ length: 20 }, (_, i) =>
				i % 2 === 0
					? request(`${db}/_all_docs?limit=1`)
					: request(`${db}/viet-${i}`, { method: 'PUT', body: JSON.stringify({ i }) })
			);
			const deleted = await request(db, { method: 'DELETE' });
			expect(deleted.status).toBe(200);
			// Each answers something (a 404 once the database is gone), none hangs.
			const answers = await Promise.all(around);
			const statuses = answers.map((res) => res.status);
			expect(statuses.every((status) => [200, 201, 404].includes(status))).toBe(true);
			// And the database is gone, for good: a later read is refused, the list does not name it.
			expect((await request(db)).status).toBe(404);
			expect((await request(`${db}/viet-2`, { method: 'PUT', body: '{}' })).status).toBe(404);
			const all = (await (await request('_all_dbs')).json()) as string[];
			expect(all).not.toContain(db);
		}
		// A feed waiting for changes does not hold the deletion back for its whole timeout.
		const db = 'doanvu_unit_feed';
		expect((await request(db, { method: 'PUT' })).status).toBe(201);
		const stop = new AbortController();
		const feed = request(`${db}/_changes?feed=longpoll&since=now&timeout=60000`, {
			signal: stop.signal
		}).catch(() => undefined);
		await new Promise((resolve) => setTimeout(resolve, 200));
		const started = Date.now();
		expect((await request(db, { method: 'DELETE' })).status).toBe(200);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect((await request(db)).status).toBe(404);
		stop.abort();
		await feed;
		// Creating it again on purpose still works, empty.
		expect((await request('doanvu_unit_race0', { method: 'PUT' })).status).toBe(201);
		const info = (await (await request('doanvu_unit_race0')).json()) as { doc_count: number };
		expect(info.doc_count).toBe(0);
	});
});
