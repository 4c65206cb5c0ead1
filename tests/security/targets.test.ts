import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, expectRefusedResponse } from './support/attack-log';
import { couch, startOrg, type Actor, type Org } from './support/org-fixture';

// Targets (`target:<unitId>:<year>`, docs/dashboard.md) live in the superior's own database: the
// province's administrator sets one for a commune; the commune's own people cannot set or change
// their target (they cannot write the province's database at all), a viewer writes nothing, and the
// design document refuses a target whose id does not say what it holds, a count that is not a
// whole number of members, and a deletion.

let org: Org;
let provinceDb: string;
let provinceId: string;
let communeId: string;
const YEAR = 2026;

beforeAll(async () => {
	org = await startOrg();
	({ db: provinceDb, id: provinceId } = org.units.province.unit);
	communeId = org.units.communeA.unit.id;
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function target(actor: Actor, overrides: Record<string, unknown> = {}) {
	const at = new Date().toISOString();
	return {
		_id: `target:${communeId}:${YEAR}`,
		type: 'target',
		v: 1,
		unitId: provinceId,
		forUnitId: communeId,
		year: YEAR,
		members: 120,
		createdAt: at,
		createdBy: org.logins[actor],
		updatedAt: at,
		updatedBy: org.logins[actor],
		...overrides
	};
}

function put(actor: Actor, doc: Record<string, unknown>, db = provinceDb) {
	return couch(org.server, `/${db}/${encodeURIComponent(String(doc._id))}`, {
		cookie: org.cookies[actor],
		method: 'PUT',
		body: doc
	});
}

describe('targets', () => {
	it('the province sets a commune’s target in its own database', async () => {
		const res = await put('provinceAdmin', target('provinceAdmin'));
		expect(res.status).toBe(201);
	});

	it('the commune’s secretary cannot set or change its own target', async () => {
		await expectRefusedResponse(
			'commune secretary writes its target in the province database',
			await put('secretaryA', target('secretaryA', { members: 1 }))
		);
		await expectRefusedResponse(
			'commune deputy writes its target in the province database',
			await put('deputyA', target('deputyA', { members: 1 }))
		);
	});

	it('a viewer writes no target, even in its own unit’s database', async () => {
		const own = org.units.communeA.unit;
		await expectRefusedResponse(
			'viewer writes a target',
			await put(
				'viewerA',
				target('viewerA', {
					_id: `target:${communeId}:${YEAR + 1}`,
					unitId: own.id,
					year: YEAR + 1
				}),
				own.db
			)
		);
	});

	it('refuses a target whose id, count or deletion breaks the rules', async () => {
		const current = await couch(
			org.server,
			`/${provinceDb}/${encodeURIComponent(`target:${communeId}:${YEAR}`)}`,
			{ cookie: org.cookies.provinceAdmin }
		);
		const rev = ((await current.json()) as { _rev: string })._rev;
		const otherCommune = org.units.communeB.unit.id;
		await expectRefusedResponse(
			'a target whose id names another unit than it holds',
			await put('provinceAdmin', target('provinceAdmin', { _rev: rev, forUnitId: otherCommune })),
			[403]
		);
		await expectRefusedResponse(
			'a target whose year differs from its id',
			await put('provinceAdmin', target('provinceAdmin', { _rev: rev, year: YEAR + 1 })),
			[403]
		);
		await expectRefusedResponse(
			'a negative target',
			await put('provinceAdmin', target('provinceAdmin', { _rev: rev, members: -5 })),
			[403]
		);
		await expectRefusedResponse(
			'a fractional target',
			await put('provinceAdmin', target('provinceAdmin', { _rev: rev, members: 12.5 })),
			[403]
		);
		await expectRefusedResponse(
			'a target deleted',
			await put('provinceAdmin', {
				...target('provinceAdmin', { _rev: rev }),
				_deleted: true
			}),
			[403]
		);
		const after = await couch(
			org.server,
			`/${provinceDb}/${encodeURIComponent(`target:${communeId}:${YEAR}`)}`,
			{ cookie: org.cookies.provinceAdmin }
		);
		expect(await after.json()).toMatchObject({ _rev: rev, members: 120, forUnitId: communeId });
	});
});
