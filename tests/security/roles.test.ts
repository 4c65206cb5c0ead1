import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchDoc } from '../support/org-api';
import { memberDoc } from '../support/member-fixture';
import { uniqueLogin } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';
import {
	couch,
	expectDenied,
	FOREIGN,
	inBatches,
	readAsOwner,
	startOrg,
	type Actor,
	type Org,
	type UnitKey
} from './support/org-fixture';

// The organisation API against units outside the actor's subtree (every route that names a unit,
// an account or a device), then the roles inside a unit: a viewer writing its own unit, a deputy doing
// what only a secretary may (branches; a superior's deputy managing subordinate units and accounts).

let org: Org;
let provinceDeputy: { cookie: string; login: string };

beforeAll(async () => {
	org = await startOrg();
	const deputy = await org.server.createAccountIn({
		unitId: org.units.province.unit.id,
		role: 'deputy'
	});
	provinceDeputy = { cookie: (await org.server.signIn(deputy)).cookie, login: deputy.login };
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

/** The unit's own manager (secretary or admin): the account an attacker would want to take over. */
function ownerOf(unit: UnitKey): Actor {
	return (Object.keys(org.homes) as Actor[]).find(
		(actor) => org.homes[actor] === unit && actor !== 'viewerA' && actor !== 'deputyA'
	) as Actor;
}

function api(
	path: string,
	options: { cookie: string; method?: string; body?: unknown }
): Promise<Response> {
	return org.server.request(`/api${path}`, {
		method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
		cookie: options.cookie,
		headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
}

function orgProbes(
	actor: Actor,
	target: UnitKey
): { method: string; path: string; body?: unknown }[] {
	const id = org.units[target].unit.id;
	const victim = ownerOf(target);
	return [
		{ method: 'GET', path: `/units/${id}` },
		{ method: 'GET', path: `/units/${id}/members` },
		{ method: 'GET', path: `/units/${id}/members?offset=0&limit=500` },
		{ method: 'GET', path: `/units/${id}/accounts` },
		{
			method: 'POST',
			path: `/units/${id}/accounts`,
			body: { login: uniqueLogin('gian'), fullName: 'Kẻ Gian', role: 'secretary' }
		},
		{ method: 'POST', path: `/units/${id}/rename`, body: { name: 'Bị chiếm quyền' } },
		{
			method: 'POST',
			path: `/units/${id}/merge`,
			body: { intoId: org.units[org.homes[actor]].unit.id }
		},
		{ method: 'POST', path: `/units/${id}/split`, body: { name: 'Tách ra', kind: 'doan-xa' } },
		{ method: 'POST', path: `/units/${id}/dissolve` },
		{
			method: 'POST',
			path: '/units',
			body: { parentId: id, name: 'Đoàn cơ sở Giả', kind: 'doan-co-so' }
		},
		{ method: 'POST', path: `/accounts/${org.logins[victim]}/reset-password` },
		{ method: 'POST', path: `/accounts/${org.logins[victim]}/disable` },
		{ method: 'POST', path: `/accounts/${org.logins[victim]}/enable` },
		{ method: 'POST', path: `/devices/${org.deviceIds[victim]}/revoke` }
	];
}

describe('the organisation API, outside the subtree', () => {
	for (const actor of Object.keys(FOREIGN) as Actor[]) {
		it(`${actor} can neither read nor manage ${FOREIGN[actor].join(', ')}`, async () => {
			const attempts = FOREIGN[actor].flatMap((target) =>
				orgProbes(actor, target).map((probe) => ({ target, probe }))
			);
			await inBatches(attempts, 4, async ({ target, probe }) => {
				const res = await api(probe.path, {
					cookie: org.cookies[actor],
					method: probe.method,
					body: probe.body
				});
				await expectDenied(`${actor}: ${probe.method} /api${probe.path} (${target})`, res, {
					secrets: [org.units[target].marker, org.units[target].unit.name]
				});
			});
		});
	}

	it('left every victim signed in, enabled and with its own password', async () => {
		for (const unit of Object.keys(org.units) as UnitKey[]) {
			const owner = ownerOf(unit);
			const res = await api('/session', { cookie: org.cookies[owner] });
			const body = (await res.json()) as {
				mustChangePassword?: boolean;
				unit?: { status: string };
			};
			expectRefused(
				`${owner}'s account or unit was changed by another unit`,
				res.status === 200 && body.mustChangePassword === false && body.unit?.status === 'active',
				`HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`
			);
		}
	});

	it('lets only the top unit’s admin rebuild the national registry', async () => {
		for (const actor of [
			'secretaryA',
			'deputyA',
			'viewerA',
			'secretaryB',
			'schoolSecretary'
		] as const) {
			const res = await api('/registry/rebuild', { cookie: org.cookies[actor], method: 'POST' });
			await expectDenied(`${actor}: POST /api/registry/rebuild`, res, { statuses: [403] });
		}
	});
});

/** A bulk write is refused when the answer is 4xx or every row carries an error. */
async function bulkRefused(res: Response): Promise<{ refused: boolean; detail: string }> {
	const text = await res.text();
	if (res.status >= 400 && res.status < 500) return { refused: true, detail: `HTTP ${res.status}` };
	const rows = (JSON.parse(text || '[]') as { error?: string }[]) ?? [];
	return {
		refused: rows.length > 0 && rows.every((row) => Boolean(row.error)),
		detail: `HTTP ${res.status} ${text.slice(0, 200)}`
	};
}

describe('inside its own unit', () => {
	it('a viewer writes nothing, by any path', async () => {
		const { db, id: unitId } = org.units.communeA.unit;
		const login = org.logins.viewerA;
		const cookie = org.cookies.viewerA;
		const fresh = memberDoc({ unitId, login, givenName: 'Viewer' });
		const existing = { ...org.units.communeA.member, givenName: 'Bị sửa', updatedBy: login };
		const branch = branchDoc({ unitId, login, name: 'Chi đoàn Lén' });

		const put = await couch(org.server, `/${db}/${encodeURIComponent(fresh._id)}`, {
			cookie,
			method: 'PUT',
			body: fresh
		});
		await expectDenied('viewer: PUT a new member', put);
		const update = await couch(org.server, `/${db}/${encodeURIComponent(existing._id)}`, {
			cookie,
			method: 'PUT',
			body: existing
		});
		await expectDenied('viewer: PUT an update of a member', update);
		const del = await couch(
			org.server,
			`/${db}/${encodeURIComponent(existing._id)}?rev=${existing._rev}`,
			{ cookie, method: 'DELETE' }
		);
		await expectDenied('viewer: DELETE a member', del);
		for (const [label, docs] of [
			['a new member', [fresh]],
			['an update', [existing]],
			['a deletion', [{ _id: existing._id, _rev: existing._rev, _deleted: true }]],
			['a branch', [branch]]
		] as const) {
			const res = await couch(org.server, `/${db}/_bulk_docs`, {
				cookie,
				method: 'POST',
				body: { docs }
			});
			const { refused, detail } = await bulkRefused(res);
			expectRefused(`viewer: _bulk_docs with ${label}`, refused, detail);
		}
		const replicated = await couch(org.server, `/${db}/_bulk_docs`, {
			cookie,
			method: 'POST',
			body: { docs: [{ ...fresh, _rev: '1-abc' }], new_edits: false }
		});
		const asReplication = await bulkRefused(replicated);
		expectRefused(
			'viewer: _bulk_docs new_edits:false',
			asReplication.refused,
			asReplication.detail
		);

		expect((await readAsOwner(org, 'communeA', fresh._id)).status).toBe(404);
		expect((await readAsOwner(org, 'communeA', branch._id)).status).toBe(404);
		const member = await readAsOwner(org, 'communeA', existing._id);
		expect(member.doc).toMatchObject({
			_rev: org.units.communeA.member._rev,
			givenName: org.units.communeA.marker
		});
	});

	it('a viewer cannot manage its own unit through the API', async () => {
		const { id } = org.units.communeA.unit;
		const cookie = org.cookies.viewerA;
		for (const probe of [
			{ path: `/units/${id}/accounts` },
			{
				path: `/units/${id}/accounts`,
				body: { login: uniqueLogin('gian'), fullName: 'Kẻ Gian', role: 'secretary' }
			},
			{ path: `/accounts/${org.logins.deputyA}/reset-password`, body: {} },
			{ path: `/accounts/${org.logins.secretaryA}/disable`, body: {} },
			{ path: `/devices/${org.deviceIds.secretaryA}/revoke`, body: {} },
			{ path: '/units', body: { parentId: id, name: 'Đoàn cơ sở Giả', kind: 'doan-co-so' } }
		]) {
			const res = await api(probe.path, { cookie, body: probe.body });
			await expectDenied(`viewer: ${probe.body ? 'POST' : 'GET'} /api${probe.path}`, res, {
				statuses: [403]
			});
		}
	});

	it('a deputy writes chi đoàn as the secretary does, but nobody deletes one', async () => {
		// Design document 5: the unit's deputies manage its branches too (issue: a unit must be able
		// to found its chi đoàn); a branch is never deleted, because members' history names it.
		const { db, id: unitId } = org.units.communeA.unit;
		const secretaryBranch = branchDoc({ unitId, login: org.logins.secretaryA, name: 'Chi đoàn 1' });
		const created = await couch(org.server, `/${db}/${encodeURIComponent(secretaryBranch._id)}`, {
			cookie: org.cookies.secretaryA,
			method: 'PUT',
			body: secretaryBranch
		});
		expect(created.status).toBe(201);
		const { rev } = (await created.json()) as { rev: string };
		const login = org.logins.deputyA;
		const cookie = org.cookies.deputyA;
		const fresh = branchDoc({ unitId, login, name: 'Chi đoàn của phó' });
		const founded = await couch(org.server, `/${db}/${encodeURIComponent(fresh._id)}`, {
			cookie,
			method: 'PUT',
			body: fresh
		});
		expect(founded.status).toBe(201);
		const rename = {
			...secretaryBranch,
			_rev: rev,
			name: 'Chi đoàn 1 (đổi tên)',
			updatedBy: login
		};
		const renamed = await couch(org.server, `/${db}/${encodeURIComponent(rename._id)}`, {
			cookie,
			method: 'PUT',
			body: rename
		});
		expect(renamed.status).toBe(201);
		const { rev: renamedRev } = (await renamed.json()) as { rev: string };
		const remove = { ...rename, _rev: renamedRev, _deleted: true, updatedBy: login };
		const put = await couch(org.server, `/${db}/${encodeURIComponent(remove._id)}`, {
			cookie,
			method: 'PUT',
			body: remove
		});
		await expectDenied('deputy: PUT to delete a branch', put);
		const bulk = await bulkRefused(
			await couch(org.server, `/${db}/_bulk_docs`, {
				cookie,
				method: 'POST',
				body: { docs: [remove] }
			})
		);
		expectRefused('deputy: _bulk_docs to delete a branch', bulk.refused, bulk.detail);
		const after = await readAsOwner(org, 'communeA', secretaryBranch._id);
		expect(after.doc).toMatchObject({ _rev: renamedRev, name: 'Chi đoàn 1 (đổi tên)' });
		expect((await readAsOwner(org, 'communeA', fresh._id)).status).toBe(200);
	});

	it("a superior's deputy manages neither subordinate units nor their accounts", async () => {
		const a = org.units.communeA.unit.id;
		const cookie = provinceDeputy.cookie;
		const probes = [
			{ path: `/units/${a}/accounts`, method: 'GET' },
			{
				path: `/units/${a}/accounts`,
				body: { login: uniqueLogin('gian'), fullName: 'Kẻ Gian', role: 'secretary' }
			},
			{ path: `/units/${a}/rename`, body: { name: 'Bị đổi tên' } },
			{ path: `/units/${a}/dissolve`, body: {} },
			{ path: `/units/${a}/merge`, body: { intoId: org.units.communeB.unit.id } },
			{
				path: '/units',
				body: { parentId: org.units.province.unit.id, name: 'Đoàn xã Giả', kind: 'doan-xa' }
			},
			{ path: `/accounts/${org.logins.secretaryA}/reset-password`, body: {} },
			{ path: `/accounts/${org.logins.secretaryA}/disable`, body: {} },
			{ path: `/devices/${org.deviceIds.secretaryA}/revoke`, body: {} }
		];
		for (const probe of probes) {
			const res = await api(probe.path, { cookie, body: probe.body, method: probe.method });
			await expectDenied(`province deputy: /api${probe.path}`, res, { statuses: [403] });
		}
		const session = await api('/session', { cookie: org.cookies.secretaryA });
		expect(session.status).toBe(200);
		expect(((await session.json()) as { unit: { name: string } }).unit.name).toBe('Đoàn xã A');
	});
});
