import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { couch, startOrg, type Actor, type Org } from './support/org-fixture';

// A device's sync report (`device-report:<deviceId>`) is what the unit's superiors see of that
// phone's health: nobody writes another device's, a viewer writes none, and a superior writes none
// into a unit below it.

let org: Org;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function report(actor: Actor, deviceId = org.deviceIds[actor]) {
	const at = new Date().toISOString();
	return {
		_id: `device-report:${deviceId}`,
		type: 'device-report',
		v: 1,
		unitId: org.units.communeA.unit.id,
		deviceId,
		syncedAt: at,
		waiting: 0,
		refused: 0,
		createdAt: at,
		createdBy: org.logins[actor],
		updatedAt: at,
		updatedBy: org.logins[actor]
	};
}

function put(actor: Actor, doc: ReturnType<typeof report>) {
	return couch(org.server, `/${org.units.communeA.unit.db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		cookie: org.cookies[actor],
		body: doc
	});
}

describe('device reports', () => {
	it('control: a secretary’s device writes its own report', async () => {
		expect((await put('secretaryA', report('secretaryA'))).status).toBe(201);
	});

	it('nobody writes another device’s report, by PUT or _bulk_docs', async () => {
		const forged = report('deputyA', org.deviceIds.secretaryA);
		await expectRefusedResponse(
			"deputyA: PUT secretaryA's device report",
			await put('deputyA', { ...forged, _rev: undefined } as never)
		);
		const bulk = await couch(org.server, `/${org.units.communeA.unit.db}/_bulk_docs`, {
			method: 'POST',
			cookie: org.cookies.deputyA,
			body: { docs: [{ ...report('deputyA'), _id: `device-report:${org.deviceIds.viewerA}` }] }
		});
		const rows = (await bulk.json()) as { error?: string }[];
		expectRefused("deputyA: _bulk_docs viewerA's device report", rows[0]?.error === 'forbidden');
		// The id and the deviceId inside must agree too.
		const mismatched = { ...report('deputyA'), deviceId: org.deviceIds.secretaryA };
		await expectRefusedResponse(
			'deputyA: its own id, another deviceId inside',
			await put('deputyA', mismatched)
		);
	});

	it('a viewer and a superior write none into the unit', async () => {
		await expectRefusedResponse(
			'viewerA: its own device report',
			await put('viewerA', report('viewerA'))
		);
		await expectRefusedResponse(
			"provinceAdmin: its own device report in commune A's database",
			await put('provinceAdmin', report('provinceAdmin'))
		);
	});
});
