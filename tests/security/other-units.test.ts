import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, expectRefused } from './support/attack-log';
import {
	couch,
	expectDenied,
	FOREIGN,
	inBatches,
	startOrg,
	type Actor,
	type Org,
	type UnitKey
} from './support/org-fixture';

// Every role of every unit against the databases of units outside its subtree, by every path
// CouchDB knows: reads, feeds, bulk endpoints, single documents, design functions, queries,
// maintenance, attachments, local documents. Each must be refused and reveal nothing of the unit
// (its member's name marker and id). Then the server-wide paths, which nobody may use.

let org: Org;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

interface Probe {
	method: string;
	path: string;
	body?: unknown;
}

/** Every way into one unit database, as paths relative to /couch. */
function probesOf(unit: UnitKey): Probe[] {
	const { db } = org.units[unit].unit;
	const memberId = org.units[unit].member._id;
	const rev = org.units[unit].member._rev;
	const id = encodeURIComponent(memberId);
	const ids = encodeURIComponent(JSON.stringify([memberId]));
	const doc = { ...org.units[unit].member, givenName: 'Bị sửa' };
	return [
		{ method: 'GET', path: `/${db}` },
		{ method: 'HEAD', path: `/${db}` },
		{ method: 'GET', path: `/${db}/` },
		{ method: 'GET', path: `/${db}/_all_docs` },
		{ method: 'GET', path: `/${db}/_all_docs?include_docs=true&conflicts=true` },
		{ method: 'POST', path: `/${db}/_all_docs?include_docs=true`, body: { keys: [memberId] } },
		{ method: 'GET', path: `/${db}/_changes` },
		{ method: 'GET', path: `/${db}/_changes?include_docs=true&style=all_docs` },
		{ method: 'GET', path: `/${db}/_changes?feed=longpoll&since=0&include_docs=true` },
		{ method: 'GET', path: `/${db}/_changes?feed=continuous&since=0&timeout=500` },
		{ method: 'GET', path: `/${db}/_changes?feed=eventsource&since=0&timeout=500` },
		{ method: 'GET', path: `/${db}/_changes?filter=_doc_ids&doc_ids=${ids}&include_docs=true` },
		{ method: 'POST', path: `/${db}/_changes?filter=_doc_ids`, body: { doc_ids: [memberId] } },
		{ method: 'GET', path: `/${db}/_changes?filter=_design` },
		{ method: 'GET', path: `/${db}/_changes?filter=doanvu/any` },
		{ method: 'GET', path: `/${db}/_changes?filter=_view&view=doanvu/any` },
		{ method: 'POST', path: `/${db}/_changes`, body: { selector: { type: 'member' } } },
		{ method: 'POST', path: `/${db}/_bulk_get?revs=true`, body: { docs: [{ id: memberId }] } },
		{ method: 'POST', path: `/${db}/_revs_diff`, body: { [memberId]: [rev, '9-ff'] } },
		{ method: 'POST', path: `/${db}/_missing_revs`, body: { [memberId]: [rev] } },
		{ method: 'GET', path: `/${db}/${id}` },
		{ method: 'HEAD', path: `/${db}/${id}` },
		{ method: 'GET', path: `/${db}/${id}?revs=true&revs_info=true&conflicts=true` },
		{ method: 'GET', path: `/${db}/${id}?open_revs=all` },
		{ method: 'GET', path: `/${db}/${id}?rev=${rev}&attachments=true` },
		{ method: 'PUT', path: `/${db}/${id}`, body: doc },
		{ method: 'DELETE', path: `/${db}/${id}?rev=${rev}` },
		{ method: 'POST', path: `/${db}/_bulk_docs`, body: { docs: [doc] } },
		{ method: 'POST', path: `/${db}`, body: { ...doc, _id: undefined, _rev: undefined } },
		{ method: 'GET', path: `/${db}/unit` },
		{ method: 'GET', path: `/${db}/_design/doanvu` },
		{ method: 'GET', path: `/${db}/_design_docs` },
		{ method: 'GET', path: `/${db}/_design/doanvu/_info` },
		{ method: 'GET', path: `/${db}/_design/doanvu/_view/all` },
		{ method: 'GET', path: `/${db}/_design/doanvu/_show/one/${id}` },
		{ method: 'GET', path: `/${db}/_design/doanvu/_list/all/all` },
		{ method: 'GET', path: `/${db}/_design/doanvu/attachment.txt` },
		{ method: 'PUT', path: `/${db}/_design/doanvu`, body: { validate_doc_update: '' } },
		{ method: 'POST', path: `/${db}/_find`, body: { selector: { type: 'member' } } },
		{ method: 'POST', path: `/${db}/_index`, body: { index: { fields: ['givenName'] } } },
		{ method: 'GET', path: `/${db}/_index` },
		{ method: 'POST', path: `/${db}/_explain`, body: { selector: { type: 'member' } } },
		{ method: 'POST', path: `/${db}/_purge`, body: { [memberId]: [rev] } },
		{ method: 'POST', path: `/${db}/_compact` },
		{ method: 'POST', path: `/${db}/_view_cleanup` },
		{ method: 'POST', path: `/${db}/_ensure_full_commit` },
		{ method: 'GET', path: `/${db}/_security` },
		{ method: 'PUT', path: `/${db}/_security`, body: { members: { roles: [] } } },
		{ method: 'GET', path: `/${db}/_revs_limit` },
		{ method: 'PUT', path: `/${db}/_revs_limit`, body: 1 },
		{ method: 'GET', path: `/${db}/_local_docs` },
		{ method: 'GET', path: `/${db}/_local/anything` },
		{ method: 'PUT', path: `/${db}/_local/anything`, body: { x: 1 } },
		{ method: 'GET', path: `/${db}/${id}/photo.jpg` },
		{ method: 'PUT', path: `/${db}/${id}/photo.jpg?rev=${rev}`, body: 'x' },
		{ method: 'PUT', path: `/${db}` },
		{ method: 'DELETE', path: `/${db}` }
	];
}

/** Paths of the server itself, refused to everyone whatever its unit. */
function serverProbes(actor: Actor): Probe[] {
	const own = org.units[org.homes[actor]].unit.db;
	const foreign = org.units[FOREIGN[actor][0] ?? 'otherProvince'].unit.db;
	return [
		{ method: 'GET', path: '/_all_dbs' },
		{ method: 'GET', path: '/_dbs_info' },
		{ method: 'POST', path: '/_dbs_info', body: { keys: [foreign] } },
		{ method: 'GET', path: '/_users' },
		{ method: 'GET', path: '/_users/_all_docs?include_docs=true' },
		{
			method: 'GET',
			path: `/_users/${encodeURIComponent(`org.couchdb.user:${org.logins[actor]}`)}`
		},
		{ method: 'GET', path: '/_config' },
		{ method: 'GET', path: '/_node/_local/_config' },
		{ method: 'GET', path: '/_node/nonode@nohost/_config/admins' },
		{ method: 'POST', path: '/_replicate', body: { source: foreign, target: own } },
		{
			method: 'POST',
			path: '/_replicate',
			body: { source: `http://127.0.0.1/couch/${foreign}`, target: own }
		},
		{ method: 'PUT', path: '/_replicator/steal', body: { source: foreign, target: own } },
		{ method: 'GET', path: '/_uuids' },
		{ method: 'GET', path: '/_membership' },
		{ method: 'GET', path: '/_scheduler/jobs' },
		{ method: 'GET', path: '/_scheduler/docs' },
		{ method: 'GET', path: '/_active_tasks' },
		{ method: 'GET', path: '/_stats' },
		{ method: 'GET', path: '/_utils/' },
		{ method: 'GET', path: '/_db_updates' },
		{ method: 'POST', path: '/_session?next=/_all_dbs', body: {} },
		{ method: 'GET', path: '/doanvu_accounts/_all_docs' },
		{ method: 'GET', path: '/doanvu_directory/_all_docs' },
		{ method: 'GET', path: '/doanvu_registry/_all_docs' },
		{ method: 'GET', path: '/doanvu_audit/_all_docs' }
	];
}

async function attempt(actor: Actor, probe: Probe, secrets: string[]): Promise<void> {
	const res = await couch(org.server, probe.path, {
		method: probe.method,
		cookie: org.cookies[actor],
		...(probe.body === undefined ? {} : { body: probe.body })
	});
	await expectDenied(`${actor}: ${probe.method} /couch${probe.path}`, res, { secrets });
}

describe('the same member on its own database (control: the refusals below are not a broken server)', () => {
	it('reads its own unit and, from a superior, the units below', async () => {
		const reach: [Actor, UnitKey][] = [
			['viewerA', 'communeA'],
			['deputyA', 'communeA'],
			['secretaryB', 'communeB'],
			['schoolSecretary', 'school'],
			['provinceAdmin', 'communeA'],
			['provinceAdmin', 'school'],
			['otherAdmin', 'otherProvince']
		];
		for (const [actor, unit] of reach) {
			const res = await couch(
				org.server,
				`/${org.units[unit].unit.db}/_all_docs?include_docs=true`,
				{ cookie: org.cookies[actor] }
			);
			expect(res.status, `${actor} on ${unit}`).toBe(200);
			expect(await res.text()).toContain(org.units[unit].marker);
		}
	});
});

describe('a unit member against databases outside its subtree', () => {
	for (const actor of Object.keys(FOREIGN) as Actor[]) {
		it(`${actor} is refused every path into ${FOREIGN[actor].join(', ')}`, async () => {
			const attempts = FOREIGN[actor].flatMap((unit) =>
				probesOf(unit).map((probe) => ({ unit, probe }))
			);
			await inBatches(attempts, 6, ({ unit, probe }) =>
				attempt(actor, probe, [org.units[unit].marker, org.units[unit].member._id])
			);
		});
	}
});

describe('every member against the server itself', () => {
	it('is refused the server-wide paths, whatever its role', async () => {
		const secrets = Object.values(org.units).flatMap((unit) => [unit.marker, unit.unit.db]);
		const attempts = (Object.keys(FOREIGN) as Actor[]).flatMap((actor) =>
			serverProbes(actor).map((probe) => ({ actor, probe }))
		);
		await inBatches(attempts, 6, async ({ actor, probe }) => {
			// The actor's own database name may appear in an error; other units' may not.
			const own = org.units[org.homes[actor]];
			await attempt(
				actor,
				probe,
				secrets.filter((secret) => secret !== own.marker && secret !== own.unit.db)
			);
		});
	});
});

describe('nothing of the above changed anything', () => {
	it("leaves every unit's member as its own secretary wrote it", async () => {
		for (const [key, seeded] of Object.entries(org.units) as [UnitKey, Org['units'][UnitKey]][]) {
			const owner = (Object.keys(org.homes) as Actor[]).find(
				(actor) => org.homes[actor] === key && actor !== 'viewerA' && actor !== 'deputyA'
			) as Actor;
			const res = await couch(
				org.server,
				`/${seeded.unit.db}/${encodeURIComponent(seeded.member._id)}?conflicts=true`,
				{ cookie: org.cookies[owner] }
			);
			const doc = (await res.json()) as {
				_rev?: string;
				givenName?: string;
				_conflicts?: string[];
			};
			const intact =
				res.status === 200 &&
				doc._rev === seeded.member._rev &&
				doc.givenName === seeded.marker &&
				!doc._conflicts;
			expectRefused(
				`${key}: the member was changed by another unit`,
				intact,
				`HTTP ${res.status} ${JSON.stringify(doc).slice(0, 200)}`
			);
		}
	});
});
