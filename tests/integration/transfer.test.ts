import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDoc } from '../../server/workers/job-service';
import { transferJobId } from '../../server/workers/job-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { WorkerHooks } from '../../server/workers/job-runner';
import { ulid } from '../../server/ulid';
import { TRANSFER_STEPS } from '../../server/workers/transfer-worker';
import { derivedHistoryId } from '../../src/lib/domain/history-schema';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import {
	planTransferAcceptance,
	planTransferRejection,
	TransferDocSchema,
	transferDocId,
	type TransferDoc
} from '../../src/lib/domain/operations/transfer';
import { planTransferRequest } from '../../src/lib/domain/operations/transfer-request';
import { deviceContext, pastEntries, validMember, vietnamToday } from '../support/domain-fixture';
import { branchDoc, until } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// A transfer (chuyển sinh hoạt) between communes of two provinces, with phones offline at the
// moments that matter and the server killed between every two steps of the worker. The sending
// secretary asks for the transfer offline and syncs later; the receiving secretary was offline when
// the offer arrived, finds it at her next sync, accepts it offline and syncs later still. Meanwhile
// every worker server dies after one more step, and the next one (another process on the same
// CouchDB) takes the job over once its lease runs out. In the end the member exists once, active in
// the receiving commune with the whole history, the sending phone no longer holds the record, and
// the sending commune keeps only the transfer-out trace. A rejection gives the member back.

const WORKERS = { ...TEST_WORKERS, leaseMs: 200 };

type Doc = { _id: string; _rev?: string; _deleted?: boolean; [key: string]: unknown };

interface Phone {
	login: string;
	unit: UnitRecord;
	local: PouchDB.Database<Doc>;
	remote: PouchDB.Database<Doc>;
}

let host: TestServer;
let sending: UnitRecord; // Đoàn xã Thanh Sơn, Tỉnh đoàn Phú Thọ
let receiving: UnitRecord; // Đoàn phường Sa Pa, Tỉnh đoàn Lào Cai
let phoneA: Phone;
let phoneB: Phone;
let branchA: string;
let branchB: string;
let steady: TestServer | undefined;

async function openPhone(options: {
	unit: UnitRecord;
	login: string;
	password: string;
}): Promise<Phone> {
	const { cookie } = await host.signIn(options);
	return {
		login: options.login,
		unit: options.unit,
		local: new PouchDB<Doc>(`doanvu-${options.unit.db}-${randomBytes(4).toString('hex')}`),
		remote: host.remoteDb({ db: options.unit.db, cookie }) as PouchDB.Database<Doc>
	};
}

async function sync(phone: Phone): Promise<void> {
	const pushed = await phone.local.replicate.to(phone.remote);
	expect(pushed.doc_write_failures).toBe(0);
	const pulled = await phone.local.replicate.from(phone.remote);
	expect(pulled.doc_write_failures).toBe(0);
}

/** Writes what a domain plan says, on the phone only (offline). */
async function writeLocally(phone: Phone, docs: object[]): Promise<void> {
	const results = await phone.local.bulkDocs(docs as Doc[]);
	expect(results.filter((result) => 'error' in result && result.error)).toEqual([]);
}

/** A worker server on the host's CouchDB, dying after step `crashAfter` of a transfer. */
function workerServer(crashAfter?: number): Promise<TestServer> {
	const store = host.embeddedStore;
	const hooks: WorkerHooks | undefined =
		crashAfter === undefined
			? undefined
			: {
					afterStep: ({ kind, index }) =>
						kind === 'transfer' && index === crashAfter ? 'crash' : undefined
				};
	return startTestServer({
		workers: WORKERS,
		workerHooks: hooks,
		dbPrefix: host.config.dbPrefix,
		...(store
			? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
			: {})
	});
}

/** Waits for the simulated crash, then stops what is left of that process (keeping the data). */
async function dies(server: TestServer): Promise<void> {
	await until(() => server.workers.transfers.crashed, { what: 'the simulated crash' });
	await server.close({ keepData: true });
}

async function liveDocs(db: string): Promise<Doc[]> {
	const rows = await host.couch.allDocs<Doc>({ db, includeDocs: true });
	return rows.flatMap((row) => (row.doc && !row.id.startsWith('_design/') ? [row.doc] : []));
}

async function job(transferId: string): Promise<JobDoc | undefined> {
	return host.jobs.get(transferJobId(transferId));
}

async function admit(phone: Phone, givenName: string, branchId: string) {
	const member = validMember({ unitId: phone.unit.id, login: phone.login, givenName, branchId });
	const entries = pastEntries({ member, login: phone.login });
	await writeLocally(phone, [member, ...entries]);
	return { member, entries };
}

/** The sending secretary's request, planned by the domain on the phone. */
async function requestTransfer(phone: Phone, memberId: string): Promise<string> {
	const member = (await phone.local.get(memberId)) as unknown as MemberDoc;
	const result = planTransferRequest({
		...deviceContext({ login: phone.login, unitId: phone.unit.id }),
		member,
		input: {
			toUnitId: receiving.id,
			toUnitName: receiving.name,
			on: vietnamToday(),
			reason: 'Chuyển nơi làm việc lên Sa Pa',
			assessment: 'Hoàn thành tốt nhiệm vụ, nhiệt tình với phong trào.'
		}
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	await writeLocally(phone, [result.plan.member!, ...result.plan.entries]);
	return result.plan.member!.transfer!.id;
}

async function offerOn(phone: Phone, transferId: string): Promise<TransferDoc> {
	const doc = await phone.local.get(transferDocId(transferId));
	return v.parse(TransferDocSchema, doc);
}

beforeAll(async () => {
	host = await startTestServer({ workers: { ...WORKERS, enabled: false } });
	const central = await host.provision.createUnit({
		name: 'Trung ương Đoàn',
		kind: 'trung-uong',
		createdBy: 'test'
	});
	const phuTho = await host.provision.createUnit({
		name: 'Tỉnh đoàn Phú Thọ',
		kind: 'tinh-doan',
		parentId: central.id,
		createdBy: 'test'
	});
	const laoCai = await host.provision.createUnit({
		name: 'Tỉnh đoàn Lào Cai',
		kind: 'tinh-doan',
		parentId: central.id,
		createdBy: 'test'
	});
	const a = await host.createUnitWithAccount({ parentId: phuTho.id, name: 'Đoàn xã Thanh Sơn' });
	const b = await host.createUnitWithAccount({
		parentId: laoCai.id,
		kind: 'doan-phuong',
		name: 'Đoàn phường Sa Pa'
	});
	sending = a.unit;
	receiving = b.unit;
	phoneA = await openPhone({ unit: sending, login: a.login, password: a.password });
	phoneB = await openPhone({ unit: receiving, login: b.login, password: b.password });
	const bA = branchDoc({ unitId: sending.id, login: a.login, name: 'Chi đoàn thôn Đồng Xe' });
	const bB = branchDoc({ unitId: receiving.id, login: b.login, name: 'Chi đoàn tổ 5' });
	branchA = bA._id;
	branchB = bB._id;
	await writeLocally(phoneA, [bA]);
	await writeLocally(phoneB, [bB]);
	await sync(phoneA);
	await sync(phoneB);
});

afterAll(async () => {
	await steady?.close({ keepData: true });
	await host?.close();
});

describe('a transfer between two provinces, phones offline, the worker killed between every two steps', () => {
	let member: MemberDoc;
	let oldEntries: { _id: string }[];
	let transferId: string;

	it('runs to the end: each server dies after one more step and the next takes the job over', async () => {
		// The member was admitted and synced earlier.
		({ member, entries: oldEntries } = await admit(phoneA, 'Minh', branchA));
		await sync(phoneA);

		// Offline, the sending secretary asks for the transfer; the phone syncs later.
		transferId = await requestTransfer(phoneA, member._id);
		let server = await workerServer(1);
		await sync(phoneA);
		await dies(server); // after `offer`
		// The sending phone goes offline again and still edits the record (it syncs at the very end).
		const held = await phoneA.local.get(member._id);
		await phoneA.local.put({ ...held, phone: '0912345678', updatedAt: new Date().toISOString() });

		// The offer reached the receiving unit's database while its phone was offline.
		const delivered = await host.couch.getDoc<TransferDoc>({
			db: receiving.db,
			id: transferDocId(transferId)
		});
		expect(delivered).toMatchObject({
			state: 'pending',
			unitId: receiving.id,
			fromUnitId: sending.id,
			fromUnitName: 'Đoàn xã Thanh Sơn',
			memberId: member._id,
			createdBy: 'system'
		});
		expect(
			await phoneB.local.get(transferDocId(transferId)).catch(() => undefined)
		).toBeUndefined();

		// The next server parks the job: it waits for the answer without polling.
		server = await workerServer(2);
		await until(async () => (await job(transferId))?.state === 'waiting', { what: 'a parked job' });

		// The receiving phone syncs, goes offline, accepts there, and syncs later.
		await sync(phoneB);
		const offer = await offerOn(phoneB, transferId);
		const accepted = planTransferAcceptance({
			...deviceContext({ login: phoneB.login, unitId: receiving.id }),
			offer,
			input: { branchId: branchB, on: vietnamToday() },
			branchIds: [branchB]
		});
		if (!accepted.ok) throw new Error(JSON.stringify(accepted.errors));
		await writeLocally(phoneB, [
			accepted.plan.member!,
			...accepted.plan.entries,
			accepted.plan.offer
		]);
		await sync(phoneB);
		await dies(server); // after `answer`: the watcher woke the job

		// One server dies after each remaining step; the last one finishes.
		for (let step = 3; step <= TRANSFER_STEPS.length; step++) {
			await dies(await workerServer(step));
		}
		steady = await workerServer();
		const done = await until(
			async () => {
				const current = await job(transferId);
				return current?.state === 'done' ? current : undefined;
			},
			{ what: 'the transfer job to finish' }
		);
		expect(done).toMatchObject({
			step: TRANSFER_STEPS.length,
			data: { transfer: { outcome: 'accepted' } }
		});
	});

	it('the member exists once: active in the receiving unit, with the whole history', async () => {
		const inB = await liveDocs(receiving.db);
		const members = inB.filter((doc) => doc.type === 'member');
		expect(members).toHaveLength(1);
		expect(members[0]).toMatchObject({
			_id: member._id,
			unitId: receiving.id,
			status: 'active',
			branchId: branchB,
			citizenId: member.citizenId
		});
		const history = inB.filter((doc) => doc.type === 'history');
		const key = (step: string) =>
			derivedHistoryId({ memberId: member._id, sourceKey: transferId, step });
		expect(history.map((doc) => doc._id).sort()).toEqual(
			[...oldEntries.map((entry) => entry._id), key('requested'), key('out'), key('in')].sort()
		);
		expect(new Set(history.map((doc) => doc.unitId))).toEqual(new Set([receiving.id]));
		// Accepted once, by the receiving secretary.
		expect(inB.find((doc) => doc._id === transferDocId(transferId))).toMatchObject({
			state: 'accepted',
			decidedBy: phoneB.login
		});
		// Nowhere else on the rolls: the sending unit holds no member record at all.
		const inA = await liveDocs(sending.db);
		expect(inA.filter((doc) => doc.type === 'member')).toEqual([]);
	});

	it('the sending unit keeps only the transfer-out trace: name, date, receiving unit', async () => {
		const inA = (await liveDocs(sending.db)).filter(
			(doc) => doc.memberId === member._id || doc._id === member._id
		);
		expect(inA.map((doc) => doc._id)).toEqual([
			derivedHistoryId({ memberId: member._id, sourceKey: transferId, step: 'out' })
		]);
		const trace = inA[0]!;
		expect(trace).toMatchObject({
			kind: 'transfer-out',
			unitId: sending.id,
			at: vietnamToday(),
			data: { transferId, toUnitId: receiving.id, toUnitName: 'Đoàn phường Sa Pa' }
		});
		expect(trace.note).toContain('Hoàng Văn Minh');
		const text = JSON.stringify(trace);
		expect(text).not.toContain(member.citizenId!);
		expect(text).not.toMatch(/ethnic|religion/);
		// The member's record was deleted by the server, saying where it went.
		const leaves = await host.couch.json<{ ok?: Doc }[]>({
			path: `${sending.db}/${encodeURIComponent(member._id)}`,
			query: { open_revs: 'all' }
		});
		expect(leaves).toHaveLength(1);
		expect(leaves[0]?.ok).toMatchObject({
			_deleted: true,
			type: 'member',
			updatedBy: 'system',
			transferredTo: receiving.id
		});
	});

	it('after their next sync the sending phone no longer holds the record, the receiving one holds it all', async () => {
		// Its offline edit brings the record back on the server for a moment (a live leaf beats the
		// tombstone); the watcher deletes it again, and the phone's pull then drops it.
		const pushed = await phoneA.local.replicate.to(phoneA.remote);
		expect(pushed.doc_write_failures).toBe(0);
		await until(async () => !(await host.couch.getDoc({ db: sending.db, id: member._id })), {
			what: 'the record removed again'
		});
		const leaves = await host.couch.json<{ ok?: Doc }[]>({
			path: `${sending.db}/${encodeURIComponent(member._id)}`,
			query: { open_revs: 'all' }
		});
		// The phone's edit became a second leaf, deleted by the server as well.
		expect(leaves).toHaveLength(2);
		expect(leaves.every((leaf) => leaf.ok?._deleted && leaf.ok.updatedBy === 'system')).toBe(true);
		await phoneA.local.replicate.from(phoneA.remote);
		const onA = await phoneA.local.allDocs({ include_docs: true });
		const ofMember = onA.rows.filter(
			(row) => row.id === member._id || (row.doc as Doc | undefined)?.memberId === member._id
		);
		expect(ofMember.map((row) => (row.doc as Doc).kind)).toEqual(['transfer-out']);
		await expect(phoneA.local.get(member._id)).rejects.toMatchObject({ status: 404 });

		await sync(phoneB);
		const onB = await phoneB.local.allDocs({ include_docs: true });
		const historyOnB = onB.rows.filter(
			(row) => (row.doc as Doc).type === 'history' && (row.doc as Doc).memberId === member._id
		);
		expect(historyOnB).toHaveLength(5);
		expect(await phoneB.local.get(member._id)).toMatchObject({ status: 'active' });
	});

	it('the citizen id is registered in the receiving unit; every step was audited once', async () => {
		const claim = await host.couch.getDoc<Doc>({
			db: host.provision.names.registry,
			id: `cid:${member.citizenId}`
		});
		expect(claim).toMatchObject({ memberId: member._id, unitId: receiving.id, status: 'active' });
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
		expect(JSON.stringify(audit)).not.toContain(member.citizenId!);
	});
});

describe('a rejected transfer', () => {
	it('returns the member to active in the sending unit, with the reason in its history', async () => {
		const { member } = await admit(phoneA, 'Lan', branchA);
		await sync(phoneA);
		const transferId = await requestTransfer(phoneA, member._id);
		await sync(phoneA);
		expect((await phoneA.local.get(member._id)).status).toBe('transferring');

		await until(
			async () =>
				(await host.couch.getDoc({ db: receiving.db, id: transferDocId(transferId) })) ?? undefined,
			{ what: 'the offer' }
		);
		await sync(phoneB);
		const rejected = planTransferRejection({
			...deviceContext({ login: phoneB.login, unitId: receiving.id }),
			offer: await offerOn(phoneB, transferId),
			input: { reason: 'Đoàn viên chưa chuyển nơi cư trú về phường.', on: vietnamToday() }
		});
		if (!rejected.ok) throw new Error(JSON.stringify(rejected.errors));
		await writeLocally(phoneB, [rejected.plan.offer]);
		await sync(phoneB);

		await until(
			async () =>
				(await host.couch.getDoc<Doc>({ db: sending.db, id: member._id }))?.status === 'active',
			{ what: 'the member back on the sending rolls' }
		);
		await sync(phoneA);
		const back = (await phoneA.local.get(member._id)) as unknown as MemberDoc;
		expect(back).toMatchObject({ status: 'active', statusSince: '2017-03-26' });
		expect(back.transfer).toBeUndefined();
		const entry = await phoneA.local.get(
			derivedHistoryId({ memberId: member._id, sourceKey: transferId, step: 'rejected' })
		);
		expect(entry).toMatchObject({
			kind: 'transfer-rejected',
			data: { reason: 'Đoàn viên chưa chuyển nơi cư trú về phường.', toUnitId: receiving.id }
		});
		// Never in the receiving unit's records; still registered where it is active.
		expect((await liveDocs(receiving.db)).some((doc) => doc._id === member._id)).toBe(false);
		await until(
			async () =>
				(
					await host.couch.getDoc<Doc>({
						db: host.provision.names.registry,
						id: `cid:${member.citizenId}`
					})
				)?.status === 'active',
			{ what: 'the claim back to active' }
		);
		const claim = await host.couch.getDoc<Doc>({
			db: host.provision.names.registry,
			id: `cid:${member.citizenId}`
		});
		expect(claim).toMatchObject({ memberId: member._id, unitId: sending.id });
		await until(async () => (await job(transferId))?.state === 'done', { what: 'the job done' });
	});
});

describe('the design document: what devices may write of offers, number registers and training results', () => {
	async function refused(write: Promise<unknown>, pattern: RegExp): Promise<void> {
		await expect(write).rejects.toMatchObject({
			status: 403,
			reason: expect.stringMatching(pattern)
		});
	}

	it('offers: only the server creates them; the receiving unit answers once, as itself', async () => {
		const at = new Date().toISOString();
		const id = transferDocId(ulid());
		const base = {
			type: 'transfer',
			v: 1,
			unitId: receiving.id,
			transferId: id.slice('transfer:'.length),
			memberId: `member:${ulid()}`,
			fromUnitId: sending.id,
			state: 'pending',
			createdAt: at,
			createdBy: phoneB.login,
			updatedAt: at,
			updatedBy: phoneB.login
		};
		await refused(phoneB.remote.put({ _id: id, ...base }), /máy chủ/);
		const { rev } = await host.couch.putDoc({
			db: receiving.db,
			doc: { _id: id, ...base, createdBy: 'system', updatedBy: 'system' }
		});
		const answer = { _id: id, _rev: rev, ...base, createdBy: 'system', state: 'accepted' };
		await refused(phoneB.remote.put({ ...answer, decidedBy: 'someone' }), /decidedBy/);
		await refused(phoneB.remote.put({ ...answer, decidedBy: phoneB.login }), /chi đoàn/);
		await refused(
			phoneB.remote.put({
				...answer,
				decidedBy: phoneB.login,
				branchId: branchB,
				memberId: 'member:X'
			}),
			/nội dung/
		);
		const ok = await phoneB.remote.put({ ...answer, decidedBy: phoneB.login, branchId: branchB });
		await refused(
			phoneB.remote.put({
				...answer,
				_rev: ok.rev,
				state: 'rejected',
				rejectionReason: 'Nhầm',
				decidedBy: phoneB.login
			}),
			/đã được trả lời/
		);
		await refused(
			phoneB.remote.put({ ...answer, _rev: ok.rev, _deleted: true, decidedBy: phoneB.login }),
			/xóa/
		);
	});

	it('number registers: written with the current revision, blocks never dropped, never deleted', async () => {
		const at = new Date().toISOString();
		const register = {
			_id: 'numbering:2026',
			type: 'numbering',
			v: 1,
			unitId: receiving.id,
			year: 2026,
			blocks: [] as object[],
			createdAt: at,
			createdBy: phoneB.login,
			updatedAt: at,
			updatedBy: phoneB.login
		};
		const block = {
			type: 'QĐ',
			from: 1,
			to: 10,
			deviceId: 'd1',
			claimedAt: at,
			claimedBy: phoneB.login
		};
		await refused(phoneB.remote.put({ ...register, _id: 'numbering:2025' }), /Năm/);
		const first = await phoneB.remote.put(register);
		const second = await phoneB.remote.put({ ...register, _rev: first.rev, blocks: [block] });
		// Another device claiming on the revision it read before: CouchDB's revision check refuses it.
		await expect(
			phoneB.remote.put({ ...register, _rev: first.rev, blocks: [{ ...block, deviceId: 'd2' }] })
		).rejects.toMatchObject({ status: 409 });
		await refused(phoneB.remote.put({ ...register, _rev: second.rev, blocks: [] }), /khối số/);
		await refused(phoneB.remote.put({ ...register, _rev: second.rev, _deleted: true }), /xóa/);
	});

	it('training results sent upwards: named by year, resent but never deleted', async () => {
		const at = new Date().toISOString();
		const submission = {
			_id: 'training:2026',
			type: 'training-submission',
			v: 1,
			unitId: receiving.id,
			year: 2026,
			programmeId: '2023-2027',
			registered: 3,
			scored: 3,
			bands: [{ id: 'tot', label: 'Tốt', count: 3 }],
			averageTotal: 81,
			submittedAt: at,
			submittedBy: phoneB.login,
			createdAt: at,
			createdBy: phoneB.login,
			updatedAt: at,
			updatedBy: phoneB.login
		};
		await refused(phoneB.remote.put({ ...submission, _id: 'training:2025' }), /Năm/);
		await refused(phoneB.remote.put({ ...submission, _id: 'training:abc' }), /training:<năm>/);
		const first = await phoneB.remote.put(submission);
		const again = await phoneB.remote.put({ ...submission, _rev: first.rev, scored: 3 });
		await refused(phoneB.remote.put({ ...submission, _rev: again.rev, _deleted: true }), /xóa/);
	});
});
