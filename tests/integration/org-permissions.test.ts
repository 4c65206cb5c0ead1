import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRole } from '../../server/accounts/account-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import { memberDoc } from '../support/member-fixture';
import { api, VIETNAMESE } from '../support/org-api';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';

// For each role (admin, secretary, deputy, viewer) at province and at commune level: every allowed
// act succeeds and every forbidden one is refused — through the /couch proxy with raw HTTP and with
// PouchDB clients (CouchDB's `_security` and validate_doc_update decide), and through the
// organisation API (the server's rules). Tree: Tỉnh đoàn P over the communes A and B.

type Level = 'province' | 'commune';
const ROLES: AccountRole[] = ['admin', 'secretary', 'deputy', 'viewer'];

interface Actor {
	level: Level;
	role: AccountRole;
	login: string;
	cookie: string;
	unit: UnitRecord;
}

let server: TestServer;
let province: UnitRecord;
let communeA: UnitRecord;
let communeB: UnitRecord;
let secretaryB: { login: string; cookie: string };
const actors: Actor[] = [];

beforeAll(async () => {
	server = await startTestServer();
	province = await server.provision.createUnit({
		name: 'Tỉnh đoàn Quyền',
		kind: 'tinh-doan',
		createdBy: 'test'
	});
	communeA = await server.provision.createUnit({
		name: 'Đoàn xã Quyền A',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	communeB = await server.provision.createUnit({
		name: 'Đoàn xã Quyền B',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	const specs = [
		...ROLES.map((role) => ({ level: 'province' as const, role, unit: province })),
		...ROLES.map((role) => ({ level: 'commune' as const, role, unit: communeA }))
	];
	const signed = await Promise.all(
		specs.map(async (spec) => {
			const account = await server.createAccountIn({ unitId: spec.unit.id, role: spec.role });
			return { ...spec, login: account.login, cookie: (await server.signIn(account)).cookie };
		})
	);
	actors.push(...signed);
	const b = await server.createAccountIn({ unitId: communeB.id, role: 'secretary' });
	secretaryB = { login: b.login, cookie: (await server.signIn(b)).cookie };
});

afterAll(async () => {
	await server?.close();
});

async function couch(
	actor: Actor,
	path: string,
	options: { method?: string; body?: unknown } = {}
): Promise<number> {
	const res = await server.request(`/couch${path}`, {
		method: options.method ?? 'GET',
		cookie: actor.cookie,
		headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
	const body = (await res.json()) as { reason?: string };
	// Every refusal says why, in Vietnamese.
	if (res.status >= 400) expect(body.reason).toMatch(VIETNAMESE);
	return res.status;
}

function putMember(actor: Actor, db: string, unitId: string): Promise<number> {
	const doc = memberDoc({ unitId, login: actor.login });
	return couch(actor, `/${db}/${encodeURIComponent(doc._id)}`, { method: 'PUT', body: doc });
}

async function apiStatus(
	actor: Actor,
	path: string,
	options: { method?: string; body?: unknown } = {}
): Promise<number> {
	const answer = await api(server, path, { cookie: actor.cookie, ...options });
	if (answer.status >= 400) {
		expect((answer.body as { reason?: string }).reason).toMatch(VIETNAMESE);
	}
	return answer.status;
}

/** PouchDB through the proxy: a pull, and a push of one member written on the device. */
async function pouch(actor: Actor, db: string, unitId: string) {
	const remote = server.remoteDb({ db, cookie: actor.cookie });
	const local = new PouchDB(`perm-${randomBytes(5).toString('hex')}`);
	const pull = await local.replicate.from(remote).then(
		() => 200,
		(error: { status?: number }) => error.status ?? 0
	);
	await local.put(memberDoc({ unitId, login: actor.login }));
	const push = await local.replicate.to(remote).then(
		(result) => (result.doc_write_failures === 0 ? 201 : 403),
		(error: { status?: number }) => error.status ?? 0
	);
	await local.destroy();
	return { pull, push };
}

describe('permissions by role and level', () => {
	for (const level of ['province', 'commune'] as Level[]) {
		for (const role of ROLES) {
			it(`${role} of the ${level}`, async () => {
				const actor = actors.find((a) => a.level === level && a.role === role)!;
				const writer = role !== 'viewer';
				const manager = role === 'admin' || role === 'secretary';
				const own = actor.unit;
				const results: { act: string; got: number; want: number }[] = [];
				const check = async (act: string, got: Promise<number> | number, want: number) => {
					results.push({ act, got: await got, want });
				};

				// Own unit's database.
				await check('read own db', couch(actor, `/${own.db}/_all_docs`), 200);
				await check('write own db', putMember(actor, own.db, own.id), writer ? 201 : 403);
				const ownPouch = await pouch(actor, own.db, own.id);
				await check('PouchDB pull own db', ownPouch.pull, 200);
				await check('PouchDB push to own db', ownPouch.push, writer ? 201 : 403);
				await check(
					'write a doc claiming another unit',
					putMember(actor, own.db, communeB.id),
					403
				);
				await check('view own unit', apiStatus(actor, `/units/${own.id}`), 200);

				if (level === 'province') {
					// A superior reads and writes its subtree.
					await check('read subordinate db', couch(actor, `/${communeA.db}/_all_docs`), 200);
					await check(
						'write subordinate db',
						putMember(actor, communeA.db, communeA.id),
						writer ? 201 : 403
					);
					const sub = await pouch(actor, communeA.db, communeA.id);
					await check('PouchDB pull subordinate db', sub.pull, 200);
					await check('PouchDB push to subordinate db', sub.push, writer ? 201 : 403);
					await check('view subordinate', apiStatus(actor, `/units/${communeA.id}`), 200);
					await check(
						'subordinate roster online',
						apiStatus(actor, `/units/${communeA.id}/members`),
						200
					);
				} else {
					// Nobody else's: not the sibling's, not the superior's.
					for (const [what, unit] of [
						['sibling', communeB],
						['superior', province]
					] as const) {
						await check(`read ${what} db`, couch(actor, `/${unit.db}/_all_docs`), 403);
						await check(`write ${what} db`, putMember(actor, unit.db, unit.id), 403);
						const other = await pouch(actor, unit.db, unit.id);
						await check(`PouchDB pull ${what} db`, other.pull, 403);
						await check(`PouchDB push to ${what} db`, other.push, 403);
						await check(`view ${what}`, apiStatus(actor, `/units/${unit.id}`), 403);
						await check(
							`${what} roster online`,
							apiStatus(actor, `/units/${unit.id}/members`),
							403
						);
					}
				}

				// CouchDB's own system: never.
				await check('_all_dbs', couch(actor, '/_all_dbs'), 403);
				await check('read _users', couch(actor, '/_users/_all_docs'), 403);
				await check(
					'read own _users doc',
					couch(actor, `/_users/org.couchdb.user:${actor.login}`),
					403
				);
				await check(
					'give oneself roles via _users',
					couch(actor, `/_users/org.couchdb.user:${actor.login}`, {
						method: 'PUT',
						body: { name: actor.login, type: 'user', roles: ['_admin', `unit:${province.id}`] }
					}),
					403
				);
				await check(
					'change own _security',
					couch(actor, `/${own.db}/_security`, {
						method: 'PUT',
						body: { members: { roles: [`unit:${communeB.id}`] } }
					}),
					403
				);

				// Founding units: only directly beneath one's own unit, only by its managers.
				const child = { name: `Đoàn phường ${uniqueLogin('x')}`, kind: 'doan-phuong' };
				if (level === 'province') {
					await check(
						'found a unit beneath own unit',
						apiStatus(actor, '/units', { body: { ...child, parentId: own.id } }),
						manager ? 201 : 403
					);
					await check(
						'found a unit two levels down',
						apiStatus(actor, '/units', { body: { ...child, parentId: communeA.id } }),
						403
					);
				} else {
					await check(
						'found a unit beneath own commune (a commune has no subordinate units)',
						apiStatus(actor, '/units', { body: { ...child, parentId: own.id } }),
						manager ? 422 : 403
					);
					for (const [where, unit] of [
						['the superior', province],
						['the sibling', communeB]
					] as const) {
						await check(
							`found a unit beneath ${where}`,
							apiStatus(actor, '/units', { body: { ...child, parentId: unit.id } }),
							403
						);
					}
				}

				// Accounts: the direct superior's managers issue them; an admin also for its own unit.
				const issue = (unit: UnitRecord, accountRole: string) =>
					apiStatus(actor, `/units/${unit.id}/accounts`, {
						body: { login: uniqueLogin('n'), fullName: 'Lê Văn Mới', role: accountRole }
					});
				await check(
					'issue an account for own unit',
					issue(own, 'viewer'),
					role === 'admin' ? 201 : 403
				);
				await check(
					'list own unit accounts',
					apiStatus(actor, `/units/${own.id}/accounts`),
					role === 'admin' ? 200 : 403
				);
				if (level === 'province') {
					await check(
						'issue a subordinate account',
						issue(communeA, 'deputy'),
						manager ? 201 : 403
					);
					await check('issue a subordinate admin', issue(communeA, 'admin'), manager ? 422 : 403);
					await check(
						'list subordinate accounts',
						apiStatus(actor, `/units/${communeA.id}/accounts`),
						manager ? 200 : 403
					);
					await check(
						'rename a subordinate',
						apiStatus(actor, `/units/${communeB.id}/rename`, {
							body: { name: `Đoàn xã Quyền B ${uniqueLogin('r')}` }
						}),
						manager ? 200 : 403
					);
				} else {
					await check('issue a sibling account', issue(communeB, 'viewer'), 403);
					await check('issue an account for the superior', issue(province, 'viewer'), 403);
					await check(
						'list sibling accounts',
						apiStatus(actor, `/units/${communeB.id}/accounts`),
						403
					);
					await check(
						'rename own unit (only the superior does)',
						apiStatus(actor, `/units/${own.id}/rename`, { body: { name: 'Tên Tự Đặt' } }),
						403
					);
					await check(
						'dissolve the sibling',
						apiStatus(actor, `/units/${communeB.id}/dissolve`, { method: 'POST' }),
						403
					);
				}

				// Nobody changes their own role or disables themselves.
				await check(
					're-issue oneself with another role',
					apiStatus(actor, `/units/${own.id}/accounts`, {
						body: { login: actor.login, fullName: 'Tự Nâng Quyền', role: 'secretary' }
					}),
					role === 'admin' ? 409 : 403
				);
				await check(
					'PUT own account',
					apiStatus(actor, `/accounts/${actor.login}`, { method: 'PUT', body: { role: 'admin' } }),
					404
				);
				await check(
					'disable oneself',
					apiStatus(actor, `/accounts/${actor.login}/disable`, { method: 'POST' }),
					403
				);
				await check(
					'reset own password via the manager route',
					apiStatus(actor, `/accounts/${actor.login}/reset-password`, { method: 'POST' }),
					403
				);

				// Devices: one's own, or those of accounts one manages — not another unit's.
				const spare = await server.devices.createDevice({ login: secretaryB.login });
				await check(
					"revoke another unit's device",
					apiStatus(actor, `/devices/${spare.device.id}/revoke`, { method: 'POST' }),
					level === 'province' && manager ? 200 : 403
				);
				const mine = await server.devices.createDevice({ login: actor.login });
				await check(
					'revoke one of own devices',
					apiStatus(actor, `/devices/${mine.device.id}/revoke`, { method: 'POST' }),
					200
				);

				await check('search the directory', apiStatus(actor, '/directory?q=quyen'), 200);

				expect(results.filter((r) => r.got !== r.want)).toEqual([]);

				// And nothing above changed who the actor is.
				const account = await server.accounts.getAccount(actor.login);
				expect(account).toMatchObject({ role, unitId: own.id, disabled: false });
				const user = await server.couch.getDoc<{ _id: string; roles: string[] }>({
					db: '_users',
					id: `org.couchdb.user:${actor.login}`
				});
				expect(user?.roles).toEqual([`unit:${own.id}`, `role:${role}`]);
			});
		}
	}
});
