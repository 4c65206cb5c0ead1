import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefusedResponse } from './support/attack-log';

// The smallest attack: an outsider without a cookie asks for a unit database.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

describe('an outsider without a session', () => {
	it('is refused the unit databases and the organisation API', async () => {
		const unit = await server.createUnitWithAccount({});
		await expectRefusedResponse(
			'anonymous GET /couch/<db>/_all_docs',
			await server.request(`/couch/${unit.unit.db}/_all_docs`),
			[401]
		);
		await expectRefusedResponse(
			'anonymous GET /api/units/<id>',
			await server.request(`/api/units/${unit.unit.id}`),
			[401]
		);
	});
});
