import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { memberDoc } from '../support/member-fixture';
import { startTestServer } from '../support/test-server';

// The default store keeps everything on disk (LevelDB under DATA_DIR): a restart loses nothing, and a
// phone's device cookie keeps working across it. Against an external CouchDB the same test restarts
// the server on the same databases.

const dataDir = mkdtempSync(join(tmpdir(), 'doanvu-persist-'));
const external = Boolean(process.env.COUCHDB_URL);

afterAll(() => {
	rmSync(dataDir, { recursive: true, force: true });
});

describe('persistence', () => {
	it('data and sign-in survive a server restart', async () => {
		const options = {
			store: 'leveldb' as const,
			dataDir,
			...(external ? { dbPrefix: `p${randomBytes(4).toString('hex')}_` } : {})
		};
		const first = await startTestServer(options);
		const { unit, login, password } = await first.createUnitWithAccount({});
		const { cookie } = await first.signIn({ login, password });
		const doc = memberDoc({ unitId: unit.id, login, givenName: 'Bền' });
		const put = await first.request(`/couch/${unit.db}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(doc)
		});
		expect(put.status).toBe(201);
		await first.close({ keepData: true });

		if (!external) {
			// The generated CouchDB admin secret is kept private to the server's user.
			expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
		}

		const second = await startTestServer(options);
		try {
			// The same device cookie, no new sign-in.
			const session = await second.request('/api/session', { cookie });
			expect(session.status).toBe(200);
			expect(await session.json()).toMatchObject({ user: { login }, unit: { id: unit.id } });
			const read = await second.request(`/couch/${unit.db}/${encodeURIComponent(doc._id)}`, {
				cookie
			});
			expect(read.status).toBe(200);
			expect(await read.json()).toMatchObject({ givenName: 'Bền', unitId: unit.id });
			// And the password still signs in; setup stays closed.
			await second.signIn({ login, password });
			expect(await (await second.request('/api/setup')).json()).toEqual({ needsSetup: false });
		} finally {
			await second.close();
		}
	});
});
