import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loadDemo, type DemoAccount } from '../../server/site/demo-loader';
import { MemberDocSchema } from '../../src/lib/domain/member-schema';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';

// The --demo province: loaded once into an empty store, usable at once by its printed accounts.

let server: TestServer;
let accounts: DemoAccount[];

beforeAll(async () => {
	server = await startTestServer();
	const lines: string[] = [];
	accounts = (await loadDemo({ server, print: (line) => lines.push(line), today: '2026-06-01' }))!;
	expect(lines.join('\n')).toContain('bithu.');
});

afterAll(async () => {
	await server?.close();
});

describe('demo loader', () => {
	it('creates a province, three communes, accounts, and refuses to load twice', async () => {
		const units = await server.provision.listUnits();
		expect(units.map((unit) => unit.kind).sort()).toEqual(
			['doan-phuong', 'doan-xa', 'doan-xa', 'tinh-doan'].sort()
		);
		expect(accounts.map((account) => account.role).sort()).toEqual(
			['admin', 'secretary', 'secretary', 'secretary', 'viewer'].sort()
		);
		expect(await loadDemo({ server })).toBeUndefined();
		expect(await (await server.request('/api/setup')).json()).toEqual({ needsSetup: false });
	});

	it('a commune secretary syncs her unit: valid members, each in one of its branches', async () => {
		const secretary = accounts.find((account) => account.role === 'secretary')!;
		const { cookie, session } = await server.signIn({
			login: secretary.login,
			password: DEMO_PASSWORD
		});
		const local = new PouchDB(`demo-${randomBytes(4).toString('hex')}`);
		await local.replicate.from(server.remoteDb({ db: session.unit.db, cookie }));
		const docs = (await local.allDocs({ include_docs: true })).rows.map(
			(row) => row.doc as unknown as { _id: string; type?: string; branchId?: string }
		);
		const branches = new Set(docs.filter((doc) => doc.type === 'branch').map((doc) => doc._id));
		const members = docs.filter((doc) => doc.type === 'member');
		expect(branches.size).toBeGreaterThanOrEqual(3);
		expect(members.length).toBeGreaterThan(50);
		for (const member of members) {
			const parsed = v.safeParse(MemberDocSchema, member);
			expect(parsed.success, `${member._id}: ${parsed.issues?.[0]?.message}`).toBe(true);
			expect(branches.has(member.branchId ?? '')).toBe(true);
		}
	});

	it('the province viewer reads every commune but writes none', async () => {
		const viewer = accounts.find((account) => account.role === 'viewer')!;
		const { cookie } = await server.signIn({ login: viewer.login, password: DEMO_PASSWORD });
		const commune = (await server.provision.listUnits()).find((unit) => unit.parentId !== null)!;
		const info = await server.request(`/couch/${commune.db}/`, { cookie });
		expect(info.status).toBe(200);
		const put = await server.request(`/couch/${commune.db}/branch:xyz`, {
			method: 'PUT',
			cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ type: 'branch', unitId: commune.id, updatedBy: viewer.login })
		});
		expect(put.status).toBe(403);
	});
});
