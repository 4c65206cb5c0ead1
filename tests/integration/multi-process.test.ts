import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobDoc, JobView } from '../../server/workers/job-service';
import { transferJobId } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import { MERGE_STEPS } from '../../server/workers/merge-worker';
import { TRANSFER_STEPS } from '../../server/workers/transfer-worker';
import { derivedHistoryId } from '../../src/lib/domain/history-schema';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import {
	planTransferAcceptance,
	transferDocId,
	TransferDocSchema
} from '../../src/lib/domain/operations/transfer';
import { planTransferRequest } from '../../src/lib/domain/operations/transfer-request';
import { deviceContext, pastEntries, validMember, vietnamToday } from '../support/domain-fixture';
import { memberDoc } from '../support/member-fixture';
import { api, branchDoc, historyDoc, until } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import {
	freePort,
	remoteDbAt,
	startServerProcess,
	type ServerProcess
} from '../support/server-process';
import { sessionCookieOf } from '../support/session-cookie';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// Several server processes on one store (issue 11; docs/decisions/0007-reorganisation-workers.md).
// The store lives in this test's process (`host`, whose own workers stay off). The victim is a real
// `node server/main.ts` child on that store; it signs devices in, takes the job, does part of it and
// is then SIGKILLed while it holds the job's lease (DOANVU_TEST_CRASH_AFTER_STEP stops its workers
// after a given step so the kill lands at a known point; the kill itself is real). The survivor, a
// second server on the same store already running at the moment of the kill, must finish the job
// once the dead process's lease runs out — every member exactly once, with the whole history — and
// keep serving the devices the victim signed in.

const LEASE_SECONDS = 2;

type Doc = { _id: string; _rev?: string; _deleted?: boolean; [key: string]: unknown };

let host: TestServer;
let dataDir: string;
/** The processes the current test started, stopped after it. */
const started = new Set<{ close(): Promise<void> }>();

beforeAll(async () => {
	host = await startTestServer({ workers: { ...TEST_WORKERS, enabled: false } });
	dataDir = mkdtempSync(join(tmpdir(), 'doanvu-multi-'));
});

// Each test's processes end with it: a survivor left running would take the next test's job before
// that test's victim does.
afterEach(async () => {
	for (const server of [...started].reverse()) await server.close().catch(() => {});
	started.clear();
});

afterAll(async () => {
	await host?.close();
	rmSync(dataDir, { recursive: true, force: true });
});

/** Where a second process finds the host's store (its embedded one, or the CouchDB of COUCHDB_URL). */
function storeEnv(): Record<string, string> {
	const store = host.embeddedStore;
	return {
		COUCHDB_URL: store?.url ?? process.env.COUCHDB_URL ?? '',
		COUCHDB_USER: store?.user ?? process.env.COUCHDB_USER ?? '',
		COUCHDB_PASSWORD: store?.password ?? process.env.COUCHDB_PASSWORD ?? '',
		DOANVU_DB_PREFIX: host.config.dbPrefix
	};
}

/** The process that will die: a child on the host's store whose workers stop after `crashAfter`. */
async function victimProcess(crashAfter: string): Promise<ServerProcess> {
	const victim = await startServerProcess({
		dataDir,
		port: await freePort(),
		env: {
			...storeEnv(),
			WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
			WORKER_POLL_MS: '50',
			WORKER_BATCH_SIZE: '10',
			DOANVU_TEST_CRASH_AFTER_STEP: crashAfter
		}
	});
	started.add({ close: () => victim.kill() });
	return victim;
}

/** The process that lives on: another server on the same store, workers at test speed. */
async function survivorServer(): Promise<TestServer> {
	const store = host.embeddedStore;
	const survivor = await startTestServer({
		dbPrefix: host.config.dbPrefix,
		...(store
			? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
			: {})
	});
	started.add({ close: () => survivor.close({ keepData: true }) });
	return survivor;
}

async function signInAt(url: string, account: { login: string; password: string }) {
	const res = await fetch(`${url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ login: account.login, password: account.password })
	});
	return sessionCookieOf(res);
}

const ownedBy = (job: JobDoc | undefined, pid: number) =>
	job?.lease?.owner.split(':').at(-2) === String(pid);

/** Waits until the victim's workers stopped dead in `jobId` (at step `step` or later), holding its lease. */
async function victimHolds(victim: ServerProcess, jobId: string, step: number): Promise<JobDoc> {
	return until(
		async () => {
			// Its workers say when they stopped (the step or batch is saved just before): only then
			// is the point of the kill known.
			if (!victim.output().includes(`${jobId} dừng `)) return undefined;
			const job = await host.jobs.get(jobId);
			return job && job.step >= step && ownedBy(job, victim.pid) ? job : undefined;
		},
		{ ms: 30_000, what: `the victim holding ${jobId} at step ${step}` }
	).catch(async (error: Error) => {
		const job = JSON.stringify(await host.jobs.get(jobId));
		throw new Error(`${error.message}\n${job}\n${victim.output()}`);
	});
}

async function finished(jobId: string): Promise<JobDoc> {
	return until(
		async () => {
			const job = await host.jobs.get(jobId);
			return job?.state === 'done' || job?.state === 'failed' ? job : undefined;
		},
		{ ms: 30_000, what: `${jobId} to finish` }
	);
}

/**
 * A unit database's documents, without the design document and the figures: those are the figures
 * worker's (on in these processes, as in production), written whenever it gets to them.
 */
async function liveDocs(db: string): Promise<Doc[]> {
	const rows = await host.couch.allDocs<Doc>({ db, includeDocs: true });
	return rows.flatMap((row) =>
		row.doc && !row.id.startsWith('_design/') && !row.id.startsWith('figures:') ? [row.doc] : []
	);
}

interface Phone {
	local: PouchDB.Database<Doc>;
	login: string;
	unit: UnitRecord;
	cookie: string;
}

async function sync(phone: Phone, url: string): Promise<void> {
	const remote = remoteDbAt({ url, db: phone.unit.db, cookie: phone.cookie });
	const pushed = await phone.local.replicate.to(remote);
	expect(pushed.doc_write_failures).toBe(0);
	const pulled = await phone.local.replicate.from(remote);
	expect(pulled.doc_write_failures).toBe(0);
}

async function write(phone: Phone, docs: object[]): Promise<void> {
	const results = await phone.local.bulkDocs(docs as Doc[]);
	expect(results.filter((result) => 'error' in result && result.error)).toEqual([]);
}

describe('two server processes, the one holding a transfer killed mid-job', () => {
	it('the survivor finishes it: the member once, active in the receiving unit, whole history, one claim', async () => {
		const province = await host.provision.createUnit({
			name: 'Tỉnh đoàn Phú Thọ',
			kind: 'tinh-doan',
			createdBy: 'test'
		});
		const a = await host.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã Hạ Hòa' });
		const b = await host.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã Tam Nông' });
		// Killed right after the claim moved to the receiving unit: outcome, history copy and removal
		// in the sending unit are left to the survivor.
		const victim = await victimProcess(`transfer:${TRANSFER_STEPS.indexOf('registry') + 1}`);

		// Phone A signs in through the victim and works through it.
		const phoneA: Phone = {
			local: new PouchDB<Doc>(`multi-a-${Date.now()}`),
			login: a.login,
			unit: a.unit,
			cookie: await signInAt(victim.url, a)
		};
		const phoneB: Phone = {
			local: new PouchDB<Doc>(`multi-b-${Date.now()}`),
			login: b.login,
			unit: b.unit,
			cookie: await signInAt(host.url, b)
		};
		const branchA = branchDoc({ unitId: a.unit.id, login: a.login, name: 'Chi đoàn thôn 1' });
		const branchB = branchDoc({ unitId: b.unit.id, login: b.login, name: 'Chi đoàn khu 2' });
		const member = validMember({
			unitId: a.unit.id,
			login: a.login,
			givenName: 'Minh',
			branchId: branchA._id
		});
		const oldEntries = pastEntries({ member, login: a.login });
		await write(phoneA, [branchA, member, ...oldEntries]);
		await write(phoneB, [branchB]);
		await sync(phoneA, victim.url);
		await sync(phoneB, host.url);

		const requested = planTransferRequest({
			...deviceContext({ login: a.login, unitId: a.unit.id }),
			member: (await phoneA.local.get(member._id)) as unknown as MemberDoc,
			input: {
				toUnitId: b.unit.id,
				toUnitName: b.unit.name,
				on: vietnamToday(),
				reason: 'Chuyển nơi cư trú',
				assessment: 'Hoàn thành tốt nhiệm vụ.'
			}
		});
		if (!requested.ok) throw new Error(JSON.stringify(requested.errors));
		const transferId = requested.plan.member!.transfer!.id;
		const jobId = transferJobId(transferId);
		await write(phoneA, [requested.plan.member!, ...requested.plan.entries]);
		await sync(phoneA, victim.url);

		// Only the victim runs workers so far: it delivers the offer and parks the job.
		await until(async () => (await host.jobs.get(jobId))?.state === 'waiting', {
			ms: 30_000,
			what: 'the offer delivered by the victim'
		});
		await sync(phoneB, host.url);
		const offer = v.parse(TransferDocSchema, await phoneB.local.get(transferDocId(transferId)));
		const accepted = planTransferAcceptance({
			...deviceContext({ login: b.login, unitId: b.unit.id }),
			offer,
			input: { branchId: branchB._id, on: vietnamToday() },
			branchIds: [branchB._id]
		});
		if (!accepted.ok) throw new Error(JSON.stringify(accepted.errors));
		await write(phoneB, [accepted.plan.member!, ...accepted.plan.entries, accepted.plan.offer]);
		await sync(phoneB, host.url);

		// The victim's watcher wakes the job; it takes the lease and goes as far as the registry.
		const held = await victimHolds(victim, jobId, TRANSFER_STEPS.indexOf('registry') + 1);
		expect(held.state).toBe('running');
		const survivor = await survivorServer();
		await victim.kill();

		const done = await finished(jobId);
		expect(done).toMatchObject({
			state: 'done',
			step: TRANSFER_STEPS.length,
			attempts: 0,
			data: { transfer: { outcome: 'accepted' } }
		});
		expect(done.lease).toBeUndefined();
		// The victim stopped where it was told to, holding the job, and was killed there.
		expect(victim.output()).toContain(`${jobId} dừng sau bước registry`);

		// Exactly once on the rolls: active in the receiving unit, no member record in the sending one.
		const inB = await liveDocs(b.unit.db);
		const inA = await liveDocs(a.unit.db);
		expect(inB.filter((doc) => doc.type === 'member')).toEqual([
			expect.objectContaining({ _id: member._id, unitId: b.unit.id, status: 'active' })
		]);
		expect(inA.filter((doc) => doc.type === 'member')).toEqual([]);
		const key = (step: string) =>
			derivedHistoryId({ memberId: member._id, sourceKey: transferId, step });
		const history = inB.filter((doc) => doc.type === 'history' && doc.memberId === member._id);
		expect(history.map((doc) => doc._id).sort()).toEqual(
			[...oldEntries.map((e) => e._id), key('requested'), key('out'), key('in')].sort()
		);
		expect(inA.filter((doc) => doc.memberId === member._id).map((doc) => doc._id)).toEqual([
			key('out')
		]);
		// One claim on the citizen id, in the receiving unit.
		const claim = await host.couch.getDoc<Doc>({
			db: host.provision.names.registry,
			id: `cid:${member.citizenId}`
		});
		expect(claim).toMatchObject({ memberId: member._id, unitId: b.unit.id, status: 'active' });
		// Every step recorded once, whichever process ran it.
		const audit = await host.audit.listFor({ type: 'transfer', id: transferId });
		expect(audit.map((entry) => entry.action).sort()).toEqual(
			[
				'transfer.request',
				'transfer.offer',
				'transfer.answer',
				'transfer.registry',
				'transfer.outcome',
				'transfer.history',
				'transfer.remove',
				'transfer.done'
			].sort()
		);

		// Phone A, signed in through the dead process, keeps syncing through the survivor: the session
		// lives in the store, and the pull drops the member it no longer holds.
		await sync(phoneA, survivor.url);
		await expect(phoneA.local.get(member._id)).rejects.toMatchObject({ status: 404 });
		await sync(phoneB, survivor.url);
		expect(await phoneB.local.get(member._id)).toMatchObject({ status: 'active' });
	});
});

const mergeKills = [
	{
		label: 'between two steps (after the copy)',
		// Reparenting, accounts and the mark are left to the survivor.
		crash: `merge:${MERGE_STEPS.indexOf('copy') + 1}`,
		step: MERGE_STEPS.indexOf('copy') + 1,
		said: 'sau bước copy',
		province: 'Tỉnh đoàn Tuyên Quang'
	},
	{
		label: 'in the middle of the copy',
		// One batch of ten copied and checkpointed, the rest (and every later step) left over.
		crash: 'merge:copy:batch',
		step: 0,
		said: 'giữa bước copy',
		province: 'Tỉnh đoàn Hà Giang'
	}
];

describe.each(mergeKills)('two server processes, the one holding a merge killed $label', (kill) => {
	it('the survivor finishes it: every member once in the surviving commune, whole history, done once', async () => {
		const province = await host.provision.createUnit({
			name: kill.province,
			kind: 'tinh-doan',
			createdBy: 'test'
		});
		// The district that both communes belong to asks for the merge.
		const districtAdmin = await host.createUnitWithAccount({
			kind: 'huyen-doan',
			parentId: province.id,
			role: 'admin',
			name: 'Huyện đoàn Sơn Dương'
		});
		const district = districtAdmin.unit;
		const merged = await host.createUnitWithAccount({
			parentId: district.id,
			name: 'Đoàn xã Tân Trào'
		});
		const surviving = await host.provision.createUnit({
			name: 'Đoàn xã Minh Thanh',
			kind: 'doan-xa',
			parentId: district.id,
			createdBy: 'test'
		});
		const seed = async (unit: UnitRecord, count: number) => {
			const docs: Doc[] = [];
			for (let i = 0; i < count; i++) {
				const m = memberDoc({ unitId: unit.id, login: 'test', givenName: `Thứ ${i}` });
				docs.push(m, historyDoc({ unitId: unit.id, login: 'test', memberId: m._id }));
				docs.push(historyDoc({ unitId: unit.id, login: 'test', memberId: m._id, kind: 'dues' }));
			}
			const results = await host.couch.bulkDocs({ db: unit.db, docs });
			expect(results.filter((result) => result.error)).toEqual([]);
		};
		await seed(merged.unit, 30);
		await seed(surviving, 5);
		const before = (await liveDocs(merged.unit.db)).filter((doc) => doc._id !== 'unit');
		const survivingBefore = (await liveDocs(surviving.db)).filter((doc) => doc._id !== 'unit');

		const victim = await victimProcess(kill.crash);
		const adminCookie = await signInAt(victim.url, districtAdmin);
		const res = await fetch(`${victim.url}/api/units/${merged.unit.id}/merge`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: adminCookie },
			body: JSON.stringify({ intoId: surviving.id })
		});
		const body = (await res.json()) as JobView;
		expect({ status: res.status, body }).toMatchObject({ status: 202 });
		const jobId = body.id;

		const held = await victimHolds(victim, jobId, kill.step);
		expect(held.state).toBe('running');
		const survivor = await survivorServer();
		await victim.kill();
		expect(victim.output()).toContain(`${jobId} dừng ${kill.said}`);
		if (kill.step === 0) {
			// Really mid-copy: part of the commune is in the surviving database, part is not yet.
			const copiedSoFar = (await liveDocs(surviving.db)).length - survivingBefore.length - 1;
			expect(copiedSoFar).toBeGreaterThan(0);
			expect(copiedSoFar).toBeLessThan(before.length);
		}

		// The admin signed in through the dead process follows the job through the survivor.
		const view = await until(
			async () => {
				const answer = await api<JobView>(survivor, `/jobs/${encodeURIComponent(jobId)}`, {
					cookie: adminCookie
				});
				expect(answer.status).toBe(200);
				return ['done', 'failed'].includes(answer.body.state) ? answer.body : undefined;
			},
			{ ms: 30_000, what: 'the merge to finish' }
		);
		expect(view).toMatchObject({ state: 'done', progress: { done: 4, total: 4 } });
		const done = await finished(jobId);
		expect(done).toMatchObject({ state: 'done', step: MERGE_STEPS.length, attempts: 0 });

		// Every document of the merged commune exactly once in the surviving one, same revision (not
		// written twice), new owner; the surviving commune's own documents untouched.
		const after = (await liveDocs(surviving.db)).filter((doc) => doc._id !== 'unit');
		const byId = new Map(after.map((doc) => [doc._id, doc]));
		expect(byId.size).toBe(after.length);
		expect(after).toHaveLength(before.length + survivingBefore.length);
		for (const doc of before) {
			expect(byId.get(doc._id)).toMatchObject({ _rev: doc._rev, unitId: surviving.id });
		}
		for (const doc of survivingBefore) expect(byId.get(doc._id)).toMatchObject({ _rev: doc._rev });
		const members = after.filter((doc) => doc.type === 'member');
		expect(members).toHaveLength(35);
		for (const m of members) {
			expect(after.filter((doc) => doc.type === 'history' && doc.memberId === m._id)).toHaveLength(
				2
			);
		}

		// The old commune's account moved once; the merge recorded as done once.
		expect((await host.accounts.getAccount(merged.login))?.unitId).toBe(surviving.id);
		const moves = await host.audit.listFor({ type: 'account', id: merged.login });
		expect(moves.filter((entry) => entry.action === 'account.move')).toHaveLength(1);
		const entries = await host.audit.listFor({ type: 'unit', id: merged.unit.id });
		expect(entries.filter((entry) => entry.action === 'unit.merge.done')).toHaveLength(1);
		expect(await host.provision.getUnit(merged.unit.id)).toMatchObject({
			status: 'merged',
			mergedInto: surviving.id
		});

		// A late write to the old commune (a phone that was offline) is forwarded once, by the survivor.
		const late = memberDoc({ unitId: merged.unit.id, login: 'test', givenName: 'Muộn' });
		const [written] = await host.couch.bulkDocs({ db: merged.unit.db, docs: [late] });
		const forwarded = await until(
			async () => {
				const docs = (await liveDocs(surviving.db)).filter((doc) => doc._id === late._id);
				return docs.length > 0 ? docs : undefined;
			},
			{ what: 'the late member forwarded' }
		);
		expect(forwarded).toEqual([
			expect.objectContaining({ _rev: written?.rev, unitId: surviving.id })
		]);
	});
});
