import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDeclarations } from '../../src/lib/data/commands/declarations';
import { declarationCounts } from '../../src/lib/data/queries/declarations';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { newCitizenId } from '../support/domain-fixture';
import { nameMarker } from '../support/declaration-fixture';
import { declarationDoc, declaredPerson } from '../support/declaration-review-fixture';
import { fakeUlid } from '../support/member-fixture';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// Bulk approval on the secretary's phone against the real server: the registry is asked about every
// declared citizen id in one request (POST /api/registry/clashes), not once per declaration; a
// citizen id on another unit's rolls is still caught, and that declaration is left for review.

const COUNT = 40;

let server: TestServer;
let secretary: SignedIn;
let db = '';
let unitId = '';
let neighbourName = '';
let clashingId = '';

/** A citizen id the member rules accept for a man born in 2005 (Hà Nội). */
function citizenId(): string {
	return newCitizenId('001205');
}

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Duyệt Nhiều');
	const created = await server.createUnitWithAccount({
		parentId: top.unit.id,
		name: 'Đoàn xã Duyệt Nhiều'
	});
	secretary = await signedIn(server, created);
	unitId = created.unit.id;
	db = created.unit.db;

	// A neighbouring commune holds one of the declared citizen ids on its rolls (written as its
	// phone would: the registry learns it).
	neighbourName = 'Đoàn xã Bên Sông';
	const neighbour = await server.createUnitWithAccount({
		parentId: top.unit.id,
		name: neighbourName
	});
	const neighbourSecretary = await signedIn(server, neighbour);
	clashingId = citizenId();
	const at = new Date().toISOString();
	const held = {
		_id: `member:${fakeUlid()}`,
		type: 'member',
		v: 2,
		unitId: neighbour.unit.id,
		...declaredPerson({ givenName: 'Quân', citizenId: clashingId }),
		status: 'active',
		provenance: { source: 'unit' },
		createdAt: at,
		createdBy: neighbour.login,
		updatedAt: at,
		updatedBy: neighbour.login
	};
	const put = await server.request(`/couch/${neighbour.unit.db}/${encodeURIComponent(held._id)}`, {
		method: 'PUT',
		cookie: neighbourSecretary.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(held)
	});
	expect(put.status, await put.clone().text()).toBe(201);
});

afterAll(async () => {
	await destroyLocalDbs([db]);
	await server?.close();
});

describe('bulk approval', () => {
	it(`approves ${COUNT} declarations with one registry request and still catches the clash`, async () => {
		await Promise.all(deviceDb.tables.map((t) => t.clear()));
		const ids = Array.from({ length: COUNT }, () => fakeUlid());
		const clashGiven = nameMarker();
		// As a sync brings them down: straight into the phone's PouchDB, then indexed.
		await localDb(db).bulkDocs(
			ids.map((ulid, i) =>
				declarationDoc({
					unitId,
					ulid,
					submittedAt: '2026-12-07T01:00:00.000Z',
					fields:
						i === 7
							? declaredPerson({ givenName: clashGiven, citizenId: clashingId })
							: // A few declare no citizen id at all: nothing to ask about them.
								declaredPerson({
									givenName: nameMarker(),
									...(i % 10 === 3 ? {} : { citizenId: citizenId() })
								})
				})
			)
		);
		await catchUp(db);

		// Every request the phone makes to the registry, counted on its way out (passed through).
		const asked: string[] = [];
		const realFetch = globalThis.fetch;
		globalThis.fetch = (input, init) => {
			const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
			if (url.includes('/api/registry/')) asked.push(new URL(url).pathname);
			return realFetch(input, init);
		};
		let result;
		try {
			result = await approveDeclarations({
				db,
				ids,
				actor: { login: secretary.login },
				remote: { origin: server.url, headers: { cookie: secretary.cookie } }
			});
		} finally {
			globalThis.fetch = realFetch;
		}

		expect(asked).toEqual(['/api/registry/clashes']);
		expect(result).toMatchObject({ approved: COUNT - 1, skipped: 1 });
		expect(result.messages).toEqual([
			`Bản khai của ${clashGiven}: trùng CCCD đang sinh hoạt tại ${neighbourName}.`
		]);
		await catchUp(db);
		expect(await declarationCounts(db)).toMatchObject({ pending: 1, approved: COUNT - 1 });
		// The server's side of it: one batch, every declared id asked once.
		const batches = (await server.audit.listFor({ type: 'unit', id: unitId })).filter(
			(entry) => entry.action === 'registry.clashes'
		);
		expect(batches.map((entry) => entry.details)).toEqual([{ asked: COUNT - 4, clashes: 1 }]);
	});
});
