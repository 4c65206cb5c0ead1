import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderStatusDoc } from '../../src/lib/domain/reminders';
import { until } from '../support/org-api';
import { receiptDoc, reminderDoc } from '../support/reminder-fixture';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import {
	couch,
	expectDenied,
	inBatches,
	startOrg,
	type Actor,
	type Org
} from './support/org-fixture';

// Reminders (docs/decisions/0018-reminders-and-receipts.md) against every account that should not
// see or shape them: the province reminds commune A only; nobody outside the province and A reads
// it by any path; nobody forges the server's documents (received copies, status), sends from a unit
// that is not theirs, reminds a unit outside their subtree, or records a read that did not happen.

let org: Org;
let reminderId: string;
const MARKER = `Nhắc${Math.random().toString(36).slice(2, 10)}`;

function ids() {
	const province = org.units.province.unit;
	return {
		reminder: `reminder:${reminderId}`,
		status: `reminder-status:${reminderId}`,
		copy: `reminder-received:${province.id}:${reminderId}`,
		receipt: `reminder-receipt:${province.id}:${reminderId}`
	};
}

function statusDoc() {
	return org.server.couch.getDoc<ReminderStatusDoc>({
		db: org.units.province.unit.db,
		id: ids().status
	});
}

beforeAll(async () => {
	org = await startOrg();
	const reminder = reminderDoc({
		unitId: org.units.province.unit.id,
		login: org.logins.provinceAdmin,
		recipients: [org.units.communeA.unit.id],
		text: `Đề nghị hoàn thành trước hạn ${MARKER}`
	});
	reminderId = reminder._id.slice('reminder:'.length);
	const res = await couch(org.server, `/${org.units.province.unit.db}/${reminder._id}`, {
		method: 'PUT',
		cookie: org.cookies.provinceAdmin,
		body: reminder
	});
	expect(res.status).toBe(201);
	await until(async () => (await statusDoc())?.recipients[org.units.communeA.unit.id]);
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

describe('reading a reminder outside its sender and recipients', () => {
	it('control: the recipient reads her copy, the sender its status', async () => {
		const copy = await couch(org.server, `/${org.units.communeA.unit.db}/${ids().copy}`, {
			cookie: org.cookies.viewerA
		});
		expect(copy.status).toBe(200);
		expect(await copy.text()).toContain(MARKER);
		const status = await couch(org.server, `/${org.units.province.unit.db}/${ids().status}`, {
			cookie: org.cookies.provinceAdmin
		});
		expect(status.status).toBe(200);
	});

	const outsiders: Actor[] = ['secretaryB', 'schoolSecretary', 'otherAdmin'];
	for (const actor of outsiders) {
		it(`${actor} reads it by no path`, async () => {
			const probes: { method: string; path: string; body?: unknown }[] = [];
			for (const [db, id] of [
				[org.units.province.unit.db, ids().reminder],
				[org.units.province.unit.db, ids().status],
				[org.units.communeA.unit.db, ids().copy]
			] as const) {
				const key = encodeURIComponent(id);
				probes.push(
					{ method: 'GET', path: `/${db}/${key}` },
					{ method: 'GET', path: `/${db}/${key}?open_revs=all` },
					{ method: 'GET', path: `/${db}/${key}?revs_info=true&conflicts=true` },
					{ method: 'HEAD', path: `/${db}/${key}` },
					{ method: 'GET', path: `/${db}/_all_docs?include_docs=true` },
					{ method: 'POST', path: `/${db}/_all_docs?include_docs=true`, body: { keys: [id] } },
					{ method: 'GET', path: `/${db}/_changes?include_docs=true&since=0` },
					{
						method: 'POST',
						path: `/${db}/_changes?filter=_doc_ids&include_docs=true`,
						body: { doc_ids: [id] }
					},
					{ method: 'POST', path: `/${db}/_bulk_get`, body: { docs: [{ id }] } },
					{ method: 'POST', path: `/${db}/_find`, body: { selector: { type: { $gt: null } } } }
				);
			}
			await inBatches(probes, 6, async (probe) => {
				const res = await couch(org.server, probe.path, {
					method: probe.method,
					cookie: org.cookies[actor],
					...(probe.body === undefined ? {} : { body: probe.body })
				});
				await expectDenied(`${actor}: ${probe.method} /couch${probe.path} (a reminder)`, res, {
					secrets: [MARKER, reminderId]
				});
			});
			// Nor did a copy reach its own database.
			const own = org.units[org.homes[actor]].unit.db;
			const rows = await org.server.couch.allDocs({
				db: own,
				startkey: 'reminder-received:',
				endkey: 'reminder-received:\ufff0'
			});
			expectRefused(`${actor}: a copy of a reminder not sent to it`, rows.length === 0);
		});
	}
});

describe("forging the server's documents", () => {
	function forgedCopy(unitId: string, login: string) {
		const at = new Date().toISOString();
		return {
			_id: `reminder-received:${org.units.province.unit.id}:01J0000000000000000000ABCD`,
			type: 'reminder-received',
			v: 1,
			unitId,
			reminderId: '01J0000000000000000000ABCD',
			fromUnitId: org.units.province.unit.id,
			fromName: 'Tỉnh đoàn Thử',
			text: 'Lệnh giả',
			sentAt: at,
			sentBy: org.logins.provinceAdmin,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		};
	}

	it('a received copy is refused by every write path, from the unit and from its superior', async () => {
		const db = org.units.communeA.unit.db;
		for (const actor of ['secretaryA', 'deputyA', 'provinceAdmin'] as Actor[]) {
			const doc = forgedCopy(org.units.communeA.unit.id, org.logins[actor]);
			const key = encodeURIComponent(doc._id);
			await expectRefusedResponse(
				`${actor}: PUT a forged reminder-received`,
				await couch(org.server, `/${db}/${key}`, {
					method: 'PUT',
					cookie: org.cookies[actor],
					body: doc
				})
			);
			const bulk = await couch(org.server, `/${db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body: { docs: [doc] }
			});
			const rows = (await bulk.json()) as { error?: string }[];
			expectRefused(
				`${actor}: _bulk_docs a forged reminder-received`,
				rows[0]?.error === 'forbidden'
			);
			const replicated = await couch(org.server, `/${db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body: { docs: [{ ...doc, _rev: '1-abc' }], new_edits: false }
			});
			const replicatedRows = (await replicated.json()) as { error?: string }[];
			expectRefused(
				`${actor}: replicate (new_edits: false) a forged reminder-received`,
				replicatedRows.some((row) => row.error === 'forbidden') &&
					!(await org.server.couch.getDoc({ db, id: doc._id }))
			);
		}
		// Nor may the recipient delete or rewrite the real copy.
		const real = await org.server.couch.getDoc<{ _id: string; _rev: string }>({
			db,
			id: ids().copy
		});
		await expectRefusedResponse(
			'secretaryA: DELETE the received copy',
			await couch(org.server, `/${db}/${encodeURIComponent(ids().copy)}?rev=${real!._rev}`, {
				method: 'DELETE',
				cookie: org.cookies.secretaryA
			})
		);
		await expectRefusedResponse(
			'secretaryA: rewrite the received copy',
			await couch(org.server, `/${db}/${encodeURIComponent(ids().copy)}`, {
				method: 'PUT',
				cookie: org.cookies.secretaryA,
				body: { ...real, text: 'Đã sửa', updatedBy: org.logins.secretaryA }
			})
		);
	});

	it('a status document is refused to the sender and to the recipient', async () => {
		const at = new Date().toISOString();
		const forged = (login: string) => ({
			_id: ids().status,
			type: 'reminder-status',
			v: 1,
			unitId: org.units.province.unit.id,
			reminderId,
			recipients: {
				[org.units.communeA.unit.id]: { state: 'delivered', readAt: at, readBy: 'ai-do' }
			},
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		});
		const db = org.units.province.unit.db;
		const current = await statusDoc();
		for (const actor of ['provinceAdmin', 'secretaryA'] as Actor[]) {
			await expectRefusedResponse(
				`${actor}: PUT a forged reminder-status`,
				await couch(org.server, `/${db}/${encodeURIComponent(ids().status)}`, {
					method: 'PUT',
					cookie: org.cookies[actor],
					body: { ...forged(org.logins[actor]), _rev: current!._rev }
				})
			);
		}
		expect((await statusDoc())?._rev).toBe(current!._rev);
	});
});

describe('sending what one may not', () => {
	async function attemptReminder(
		name: string,
		actor: Actor,
		options: { db: string; unitId: string; recipients: string[]; bulk?: 'edits' | 'replicated' }
	) {
		const doc = reminderDoc({
			unitId: options.unitId,
			login: org.logins[actor],
			recipients: options.recipients
		});
		let refused: boolean;
		if (options.bulk) {
			const res = await couch(org.server, `/${options.db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body:
					options.bulk === 'replicated'
						? { docs: [{ ...doc, _rev: '1-abc' }], new_edits: false }
						: { docs: [doc] }
			});
			const rows = (await res.json().catch(() => [])) as { error?: string }[];
			refused = res.status >= 400 || rows.some((row) => row.error === 'forbidden');
		} else {
			const res = await couch(org.server, `/${options.db}/${doc._id}`, {
				method: 'PUT',
				cookie: org.cookies[actor],
				body: doc
			});
			refused = res.status === 403;
		}
		const stored = await org.server.couch.getDoc({ db: options.db, id: doc._id });
		expectRefused(name, refused && !stored);
	}

	it('a reminder to a unit outside the subtree, by every write path', async () => {
		const { province, communeA, communeB, otherProvince } = org.units;
		for (const bulk of [undefined, 'edits', 'replicated'] as const) {
			const how = bulk ?? 'put';
			await attemptReminder(`secretaryA reminds its sibling B (${how})`, 'secretaryA', {
				db: communeA.unit.db,
				unitId: communeA.unit.id,
				recipients: [communeB.unit.id],
				bulk
			});
			await attemptReminder(`secretaryA reminds its superior (${how})`, 'secretaryA', {
				db: communeA.unit.db,
				unitId: communeA.unit.id,
				recipients: [province.unit.id],
				bulk
			});
			await attemptReminder(`provinceAdmin reminds another province (${how})`, 'provinceAdmin', {
				db: province.unit.db,
				unitId: province.unit.id,
				recipients: [communeA.unit.id, otherProvince.unit.id],
				bulk
			});
		}
	});

	it('a reminder in the name of a subordinate unit, or by a viewer', async () => {
		const { communeA, communeB } = org.units;
		// The province may write in A's database, but not send as A.
		await attemptReminder('provinceAdmin sends as commune A', 'provinceAdmin', {
			db: communeA.unit.db,
			unitId: communeA.unit.id,
			recipients: [communeB.unit.id]
		});
		await attemptReminder('viewerA sends a reminder', 'viewerA', {
			db: communeA.unit.db,
			unitId: communeA.unit.id,
			recipients: [communeB.unit.id]
		});
	});

	it('a sent reminder is never rewritten nor deleted', async () => {
		const db = org.units.province.unit.db;
		const sent = await org.server.couch.getDoc<
			Record<string, unknown> & { _id: string; _rev: string }
		>({
			db,
			id: ids().reminder
		});
		await expectRefusedResponse(
			'provinceAdmin adds a recipient to a sent reminder',
			await couch(org.server, `/${db}/${ids().reminder}`, {
				method: 'PUT',
				cookie: org.cookies.provinceAdmin,
				body: { ...sent, recipients: [org.units.communeA.unit.id, org.units.communeB.unit.id] }
			})
		);
		await expectRefusedResponse(
			'provinceAdmin deletes a sent reminder',
			await couch(org.server, `/${db}/${ids().reminder}?rev=${sent!._rev}`, {
				method: 'DELETE',
				cookie: org.cookies.provinceAdmin
			})
		);
	});
});

describe('receipts that did not happen', () => {
	it("the superior cannot mark the reminder read in the recipient's database", async () => {
		const doc = receiptDoc({
			unitId: org.units.communeA.unit.id,
			login: org.logins.provinceAdmin,
			fromUnitId: org.units.province.unit.id,
			reminderId,
			read: true
		});
		await expectRefusedResponse(
			'provinceAdmin writes a read receipt for commune A',
			await couch(org.server, `/${org.units.communeA.unit.db}/${encodeURIComponent(doc._id)}`, {
				method: 'PUT',
				cookie: org.cookies.provinceAdmin,
				body: doc
			})
		);
	});

	it('a read receipt must name its reader', async () => {
		const doc = {
			...receiptDoc({
				unitId: org.units.communeA.unit.id,
				login: org.logins.deputyA,
				fromUnitId: org.units.province.unit.id,
				reminderId,
				read: true
			}),
			readBy: org.logins.secretaryA
		};
		await expectRefusedResponse(
			'deputyA records secretaryA as the reader',
			await couch(org.server, `/${org.units.communeA.unit.db}/${encodeURIComponent(doc._id)}`, {
				method: 'PUT',
				cookie: org.cookies.deputyA,
				body: doc
			})
		);
	});

	it('a unit that was not reminded cannot appear in the status by writing a receipt', async () => {
		const doc = receiptDoc({
			unitId: org.units.communeB.unit.id,
			login: org.logins.secretaryB,
			fromUnitId: org.units.province.unit.id,
			reminderId,
			read: true
		});
		// Its own database takes it (nothing there is the province's)…
		const res = await couch(
			org.server,
			`/${org.units.communeB.unit.db}/${encodeURIComponent(doc._id)}`,
			{ method: 'PUT', cookie: org.cookies.secretaryB, body: doc }
		);
		expect(res.status).toBe(201);
		// …but the worker, having read it, carries nothing into the province's status.
		const before = await statusDoc();
		org.server.workers.reminders.nudge(org.units.communeB.unit.db);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const after = await statusDoc();
		expectRefused(
			'secretaryB: a receipt for a reminder sent to A only',
			!after?.recipients[org.units.communeB.unit.id] && after?._rev === before?._rev
		);
	});
});
