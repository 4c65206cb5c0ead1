import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedStore } from '../../server/store/embedded-store';
import { memberDoc } from '../support/member-fixture';
import { ProcessSites, type ProcessSite } from '../support/server-process';

// The embedded LevelDB store runs in a process of its own (server/store/embedded-store.ts,
// docs/decisions/0013-embedded-store-process.md):
// - a SIGKILLed server takes its store process with it, so nothing keeps the LevelDB lock and a
//   restart on the same DATA_DIR serves the data written before;
// - the server keeps answering while the store is busy with a burst of writes from several devices.

const sites = new ProcessSites();

type Site = ProcessSite;

/**
 * Pids of the live store processes whose parent is `pid` (Linux /proc). Only the store's: tsx may
 * run an esbuild service beside it while it compiles files its cache does not hold yet.
 */
function storesOf(pid: number): number[] {
	const found: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// The command name (2nd field) is in parentheses and may hold spaces: read after it.
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
			const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (command.includes('embedded-store-process')) found.push(Number(entry));
		} catch {
			// The process ended while we looked.
		}
	}
	return found;
}

function alive(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

async function bulk(site: Site, url: string, count: number, prefix: string): Promise<Response> {
	const docs = Array.from({ length: count }, (_, i) =>
		memberDoc({ unitId: site.unitId, login: site.login, givenName: `${prefix}${i}` })
	);
	return fetch(`${url}/couch/${site.db}/_bulk_docs`, {
		method: 'POST',
		headers: { cookie: site.cookie, 'content-type': 'application/json' },
		body: JSON.stringify({ docs })
	});
}

describe('the store process', () => {
	it('does not outlive a SIGKILLed server: a restart on the same DATA_DIR has the data', async () => {
		const site = await sites.fresh({ name: 'kho' });
		const server = sites.running;
		const written = await bulk(site, server.url, 50, 'Trước');
		expect(written.status).toBe(201);
		const stores = storesOf(server.pid);
		expect(stores, 'the server runs its store in one child process').toHaveLength(1);
		const store = stores[0]!;

		await server.kill();
		const deadline = Date.now() + 5000;
		while (alive(store) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		expect(alive(store), 'the store process is gone with the server').toBe(false);

		await sites.restart(site);
		const res = await fetch(`${sites.running.url}/couch/${site.db}/_all_docs?limit=0`, {
			headers: { cookie: site.cookie }
		});
		expect(res.status).toBe(200);
		const body = (await res.json()) as { total_rows: number };
		expect(body.total_rows).toBeGreaterThanOrEqual(50);
		// And it writes: the LevelDB lock is this restart's.
		expect((await bulk(site, sites.running.url, 10, 'Sau')).status).toBe(201);
	});

	it('answers /api/health promptly during 2,000-document write bursts', async () => {
		const site = await sites.fresh({ name: 'kho' });
		const server = sites.running;
		// Warm up (first writes open the database and compile the validation function).
		expect((await bulk(site, server.url, 20, 'Khởi')).status).toBe(201);

		let writing = true;
		const latencies: number[] = [];
		const prober = (async () => {
			while (writing) {
				const t = performance.now();
				const res = await fetch(`${server.url}/api/health`);
				await res.text();
				expect(res.status).toBe(200);
				latencies.push(performance.now() - t);
				await new Promise((r) => setTimeout(r, 20));
			}
		})();
		// Four devices, each pushing 500 documents at once (2,000 documents), twice.
		const statuses: number[] = [];
		for (let round = 0; round < 2; round++) {
			const responses = await Promise.all(
				Array.from({ length: 4 }, (_, client) => bulk(site, server.url, 500, `M${round}${client}-`))
			);
			statuses.push(...responses.map((res) => res.status));
		}
		writing = false;
		await prober;
		expect(statuses).toEqual(Array.from({ length: 8 }, () => 201));

		latencies.sort((a, b) => a - b);
		const p95 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))]!;
		expect(latencies.length).toBeGreaterThan(10);
		expect(p95, `health p95 (ms) over ${latencies.length} probes`).toBeLessThan(100);
	});

	it('reports a start error of the store to the server, with its message', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'doanvu-storeproc-'));
		sites.track(dataDir);
		writeFileSync(join(dataDir, 'secrets.json'), '{"couchAdmin":{"user":"x","password":"ngan"}}');
		await expect(
			startEmbeddedStore({ dataDir, store: 'leveldb', process: 'child' })
		).rejects.toThrow(/secrets\.json không hợp lệ/);
	});

	it('close() waits for the store to let go of DATA_DIR: a second store opens it at once', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'doanvu-storeproc-'));
		sites.track(dataDir);
		const first = await startEmbeddedStore({ dataDir, store: 'leveldb', process: 'child' });
		const auth = `Basic ${Buffer.from(`${first.admin.user}:${first.admin.password}`).toString('base64')}`;
		expect(
			(await fetch(`${first.url}kho_thu`, { method: 'PUT', headers: { authorization: auth } }))
				.status
		).toBe(201);
		const put = await fetch(`${first.url}kho_thu/tai-lieu`, {
			method: 'PUT',
			headers: { authorization: auth, 'content-type': 'application/json' },
			body: JSON.stringify({ ghi: 'trước khi đóng' })
		});
		expect(put.status).toBe(201);
		await first.close();

		const second = await startEmbeddedStore({ dataDir, store: 'leveldb', process: 'child' });
		try {
			const res = await fetch(`${second.url}kho_thu/tai-lieu`, {
				headers: { authorization: auth }
			});
			expect(res.status).toBe(200);
			expect(((await res.json()) as { ghi: string }).ghi).toBe('trước khi đóng');
		} finally {
			await second.close();
		}
	});
});
