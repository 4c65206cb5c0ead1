import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptHash } from '../../server/declarations/receipt-index';
import type { DeclarationDoc } from '../../src/lib/domain/declarations';
import { newJoinCode } from '../../src/lib/domain/declarations';
import {
	createJoinLink,
	declarationFields,
	nameMarker,
	submitDeclaration,
	type JoinLink
} from '../support/declaration-fixture';
import { fakeUlid } from '../support/member-fixture';
import { signedIn, type SignedIn } from '../support/org-setup';
import { expectAlive, expectRefused } from './support/attack-log';
import {
	couch,
	expectDenied,
	inBatches,
	startOrg,
	type Actor,
	type Org
} from './support/org-fixture';

// Who may read and write the three documents of self-declaration (docs/decisions/
// 0019-self-declarations.md) through /couch: a declaration is read by its unit's accounts and its
// superiors (its database's `_security`), by nobody else; it is written by the server alone, never
// by any device account, by no path; a review and a join link only by the unit's own secretary or
// deputy — not by a superior's account, not by a viewer; the receipt index is out of reach.

let org: Org;
let link: JoinLink;
let receipt: string;
let declaration: DeclarationDoc & { _rev: string };
let provinceDeclarationId: string;
let provinceSecretary: SignedIn;
const MARKER = nameMarker();
const PROVINCE_MARKER = nameMarker();

function declarationPath(id = declaration._id): string {
	return `/${org.units.communeA.unit.db}/${encodeURIComponent(id)}`;
}

async function storedDeclaration(): Promise<DeclarationDoc & { _rev: string }> {
	const doc = await org.server.couch.getDoc<DeclarationDoc & { _rev: string }>({
		db: org.units.communeA.unit.db,
		id: declaration._id
	});
	if (!doc) throw new Error('the declaration is gone');
	return doc;
}

beforeAll(async () => {
	org = await startOrg();
	const communeA = org.units.communeA.unit;
	link = await createJoinLink({
		server: org.server,
		unit: communeA,
		secretaryCookie: org.cookies.secretaryA
	});
	const sent = await submitDeclaration({
		server: org.server,
		token: link.token,
		fields: declarationFields({ givenName: MARKER })
	});
	expect(sent.res.status).toBe(201);
	receipt = sent.receipt;
	const rows = await org.server.couch.allDocs<DeclarationDoc & { _rev: string }>({
		db: communeA.db,
		startkey: 'declaration:',
		endkey: 'declaration:\ufff0',
		includeDocs: true
	});
	declaration = rows[0]!.doc!;
	provinceSecretary = await signedIn(
		org.server,
		await org.server.createAccountIn({ unitId: org.units.province.unit.id, role: 'secretary' })
	);
	// A declaration to the province too: its communes are beneath it and must not read it.
	const provinceLink = await createJoinLink({
		server: org.server,
		unit: org.units.province.unit,
		secretaryCookie: provinceSecretary.cookie
	});
	const upward = await submitDeclaration({
		server: org.server,
		token: provinceLink.token,
		fields: declarationFields({ givenName: PROVINCE_MARKER })
	});
	expect(upward.res.status).toBe(201);
	const provinceRows = await org.server.couch.allDocs({
		db: org.units.province.unit.db,
		startkey: 'declaration:',
		endkey: 'declaration:\ufff0'
	});
	provinceDeclarationId = provinceRows[0]!.id;
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

describe('reading a declaration', () => {
	const readers: Actor[] = ['secretaryA', 'deputyA', 'viewerA', 'provinceAdmin'];
	for (const actor of readers) {
		it(`control: ${actor} reads it`, async () => {
			const res = await couch(org.server, declarationPath(), { cookie: org.cookies[actor] });
			expect(res.status).toBe(200);
			expect(await res.text()).toContain(MARKER);
		});
	}

	const outsiders: { name: string; cookie: () => string | undefined }[] = [
		{ name: 'a sibling commune', cookie: () => org.cookies.secretaryB },
		{ name: 'a school of the same province', cookie: () => org.cookies.schoolSecretary },
		{ name: 'another province', cookie: () => org.cookies.otherAdmin },
		{ name: 'anonymous', cookie: () => undefined }
	];
	for (const outsider of outsiders) {
		it(`${outsider.name} reads it by no path`, async () => {
			const db = org.units.communeA.unit.db;
			const probes = [
				declarationPath(),
				`${declarationPath()}?open_revs=all`,
				`/${db}/_all_docs?include_docs=true`,
				`/${db}/_changes?include_docs=true&since=0`
			];
			await inBatches(probes, 4, async (path) => {
				const res = await couch(org.server, path, { cookie: outsider.cookie() });
				await expectDenied(`${outsider.name}: GET /couch${path} (a declaration)`, res, {
					secrets: [MARKER]
				});
			});
		});
	}
});

describe("a superior's declaration", () => {
	it('control: the province reads its own', async () => {
		const res = await couch(
			org.server,
			`/${org.units.province.unit.db}/${encodeURIComponent(provinceDeclarationId)}`,
			{ cookie: provinceSecretary.cookie }
		);
		expect(res.status).toBe(200);
	});

	const children: Actor[] = ['secretaryA', 'deputyA', 'viewerA', 'schoolSecretary'];
	for (const actor of children) {
		it(`${actor}, of a unit beneath, reads it by no path`, async () => {
			const db = org.units.province.unit.db;
			for (const path of [
				`/${db}/${encodeURIComponent(provinceDeclarationId)}`,
				`/${db}/_all_docs?include_docs=true`,
				`/${db}/_changes?include_docs=true&since=0`
			]) {
				const res = await couch(org.server, path, { cookie: org.cookies[actor] });
				await expectDenied(`${actor}: GET /couch${path} (a superior's declaration)`, res, {
					secrets: [PROVINCE_MARKER]
				});
			}
		});
	}
});

describe('writing a declaration: the server only', () => {
	const writers: Actor[] = ['secretaryA', 'deputyA', 'viewerA', 'provinceAdmin'];

	function forged(actor: Actor, overrides: Record<string, unknown> = {}) {
		const at = new Date().toISOString();
		return {
			_id: `declaration:${fakeUlid()}`,
			type: 'declaration',
			v: 1,
			unitId: org.units.communeA.unit.id,
			joinLinkId: 'join-link:unit',
			fields: { familyName: 'Giả', givenName: 'Mạo' },
			consent: { version: '2026-1', given: true, at },
			revision: 1,
			state: 'submitted',
			submittedAt: at,
			createdAt: at,
			createdBy: org.logins[actor],
			updatedAt: at,
			updatedBy: org.logins[actor],
			...overrides
		};
	}

	for (const actor of writers) {
		it(`${actor} cannot create, change or delete one by any path`, async () => {
			const before = await storedDeclaration();
			const cookie = org.cookies[actor];
			const login = org.logins[actor];
			const fresh = forged(actor);
			const attempts: { name: string; path: string; method: string; body?: unknown }[] = [
				{ name: 'PUT a new one', path: declarationPath(fresh._id), method: 'PUT', body: fresh },
				{
					name: 'PUT a new one typed as a member',
					path: declarationPath(`declaration:${fakeUlid()}`),
					method: 'PUT',
					body: { ...forged(actor), type: 'member', status: 'active', birthDate: '2000-01-01' }
				},
				{
					name: 'PUT a change to the stored one',
					path: declarationPath(),
					method: 'PUT',
					body: {
						...before,
						fields: { ...before.fields, givenName: 'Sửa' },
						updatedBy: login
					}
				},
				{
					name: 'PUT the stored one retyped as a member',
					path: declarationPath(),
					method: 'PUT',
					body: { ...before, type: 'member', updatedBy: login, status: 'active' }
				},
				{
					name: 'DELETE the stored one',
					path: `${declarationPath()}?rev=${before._rev}`,
					method: 'DELETE'
				},
				{
					name: '_bulk_docs deleting it',
					path: `/${org.units.communeA.unit.db}/_bulk_docs`,
					method: 'POST',
					body: { docs: [{ _id: before._id, _rev: before._rev, _deleted: true }] }
				},
				{
					name: '_bulk_docs new_edits:false grafting a revision',
					path: `/${org.units.communeA.unit.db}/_bulk_docs`,
					method: 'POST',
					body: {
						new_edits: false,
						docs: [
							{
								...before,
								_rev: `${Number(before._rev.split('-')[0]) + 1}-${'f'.repeat(32)}`,
								_revisions: {
									start: Number(before._rev.split('-')[0]) + 1,
									ids: ['f'.repeat(32), before._rev.split('-')[1]]
								},
								state: 'withdrawn',
								updatedBy: login
							}
						]
					}
				},
				{
					name: '_bulk_docs new_edits:false planting a new one',
					path: `/${org.units.communeA.unit.db}/_bulk_docs`,
					method: 'POST',
					body: { new_edits: false, docs: [{ ...forged(actor), _rev: `1-${'e'.repeat(32)}` }] }
				}
			];
			for (const attempt of attempts) {
				const res = await couch(org.server, attempt.path, {
					method: attempt.method,
					cookie,
					...(attempt.body === undefined ? {} : { body: attempt.body })
				});
				const text = await res.text();
				// _bulk_docs answers 201 with a per-document error; a single write answers 401/403.
				const refused =
					(res.status >= 400 && res.status < 500) ||
					(res.status === 201 && /forbidden|unauthorized/.test(text));
				expectRefused(
					`${actor}: ${attempt.name} (declaration)`,
					refused,
					`HTTP ${res.status} ${text.slice(0, 200)}`
				);
			}
			const after = await storedDeclaration();
			expectRefused(`${actor}: the declaration unchanged`, after._rev === before._rev, after._rev);
			const planted = await org.server.couch.allDocs({
				db: org.units.communeA.unit.db,
				startkey: 'declaration:',
				endkey: 'declaration:\ufff0'
			});
			expectRefused(
				`${actor}: no declaration planted`,
				planted.length === 1,
				String(planted.length)
			);
		});
	}
});

describe('reviews and join links: the unit’s own secretary or deputy only', () => {
	function review(login: string, decision = 'approved') {
		const at = new Date().toISOString();
		return {
			_id: `declaration-review:${declaration._id.slice('declaration:'.length)}`,
			type: 'declaration-review',
			v: 1,
			unitId: org.units.communeA.unit.id,
			declarationId: declaration._id,
			decision,
			revision: 1,
			...(decision === 'approved' ? {} : { reason: 'Thiếu thông tin' }),
			decidedAt: at,
			decidedBy: login,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login
		};
	}

	function joinLink(login: string, id = 'join-link:unit', extra: Record<string, unknown> = {}) {
		const at = new Date().toISOString();
		return {
			_id: id,
			type: 'join-link',
			v: 1,
			unitId: org.units.communeA.unit.id,
			code: newJoinCode(),
			enabled: true,
			createdAt: at,
			createdBy: login,
			updatedAt: at,
			updatedBy: login,
			...extra
		};
	}

	const strangers: { name: string; cookie: () => string; login: () => string }[] = [
		{
			name: "the province's secretary",
			cookie: () => provinceSecretary.cookie,
			login: () => provinceSecretary.login
		},
		{
			name: "the province's admin",
			cookie: () => org.cookies.provinceAdmin,
			login: () => org.logins.provinceAdmin
		},
		{
			name: "the commune's viewer",
			cookie: () => org.cookies.viewerA,
			login: () => org.logins.viewerA
		}
	];
	for (const stranger of strangers) {
		it(`${stranger.name} can write neither a review nor a join link there`, async () => {
			const attempts = [
				{ name: 'a review', doc: review(stranger.login()) },
				{ name: 'a rejection', doc: review(stranger.login(), 'rejected') },
				{
					name: 'a new branch join link',
					doc: joinLink(stranger.login(), `join-link:${org.units.communeA.unit.id}moi`, {
						branchId: `branch:${org.units.communeA.unit.id}moi`
					})
				}
			];
			for (const attempt of attempts) {
				const res = await couch(org.server, declarationPath(attempt.doc._id), {
					method: 'PUT',
					cookie: stranger.cookie(),
					body: attempt.doc
				});
				await expectDenied(
					`${stranger.name}: PUT ${attempt.name} in a subordinate's database`,
					res
				);
			}
			// Nor rotate or disable the unit's link (the stored revision, changed).
			const current = await org.server.couch.getDoc<Record<string, unknown>>({
				db: org.units.communeA.unit.db,
				id: 'join-link:unit'
			});
			const rotate = await couch(org.server, declarationPath('join-link:unit'), {
				method: 'PUT',
				cookie: stranger.cookie(),
				body: { ...current, code: newJoinCode(), enabled: false, updatedBy: stranger.login() }
			});
			await expectDenied(`${stranger.name}: rotate the unit's join link`, rotate);
			const info = await org.server.request(`/api/join/${link.token}`);
			expect(info.status).toBe(200);
		});
	}

	it('the secretary cannot delete her join link, nor point it at another unit’s chi đoàn', async () => {
		const current = await org.server.couch.getDoc<{ _rev: string }>({
			db: org.units.communeA.unit.db,
			id: 'join-link:unit'
		});
		const del = await couch(
			org.server,
			`${declarationPath('join-link:unit')}?rev=${current!._rev}`,
			{
				method: 'DELETE',
				cookie: org.cookies.secretaryA
			}
		);
		await expectDenied('secretaryA: DELETE the join link', del);
		const foreignId = `join-link:${org.units.communeB.unit.id}x1`;
		const foreign = await couch(org.server, declarationPath(foreignId), {
			method: 'PUT',
			cookie: org.cookies.secretaryA,
			body: joinLink(org.logins.secretaryA, foreignId, {
				branchId: `branch:${org.units.communeB.unit.id}x1`
			})
		});
		await expectDenied("secretaryA: a join link for another unit's chi đoàn", foreign);
	});

	it('control: the deputy writes the review', async () => {
		const res = await couch(org.server, declarationPath(review(org.logins.deputyA)._id), {
			method: 'PUT',
			cookie: org.cookies.deputyA,
			body: review(org.logins.deputyA, 'correction-requested')
		});
		expect(res.status, await res.clone().text()).toBe(201);
	});
});

describe('the receipt index', () => {
	it('is unreachable through /couch, for anyone', async () => {
		const db = org.server.provision.names.declarations;
		const paths = [
			`/${db}`,
			`/${db}/_all_docs?include_docs=true`,
			`/${db}/receipt:${receiptHash(receipt)}`,
			`/${db}/_changes?since=0`
		];
		for (const actor of ['provinceAdmin', 'secretaryA'] as Actor[]) {
			for (const path of paths) {
				const res = await couch(org.server, path, { cookie: org.cookies[actor] });
				await expectDenied(`${actor}: GET /couch${path}`, res, { secrets: [declaration._id] });
			}
		}
		const anonymous = await couch(org.server, `/${db}/_all_docs?include_docs=true`);
		await expectDenied('anonymous: the receipt index', anonymous, { secrets: [declaration._id] });
	});
});
