import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { startLink, PRESETS } from '../../bench/link';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { startUnitSync, type SyncProblem } from '../../src/lib/data/sync/unit-sync';
import { PULL_CHECKPOINT_ID } from '../../src/lib/data/sync/checkpoints';
import { memberDoc, type TestMember } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import {
	ProcessSites,
	remoteDbAt,
	type ServerProcess,
	type ProcessSite
} from '../support/server-process';

// Kill -9 of the server (and the embedded LevelDB store inside its process) in the middle of writes,
// then a restart on the same data directory and port:
// - every write the server acknowledged (201 with a revision) is there, with that revision;
// - a PouchDB replicating through /couch resumes from its checkpoint (it reads fewer documents again
//   than it has) and ends with exactly the server's documents;
// - the app's own sync engine, killed mid first sync, resumes its pull from its saved checkpoint;
// - the device cookie issued before the kill still works (devices live in the store too).

const sites = new ProcessSites();

type Site = ProcessSite;

function members(site: Site, count: number): TestMember[] {
	return Array.from({ length: count }, (_, i) =>
		memberDoc({ unitId: site.unitId, login: site.login, givenName: `Số${i}` })
	);
}

/**
 * Winning revision of each id on the server (undefined: missing), asked 1,000 keys at a time (the
 * proxy refuses more than MAX_DOCS_PER_BATCH keys in one request).
 */
async function revsOnServer(server: ServerProcess, site: Site, ids: string[]) {
	const revs = new Map<string, string | undefined>();
	for (let start = 0; start < ids.length; start += 1000) {
		const res = await fetch(`${server.url}/couch/${site.db}/_all_docs`, {
			method: 'POST',
			headers: { cookie: site.cookie, 'content-type': 'application/json' },
			body: JSON.stringify({ keys: ids.slice(start, start + 1000) })
		});
		expect(res.status).toBe(200);
		const body = (await res.json()) as { rows: { key: string; value?: { rev: string } }[] };
		for (const row of body.rows) revs.set(row.key, row.value?.rev);
	}
	return revs;
}

describe('SIGKILL during _bulk_docs', () => {
	it('loses no acknowledged write, over three kills', async () => {
		const site = await sites.fresh({ name: 'crash' });
		const acknowledged = new Map<string, string>();
		for (let round = 0; round < 3; round++) {
			const server = sites.running;
			let stop = false;
			// Two writers in parallel, 100 documents a batch, so that batches are in flight at the kill.
			const writer = async () => {
				while (!stop) {
					const batch = members(site, 100);
					const res = await fetch(`${server.url}/couch/${site.db}/_bulk_docs`, {
						method: 'POST',
						headers: { cookie: site.cookie, 'content-type': 'application/json' },
						body: JSON.stringify({ docs: batch })
					}).catch(() => undefined);
					if (!res) return;
					const rows = (await res.json().catch(() => [])) as { id: string; rev?: string }[];
					if (res.status !== 201) return;
					for (const row of rows) if (row.rev) acknowledged.set(row.id, row.rev);
				}
			};
			// And one body streaming slowly, cut by the kill halfway.
			const slow = fetch(`${server.url}/couch/${site.db}/_bulk_docs`, {
				method: 'POST',
				headers: { cookie: site.cookie, 'content-type': 'application/json' },
				body: slowBody(members(site, 200)),
				duplex: 'half'
			} as RequestInit).catch(() => undefined);
			const writers = [writer(), writer()];
			const target = acknowledged.size + 600;
			while (acknowledged.size < target) await new Promise((resolve) => setTimeout(resolve, 10));
			await server.kill();
			stop = true;
			await Promise.all([...writers, slow]);

			const restarted = await sites.restart(site);
			const ids = [...acknowledged.keys()];
			const found = await revsOnServer(restarted, site, ids);
			const lost = ids.filter((id) => found.get(id) !== acknowledged.get(id));
			expect(lost, `round ${round}: acknowledged writes lost or changed`).toEqual([]);
		}
		expect(acknowledged.size).toBeGreaterThanOrEqual(1800);
	});
});

/** A _bulk_docs body sent in small pieces over ~2 s. */
function slowBody(docs: TestMember[]): ReadableStream<Uint8Array> {
	const text = JSON.stringify({ docs });
	const bytes = new TextEncoder().encode(text);
	let offset = 0;
	const step = Math.ceil(bytes.length / 40);
	return new ReadableStream({
		async pull(controller) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			if (offset >= bytes.length) {
				controller.close();
				return;
			}
			controller.enqueue(bytes.slice(offset, offset + step));
			offset += step;
		}
	});
}

describe('SIGKILL during a replication through /couch', () => {
	it('resumes from the checkpoint and ends with the same documents on both sides', async () => {
		const site = await sites.fresh({ name: 'crash' });
		const total = 3000;
		const local = new PouchDB(`crash-local-${site.unitId}`);
		await local.bulkDocs(members(site, total));

		const first = sites.running;
		let killed = false;
		const replication = local.replicate.to(remoteDbAt({ url: first.url, ...site }), {
			batch_size: 100,
			retry: false
		});
		replication.on('change', (info) => {
			if (!killed && info.docs_written >= 1000) {
				killed = true;
				void first.kill();
			}
		});
		const cut = await replication.then(
			(result) => ({ ok: result.ok, written: result.docs_written, status: result.status }),
			(error: { result?: { docs_written: number } }) => ({
				ok: false,
				written: error.result?.docs_written ?? -1
			})
		);
		await first.kill();
		expect(killed, 'the replication finished before the kill').toBe(true);
		expect(cut.ok).toBe(false);

		const second = await sites.restart(site);
		const remote = remoteDbAt({ url: second.url, ...site });
		const resumed = await local.replicate.to(remote, { batch_size: 100 });
		expect(resumed.ok).toBe(true);
		// Resumed from a checkpoint: not everything was read again.
		expect(resumed.docs_read).toBeGreaterThan(0);
		expect(resumed.docs_read).toBeLessThan(total - 500);

		const localDocs = await local.allDocs();
		const remoteRevs = await revsOnServer(
			second,
			site,
			localDocs.rows.map((row) => row.id)
		);
		const differing = localDocs.rows.filter((row) => remoteRevs.get(row.id) !== row.value.rev);
		expect(differing.map((row) => row.id)).toEqual([]);
		const serverMembers = await fetch(
			`${second.url}/couch/${site.db}/_all_docs?startkey=%22member%3A%22&endkey=%22member%3A%EF%BF%B0%22`,
			{ headers: { cookie: site.cookie } }
		).then((res) => res.json() as Promise<{ rows: unknown[] }>);
		expect(serverMembers.rows).toHaveLength(total);
		await local.destroy();
	});
});

describe("SIGKILL during the app's own first sync", () => {
	it('resumes the pull from the saved checkpoint and ends with the server documents', async () => {
		const site = await sites.fresh({ name: 'crash' });
		const total = 2000;
		const server = sites.running;
		// Batches of 200: well under any per-request document limit the server may set.
		for (let i = 0; i < total; i += 200) {
			const res = await fetch(`${server.url}/couch/${site.db}/_bulk_docs`, {
				method: 'POST',
				headers: { cookie: site.cookie, 'content-type': 'application/json' },
				body: JSON.stringify({ docs: members(site, 200) })
			});
			expect(res.status).toBe(201);
		}
		// Through the link emulator, which counts the bytes and can cut the connection: the server's
		// answer is buffered on the way, so the kill alone would land after the stream had left it.
		const link = await startLink({ preset: PRESETS.none!, targetPort: site.port });
		try {
			const clean = syncDevice({ site, origin: link.url });
			await waitFor(() => clean.idles() > 0, 'a clean first sync');
			clean.handle.stop();
			const cleanBytes = link.stats().downBytes;
			await forgetDevice(site.db);

			link.resetStats();
			const cut = link.cutAfter({ downBytes: Math.round(cleanBytes * 0.5) });
			const device = syncDevice({ site, origin: link.url });
			await cut;
			await server.kill();
			await waitFor(() => device.problems.some((p) => p.kind === 'offline'), 'offline');
			const saved = (await localDb(site.db).get(PULL_CHECKPOINT_ID)) as unknown as {
				value: { since: number; phase: string };
			};
			expect(saved.value.phase).toBe('snapshot');
			expect(Number(saved.value.since)).toBeGreaterThan(0);

			const restarted = await sites.restart(site);
			link.restore();
			device.handle.restart();
			await waitFor(() => device.idles() > 0, 'the resumed sync', 60_000);
			device.handle.stop();
			const resumed = link
				.stats()
				.log.filter((record) => record.path.includes('include_docs=true'))
				.at(-1);
			expect(resumed?.path).toContain(`since=${saved.value.since}`);
			// The documents up to the checkpoint were not sent again: the resumed stream is smaller than
			// a whole first sync (documents received after the last checkpoint are, by design).
			expect(resumed?.downBytes ?? Infinity).toBeLessThan(cleanBytes * 0.9);

			const local = await localDb(site.db).allDocs({
				startkey: 'member:',
				endkey: 'member:\ufff0'
			});
			expect(local.rows).toHaveLength(total);
			const onServer = await revsOnServer(
				restarted,
				site,
				local.rows.map((row) => row.id)
			);
			expect(local.rows.filter((row) => onServer.get(row.id) !== row.value.rev)).toEqual([]);
		} finally {
			await link.close();
			await forgetDevice(site.db);
		}
	});
});

function syncDevice(options: { site: Site; origin: string }) {
	const problems: SyncProblem[] = [];
	let idles = 0;
	const handle = startUnitSync({
		db: options.site.db,
		remote: { origin: options.origin, headers: { cookie: options.site.cookie } },
		listener: {
			onIdle: () => void idles++,
			onProblem: ({ problem }) => void problems.push(problem)
		}
	});
	return { handle, problems, idles: () => idles };
}

/** The device forgets the unit (as after signing out), ready for another first sync. */
async function forgetDevice(db: string): Promise<void> {
	await destroyLocalDbs([db]);
	allowLocalDbs([db]);
	await deviceDb.outbox.clear();
	await deviceDb.settings.clear();
}

async function waitFor(
	check: () => boolean | Promise<boolean>,
	what: string,
	ms = 30_000
): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
