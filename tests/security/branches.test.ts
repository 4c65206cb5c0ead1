import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFoundBranch, type BranchDoc } from '../../src/lib/domain';
import { fakeUlid } from '../support/member-fixture';
import { startTestServer, type TestServer } from '../support/test-server';
import { createProvince } from '../support/org-setup';
import type { UnitRecord } from '../../server/couch/provision-service';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';

// Attacks on a unit's chi đoàn through /couch, as real accounts: a viewer writing one, a deputy
// deleting one (members' history names it), a branch slipped into another unit, a malformed one
// pushed the way replication pushes (`_bulk_docs`, `new_edits: false`), an oversized name.

let server: TestServer;
let communeA: UnitRecord;
const cookies = { secretaryA: '', deputyA: '', viewerA: '', secretaryB: '' };
const logins = { ...cookies };

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh');
	const a = await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Đoàn xã A' });
	const b = await server.createUnitWithAccount({ parentId: top.unit.id, name: 'Đoàn xã B' });
	communeA = a.unit;
	const accounts = {
		secretaryA: a,
		deputyA: await server.createAccountIn({ unitId: a.unit.id, role: 'deputy' }),
		viewerA: await server.createAccountIn({ unitId: a.unit.id, role: 'viewer' }),
		secretaryB: b
	};
	for (const [key, account] of Object.entries(accounts) as [keyof typeof cookies, typeof a][]) {
		cookies[key] = (await server.signIn(account)).cookie;
		logins[key] = account.login;
	}
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function branch(login: string, name = 'Chi đoàn thôn Thử'): BranchDoc {
	const result = planFoundBranch({
		today: '2026-03-02',
		now: '2026-03-02T03:00:00.000Z',
		actor: { login, unitId: communeA.id },
		newUlid: fakeUlid,
		input: { name, kind: 'khu-dan-cu' },
		branches: []
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.plan.branches[0]!;
}

function put(cookie: string, doc: { _id: string } & Record<string, unknown>): Promise<Response> {
	return server.request(`/couch/${communeA.db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(doc)
	});
}

async function stored(id: string): Promise<unknown> {
	return server.couch.getDoc({ db: communeA.db, id });
}

describe('attacks on chi đoàn documents', () => {
	it('a viewer, or another unit’s secretary, cannot found a branch', async () => {
		const byViewer = branch(logins.viewerA);
		await expectRefusedResponse('viewer PUT branch', await put(cookies.viewerA, byViewer), [403]);
		const byOutsider = branch(logins.secretaryB);
		await expectRefusedResponse(
			'other unit’s secretary PUT branch',
			await put(cookies.secretaryB, byOutsider),
			[401, 403]
		);
		expect(await stored(byViewer._id)).toBeFalsy();
		expect(await stored(byOutsider._id)).toBeFalsy();
	});

	it('a deputy cannot delete a branch, with or without its fields', async () => {
		const doc = branch(logins.secretaryA);
		const created = (await (await put(cookies.secretaryA, doc)).json()) as { rev: string };
		const bare = await server.request(
			`/couch/${communeA.db}/${encodeURIComponent(doc._id)}?rev=${created.rev}`,
			{ method: 'DELETE', cookie: cookies.deputyA }
		);
		await expectRefusedResponse('deputy DELETE branch', bare, [403]);
		const full = await put(cookies.deputyA, {
			...doc,
			_rev: created.rev,
			_deleted: true,
			updatedBy: logins.deputyA
		} as BranchDoc);
		await expectRefusedResponse('deputy PUT _deleted branch', full, [403]);
		expect(await stored(doc._id)).toMatchObject({ name: doc.name });
	});

	it('a branch slipped into another unit, oversized, or malformed through replication is refused', async () => {
		const foreign = { ...branch(logins.secretaryA), unitId: 'xakhac' };
		await expectRefusedResponse(
			'branch claiming another unitId',
			await put(cookies.secretaryA, foreign),
			[403]
		);
		const huge = branch(logins.secretaryA, 'Chi đoàn');
		await expectRefusedResponse(
			'branch with a 100 000-character name',
			await put(cookies.secretaryA, { ...huge, name: 'x'.repeat(100_000) }),
			[403, 413]
		);
		const malformed = {
			...branch(logins.deputyA),
			_id: `branch:${communeA.id}-${fakeUlid()}`,
			_rev: '1-0123456789abcdef0123456789abcdef',
			kind: '<script>'
		};
		const res = await server.request(`/couch/${communeA.db}/_bulk_docs`, {
			method: 'POST',
			cookie: cookies.deputyA,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: [malformed], new_edits: false })
		});
		const answer = (await res.json().catch(() => null)) as
			{ error?: string }[] | { error?: string } | null;
		const perDoc = Array.isArray(answer) ? answer[0] : answer;
		const kept = await stored(malformed._id);
		expectRefused(
			'replicated branch of an unknown kind',
			!kept && (res.status >= 400 || perDoc?.error === 'forbidden'),
			`HTTP ${res.status} ${JSON.stringify(answer)}`
		);
	});
});
