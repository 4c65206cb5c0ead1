import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { figuresDocId, targetDocId, type FiguresDoc } from '../../src/lib/domain/figures';
import type { AccountRole } from '../../src/lib/domain/org/roles';
import { validMember } from '../support/domain-fixture';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// The figures are counts, but a unit's figures are for itself and its superiors only: a grassroots
// secretary, a sibling commune, a viewer and a child unit try to read figures outside their
// subtree by every read path of /couch; everybody, a superior included, tries to write, forge or
// delete a `figures:` document (only the server writes them); and a superior tries to set a target
// for a unit that is not beneath it.

const NOW = new Date('2026-12-06T20:30:00Z');

let server: TestServer;
let province: UnitRecord;
let commune: UnitRecord;
let sibling: UnitRecord;
let group: UnitRecord;
let school: UnitRecord;

interface Actor {
	name: string;
	login: string;
	cookie: string;
	unit: UnitRecord;
}

const actors: Record<string, Actor> = {};

async function actor(name: string, unit: UnitRecord, role: AccountRole): Promise<Actor> {
	const account = await server.createAccountIn({ unitId: unit.id, role });
	const { cookie } = await server.signIn(account);
	return (actors[name] = { name, login: account.login, cookie, unit });
}

function couch(who: Actor, path: string, init: { method?: string; body?: unknown } = {}) {
	return server.request(`/couch/${path}`, {
		method: init.method ?? 'GET',
		cookie: who.cookie,
		...(init.body !== undefined
			? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }
			: {})
	});
}

async function stored(holder: UnitRecord, unit: UnitRecord): Promise<FiguresDoc> {
	const doc = await server.couch.getDoc<FiguresDoc>({ db: holder.db, id: figuresDocId(unit.id) });
	expect(doc).toBeDefined();
	return doc!;
}

beforeAll(async () => {
	server = await startTestServer({
		workers: {
			...TEST_WORKERS,
			figures: { enabled: true, pollMs: 60_000, minIntervalMs: 10, now: () => NOW }
		}
	});
	const create = (name: string, kind: UnitRecord['kind'], parentId?: string) =>
		server.provision.createUnit({ name, kind, parentId, createdBy: 'test' });
	province = await create('Tỉnh đoàn Phú Thọ', 'tinh-doan');
	commune = await create('Đoàn xã Thanh Sơn', 'doan-xa', province.id);
	sibling = await create('Đoàn xã Tân Sơn', 'doan-xa', province.id);
	group = await create('Đoàn khối Doanh nghiệp', 'doan-khoi', province.id);
	school = await create('Đoàn cơ sở Công ty Thử', 'doan-co-so', group.id);
	await actor('tỉnh', province, 'secretary');
	await actor('xã', commune, 'secretary');
	await actor('xã (chỉ xem)', commune, 'viewer');
	await actor('xã bên cạnh', sibling, 'secretary');
	await actor('đoàn khối', group, 'secretary');
	await actor('cơ sở', school, 'secretary');
	for (const unit of [commune, sibling, school]) {
		const members = [1, 2, 3].map((n) =>
			validMember({ unitId: unit.id, login: 'test', givenName: `Số ${n}` })
		);
		await server.couch.bulkDocs({ db: unit.db, docs: members });
	}
	for (const unit of [province, commune, sibling, group, school]) {
		server.workers.figures!.nudge(unit.db);
	}
	await server.workers.figures!.cycle();
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

/** Every read path into a database for one figures document. */
function readPaths(
	db: string,
	id: string
): { what: string; method: string; path: string; body?: unknown }[] {
	const encoded = encodeURIComponent(id);
	return [
		{ what: 'GET doc', method: 'GET', path: `${db}/${encoded}` },
		{ what: 'GET doc, raw colon', method: 'GET', path: `${db}/${id}` },
		{
			what: 'GET doc, lower-case escape',
			method: 'GET',
			path: `${db}/${encoded.replace('%3A', '%3a')}`
		},
		{
			what: 'GET doc, double-encoded',
			method: 'GET',
			path: `${db}/${encodeURIComponent(encoded)}`
		},
		{ what: '_all_docs', method: 'GET', path: `${db}/_all_docs?include_docs=true` },
		{
			what: '_all_docs by key',
			method: 'POST',
			path: `${db}/_all_docs?include_docs=true`,
			body: { keys: [id] }
		},
		{ what: '_changes', method: 'GET', path: `${db}/_changes?include_docs=true` },
		{
			what: '_changes by doc id',
			method: 'POST',
			path: `${db}/_changes?filter=_doc_ids&include_docs=true`,
			body: { doc_ids: [id] }
		},
		{ what: '_bulk_get', method: 'POST', path: `${db}/_bulk_get`, body: { docs: [{ id }] } }
	];
}

describe('figures outside one’s subtree cannot be read', () => {
	it('the unit itself and its superiors read them (the control)', async () => {
		const own = await couch(
			actors['xã']!,
			`${commune.db}/${encodeURIComponent(figuresDocId(commune.id))}`
		);
		expect(own.status).toBe(200);
		expect(((await own.json()) as FiguresDoc).own.onRolls).toBe(3);
		const inGroup = await couch(
			actors['đoàn khối']!,
			`${group.db}/${encodeURIComponent(figuresDocId(school.id))}`
		);
		expect(inGroup.status).toBe(200);
		const inProvince = await couch(
			actors['tỉnh']!,
			`${province.db}/_all_docs?include_docs=true&startkey="figures:"&endkey="figures:\ufff0"`
		);
		expect(((await inProvince.json()) as { rows: unknown[] }).rows).toHaveLength(5);
	});

	const attempts: [actor: string, holder: () => UnitRecord, unit: () => UnitRecord][] = [
		['xã', () => province, () => province],
		['xã', () => province, () => commune],
		['xã', () => sibling, () => sibling],
		['xã bên cạnh', () => commune, () => commune],
		['xã bên cạnh', () => province, () => sibling],
		['xã (chỉ xem)', () => province, () => commune],
		['xã (chỉ xem)', () => sibling, () => sibling],
		['cơ sở', () => group, () => school],
		['cơ sở', () => group, () => group],
		['cơ sở', () => province, () => school],
		['đoàn khối', () => commune, () => commune],
		['đoàn khối', () => province, () => group]
	];
	for (const [who, holder, unit] of attempts) {
		it(`${who}: another unit's database, every read path`, async () => {
			const db = holder().db;
			for (const probe of readPaths(db, figuresDocId(unit().id))) {
				const res = await couch(actors[who]!, probe.path, probe);
				const text = res.status < 400 ? await res.text() : '';
				await expectRefusedResponse(
					`${who} reads figures of ${unit().name} in ${holder().name}: ${probe.what}`,
					new Response(text, { status: res.status })
				);
				expect(text).not.toContain('"onRolls"');
			}
		});
	}
});

describe('nobody but the server writes a figures document', () => {
	it('an update, a forged creation, a deletion: refused to the unit and to its superior', async () => {
		const own = await stored(commune, commune);
		const forged = {
			...own,
			total: { ...own.total, onRolls: 999 },
			updatedBy: actors['xã']!.login
		};
		const attempts: [string, Actor, string, { method: string; body?: unknown }][] = [
			[
				'secretary PUT update',
				actors['xã']!,
				`${commune.db}/${encodeURIComponent(own._id)}`,
				{ method: 'PUT', body: forged }
			],
			[
				'secretary PUT new figures doc',
				actors['xã']!,
				`${commune.db}/${encodeURIComponent(figuresDocId('abcd1234'))}`,
				{ method: 'PUT', body: { ...forged, _id: figuresDocId('abcd1234'), _rev: undefined } }
			],
			[
				'secretary PUT figures id typed as a member',
				actors['xã']!,
				`${commune.db}/${encodeURIComponent(figuresDocId('efgh5678'))}`,
				{
					method: 'PUT',
					body: {
						...validMember({ unitId: commune.id, login: actors['xã']!.login, givenName: 'Giả' }),
						_id: figuresDocId('efgh5678')
					}
				}
			],
			[
				'secretary DELETE',
				actors['xã']!,
				`${commune.db}/${encodeURIComponent(own._id)}?rev=${own._rev}`,
				{ method: 'DELETE' }
			],
			[
				'province secretary PUT in its own database',
				actors['tỉnh']!,
				`${province.db}/${encodeURIComponent(own._id)}`,
				{
					method: 'PUT',
					body: { ...(await stored(province, commune)), updatedBy: actors['tỉnh']!.login }
				}
			],
			[
				'province secretary PUT in the commune database',
				actors['tỉnh']!,
				`${commune.db}/${encodeURIComponent(own._id)}`,
				{ method: 'PUT', body: { ...forged, updatedBy: actors['tỉnh']!.login } }
			]
		];
		for (const [name, who, path, init] of attempts) {
			await expectRefusedResponse(`figures: ${name}`, await couch(who, path, init));
		}
		expect((await stored(commune, commune))._rev).toBe(own._rev);
	});

	it('through _bulk_docs, with or without new_edits: false', async () => {
		const own = await stored(commune, commune);
		const forged = {
			...own,
			total: { ...own.total, onRolls: 999 },
			updatedBy: actors['xã']!.login
		};
		const bulk = await couch(actors['xã']!, `${commune.db}/_bulk_docs`, {
			method: 'POST',
			body: { docs: [forged, { _id: own._id, _rev: own._rev, _deleted: true }] }
		});
		const rows = (await bulk.json()) as { error?: string }[];
		expectRefused(
			'figures: _bulk_docs update and deletion',
			bulk.status >= 400 || (rows.length === 2 && rows.every((row) => row.error === 'forbidden')),
			JSON.stringify(rows)
		);
		const [generation, hash] = own._rev!.split('-');
		const replicated = await couch(actors['xã']!, `${commune.db}/_bulk_docs`, {
			method: 'POST',
			body: {
				new_edits: false,
				docs: [
					{
						...forged,
						_rev: `${Number(generation) + 5}-${'f'.repeat(32)}`,
						_revisions: { start: Number(generation) + 5, ids: ['f'.repeat(32), hash] }
					},
					{ ...forged, _id: figuresDocId('zzzz9999'), _rev: `1-${'e'.repeat(32)}` }
				]
			}
		});
		const after = await stored(commune, commune);
		const planted = await server.couch.getDoc({ db: commune.db, id: figuresDocId('zzzz9999') });
		expectRefused(
			'figures: _bulk_docs new_edits:false (a winning revision grafted, a document planted)',
			after._rev === own._rev && after.total.onRolls === own.total.onRolls && !planted,
			`HTTP ${replicated.status} ${await replicated.text()}`
		);
	});
});

describe('targets', () => {
	const target = (forUnit: UnitRecord, by: Actor, year = 2027) => ({
		_id: targetDocId({ unitId: forUnit.id, year }),
		type: 'target',
		v: 1,
		unitId: by.unit.id,
		forUnitId: forUnit.id,
		year,
		members: 120,
		createdAt: NOW.toISOString(),
		createdBy: by.login,
		updatedAt: NOW.toISOString(),
		updatedBy: by.login
	});

	it('a superior sets one for a unit beneath it (the control)', async () => {
		const group2 = actors['đoàn khối']!;
		const res = await couch(
			group2,
			`${group.db}/${encodeURIComponent(target(school, group2)._id)}`,
			{
				method: 'PUT',
				body: target(school, group2)
			}
		);
		expect(res.status).toBe(201);
		const province2 = actors['tỉnh']!;
		const deep = await couch(province2, `${province.db}/_bulk_docs`, {
			method: 'POST',
			body: { docs: [target(school, province2)] }
		});
		expect(((await deep.json()) as { error?: string }[])[0]?.error).toBeUndefined();
	});

	it('is refused for a unit outside the subtree, for itself, in a subordinate’s database, by a viewer', async () => {
		const by = actors['đoàn khối']!;
		const outside = target(commune, by);
		await expectRefusedResponse(
			'target: for a unit not beneath (PUT)',
			await couch(by, `${group.db}/${encodeURIComponent(outside._id)}`, {
				method: 'PUT',
				body: outside
			}),
			[403]
		);
		const bulk = await couch(by, `${group.db}/_bulk_docs`, {
			method: 'POST',
			body: { docs: [target(sibling, by), target(province, by)] }
		});
		const rows = (await bulk.json()) as { error?: string }[];
		expectRefused(
			'target: for units not beneath (_bulk_docs)',
			rows.length === 2 && rows.every((row) => row.error === 'forbidden'),
			JSON.stringify(rows)
		);
		const self = target(group, by);
		await expectRefusedResponse(
			'target: for its own unit',
			await couch(by, `${group.db}/${encodeURIComponent(self._id)}`, { method: 'PUT', body: self }),
			[403]
		);
		const provinceSecretary = actors['tỉnh']!;
		// Another year than the control's: Apache CouchDB checks the revision before the design document.
		const inChild = { ...target(school, provinceSecretary, 2028), unitId: group.id };
		await expectRefusedResponse(
			'target: written by a superior into a subordinate’s database',
			await couch(provinceSecretary, `${group.db}/${encodeURIComponent(inChild._id)}`, {
				method: 'PUT',
				body: inChild
			}),
			[403]
		);
		const viewer = actors['xã (chỉ xem)']!;
		const byViewer = { ...target(school, viewer), unitId: commune.id };
		await expectRefusedResponse(
			'target: by a viewer',
			await couch(viewer, `${commune.db}/${encodeURIComponent(byViewer._id)}`, {
				method: 'PUT',
				body: byViewer
			}),
			[403]
		);
		const mismatched = { ...target(school, by), forUnitId: commune.id };
		await expectRefusedResponse(
			'target: id naming one unit, body another',
			await couch(by, `${group.db}/${encodeURIComponent(mismatched._id)}`, {
				method: 'PUT',
				body: mismatched
			}),
			[403]
		);
		const stored2 = await server.couch.allDocs({
			db: group.db,
			startkey: 'target:',
			endkey: 'target:\ufff0'
		});
		expect(stored2.map((row) => row.id)).toEqual([targetDocId({ unitId: school.id, year: 2027 })]);
	});
});
