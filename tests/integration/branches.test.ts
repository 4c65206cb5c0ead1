import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	planEditBranch,
	planFoundBranch,
	upgradeBranchDoc,
	type BranchDoc,
	type BranchResult
} from '../../src/lib/domain';
import { fakeUlid } from '../support/member-fixture';
import { startTestServer, type TestServer } from '../support/test-server';
import { createCommuneWithPeople, createProvince, type SignedIn } from '../support/org-setup';
import type { UnitRecord } from '../../server/couch/provision-service';

// The design document (version 5) on chi đoàn documents, through /couch as the real users: the
// secretary and her deputy found and rename branches as the app plans them, a viewer cannot, and a
// malformed branch (no name, an unknown kind, an id outside the unit, a deletion) is refused in
// Vietnamese whoever writes it.

let server: TestServer;
let commune: UnitRecord;
let people: Record<'secretary' | 'deputy' | 'viewer', SignedIn>;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Thử');
	({ commune, people } = await createCommuneWithPeople(server, {
		parentId: top.unit.id,
		name: 'Đoàn xã Chi'
	}));
});

afterAll(async () => {
	await server?.close();
});

async function put(
	who: keyof typeof people,
	doc: { _id: string } & Record<string, unknown>
): Promise<{ status: number; rev?: string; reason?: string }> {
	const res = await server.request(`/couch/${commune.db}/${encodeURIComponent(doc._id)}`, {
		method: 'PUT',
		cookie: people[who].cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(doc)
	});
	const body = (await res.json()) as { rev?: string; reason?: string };
	return { status: res.status, rev: body.rev, reason: body.reason };
}

function context(login: string) {
	return {
		today: '2026-03-02',
		now: '2026-03-02T03:00:00.000Z',
		actor: { login, unitId: commune.id },
		newUlid: fakeUlid
	};
}

function planned(result: BranchResult): BranchDoc {
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.plan.branches[0]!;
}

function founded(login: string, name: string): BranchDoc {
	return planned(
		planFoundBranch({
			...context(login),
			input: { name, kind: 'khu-dan-cu', secretaryName: 'Lò Thị Lan' },
			branches: []
		})
	);
}

describe('chi đoàn documents (design document version 5)', () => {
	it("accepts a deputy's branch as the app plans it, and her rename on top of it", async () => {
		const branch = founded(people.deputy.login, 'Chi đoàn Thôn Mới');
		const created = await put('deputy', branch);
		expect(created.status).toBe(201);
		const renamed = planned(
			planEditBranch({
				...context(people.deputy.login),
				branch: { ...branch, _rev: created.rev },
				input: { name: 'Chi đoàn Thôn Mới 1', kind: 'khu-dan-cu', secretaryName: 'Lò Thị Lan' },
				branches: [branch]
			})
		);
		expect((await put('deputy', renamed)).status).toBe(201);
		const stored = await server.couch.getDoc({ db: commune.db, id: branch._id });
		expect(upgradeBranchDoc(stored).nameHistory.map((entry) => entry.name)).toEqual([
			'Chi đoàn Thôn Mới',
			'Chi đoàn Thôn Mới 1'
		]);
	});

	it("refuses a viewer's branch", async () => {
		const answer = await put('viewer', founded(people.viewer.login, 'Chi đoàn Xem'));
		expect(answer.status).toBe(403);
		expect(answer.reason).toBe('Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu.');
	});

	it('refuses a branch without a name, of an unknown kind or status, or with an id outside the unit', async () => {
		const good = founded(people.secretary.login, 'Chi đoàn Đúng');
		const cases: [Record<string, unknown>, RegExp][] = [
			[{ name: '  ' }, /cần có tên/],
			[{ name: 'x'.repeat(121) }, /không quá 120 ký tự/],
			[{ kind: 'chi-doan' }, /Loại chi đoàn/],
			[{ status: 'gone' }, /Trạng thái chi đoàn/],
			[{ _id: `branch:otherunit-${fakeUlid()}` }, /Mã chi đoàn mới phải có dạng branch:/],
			[{ unitId: 'otherunit' }, /không thuộc đơn vị/],
			[{ updatedBy: people.deputy.login }, /updatedBy/]
		];
		for (const [change, reason] of cases) {
			const answer = await put('secretary', { ...good, ...change });
			expect(answer.status, JSON.stringify(change)).toBe(403);
			expect(answer.reason).toMatch(reason);
		}
		expect((await put('secretary', good)).status).toBe(201);
	});

	it('never deletes a branch (history names it), but edits one that came from a merged unit', async () => {
		const branch = founded(people.secretary.login, 'Chi đoàn Còn Mãi');
		const created = await put('secretary', branch);
		const deletion = await put('deputy', {
			...branch,
			_rev: created.rev,
			_deleted: true,
			updatedBy: people.deputy.login
		});
		expect(deletion.status).toBe(403);
		expect(deletion.reason).toMatch(/Không được xóa chi đoàn/);

		// A merge of units copies branches as admin with their ids (another unit's prefix) and an
		// old document shape: the unit's own accounts still rename them.
		const copied = {
			_id: 'branch:xacuakhu2',
			type: 'branch',
			v: 1,
			unitId: commune.id,
			name: 'Chi đoàn khu 2',
			kind: 'chi-doan',
			createdAt: '2025-01-02T03:00:00.000Z',
			createdBy: 'bithu.xacu',
			updatedAt: '2025-01-02T03:00:00.000Z',
			updatedBy: 'bithu.xacu'
		};
		await server.couch.bulkDocs({ db: commune.db, docs: [copied] });
		const stored = upgradeBranchDoc(await server.couch.getDoc({ db: commune.db, id: copied._id }));
		const renamed = planned(
			planEditBranch({
				...context(people.deputy.login),
				branch: stored,
				input: { name: 'Chi đoàn Khu 2 (cũ)', kind: 'khu-dan-cu' },
				branches: [stored]
			})
		);
		expect((await put('deputy', renamed)).status).toBe(201);
	});
});
