import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive } from './support/attack-log';
import {
	couch,
	expectDenied,
	inBatches,
	rawRequest,
	readAsOwner,
	startOrg,
	type Org
} from './support/org-fixture';

// Paths written to slip past the proxy: dot segments (plain, encoded, double-encoded), encoded and
// doubled separators, backslashes, look-alike characters, case, trailing dots, very long paths,
// query strings that smuggle options, method-override headers and unusual verbs. They go on the wire
// exactly as written (rawRequest), as an attacker's own client would send them. The `_local/..` and
// `_design/..` collapses are covered with their fix (issue 9, finding 2), not here.

let org: Org;

const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

/** The commune B secretary's ways of reaching commune A's database from its own. */
function crossingPaths(): string[] {
	const a = org.units.communeA.unit.db;
	const b = org.units.communeB.unit.db;
	const aId = org.units.communeA.unit.id;
	const member = encodeURIComponent(org.units.communeA.member._id);
	// Cyrillic і (U+0456) and ո (U+0578) in place of Latin i and n; fullwidth solidus U+FF0F.
	const lookAlike = `u%D5%B8%D1%96t_${aId}`;
	return [
		`/couch/${b}/../${a}/_all_docs`,
		`/couch/${b}/./../${a}/_all_docs`,
		`/couch/${b}/%2e%2e/${a}/_all_docs`,
		`/couch/${b}/%2E%2E/${a}/_all_docs`,
		`/couch/${b}/.%2e/${a}/_all_docs`,
		`/couch/${b}/%252e%252e/${a}/_all_docs`,
		`/couch/${b}%2F..%2F${a}/_all_docs`,
		`/couch/${b}/..%2F${a}/_all_docs`,
		`/couch/${b}/..%252F${a}/_all_docs`,
		`/couch/${b}%2F%2E%2E%2F${a}%2F_all_docs`,
		`/couch/${a}%2F_all_docs`,
		`/couch/${a}%252F_all_docs`,
		`/couch/${b}\\..\\${a}/_all_docs`,
		`/couch/${b}%5C..%5C${a}/_all_docs`,
		`/couch/${b}/..\\${a}/_all_docs`,
		`/couch//${a}/_all_docs`,
		`/couch///${a}/_all_docs`,
		`/couch/./${a}/_all_docs`,
		`/couch/${a}//_all_docs`,
		`/couch/${a.toUpperCase()}/_all_docs`,
		`/couch/Unit_${aId}/_all_docs`,
		`/couch/${a}./_all_docs`,
		`/couch/${a}%2e/_all_docs`,
		`/couch/${a}%00/_all_docs`,
		`/couch/${a}%20/_all_docs`,
		`/couch/%20${a}/_all_docs`,
		`/couch/${a};/_all_docs`,
		`/couch/${a}#/_all_docs`,
		`/couch/${lookAlike}/_all_docs`,
		`/couch/${b}%EF%BC%8F..%EF%BC%8F${a}/_all_docs`,
		`/couch/${b}/_design/doanvu/../../../${a}/_all_docs`,
		`/couch/${b}/${member}/../../${a}/${member}`,
		`/couch/${b}?/../${a}/_all_docs`,
		`/couch/${b}/_all_docs?/../../${a}/_all_docs`,
		`/couch/${b}/_changes/../../${a}/_changes?include_docs=true`,
		`/couch/../couch/${a}/_all_docs`,
		`/couch/%2e%2e/couch/${a}/_all_docs`,
		`/api/../couch/${a}/_all_docs`,
		`/api/%2e%2e/couch/${a}/_all_docs`,
		`/couch/${a}/${member}?rev=${org.units.communeA.member._rev}`,
		`/couch/${a}/${member}?open_revs=all`,
		`/couch/${a}/${member}?attachments=true&conflicts=true&revs_info=true`,
		`/couch/${a}/_all_docs?include_docs=true&conflicts=true`,
		`/couch/${b}/_all_docs?include_docs=true&db=${a}`,
		`/couch/${b}/_all_docs?include_docs=true&keys=%5B%22${member}%22%5D&db=${a}`,
		`/couch/${b}/_changes?filter=_doc_ids&doc_ids=%5B%22${member}%22%5D&include_docs=true&db=${a}`
	];
}

describe('path and encoding tricks', () => {
	it("do not take commune B's secretary into commune A", async () => {
		// A's member id is in some of the paths (the attacker knows it) and may be echoed back; its
		// content may not.
		const secrets = [org.units.communeA.marker];
		await inBatches(crossingPaths(), 6, async (path) => {
			const answer = await rawRequest(org.server, path, { cookie: org.cookies.secretaryB });
			// A path that lands on B's own database (200) is no crossing, as long as nothing of A shows.
			await expectDenied(`secretaryB: GET ${path}`, answer, {
				secrets,
				statuses: [200, ...CLIENT_ERRORS]
			});
		});
	});

	it('do not reach the server-only parts of the viewer’s own database', async () => {
		const a = org.units.communeA.unit.db;
		const id = encodeURIComponent(org.units.communeA.member._id);
		const probes: { method: string; path: string; body?: string }[] = [
			{ method: 'GET', path: `/couch/${a}/%5Fsecurity` },
			{ method: 'GET', path: `/couch/${a}/%255Fsecurity` },
			{ method: 'PUT', path: `/couch/${a}/%5Fsecurity`, body: '{"members":{"roles":[]}}' },
			{ method: 'PUT', path: `/couch/${a}/_design%2Fdoanvu`, body: '{"validate_doc_update":""}' },
			{ method: 'PUT', path: `/couch/${a}/_design%252Fdoanvu`, body: '{}' },
			{ method: 'PUT', path: `/couch/${a}/%5Fdesign/doanvu`, body: '{}' },
			{ method: 'PUT', path: `/couch/${a}/_DESIGN/doanvu`, body: '{}' },
			{ method: 'GET', path: `/couch/${a}/_design/doanvu/_view/x` },
			{ method: 'GET', path: `/couch/${a}/_design%2Fdoanvu%2F_view%2Fx` },
			{ method: 'GET', path: `/couch/${a}/_design/doanvu%2F_show%2Fx` },
			{ method: 'POST', path: `/couch/${a}/%5Ffind`, body: '{"selector":{}}' },
			{ method: 'POST', path: `/couch/${a}/_purge`, body: '{}' },
			{ method: 'POST', path: `/couch/${a}/_all_docs/../_purge`, body: '{}' },
			{ method: 'POST', path: `/couch/${a}/_bulk_docs/..%2F_purge`, body: '{}' },
			{ method: 'POST', path: `/couch/${a}/_compact` },
			{ method: 'GET', path: `/couch/${a}/%2e` },
			{ method: 'GET', path: `/couch/${a}/%2e%2e` },
			{ method: 'GET', path: `/couch/${a}/..` },
			{ method: 'GET', path: `/couch/${a}/${id}/..` },
			{ method: 'GET', path: `/couch/${a}/${id}/%2e%2e/%2e%2e/_all_dbs` },
			{ method: 'GET', path: `/couch/${a}/${id}%2F..%2F..%2F_all_dbs` },
			{ method: 'PUT', path: `/couch/${a}/%2e%2e`, body: '{}' },
			{ method: 'DELETE', path: `/couch/${a}/%2e%2e` },
			{ method: 'DELETE', path: `/couch/${a}/.` },
			{ method: 'DELETE', path: `/couch/${a}/` },
			{ method: 'GET', path: `/couch/${a}/${'a/'.repeat(4000)}` },
			{ method: 'GET', path: `/couch/${a}/${'x'.repeat(20_000)}` },
			{ method: 'GET', path: `/couch/${a}/${'%2e%2e/'.repeat(200)}_all_dbs` },
			{ method: 'GET', path: `/couch/%2e%2e/%2e%2e/_all_dbs` },
			{ method: 'GET', path: `/couch/%5Fall_dbs` },
			{ method: 'GET', path: `/couch/_ALL_DBS` },
			{ method: 'GET', path: `/couch/_users%2Forg.couchdb.user%3A${org.logins.viewerA}` }
		];
		const secrets = [org.units.communeB.unit.db, org.units.province.marker, 'validate_doc_update'];
		await inBatches(probes, 4, async (probe) => {
			const answer = await rawRequest(org.server, probe.path, {
				cookie: org.cookies.viewerA,
				method: probe.method,
				...(probe.body === undefined ? {} : { body: probe.body })
			});
			await expectDenied(`viewerA: ${probe.method} ${probe.path.slice(0, 120)}`, answer, {
				secrets
			});
		});
		// The viewer's database is still there, still with its design document and its rules.
		expect((await readAsOwner(org, 'communeA', '_design/doanvu')).doc).toMatchObject({
			_id: '_design/doanvu'
		});
	});

	it('method-override headers and unusual verbs change nothing', async () => {
		const a = org.units.communeA.unit.db;
		const b = org.units.communeB.unit.db;
		const member = org.units.communeA.member;
		const id = encodeURIComponent(member._id);
		const overrides = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];
		const attempts: { method: string; path: string; headers?: Record<string, string> }[] = [
			...overrides.flatMap((header) => [
				{ method: 'POST', path: `/couch/${a}/_all_docs`, headers: { [header]: 'DELETE' } },
				{
					method: 'GET',
					path: `/couch/${a}/${id}?rev=${member._rev}`,
					headers: { [header]: 'DELETE' }
				},
				{ method: 'POST', path: `/couch/${a}/_security`, headers: { [header]: 'PUT' } },
				{ method: 'POST', path: `/couch/${b}/_all_docs`, headers: { [header]: 'GET' } }
			]),
			{ method: 'OPTIONS', path: `/couch/${b}/_all_docs` },
			{ method: 'OPTIONS', path: `/couch/${a}/${id}` },
			{ method: 'PATCH', path: `/couch/${a}/${id}` },
			{ method: 'COPY', path: `/couch/${a}/${id}`, headers: { Destination: 'member:copied' } },
			{ method: 'COPY', path: `/couch/${b}/${id}`, headers: { Destination: `../${b}/member:x` } },
			{ method: 'MOVE', path: `/couch/${a}/${id}`, headers: { Destination: 'member:moved' } },
			{ method: 'PROPFIND', path: `/couch/${a}` },
			{ method: 'TRACE', path: `/couch/${a}/_all_docs` },
			{ method: 'HEAD', path: `/couch/${b}/${id}` },
			{ method: 'POST', path: `/couch/${a}`, headers: { 'X-HTTP-Method-Override': 'DELETE' } }
		];
		await inBatches(attempts, 4, async (attempt) => {
			const answer = await rawRequest(org.server, attempt.path, {
				cookie: org.cookies.viewerA,
				method: attempt.method,
				headers: attempt.headers ?? {}
			});
			// A viewer may read its own unit with POST _all_docs: there the override must just be ignored
			// (the checks below show that nothing was deleted).
			const ownRead =
				(attempt.method === 'POST' && attempt.path === `/couch/${a}/_all_docs`) ||
				(attempt.method === 'GET' && attempt.path.startsWith(`/couch/${a}/`));
			await expectDenied(
				`viewerA: ${attempt.method} ${attempt.path}${attempt.headers ? ` ${JSON.stringify(attempt.headers)}` : ''}`,
				answer,
				{
					secrets: [org.units.communeB.marker],
					...(ownRead ? { statuses: [200, ...CLIENT_ERRORS] } : {})
				}
			);
		});
		const after = await readAsOwner(org, 'communeA', member._id);
		expect(after.doc).toMatchObject({ _rev: member._rev, givenName: org.units.communeA.marker });
		expect((await readAsOwner(org, 'communeA', 'member:copied')).status).toBe(404);
		const db = await couch(org.server, `/${a}`, { cookie: org.cookies.secretaryA });
		expect(db.status).toBe(200);
	});
});
