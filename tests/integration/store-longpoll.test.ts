import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedStore, type EmbeddedStore } from '../../server/store/embedded-store';

// A longpoll `_changes` feed on the embedded store ends as on Apache CouchDB: at once with no
// results when its database is deleted, and after its `timeout` when nothing happens. express-pouchdb
// alone kept both answers open for good (server/store/longpoll-end.ts): a phone waiting on a unit
// whose database an import's roll-back deleted held that connection and a longpoll turn forever.

const stores: EmbeddedStore[] = [];

afterAll(async () => {
	await Promise.all(stores.map((store) => store.close()));
});

async function open(kind: 'memory' | 'leveldb') {
	const store = await startEmbeddedStore({
		dataDir: mkdtempSync(join(tmpdir(), 'doanvu-longpoll-')),
		store: kind,
		process: 'inline'
	});
	stores.push(store);
	const authorization = `Basic ${Buffer.from(`${store.admin.user}:${store.admin.password}`).toString('base64')}`;
	return (path: string, init: RequestInit = {}) =>
		fetch(new URL(path, store.url), {
			...init,
			headers: { authorization, 'content-type': 'application/json', ...init.headers }
		});
}

/** Waits on a longpoll; its status, its body parsed, and how long it stayed open. */
async function longpoll(request: Awaited<ReturnType<typeof open>>, path: string) {
	const started = Date.now();
	const res = await request(path);
	const body = JSON.parse(await res.text()) as { results: { id: string }[]; last_seq: unknown };
	return { status: res.status, body, ms: Date.now() - started };
}

describe.each(['memory', 'leveldb'] as const)('a longpoll on the embedded store (%s)', (kind) => {
	it('ends with no results when its database is deleted, and the database is then gone', async () => {
		const request = await open(kind);
		const db = 'doanvu_unit_longpoll_gone';
		expect((await request(db, { method: 'PUT' })).status).toBe(201);
		await request(`${db}/tai-lieu`, { method: 'PUT', body: JSON.stringify({ a: 1 }) });
		// A minute's timeout: only the deletion can end it within the test's time.
		const waiting = longpoll(request, `${db}/_changes?feed=longpoll&since=1&timeout=60000`);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect((await request(db, { method: 'DELETE' })).status).toBe(200);
		const answer = await waiting;
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ results: [], last_seq: 1 });
		expect(answer.ms).toBeLessThan(10_000);
		expect((await request(`${db}/_changes?feed=longpoll&since=1`)).status).toBe(404);
	}, 30_000);

	it('ends after its timeout with no results and the database’s sequence', async () => {
		const request = await open(kind);
		const db = 'doanvu_unit_longpoll_quiet';
		expect((await request(db, { method: 'PUT' })).status).toBe(201);
		await request(`${db}/mot`, { method: 'PUT', body: JSON.stringify({ a: 1 }) });
		await request(`${db}/hai`, { method: 'PUT', body: JSON.stringify({ a: 2 }) });
		const answer = await longpoll(request, `${db}/_changes?feed=longpoll&since=2&timeout=1000`);
		expect(answer.body).toEqual({ results: [], last_seq: 2 });
		expect(answer.ms).toBeGreaterThanOrEqual(900);
		expect(answer.ms).toBeLessThan(10_000);
	}, 30_000);

	it('still answers the first change at once, and the timer does not end a later answer', async () => {
		const request = await open(kind);
		const db = 'doanvu_unit_longpoll_change';
		expect((await request(db, { method: 'PUT' })).status).toBe(201);
		const waiting = longpoll(request, `${db}/_changes?feed=longpoll&since=0&timeout=1500`);
		await new Promise((resolve) => setTimeout(resolve, 300));
		await request(`${db}/moi`, { method: 'PUT', body: JSON.stringify({ a: 1 }) });
		const answer = await waiting;
		expect(answer.body.results.map((row) => row.id)).toEqual(['moi']);
		expect(answer.body.last_seq).toBe(1);
		// Past the first feed's timeout, the store still answers on the same connections.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const again = await longpoll(request, `${db}/_changes?feed=longpoll&since=1&timeout=500`);
		expect(again.body).toEqual({ results: [], last_seq: 1 });
	}, 30_000);
});
