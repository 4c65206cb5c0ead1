import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { ReceivedReminderDoc, ReminderStatusDoc } from '../../src/lib/domain/reminders';
import { api, until, waitForJob } from '../support/org-api';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { putThroughProxy, receiptDoc, reminderDoc } from '../support/reminder-fixture';
import { useServersOnOneStore } from '../support/shared-store-servers';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';

// Reminders on the post-office design (docs/decisions/0018-reminders-and-receipts.md), against the
// real server: a province's secretary writes a reminder in her own database through /couch; the
// reminder worker delivers one copy into each commune's database; the communes' receipts come back
// into the status document in the province's database. Killing the worker between two deliveries
// and letting another server take over still gives each commune exactly one copy.

interface Tree {
	province: UnitRecord;
	secretary: SignedIn;
	communes: { unit: UnitRecord; secretary: SignedIn }[];
}

async function tree(server: TestServer, name: string): Promise<Tree> {
	const top = await createProvince(server, name);
	const secretary = await signedIn(
		server,
		await server.createAccountIn({ unitId: top.unit.id, role: 'secretary' })
	);
	const communes = [];
	for (const commune of ['Xã Thanh Sơn', 'Xã Tân Phú', 'Phường Nông Trang']) {
		const created = await server.createUnitWithAccount({ parentId: top.unit.id, name: commune });
		communes.push({ unit: created.unit, secretary: await signedIn(server, created) });
	}
	return { province: top.unit, secretary, communes };
}

async function copiesIn(server: TestServer, unit: UnitRecord): Promise<ReceivedReminderDoc[]> {
	const rows = await server.couch.allDocs<ReceivedReminderDoc>({
		db: unit.db,
		startkey: 'reminder-received:',
		endkey: 'reminder-received:\ufff0',
		includeDocs: true
	});
	return rows.flatMap((row) => (row.doc ? [row.doc] : []));
}

function statusOf(server: TestServer, unit: UnitRecord, reminderId: string) {
	return server.couch.getDoc<ReminderStatusDoc>({
		db: unit.db,
		id: `reminder-status:${reminderId}`
	});
}

describe('a province reminds three communes', () => {
	let server: TestServer;
	let t: Tree;

	beforeAll(async () => {
		server = await startTestServer();
		t = await tree(server, 'Tỉnh đoàn Nhắc Việc');
	});

	afterAll(async () => {
		await server?.close();
	});

	it('delivers exactly one copy to each, and the receipts come back into the status', async () => {
		const reminder = reminderDoc({
			unitId: t.province.id,
			login: t.secretary.login,
			recipients: t.communes.map((c) => c.unit.id),
			deadline: '2099-01-31'
		});
		const reminderId = reminder._id.slice('reminder:'.length);
		const res = await putThroughProxy(server, {
			db: t.province.db,
			doc: reminder,
			cookie: t.secretary.cookie
		});
		expect(res.status).toBe(201);

		const status = await until(
			async () => {
				const doc = await statusOf(server, t.province, reminderId);
				return doc && Object.keys(doc.recipients).length === 3 ? doc : undefined;
			},
			{ what: 'the status document' }
		);
		for (const { unit } of t.communes) {
			expect(status.recipients[unit.id]).toMatchObject({ state: 'delivered' });
			const copies = await copiesIn(server, unit);
			expect(copies).toHaveLength(1);
			expect(copies[0]).toMatchObject({
				_id: `reminder-received:${t.province.id}:${reminderId}`,
				unitId: unit.id,
				fromUnitId: t.province.id,
				text: reminder.text,
				deadline: '2099-01-31',
				sentBy: t.secretary.login
			});
			expect(status.recipients[unit.id]!.deliveredAt).toBe(copies[0]!.createdAt);
		}

		// The commune's secretary reads her copy through /couch, as her device's sync does.
		const [first, second] = t.communes;
		const copyId = encodeURIComponent(`reminder-received:${t.province.id}:${reminderId}`);
		const read = await server.request(`/couch/${first!.unit.db}/${copyId}`, {
			cookie: first!.secretary.cookie
		});
		expect(read.status).toBe(200);

		// Received on her device, then opened.
		const received = receiptDoc({
			unitId: first!.unit.id,
			login: first!.secretary.login,
			fromUnitId: t.province.id,
			reminderId
		});
		const put = await putThroughProxy(server, {
			db: first!.unit.db,
			doc: received,
			cookie: first!.secretary.cookie
		});
		expect(put.status).toBe(201);
		const afterReceipt = await until(async () => {
			const doc = await statusOf(server, t.province, reminderId);
			return doc?.recipients[first!.unit.id]?.receivedAt ? doc : undefined;
		});
		expect(afterReceipt.recipients[first!.unit.id]).toMatchObject({
			receivedAt: received.receivedAt
		});
		expect(afterReceipt.recipients[first!.unit.id]!.readAt).toBeUndefined();

		const { rev } = (await put.json()) as { rev: string };
		const opened = receiptDoc({
			unitId: first!.unit.id,
			login: first!.secretary.login,
			fromUnitId: t.province.id,
			reminderId,
			read: true,
			rev
		});
		expect(
			(
				await putThroughProxy(server, {
					db: first!.unit.db,
					doc: { ...opened, receivedAt: received.receivedAt, createdAt: received.createdAt } as {
						_id: string;
					},
					cookie: first!.secretary.cookie
				})
			).status
		).toBe(201);
		const afterRead = await until(async () => {
			const doc = await statusOf(server, t.province, reminderId);
			return doc?.recipients[first!.unit.id]?.readAt ? doc : undefined;
		});
		expect(afterRead.recipients[first!.unit.id]).toMatchObject({
			state: 'delivered',
			receivedAt: received.receivedAt,
			readAt: opened.readAt,
			readBy: first!.secretary.login
		});
		// The others have not seen it yet.
		expect(afterRead.recipients[second!.unit.id]!.receivedAt).toBeUndefined();
		// Still one copy each: the status writes and receipts deliver nothing again.
		for (const { unit } of t.communes) expect(await copiesIn(server, unit)).toHaveLength(1);
	});

	it("refuses a reminder to a unit that is not the sender's subordinate, in Vietnamese", async () => {
		const other = await createProvince(server, 'Tỉnh đoàn Bên Cạnh');
		const reminder = reminderDoc({
			unitId: t.province.id,
			login: t.secretary.login,
			recipients: [t.communes[0]!.unit.id, other.unit.id]
		});
		const res = await putThroughProxy(server, {
			db: t.province.db,
			doc: reminder,
			cookie: t.secretary.cookie
		});
		expect(res.status).toBe(403);
		expect(((await res.json()) as { reason: string }).reason).toBe(
			'Chỉ được gửi đôn đốc cho các đơn vị trực thuộc.'
		);
		expect(await server.couch.getDoc({ db: t.province.db, id: reminder._id })).toBeUndefined();
	});

	it('the worker refuses a non-subordinate recipient of a reminder stored by another path', async () => {
		const other = await createProvince(server, 'Tỉnh đoàn Thứ Ba');
		// Written as admin, past the proxy (a restored backup, a replication): the worker decides too.
		const reminder = reminderDoc({
			unitId: t.province.id,
			login: t.secretary.login,
			recipients: [t.communes[1]!.unit.id, other.unit.id]
		});
		await server.couch.putDoc({ db: t.province.db, doc: reminder });
		server.workers.reminders.nudge(t.province.db);
		const reminderId = reminder._id.slice('reminder:'.length);
		const status = await until(async () => {
			const doc = await statusOf(server, t.province, reminderId);
			return doc && Object.keys(doc.recipients).length === 2 ? doc : undefined;
		});
		expect(status.recipients[other.unit.id]).toEqual({
			state: 'refused',
			reason: 'Chỉ được gửi đôn đốc cho các đơn vị trực thuộc.'
		});
		expect(status.recipients[t.communes[1]!.unit.id]).toMatchObject({ state: 'delivered' });
		expect(await copiesIn(server, other.unit)).toHaveLength(0);
	});
});

describe('a sender merged into another unit', () => {
	let server: TestServer;

	beforeAll(async () => {
		server = await startTestServer();
	});

	afterAll(async () => {
		await server?.close();
	});

	it("its reminders stay where they were: never sent again in the survivor's name", async () => {
		const top = await createProvince(server, 'Tỉnh đoàn Hợp Nhất');
		const admin = await signedIn(server, top);
		const district = await server.createUnitWithAccount({
			kind: 'huyen-doan',
			parentId: top.unit.id,
			name: 'Huyện đoàn Cũ'
		});
		const survivor = await server.createUnitWithAccount({
			kind: 'huyen-doan',
			parentId: top.unit.id,
			name: 'Huyện đoàn Mới'
		});
		const commune = await server.createUnitWithAccount({
			parentId: district.unit.id,
			name: 'Xã Được Nhắc'
		});
		const secretary = await signedIn(server, district);
		const reminder = reminderDoc({
			unitId: district.unit.id,
			login: district.login,
			recipients: [commune.unit.id]
		});
		const reminderId = reminder._id.slice('reminder:'.length);
		const put = await putThroughProxy(server, {
			db: district.unit.db,
			doc: reminder,
			cookie: secretary.cookie
		});
		expect(put.status).toBe(201);
		await until(async () => (await statusOf(server, district.unit, reminderId))?.recipients);

		const merge = await api<{ id: string }>(server, `/units/${district.unit.id}/merge`, {
			cookie: admin.cookie,
			body: { intoId: survivor.unit.id }
		});
		expect(merge.status).toBe(202);
		const job = await waitForJob(server, { cookie: admin.cookie, id: merge.body.id });
		expect(job.state).toBe('done');

		// The commune now hangs under the survivor; the worker has read the survivor's database.
		server.workers.reminders.nudge(survivor.unit.db);
		server.workers.reminders.nudge(commune.unit.db);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const inSurvivor = await server.couch.allDocs({
			db: survivor.unit.db,
			startkey: 'reminder',
			endkey: 'reminder\ufff0'
		});
		expect(inSurvivor).toEqual([]);
		expect(await copiesIn(server, commune.unit)).toHaveLength(1);
	});
});

describe('a crash between two deliveries', () => {
	// Short leases so that the takeover does not wait long; as in production the servers share one
	// store (the host's, whose own workers are off).
	const shared = useServersOnOneStore({ ...TEST_WORKERS, leaseMs: 300 });
	const serverOnHost = shared.onHost;
	let host: TestServer;
	beforeAll(() => {
		host = shared.host();
	});

	it('still delivers each copy exactly once when another server takes over', async () => {
		const t = await tree(host, 'Tỉnh đoàn Sự Cố');
		let fired = false;
		const first = await serverOnHost({
			afterReminderDelivery: ({ index }) =>
				index === 2 && !fired ? ((fired = true), 'crash') : undefined
		});
		const reminder = reminderDoc({
			unitId: t.province.id,
			login: t.secretary.login,
			recipients: t.communes.map((c) => c.unit.id)
		});
		const reminderId = reminder._id.slice('reminder:'.length);
		const cookie = (await first.signIn(t.secretary)).cookie;
		expect(
			(await putThroughProxy(first, { db: t.province.db, doc: reminder, cookie })).status
		).toBe(201);
		await until(() => first.workers.reminders.crashed, { what: 'the simulated crash' });
		// Dead after two deliveries: two copies, no status yet.
		const delivered = await Promise.all(t.communes.map((c) => copiesIn(host, c.unit)));
		expect(delivered.map((copies) => copies.length)).toEqual([1, 1, 0]);
		expect(await statusOf(host, t.province, reminderId)).toBeUndefined();

		await serverOnHost(); // takes over; closed with the others
		const status = await until(
			async () => {
				const doc = await statusOf(host, t.province, reminderId);
				return doc && Object.keys(doc.recipients).length === 3 ? doc : undefined;
			},
			{ what: 'the takeover to finish the deliveries' }
		);
		for (const [i, { unit }] of t.communes.entries()) {
			const copies = await copiesIn(host, unit);
			expect(copies).toHaveLength(1);
			// Never written again: the first delivery stands, with its time.
			expect((copies[0] as { _rev?: string })._rev).toMatch(/^1-/);
			expect(status.recipients[unit.id]).toEqual({
				state: 'delivered',
				deliveredAt: copies[0]!.createdAt
			});
			if (i < 2) expect(copies[0]!.createdAt).toBe(delivered[i]![0]!.createdAt);
		}
	});
});
