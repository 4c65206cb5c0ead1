import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// On the embedded store a database's security is the `_local/_security` document
// (docs/decisions/0012-embedded-store-and-couchdb.md): a member who could write it would make
// themselves the database's admin and let other units in. On Apache CouchDB it is an ordinary local
// document, so refusing it costs nothing there.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

describe('a secretary rewriting the security of their own unit database', () => {
	it('cannot reach _local/_security by any spelling, and the security stays as the server wrote it', async () => {
		const own = await server.createUnitWithAccount({});
		const other = await server.createUnitWithAccount({});
		const { cookie } = await server.signIn({ login: own.login, password: own.password });
		const before = await server.couch.getSecurity(own.unit.db);
		const takeover = {
			security: {
				admins: { names: [own.login], roles: [] },
				members: { names: [], roles: [`unit:${own.unit.id}`, `unit:${other.unit.id}`] }
			}
		};
		const json = { 'content-type': 'application/json' };

		for (const path of ['_local/_security', '_local%2F_security', '_local/%5Fsecurity']) {
			await expectRefusedResponse(
				`member GET /couch/<db>/${path}`,
				await server.request(`/couch/${own.unit.db}/${path}`, { cookie })
			);
			await expectRefusedResponse(
				`member PUT /couch/<db>/${path}`,
				await server.request(`/couch/${own.unit.db}/${path}`, {
					method: 'PUT',
					cookie,
					headers: json,
					body: JSON.stringify({ _rev: '0-1', ...takeover })
				})
			);
			await expectRefusedResponse(
				`member DELETE /couch/<db>/${path}`,
				await server.request(`/couch/${own.unit.db}/${path}?rev=0-1`, {
					method: 'DELETE',
					cookie
				})
			);
		}
		// Through _bulk_docs, in either revision form. Apache CouchDB may store it as an ordinary local
		// document: what counts is that the database's security did not change.
		for (const rev of ['0-1', '0-2']) {
			const bulk = await server.request(`/couch/${own.unit.db}/_bulk_docs`, {
				method: 'POST',
				cookie,
				headers: json,
				body: JSON.stringify({ docs: [{ _id: '_local/_security', _rev: rev, ...takeover }] })
			});
			const after = await server.couch.getSecurity(own.unit.db);
			expectRefused(
				`member _bulk_docs _local/_security (rev ${rev})`,
				isDeepStrictEqual(after, before),
				`HTTP ${bulk.status}, security now ${JSON.stringify(after)}`
			);
		}

		expect(await server.couch.getSecurity(own.unit.db)).toEqual(before);
		const { cookie: outsider } = await server.signIn({
			login: other.login,
			password: other.password
		});
		await expectRefusedResponse(
			'another unit reads the database after the attempts',
			await server.request(`/couch/${own.unit.db}/_all_docs`, { cookie: outsider }),
			[401, 403]
		);
	});
});
