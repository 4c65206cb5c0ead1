import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { FiguresWorker } from '../../server/workers/figures-worker';
import { figuresDocId, type FiguresDoc } from '../../src/lib/domain/figures';
import { memberDoc } from '../support/member-fixture';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { api, branchDoc, waitForJob } from '../support/org-api';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// The figures follow the tree when it changes shape (docs/figures.md): a split founds a new unit
// with some of a commune's chi đoàn — the new unit's figures appear in its own and its superiors'
// databases, the commune counts fewer, the province as many as before (nobody was lost or counted
// twice); a dissolved unit leaves its parent's children and sum.

let server: TestServer;
let figures: FiguresWorker;
let admin: SignedIn;
let province: UnitRecord;
let commune: UnitRecord;
let empty: UnitRecord;
let moving: { _id: string };

async function figuresIn(holder: UnitRecord, of: string): Promise<FiguresDoc | undefined> {
	return (
		(await server.couch.getDoc<FiguresDoc>({ db: holder.db, id: figuresDocId(of) })) ?? undefined
	);
}

/**
 * Runs the worker's cycles until the province's sum is `onRolls` (or 20 s pass), and returns its
 * figures. On Apache CouchDB the `_db_updates` feed that tells the worker of the split's writes
 * arrives when it arrives: a cycle may still count the new unit half-copied, and a later one, told
 * of the rest, puts it right. What a superior must see is the settled sum, within seconds.
 */
async function provinceSettledAt(onRolls: number): Promise<FiguresDoc> {
	const deadline = Date.now() + 20_000;
	for (;;) {
		await figures.cycle();
		const top = (await figuresIn(province, province.id))!;
		if (top.total.onRolls === onRolls || Date.now() > deadline) return top;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

beforeAll(async () => {
	server = await startTestServer({
		workers: {
			...TEST_WORKERS,
			figures: { enabled: true, pollMs: 60_000, minIntervalMs: 10 }
		}
	});
	figures = server.workers.figures!;
	const top = await createProvince(server, 'Tỉnh đoàn Phú Thọ');
	province = top.unit;
	admin = await signedIn(server, { login: top.login, password: top.password });
	commune = await server.provision.createUnit({
		name: 'Đoàn xã Thanh Sơn',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	empty = await server.provision.createUnit({
		name: 'Đoàn xã Mới Lập',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	const login = 'test';
	moving = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Đi' });
	const staying = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Ở' });
	const members = [
		...['Lan', 'Mai', 'Hoa', 'Cúc'].map((givenName) => ({
			...memberDoc({ unitId: commune.id, login, givenName }),
			branchId: moving._id
		})),
		...['Đào', 'Mận', 'Lê'].map((givenName) => ({
			...memberDoc({ unitId: commune.id, login, givenName }),
			branchId: staying._id
		}))
	];
	await server.couch.bulkDocs({ db: commune.db, docs: [moving, staying, ...members] });
	// Written as admin: the worker is told, as the proxy would tell it.
	for (const unit of [province, commune, empty]) figures.nudge(unit.db);
	await figures.cycle();
}, 60_000);

afterAll(async () => {
	await server?.close();
});

describe('the figures when the tree changes shape', () => {
	it('a split: the new unit counts the members that moved, the province as many as before', async () => {
		expect((await figuresIn(province, commune.id))?.own.onRolls).toBe(7);
		expect((await figuresIn(province, province.id))?.total.onRolls).toBe(7);

		const asked = await api<{ id: string }>(server, `/units/${commune.id}/split`, {
			cookie: admin.cookie,
			body: { name: 'Đoàn xã Thôn Đi', kind: 'doan-xa', branchIds: [moving._id] }
		});
		expect(asked.status).toBe(202);
		const job = await waitForJob(server, { cookie: admin.cookie, id: asked.body.id });
		expect(job.state).toBe('done');
		const founded = job.targetId!;
		// No nudge: the directory's change and the split's own writes tell the worker.
		const top = await provinceSettledAt(7);
		expect(top.children).toContain(founded);
		expect(top.total.onRolls).toBe(7);
		expect((await figuresIn(province, commune.id))?.own.onRolls).toBe(3);
		const split = await figuresIn(province, founded);
		expect(split).toMatchObject({ of: { id: founded, parentId: province.id } });
		expect(split!.own.onRolls).toBe(4);
		// The new unit holds its own figures too, and the commune's database none of them.
		expect((await figuresIn({ ...commune, db: `unit_${founded}` }, founded))?.own.onRolls).toBe(4);
		expect(await figuresIn(commune, founded)).toBeUndefined();
	}, 60_000);

	it('a dissolved unit leaves its parent’s children and sum', async () => {
		expect((await figuresIn(province, province.id))!.children).toContain(empty.id);
		const res = await api(server, `/units/${empty.id}/dissolve`, {
			cookie: admin.cookie,
			body: {}
		});
		expect(res.status).toBe(200);
		await figures.cycle();
		const top = await provinceSettledAt(7);
		expect(top.children).not.toContain(empty.id);
		expect(top.total.onRolls).toBe(7);
	}, 60_000);
});
