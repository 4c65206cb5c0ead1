import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, expectRefused } from './support/attack-log';
import { couch, readAsOwner, startOrg, type Actor, type Org } from './support/org-fixture';

// Writes by a unit's own secretary (the strongest device-side writer) that the rules must refuse
// whatever path they take: forged revision histories (`new_edits: false`, as replication writes)
// rewriting an immutable history entry or the server-only `unit` document, writing in another
// account's name, changing a document's type, deleting what must stay, and server-only documents
// smuggled inside a `_bulk_docs` body where the proxy's path checks cannot see them.

let org: Org;
let db: string;
let unitId: string;
let historyRev: string;
let unitRev: string;

beforeAll(async () => {
	org = await startOrg();
	({ db, id: unitId } = org.units.communeA.unit);
	historyRev = String((await readAsOwner(org, 'communeA', org.units.communeA.historyId)).doc._rev);
	unitRev = String((await readAsOwner(org, 'communeA', 'unit')).doc._rev);
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function fakeHash(): string {
	return randomBytes(16).toString('hex');
}

async function bulk(docs: unknown[], options: { newEdits?: boolean; actor?: Actor } = {}) {
	const res = await couch(org.server, `/${db}/_bulk_docs`, {
		cookie: org.cookies[options.actor ?? 'secretaryA'],
		method: 'POST',
		body: { docs, ...(options.newEdits === false ? { new_edits: false } : {}) }
	});
	return { status: res.status, text: await res.text() };
}

/** The document as its owner reads it: winning revision, content, and any conflicting branch. */
async function state(id: string) {
	const { status, doc } = await readAsOwner(org, 'communeA', id, '?conflicts=true');
	return { status, doc, rev: doc._rev as string | undefined, conflicts: doc._conflicts };
}

async function expectUnchanged(
	name: string,
	id: string,
	before: { rev: string; fields: Record<string, unknown> },
	answer: { status: number; text: string }
): Promise<void> {
	const after = await state(id);
	const changedFields = Object.entries(before.fields).filter(
		([key, value]) => JSON.stringify(after.doc[key]) !== JSON.stringify(value)
	);
	expectRefused(
		name,
		after.status === 200 && after.rev === before.rev && !after.conflicts && !changedFields.length,
		`write answered ${answer.status} ${answer.text.slice(0, 160)}; now ${after.status} rev ${after.rev}` +
			`${after.conflicts ? ` conflicts ${JSON.stringify(after.conflicts)}` : ''}` +
			`${changedFields.length ? ` changed ${changedFields.map(([key]) => key).join(',')}` : ''}`
	);
}

describe('forged revision histories', () => {
	it('do not rewrite an immutable history entry', async () => {
		const id = org.units.communeA.historyId;
		const original = (await state(id)).doc;
		const login = org.logins.secretaryA;
		const rewritten = { ...original, kind: 'expulsion', updatedBy: login };
		const [start, hash] = historyRev.split('-') as [string, string];
		const before = { rev: historyRev, fields: { kind: original.kind, at: original.at } };
		const attempts: [string, unknown][] = [
			[
				'a child revision of the entry',
				{ ...rewritten, _rev: `2-${fakeHash()}`, _revisions: { start: 2, ids: [fakeHash(), hash] } }
			],
			[
				'a long made-up history that would win',
				{
					...rewritten,
					_rev: `9-${'f'.repeat(32)}`,
					_revisions: { start: 9, ids: Array.from({ length: 9 }, () => 'f'.repeat(32)) }
				}
			],
			[
				'a second first revision (a conflict)',
				{
					...rewritten,
					_rev: `1-${'f'.repeat(32)}`,
					_revisions: { start: 1, ids: ['f'.repeat(32)] }
				}
			],
			[
				'a deletion as a child revision',
				{
					_id: id,
					_rev: `${Number(start) + 1}-${fakeHash()}`,
					_deleted: true,
					_revisions: { start: Number(start) + 1, ids: [fakeHash(), hash] }
				}
			]
		];
		for (const [label, doc] of attempts) {
			const answer = await bulk([doc], { newEdits: false });
			await expectUnchanged(`new_edits:false: ${label} of a history entry`, id, before, answer);
		}
	});

	it('do not rewrite the server-only unit document', async () => {
		const original = (await state('unit')).doc;
		const before = { rev: unitRev, fields: { name: original.name, ancestors: original.ancestors } };
		const hash = unitRev.split('-')[1] as string;
		const login = org.logins.secretaryA;
		const forged = {
			...original,
			name: 'Đơn vị bị chiếm',
			ancestors: [],
			parentId: null,
			updatedBy: login
		};
		const attempts: [string, unknown, boolean][] = [
			['an update', { ...forged, _rev: unitRev }, true],
			[
				'a child revision',
				{ ...forged, _rev: `2-${fakeHash()}`, _revisions: { start: 2, ids: [fakeHash(), hash] } },
				false
			],
			[
				'a winning made-up history',
				{
					...forged,
					_rev: `9-${'f'.repeat(32)}`,
					_revisions: { start: 9, ids: Array.from({ length: 9 }, () => 'f'.repeat(32)) }
				},
				false
			],
			['a type change to member', { ...forged, _rev: unitRev, type: 'member' }, true],
			['a deletion', { _id: 'unit', _rev: unitRev, _deleted: true }, true]
		];
		for (const [label, doc, newEdits] of attempts) {
			const answer = await bulk([doc], { newEdits });
			await expectUnchanged(`unit document: ${label}`, 'unit', before, answer);
		}
		const put = await couch(org.server, `/${db}/unit`, {
			cookie: org.cookies.secretaryA,
			method: 'PUT',
			body: { ...forged, _rev: unitRev }
		});
		await expectUnchanged('unit document: PUT', 'unit', before, {
			status: put.status,
			text: await put.text()
		});
		const del = await couch(org.server, `/${db}/unit?rev=${unitRev}`, {
			cookie: org.cookies.secretaryA,
			method: 'DELETE'
		});
		await expectUnchanged('unit document: DELETE', 'unit', before, {
			status: del.status,
			text: await del.text()
		});
	});
});

describe('ordinary writes that break the rules', () => {
	it('are refused: another account as writer, type changes, foreign unit ids, attachments', async () => {
		const member = org.units.communeA.member;
		const before = { rev: member._rev, fields: { givenName: member.givenName, type: 'member' } };
		const edit = { ...member, givenName: 'Bị sửa', updatedBy: org.logins.secretaryA };
		const attempts: [string, Record<string, unknown>][] = [
			['updatedBy another account of the unit', { ...edit, updatedBy: org.logins.deputyA }],
			['updatedBy the province admin', { ...edit, updatedBy: org.logins.provinceAdmin }],
			['updatedBy missing', { ...edit, updatedBy: undefined }],
			['type member → branch', { ...edit, type: 'branch', name: 'Chi đoàn' }],
			['type member → history', { ...edit, type: 'history', kind: 'admission', at: '2026-01-01' }],
			['type member → transfer', { ...edit, type: 'transfer', state: 'pending' }],
			['type member → unit', { ...edit, type: 'unit' }],
			['type member → numbering', { ...edit, type: 'numbering', year: 2026, blocks: [] }],
			['type removed', { ...edit, type: undefined }],
			['unitId of commune B', { ...edit, unitId: org.units.communeB.unit.id }],
			['createdBy changed', { ...edit, createdBy: org.logins.provinceAdmin }],
			[
				'an inline attachment',
				{ ...edit, _attachments: { 'a.txt': { content_type: 'text/plain', data: 'aGk=' } } }
			]
		];
		for (const [label, doc] of attempts) {
			const answer = await bulk([doc]);
			await expectUnchanged(`member: ${label} (_bulk_docs)`, member._id, before, answer);
			const put = await couch(org.server, `/${db}/${encodeURIComponent(member._id)}`, {
				cookie: org.cookies.secretaryA,
				method: 'PUT',
				body: doc
			});
			await expectUnchanged(`member: ${label} (PUT)`, member._id, before, {
				status: put.status,
				text: await put.text()
			});
		}
	});

	it('do not delete what must stay: history, decision-number registers, results sent up', async () => {
		const login = org.logins.secretaryA;
		const at = new Date().toISOString();
		const stamp = {
			v: 1,
			unitId,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		};
		const keep = [
			{
				_id: 'numbering:2026',
				type: 'numbering',
				year: 2026,
				blocks: [{ from: 1, to: 10 }],
				...stamp
			},
			{ _id: 'training:2026', type: 'training-submission', year: 2026, bands: [1, 2, 3], ...stamp }
		];
		const created = JSON.parse((await bulk(keep)).text) as { id: string; rev?: string }[];
		expect(created.every((row) => row.rev)).toBe(true);
		const targets = [
			...keep.map((doc, i) => ({ doc: { ...doc, _rev: created[i]?.rev as string } })),
			{ doc: { ...(await state(org.units.communeA.historyId)).doc } as Record<string, unknown> }
		];
		for (const { doc } of targets) {
			const id = String(doc._id);
			const rev = String(doc._rev);
			const before = { rev, fields: { type: doc.type } };
			const marked = await bulk([{ ...doc, _deleted: true, updatedBy: login }]);
			await expectUnchanged(`${id}: _bulk_docs _deleted`, id, before, marked);
			const bare = await bulk([{ _id: id, _rev: rev, _deleted: true }]);
			await expectUnchanged(`${id}: _bulk_docs bare deletion`, id, before, bare);
			const del = await couch(org.server, `/${db}/${encodeURIComponent(id)}?rev=${rev}`, {
				cookie: org.cookies.secretaryA,
				method: 'DELETE'
			});
			await expectUnchanged(`${id}: DELETE`, id, before, {
				status: del.status,
				text: await del.text()
			});
		}
		// A register may not lose a block it has handed out.
		const numbering = targets[0]?.doc as Record<string, unknown>;
		const shrink = await bulk([{ ...numbering, blocks: [] }]);
		await expectUnchanged(
			'numbering:2026: blocks dropped',
			'numbering:2026',
			{
				rev: String(numbering._rev),
				fields: { blocks: numbering.blocks }
			},
			shrink
		);
		// Transfers are offered by the server only.
		const transfer = await bulk([
			{ _id: `transfer:${fakeHash()}`, type: 'transfer', state: 'pending', ...stamp }
		]);
		const rows = JSON.parse(transfer.text) as { error?: string }[];
		expectRefused(
			'a device creates a transfer offer',
			rows.every((row) => row.error),
			transfer.text
		);
	});
});

describe('server-only documents inside a _bulk_docs body', () => {
	it('do not replace the design document', async () => {
		const design = (await state('_design/doanvu')).doc;
		const rev = String(design._rev);
		const before = { rev, fields: { validate_doc_update: design.validate_doc_update } };
		const empty = { _id: '_design/doanvu', validate_doc_update: 'function () {}' };
		for (const [label, doc, newEdits] of [
			['an update', { ...empty, _rev: rev }, true],
			['a deletion', { _id: '_design/doanvu', _rev: rev, _deleted: true }, true],
			[
				'a winning made-up history',
				{
					...empty,
					_rev: `9-${'f'.repeat(32)}`,
					_revisions: { start: 9, ids: Array(9).fill('f'.repeat(32)) }
				},
				false
			]
		] as const) {
			const answer = await bulk([doc], { newEdits });
			await expectUnchanged(
				`_design/doanvu via _bulk_docs: ${label}`,
				'_design/doanvu',
				before,
				answer
			);
		}
		const other = await bulk([
			{ _id: '_design/mine', views: { all: { map: 'function (d) { emit(d._id); }' } } }
		]);
		const added = await state('_design/mine');
		expectRefused('a new design document via _bulk_docs', added.status === 404, other.text);
	});

	it('do not write local documents the proxy would refuse by path', async () => {
		const security = await org.server.couch.getSecurity(db);
		const answer = await bulk([
			{ _id: '_local/_security', members: { roles: [`unit:${org.units.communeB.unit.id}`] } }
		]);
		// The access list as the server itself reads it (the proxy caches it for a while) …
		const now = await org.server.couch.getSecurity(db);
		expectRefused(
			"_local/_security written through _bulk_docs changes the unit's access list",
			JSON.stringify(now) === JSON.stringify(security),
			`write answered ${answer.status} ${answer.text.slice(0, 120)}; access list now ${JSON.stringify(now)}`
		);
		// … and commune B must still be refused commune A's data.
		const probe = await couch(org.server, `/${db}/_all_docs?include_docs=true`, {
			cookie: org.cookies.secretaryB
		});
		const body = await probe.text();
		expectRefused(
			'_local/_security written through _bulk_docs lets another unit read',
			probe.status === 403 && !body.includes(org.units.communeA.marker),
			`write answered ${answer.status} ${answer.text.slice(0, 120)}; B then got ${probe.status}`
		);
	});
});
