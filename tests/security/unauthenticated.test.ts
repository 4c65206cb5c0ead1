import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, expectRefused } from './support/attack-log';
import { couch, expectDenied, inBatches, startOrg, type Org } from './support/org-fixture';

// An outsider — no cookie, a made-up one, a real device id with a guessed secret, CouchDB's own
// credentials — against every /api route and every kind of /couch path. Each must answer 401 (the
// device is checked before anything else) and reveal nothing of a unit.

let org: Org;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function credentials(): Record<string, Record<string, string>> {
	const realDevice = org.deviceIds.secretaryA;
	const basic = Buffer.from(`${org.logins.secretaryA}:${org.passwords.secretaryA}`).toString(
		'base64'
	);
	return {
		'no cookie': {},
		'garbage cookie': { cookie: 'dv_session=garbage' },
		'empty cookie': { cookie: 'dv_session=' },
		'forged cookie of the right shape': {
			cookie: `dv_session=${randomBytes(16).toString('hex')}.${randomBytes(32).toString('base64url')}`
		},
		"a real device's id with a guessed secret": {
			cookie: `dv_session=${realDevice}.${randomBytes(32).toString('base64url')}`
		},
		'a truncated real cookie': { cookie: org.cookies.secretaryA.slice(0, -1) },
		'a real cookie with a forged suffix': { cookie: `${org.cookies.secretaryA}x` },
		"CouchDB's AuthSession cookie, made up": {
			cookie: `AuthSession=${Buffer.from(`${org.logins.secretaryA}:5F5E1000:forged`).toString('base64url')}`
		},
		'Basic credentials of a real account': { authorization: `Basic ${basic}` }
	};
}

/** Every route of api-router.ts, org-router.ts and registry-router.ts that needs a session. */
function apiRoutes(): { method: string; path: string; body?: unknown }[] {
	const a = org.units.communeA.unit.id;
	const login = org.logins.viewerA;
	const device = org.deviceIds.viewerA;
	return [
		{ method: 'GET', path: '/api/session' },
		{ method: 'POST', path: '/api/session/password', body: { oldPassword: 'x', newPassword: 'y' } },
		{ method: 'GET', path: `/api/units/${a}` },
		{
			method: 'POST',
			path: '/api/units',
			body: { parentId: a, name: 'Chi đoàn X', kind: 'chi-doan' }
		},
		{ method: 'POST', path: `/api/units/${a}/rename`, body: { name: 'Tên mới' } },
		{ method: 'POST', path: `/api/units/${a}/merge`, body: { intoId: a } },
		{ method: 'POST', path: `/api/units/${a}/split`, body: {} },
		{ method: 'POST', path: `/api/units/${a}/dissolve` },
		{ method: 'GET', path: `/api/units/${a}/members` },
		{ method: 'GET', path: `/api/units/${a}/accounts` },
		{
			method: 'POST',
			path: `/api/units/${a}/accounts`,
			body: { login: 'kegian', fullName: 'Kẻ Gian', role: 'secretary' }
		},
		{ method: 'GET', path: '/api/jobs/01J00000000000000000000000' },
		{ method: 'POST', path: '/api/jobs/01J00000000000000000000000/close' },
		{ method: 'POST', path: `/api/accounts/${login}/reset-password` },
		{ method: 'POST', path: `/api/accounts/${login}/disable` },
		{ method: 'POST', path: `/api/accounts/${login}/enable` },
		{ method: 'POST', path: `/api/devices/${device}/revoke` },
		{ method: 'GET', path: '/api/directory?q=a' },
		{ method: 'GET', path: '/api/registry/check?citizenId=001201000001' },
		{ method: 'POST', path: '/api/registry/rebuild' },
		{ method: 'POST', path: '/api/registry/clashes', body: { citizenIds: ['001201000001'] } }
	];
}

/** /couch paths of every kind: the unit database and each endpoint, system paths, documents. */
function couchPaths(): { method: string; path: string; body?: unknown }[] {
	const { db } = org.units.communeA.unit;
	const member = org.units.communeA.member._id;
	const id = encodeURIComponent(member);
	return [
		{ method: 'GET', path: `/${db}` },
		{ method: 'GET', path: `/${db}/` },
		{ method: 'GET', path: `/${db}/_all_docs?include_docs=true` },
		{ method: 'POST', path: `/${db}/_all_docs`, body: { keys: [member] } },
		{ method: 'GET', path: `/${db}/_changes?include_docs=true` },
		{ method: 'GET', path: `/${db}/_changes?feed=longpoll&since=0` },
		{ method: 'POST', path: `/${db}/_bulk_get`, body: { docs: [{ id: member }] } },
		{ method: 'POST', path: `/${db}/_revs_diff`, body: { [member]: ['1-a'] } },
		{ method: 'POST', path: `/${db}/_bulk_docs`, body: { docs: [{ _id: 'member:x' }] } },
		{ method: 'GET', path: `/${db}/${id}` },
		{ method: 'PUT', path: `/${db}/${id}`, body: { _id: member } },
		{ method: 'DELETE', path: `/${db}/${id}?rev=1-a` },
		{ method: 'GET', path: `/${db}/_local/x` },
		{ method: 'PUT', path: `/${db}/_local/x`, body: {} },
		{ method: 'GET', path: `/${db}/_security` },
		{ method: 'GET', path: `/${db}/_design/doanvu` },
		{ method: 'POST', path: `/${db}/_find`, body: { selector: {} } },
		{ method: 'PUT', path: `/${db}` },
		{ method: 'DELETE', path: `/${db}` },
		{ method: 'GET', path: '/_all_dbs' },
		{ method: 'GET', path: '/_users/_all_docs' },
		{ method: 'GET', path: '/_config' },
		{ method: 'POST', path: '/_replicate', body: { source: db, target: 'x' } }
	];
}

describe('an outsider', () => {
	it('(control) would be let in with the real cookie', async () => {
		const { db, id } = org.units.communeA.unit;
		for (const path of ['/api/session', `/api/units/${id}`, `/couch/${db}/_all_docs`]) {
			const res = await org.server.request(path, { cookie: org.cookies.secretaryA });
			expect(res.status, path).toBe(200);
		}
	});

	it('is refused every /api route that needs a session, whatever credentials it makes up', async () => {
		const attempts = Object.entries(credentials()).flatMap(([label, headers]) =>
			apiRoutes().map((route) => ({ label, headers, route }))
		);
		await inBatches(attempts, 8, async ({ label, headers, route }) => {
			const res = await org.server.request(route.path, {
				method: route.method,
				headers: {
					...headers,
					...(route.body === undefined ? {} : { 'content-type': 'application/json' })
				},
				body: route.body === undefined ? undefined : JSON.stringify(route.body)
			});
			await expectDenied(`${label}: ${route.method} ${route.path}`, res, {
				statuses: [401],
				secrets: [org.units.communeA.marker, org.logins.secretaryA]
			});
		});
	});

	it('is refused every /couch path, whatever credentials it makes up', async () => {
		const attempts = Object.entries(credentials()).flatMap(([label, headers]) =>
			couchPaths().map((route) => ({ label, headers, route }))
		);
		await inBatches(attempts, 8, async ({ label, headers, route }) => {
			const res = await couch(org.server, route.path, {
				method: route.method,
				headers,
				...(route.body === undefined ? {} : { body: route.body })
			});
			await expectDenied(`${label}: ${route.method} /couch${route.path}`, res, {
				statuses: [401],
				secrets: [org.units.communeA.marker]
			});
		});
		// Nothing was written by any of it.
		const check = await couch(org.server, `/${org.units.communeA.unit.db}/member:x`, {
			cookie: org.cookies.secretaryA
		});
		expect(check.status).toBe(404);
	});

	it('learns from /couch/_session only that it is anonymous', async () => {
		for (const [label, headers] of Object.entries(credentials())) {
			const res = await couch(org.server, '/_session', { headers });
			const body = (await res.json().catch(() => ({}))) as {
				userCtx?: { name: string | null; roles: string[] };
			};
			expectRefused(
				`${label}: GET /couch/_session names no user`,
				!body.userCtx?.name && (body.userCtx?.roles ?? []).length === 0,
				`HTTP ${res.status} ${JSON.stringify(body)}`
			);
		}
	});
});
