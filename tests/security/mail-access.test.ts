import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDocOf } from '../support/mail-fixture';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { SHA_PROVINCE, startMailOrg, type MailOrg } from './support/mail-org';
import { couch, expectDenied, inBatches, type Actor, type Org } from './support/org-fixture';

// Mail between units (docs/decisions/0021-mail-between-units.md), read and forged: the province
// sends a directive with an attachment to commune A only (support/mail-org.ts); nobody outside the
// province and A reads it by any path, nor becomes a reader of its file; nobody forges the post
// office's documents (copies, status). Sending, signing and receipts: mail-sending.test.ts.

let m: MailOrg;
let org: Org;
let mailId: string;
const ids = () => m.ids;
const statusDoc = () => m.statusDoc();
const put: MailOrg['put'] = (...args) => m.put(...args);

beforeAll(async () => {
	m = await startMailOrg();
	org = m.org;
	mailId = m.mailId;
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

describe('reading a mail outside its sender and recipients', () => {
	it('control: the recipient reads her copy, the sender its status, A reads the file', async () => {
		const copy = await couch(org.server, `/${org.units.communeA.unit.db}/${ids().copy}`, {
			cookie: org.cookies.viewerA
		});
		expect(copy.status).toBe(200);
		expect(await copy.text()).toContain(m.marker);
		const status = await couch(org.server, `/${org.units.province.unit.db}/${ids().status}`, {
			cookie: org.cookies.provinceAdmin
		});
		expect(status.status).toBe(200);
		expect((await fileDocOf(org.server, SHA_PROVINCE))?.readers).toEqual([
			org.units.province.unit.id,
			org.units.communeA.unit.id
		]);
	});

	const outsiders: Actor[] = ['secretaryB', 'schoolSecretary', 'otherAdmin'];
	for (const actor of outsiders) {
		it(`${actor} reads it by no path`, async () => {
			const probes: { method: string; path: string; body?: unknown }[] = [];
			for (const [db, id] of [
				[org.units.province.unit.db, ids().mail],
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
					{ method: 'GET', path: `/${db}/_all_docs?keys=${encodeURIComponent(`["${id}"]`)}` },
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
				await expectDenied(`${actor}: ${probe.method} /couch${probe.path} (a mail)`, res, {
					secrets: [m.marker, mailId]
				});
			});
			const own = org.units[org.homes[actor]].unit.db;
			const rows = await org.server.couch.allDocs({
				db: own,
				startkey: 'mail-received:',
				endkey: 'mail-received:\ufff0'
			});
			expectRefused(`${actor}: a copy of a mail not sent to it`, rows.length === 0);
			const readers = (await fileDocOf(org.server, SHA_PROVINCE))?.readers ?? [];
			expectRefused(
				`${actor}: a reader of a file sent to A only`,
				!readers.includes(org.units[org.homes[actor]].unit.id)
			);
		});
	}
});

describe("forging the post office's documents", () => {
	function forgedCopy(unitId: string, login: string, type = 'mail-received') {
		const at = new Date().toISOString();
		const forgedId = '01J0000000000000000000ABCD';
		return {
			_id: `mail-received:${org.units.province.unit.id}:${forgedId}`,
			type,
			v: 1,
			unitId,
			mailId: forgedId,
			fromUnitId: org.units.province.unit.id,
			kind: 'directive',
			subject: 'Chỉ đạo giả',
			recipients: [unitId],
			sentAt: at,
			sentBy: org.logins.provinceAdmin,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		};
	}

	it('a received copy is refused by every write path, from the unit and its superior', async () => {
		const db = org.units.communeA.unit.db;
		for (const actor of ['secretaryA', 'deputyA', 'provinceAdmin'] as Actor[]) {
			for (const type of ['mail-received', 'mail-receipt', 'member']) {
				const doc = forgedCopy(org.units.communeA.unit.id, org.logins[actor], type);
				await expectRefusedResponse(
					`${actor}: PUT a forged mail-received (type ${type})`,
					await put(actor, db, doc)
				);
			}
			const doc = forgedCopy(org.units.communeA.unit.id, org.logins[actor]);
			const bulk = await couch(org.server, `/${db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body: { docs: [doc] }
			});
			const rows = (await bulk.json()) as { error?: string }[];
			expectRefused(`${actor}: _bulk_docs a forged mail-received`, rows[0]?.error === 'forbidden');
			const replicated = await couch(org.server, `/${db}/_bulk_docs`, {
				method: 'POST',
				cookie: org.cookies[actor],
				body: { docs: [{ ...doc, _rev: '1-abc' }], new_edits: false }
			});
			const replicatedRows = (await replicated.json()) as { error?: string }[];
			expectRefused(
				`${actor}: replicate (new_edits: false) a forged mail-received`,
				replicatedRows.some((row) => row.error === 'forbidden') &&
					!(await org.server.couch.getDoc({ db, id: doc._id }))
			);
		}
		const real = await org.server.couch.getDoc<{ _id: string; _rev: string }>({
			db,
			id: ids().copy
		});
		await expectRefusedResponse(
			'secretaryA: DELETE the received mail',
			await couch(org.server, `/${db}/${encodeURIComponent(ids().copy)}?rev=${real!._rev}`, {
				method: 'DELETE',
				cookie: org.cookies.secretaryA
			})
		);
		await expectRefusedResponse(
			'secretaryA: rewrite the received mail',
			await put('secretaryA', db, {
				...real!,
				subject: 'Đã sửa',
				updatedBy: org.logins.secretaryA
			})
		);
		await expectRefusedResponse(
			'secretaryA: rewrite the received mail as another type',
			await put('secretaryA', db, {
				...real!,
				type: 'mail-receipt',
				updatedBy: org.logins.secretaryA
			})
		);
		const after = await org.server.couch.getDoc<{ _id: string; _rev: string }>({
			db,
			id: ids().copy
		});
		expect(after?._rev).toBe(real!._rev);
	});

	it('a status document is refused to the sender and to the recipient', async () => {
		const at = new Date().toISOString();
		const forged = (login: string) => ({
			_id: ids().status,
			type: 'mail-status',
			v: 1,
			unitId: org.units.province.unit.id,
			mailId,
			recipients: {
				[org.units.communeA.unit.id]: { state: 'delivered', openedAt: at, openedBy: 'ai-do' }
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
				`${actor}: PUT a forged mail-status`,
				await put(actor, db, { ...forged(org.logins[actor]), _rev: current!._rev })
			);
		}
		await expectRefusedResponse(
			'provinceAdmin: DELETE the mail status',
			await couch(org.server, `/${db}/${encodeURIComponent(ids().status)}?rev=${current!._rev}`, {
				method: 'DELETE',
				cookie: org.cookies.provinceAdmin
			})
		);
		await expectRefusedResponse(
			'provinceAdmin: a new mail-status under another type',
			await put('provinceAdmin', db, {
				...forged(org.logins.provinceAdmin),
				_id: 'mail-status:01J0000000000000000000ABCD',
				type: 'numbering'
			})
		);
		expect((await statusDoc())?._rev).toBe(current!._rev);
	});
});
