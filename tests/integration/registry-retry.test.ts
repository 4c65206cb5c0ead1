import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_LATER } from '../../server/proxy/write-guard';
import { recordOutbox } from '../../src/lib/data/sync/outbox';
import { localDb } from '../../src/lib/data/store/pouch';
import { deviceDb } from '../../src/lib/data/store/device-db';
import { startUnitSync } from '../../src/lib/data/sync/unit-sync';
import { validMember } from '../support/domain-fixture';
import { until } from '../support/org-api';
import { startTestServer, type TestServer } from '../support/test-server';

// A member document refused with "try again later" (the citizen-id lookup limit was reached, or the
// registry could not decide) is not a verdict: the device keeps it, shows the reason, and sends it
// again at its next sync — unlike a refusal on the merits, which stays until the record changes.

const WINDOW_MS = 1500;

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer({
		registryCheckLimits: { perLogin: 1, perIp: 1000, windowMs: WINDOW_MS }
	});
});

afterAll(async () => {
	await server?.close();
});

describe('a refusal that says "later"', () => {
	it('is sent again at the next sync, and then answered on its merits', async () => {
		const holder = await server.createUnitWithAccount({ name: 'Đoàn xã Nơi Giữ' });
		const holderCookie = (await server.signIn(holder)).cookie;
		const active = validMember({ unitId: holder.unit.id, login: holder.login, givenName: 'Gốc' });
		const stored = await server.request(`/couch/${holder.unit.db}/_bulk_docs`, {
			method: 'POST',
			cookie: holderCookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: [active] })
		});
		expect(stored.status).toBe(201);

		const other = await server.createUnitWithAccount({});
		const { cookie } = await server.signIn(other);
		// The account's one lookup this window is spent at the check endpoint.
		const check = await server.request(`/api/registry/check?citizenId=${active.citizenId}`, {
			cookie
		});
		expect(check.status).toBe(200);

		const duplicate = {
			...validMember({ unitId: other.unit.id, login: other.login, givenName: 'Trùng' }),
			citizenId: active.citizenId
		};
		const local = localDb(other.unit.db);
		const put = await local.put(duplicate);
		await recordOutbox({ db: other.unit.db, docId: duplicate._id, rev: put.rev });

		const refusals: string[] = [];
		const sync = () =>
			startUnitSync({
				db: other.unit.db,
				remote: { origin: server.url, headers: { cookie } },
				listener: { onRefused: ({ reason }) => refusals.push(reason) }
			});
		const first = sync();
		try {
			await until(() => (refusals.length >= 1 ? true : undefined), { what: 'the first refusal' });
		} finally {
			first.stop();
		}
		expect(refusals[0]).toBe(RETRY_LATER);
		expect((await deviceDb.outbox.get(duplicate._id))?.refused).toBe(RETRY_LATER);

		// After the block, a later sync sends it again; then the answer names the holder. Under load
		// the first sync may have pushed (and been refused) more than once, and a repeated lock-out
		// lasts twice as long: syncs go on, a window apart, until the answer is on the merits.
		await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 300));
		const deadline = Date.now() + 30_000;
		while (!refusals.at(-1)?.includes(holder.unit.name) && Date.now() < deadline) {
			const before = refusals.length;
			const again = sync();
			try {
				await until(() => (refusals.length > before ? true : undefined), {
					what: 'a refusal of the next sync'
				});
			} finally {
				again.stop();
			}
			expect([RETRY_LATER, holder.unit.name].some((text) => refusals.at(-1)!.includes(text))).toBe(
				true
			);
			if (!refusals.at(-1)!.includes(holder.unit.name)) {
				await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
			}
		}
		expect(refusals.at(-1)).toContain(holder.unit.name);
		expect(await server.couch.getDoc({ db: other.unit.db, id: duplicate._id })).toBeUndefined();
		// Still on the device, shown with the reason.
		expect(await local.get(duplicate._id)).toMatchObject({ citizenId: active.citizenId });
		expect((await deviceDb.outbox.get(duplicate._id))?.refused).toContain(holder.unit.name);
	});
});
