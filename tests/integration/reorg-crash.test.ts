import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { WorkerHooks } from '../../server/workers/job-runner';
import { MERGE_STEPS } from '../../server/workers/merge-worker';
import { SPLIT_STEPS } from '../../server/workers/split-worker';
import { memberDoc } from '../support/member-fixture';
import { api, branchDoc, historyDoc, until, waitForJob } from '../support/org-api';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';

// Killing the worker between any two steps (or in the middle of any step's batches) and letting another
// server take over never loses or duplicates anything: the job's lease runs out, the other process
// takes it, and the remaining steps — each idempotent, with deterministic ids — finish the job. As in
// production, the servers share one CouchDB (here the embedded store of a host server whose own
// workers are off). A server "dies" the way a killed process does: its worker stops mid-job holding
// the lease, nothing is released. Each job is killed several times in a row — after every step in
// turn, or in the middle of every batch loop in turn — each time by the server that took it over,
// before a last server finishes it.

// Small batches so that a copy takes several; a short lease so the takeover does not wait long.
const WORKERS = { ...TEST_WORKERS, batchSize: 5, leaseMs: 200, forwardMinMs: 100 };

type Crash = { step: number } | { batch: string };

let host: TestServer;
let top: UnitRecord;
let adminCookie: string;

beforeAll(async () => {
	host = await startTestServer({ workers: { ...WORKERS, enabled: false } });
	const created = await createProvince(host, 'Tỉnh đoàn Thử');
	top = created.unit;
	adminCookie = (await host.signIn(created)).cookie;
});

afterAll(async () => {
	await host?.close();
});

function crashHook(crash: Crash): WorkerHooks {
	let fired = false;
	const once = () => (fired ? undefined : ((fired = true), 'crash' as const));
	return 'step' in crash
		? { afterStep: ({ index }) => (index === crash.step ? once() : undefined) }
		: {
				afterBatch: ({ step, copied }) => (step === crash.batch && copied > 0 ? once() : undefined)
			};
}

/** A server process on the host's CouchDB (and database prefix). */
function serverOnHost(hooks?: WorkerHooks): Promise<TestServer> {
	const store = host.embeddedStore;
	return startTestServer({
		workers: WORKERS,
		workerHooks: hooks,
		dbPrefix: host.config.dbPrefix,
		...(store
			? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
			: {})
	});
}

/**
 * Runs a scenario whose job is killed at each of `crashes` in turn: the first server dies at the
 * first, the server that takes over dies at the second, … and a last server finishes.
 */
async function withCrashes(
	crashes: Crash[],
	scenario: (servers: { first: TestServer; takeOver: () => Promise<TestServer> }) => Promise<void>
): Promise<void> {
	const servers = [await serverOnHost(crashHook(crashes[0]!))];
	try {
		await scenario({
			first: servers[0]!,
			takeOver: async () => {
				for (const crash of [...crashes.slice(1), undefined]) {
					const dying = servers[servers.length - 1]!;
					await until(() => dying.workers.runner.crashed, { what: 'the simulated crash' });
					servers.push(await serverOnHost(crash ? crashHook(crash) : undefined));
				}
				return servers[servers.length - 1]!;
			}
		});
	} finally {
		// Only the host cleans a shared CouchDB up: these leave its data alone.
		for (const server of servers.reverse()) await server.close({ keepData: true });
	}
}

async function docsOf(server: TestServer, db: string) {
	const rows = await server.couch.allDocs<{
		_id: string;
		_rev: string;
		unitId?: string;
		_deleted?: boolean;
	}>({ db, includeDocs: true });
	return rows.flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [row.doc] : []));
}

async function seedMembers(
	server: TestServer,
	unit: UnitRecord,
	options: { count: number; branchId?: string }
): Promise<{ _id: string }[]> {
	const docs: Record<string, unknown>[] = [];
	for (let i = 0; i < options.count; i++) {
		const member = {
			...memberDoc({ unitId: unit.id, login: 'test', givenName: `Thứ ${i}` }),
			...(options.branchId ? { branchId: options.branchId } : {})
		};
		docs.push(member, historyDoc({ unitId: unit.id, login: 'test', memberId: member._id }));
	}
	const results = await server.couch.bulkDocs({ db: unit.db, docs });
	expect(results.filter((result) => result.error)).toEqual([]);
	return docs as { _id: string }[];
}

function newUnit(
	server: TestServer,
	options: { kind: 'huyen-doan' | 'doan-xa'; parentId: string; name: string }
) {
	return server.provision.createUnit({ ...options, createdBy: 'test' });
}

const mergeChains: { label: string; crashes: Crash[] }[] = [
	{
		label: `after each step in turn (${MERGE_STEPS.join(', ')})`,
		crashes: MERGE_STEPS.map((_, i) => ({ step: i + 1 }))
	},
	{
		label: 'in the middle of copy, reparent and accounts in turn',
		crashes: [{ batch: 'copy' }, { batch: 'reparent' }, { batch: 'accounts' }]
	}
];

describe('a district merger survives crashes anywhere', () => {
	for (const { label, crashes } of mergeChains) {
		it(`killed ${label}: the last server finishes it, everything exactly once`, async () => {
			await withCrashes(crashes, async ({ first, takeOver }) => {
				const d1 = await newUnit(first, {
					kind: 'huyen-doan',
					parentId: top.id,
					name: 'Huyện đoàn Cũ'
				});
				const d2 = await newUnit(first, {
					kind: 'huyen-doan',
					parentId: top.id,
					name: 'Huyện đoàn Mới'
				});
				const commune = await newUnit(first, {
					kind: 'doan-xa',
					parentId: d1.id,
					name: 'Đoàn xã Dưới'
				});
				const commune2 = await newUnit(first, {
					kind: 'doan-xa',
					parentId: d1.id,
					name: 'Đoàn xã Bên'
				});
				const secretary = await first.createAccountIn({ unitId: d1.id, role: 'secretary' });
				const deputy = await first.createAccountIn({ unitId: d1.id, role: 'deputy' });
				await seedMembers(first, d1, { count: 12 });
				await seedMembers(first, d2, { count: 2 });
				await seedMembers(first, commune, { count: 2 });
				const before = await docsOf(first, d1.db);

				const asked = await api<JobView>(first, `/units/${d1.id}/merge`, {
					cookie: adminCookie,
					body: { intoId: d2.id }
				});
				expect(asked.status).toBe(202);

				const second = await takeOver();
				const job = await waitForJob(second, { cookie: adminCookie, id: asked.body.id });
				expect(job).toMatchObject({ state: 'done', progress: { done: 4, total: 4 } });

				// Every document of the old district exactly once in the new one, same revision, new owner.
				const after = await docsOf(second, d2.db);
				const byId = new Map(after.map((doc) => [doc._id, doc]));
				expect(byId.size).toBe(after.length);
				for (const doc of before.filter((d) => d._id !== 'unit')) {
					expect(byId.get(doc._id)).toMatchObject({ _rev: doc._rev, unitId: d2.id });
				}
				expect(after.filter((doc) => doc._id !== 'unit')).toHaveLength(before.length - 1 + 4);

				// The old district's accounts moved once, with one audit entry each.
				for (const login of [secretary.login, deputy.login]) {
					expect((await second.accounts.getAccount(login))?.unitId).toBe(d2.id);
					const entries = await second.audit.listFor({ type: 'account', id: login });
					expect(entries.filter((entry) => entry.action === 'account.move')).toHaveLength(1);
				}
				const entries = await second.audit.listFor({ type: 'unit', id: d1.id });
				expect(entries.filter((entry) => entry.action === 'unit.merge.done')).toHaveLength(1);
				expect(await second.provision.getUnit(d1.id)).toMatchObject({
					status: 'merged',
					mergedInto: d2.id
				});
				expect((await second.provision.getUnit(d1.id))?.lock).toBeUndefined();

				// Its commune now sits under the new district, in the directory and in CouchDB's _security.
				expect(await second.provision.getUnit(commune.id)).toMatchObject({
					parentId: d2.id,
					ancestors: [top.id, d2.id]
				});
				const security = await second.couch.getSecurity(commune.db);
				expect(security?.members?.roles).toEqual([
					`unit:${commune.id}`,
					`unit:${top.id}`,
					`unit:${d2.id}`
				]);
				const unitDoc = await second.couch.getDoc<{ _id: string; parentId: string }>({
					db: commune.db,
					id: 'unit'
				});
				expect(unitDoc?.parentId).toBe(d2.id);
				expect(await second.provision.getUnit(commune2.id)).toMatchObject({ parentId: d2.id });
				const reparented = await second.audit.listFor({ type: 'unit', id: commune.id });
				expect(reparented.filter((entry) => entry.action === 'unit.reparent')).toHaveLength(1);
				// The old district's secretary (now the new district's) still reaches the commune.
				const { cookieValue } = await second.devices.createDevice({ login: secretary.login });
				const cookie = `dv_session=${cookieValue}`;
				expect((await second.request(`/couch/${commune.db}/`, { cookie })).status).toBe(200);
			});
		});
	}
});

const splitChains: { label: string; crashes: Crash[] }[] = [
	{
		label: `after each step in turn (${SPLIT_STEPS.join(', ')})`,
		crashes: SPLIT_STEPS.map((_, i) => ({ step: i + 1 }))
	},
	{
		label: 'in the middle of copy and remove in turn',
		crashes: [{ batch: 'copy' }, { batch: 'remove' }]
	}
];

describe('a split survives crashes anywhere', () => {
	for (const { label, crashes } of splitChains) {
		it(`killed ${label}: the moved records end in the new unit once, gone from the old`, async () => {
			await withCrashes(crashes, async ({ first, takeOver }) => {
				const source = await newUnit(first, {
					kind: 'doan-xa',
					parentId: top.id,
					name: 'Đoàn xã Lớn'
				});
				const branches = ['Thôn 1', 'Thôn 2', 'Thôn 3'].map((name) =>
					branchDoc({ unitId: source.id, login: 'test', name })
				);
				await first.couch.bulkDocs({ db: source.db, docs: branches });
				const moving = [
					...(await seedMembers(first, source, { count: 5, branchId: branches[0]!._id })),
					...(await seedMembers(first, source, { count: 4, branchId: branches[1]!._id }))
				];
				const staying = await seedMembers(first, source, { count: 3, branchId: branches[2]!._id });
				const name = `Đoàn xã Tách ${source.id}`;

				const asked = await api<JobView>(first, `/units/${source.id}/split`, {
					cookie: adminCookie,
					body: { name, kind: 'doan-xa', branchIds: [branches[0]!._id, branches[1]!._id] }
				});
				expect(asked.status).toBe(202);

				const second = await takeOver();
				const job = await waitForJob(second, { cookie: adminCookie, id: asked.body.id });
				expect(job).toMatchObject({ state: 'done', progress: { done: 5, total: 5 } });
				const created = await second.provision.getUnit(job.targetId);
				expect(created).toMatchObject({ name, parentId: top.id, status: 'active' });
				const namesakes = (await second.provision.listUnits()).filter((unit) => unit.name === name);
				expect(namesakes).toHaveLength(1);
				const entries = await second.audit.listFor({ type: 'unit', id: job.targetId });
				expect(entries.filter((entry) => entry.action === 'unit.create')).toHaveLength(1);

				const wanted = [...moving.map((d) => d._id), branches[0]!._id, branches[1]!._id].sort();
				const inNew = (await docsOf(second, created!.db)).filter((doc) => doc._id !== 'unit');
				expect(inNew.map((doc) => doc._id).sort()).toEqual(wanted);
				expect(new Set(inNew.map((doc) => doc.unitId))).toEqual(new Set([job.targetId]));
				const inOld = await second.couch.allDocs({ db: source.db });
				const live = inOld
					.filter((row) => !row.id.startsWith('_design/') && row.id !== 'unit')
					.map((row) => row.id)
					.sort();
				expect(live).toEqual([...staying.map((d) => d._id), branches[2]!._id].sort());
				expect((await second.provision.getUnit(source.id))?.lock).toBeUndefined();
			});
		});
	}
});
