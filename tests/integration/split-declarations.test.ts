import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { JobView } from '../../server/workers/job-service';
import {
	declarationReviewId,
	type DeclarationDoc,
	type DeclarationView
} from '../../src/lib/domain/declarations';
import {
	consentNow,
	createJoinLink,
	declarationApi,
	declarationFields,
	nameMarker,
	submitDeclaration
} from '../support/declaration-fixture';
import { newCitizenId } from '../support/domain-fixture';
import { memberDoc } from '../support/member-fixture';
import { api, branchDoc, waitForJob } from '../support/org-api';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// A split moves a chi đoàn's members to a new unit (ADR 0028): the members' own declarations about
// them go along, so the new unit's secretary reviews them and the old unit no longer lists them;
// declarations about people who stay, stay. The chi đoàn's join link stays with the unit that gave it
// out and stops delivering; the member's receipt code finds her declaration in its new unit.

let server: TestServer;
let admin: SignedIn;
let commune: UnitRecord;
let secretary: SignedIn;

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Tách Bản Khai');
	admin = await signedIn(server, top);
	const created = await server.createUnitWithAccount({
		parentId: top.unit.id,
		name: 'Đoàn xã Hai Thôn Khai'
	});
	commune = created.unit;
	secretary = await signedIn(server, created);
});

afterAll(async () => {
	await server?.close();
});

async function put(options: {
	unit: UnitRecord;
	cookie: string;
	doc: { _id: string } & Record<string, unknown>;
}): Promise<Response> {
	return server.request(`/couch/${options.unit.db}/${encodeURIComponent(options.doc._id)}`, {
		method: 'PUT',
		cookie: options.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(options.doc)
	});
}

/** The declarations an account's phone would sync from a unit: read through /couch as that account. */
async function declarationsSeenBy(unit: UnitRecord, cookie: string): Promise<DeclarationDoc[]> {
	const query = new URLSearchParams({
		include_docs: 'true',
		startkey: JSON.stringify('declaration:'),
		endkey: JSON.stringify('declaration:\ufff0')
	});
	const res = await server.request(`/couch/${unit.db}/_all_docs?${query}`, { cookie });
	expect(res.status).toBe(200);
	const body = (await res.json()) as { rows: { doc?: DeclarationDoc }[] };
	return body.rows.flatMap((row) => (row.doc ? [row.doc] : []));
}

/** A citizen id the member form accepts for a woman born in `year` (Hà Nội, 2000s). */
function citizenIdFor(year: number): string {
	return newCitizenId(`0013${String(year % 100).padStart(2, '0')}`);
}

describe('splitting a unit with members’ declarations waiting', () => {
	it('the moved members’ declarations follow them; the new unit’s secretary approves; the old unit no longer lists them', async () => {
		const login = secretary.login;
		const year = new Date().getUTCFullYear() - 20;
		const birthDate = `${year}-03-15`;
		const moving = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Đi' });
		const staying = branchDoc({ unitId: commune.id, login, name: 'Chi đoàn Thôn Ở' });
		const leaverId = citizenIdFor(year);
		// Whole records (version 2): the write guard checks one that carries a citizen id.
		const record = {
			v: 2,
			gender: 'female',
			birthDate,
			ethnicCode: '01',
			religion: 'Không',
			nationality: 'Việt Nam',
			partyMember: false,
			provenance: { source: 'unit' }
		};
		const leaver = {
			...memberDoc({ unitId: commune.id, login, givenName: nameMarker() }),
			...record,
			branchId: moving._id,
			citizenId: leaverId
		};
		const stayer = {
			...memberDoc({ unitId: commune.id, login, givenName: nameMarker() }),
			...record,
			branchId: staying._id
		};
		for (const doc of [moving, staying, leaver, stayer]) {
			const res = await put({ unit: commune, cookie: secretary.cookie, doc });
			expect(res.status, await res.clone().text()).toBe(201);
		}
		const unitLink = await createJoinLink({
			server,
			unit: commune,
			secretaryCookie: secretary.cookie
		});
		const branchLink = await createJoinLink({
			server,
			unit: commune,
			secretaryCookie: secretary.cookie,
			branchId: moving._id
		});

		// The leaver declares through the unit's link (matched by citizen id); a newcomer through the
		// moving chi đoàn's; the stayer (matched by name and birth date) and another newcomer through
		// the unit's.
		const sent = {
			leaver: await submitDeclaration({
				server,
				token: unitLink.token,
				fields: declarationFields({ givenName: leaver.givenName, citizenId: leaverId })
			}),
			newcomerOfBranch: await submitDeclaration({
				server,
				token: branchLink.token,
				fields: declarationFields({ givenName: nameMarker() })
			}),
			stayer: await submitDeclaration({
				server,
				token: unitLink.token,
				fields: declarationFields({ givenName: stayer.givenName })
			}),
			newcomer: await submitDeclaration({
				server,
				token: unitLink.token,
				fields: declarationFields({ givenName: nameMarker() })
			})
		};
		for (const one of Object.values(sent)) expect(one.res.status).toBe(201);
		const before = await declarationsSeenBy(commune, secretary.cookie);
		const idOf = (givenName: unknown) => before.find((d) => d.fields.givenName === givenName)!._id;
		const ids = {
			leaver: idOf(leaver.givenName),
			newcomerOfBranch: idOf(sent.newcomerOfBranch.sentBody.fields!['givenName' as never]),
			stayer: idOf(stayer.givenName),
			newcomer: idOf(sent.newcomer.sentBody.fields!['givenName' as never])
		};
		// The unit asked the leaver to correct something before the split: the request moves too.
		const requested = await put({
			unit: commune,
			cookie: secretary.cookie,
			doc: review({
				unit: commune,
				declarationId: ids.leaver,
				decision: 'correction-requested',
				reason: 'Bạn ghi thêm số điện thoại giúp.',
				by: login
			})
		});
		expect(requested.status).toBe(201);

		const asked = await api<JobView>(server, `/units/${commune.id}/split`, {
			cookie: admin.cookie,
			body: { name: 'Đoàn xã Thôn Đi Khai', kind: 'doan-xa', branchIds: [moving._id] }
		});
		expect(asked.status).toBe(202);
		const job = await waitForJob(server, { cookie: admin.cookie, id: asked.body.id });
		expect(job).toMatchObject({ state: 'done' });
		const fresh = (await server.provision.getUnit(job.targetId))!;
		const newSecretary = await signedIn(
			server,
			await server.createAccountIn({ unitId: fresh.id, role: 'secretary' })
		);

		// The new unit's secretary sees the two declarations about her members, with the review.
		const inNew = await declarationsSeenBy(fresh, newSecretary.cookie);
		expect(inNew.map((d) => d._id).sort()).toEqual([ids.leaver, ids.newcomerOfBranch].sort());
		for (const doc of inNew) expect(doc.unitId).toBe(fresh.id);
		const movedReview = await server.request(
			`/couch/${fresh.db}/${encodeURIComponent(declarationReviewId(ids.leaver))}`,
			{ cookie: newSecretary.cookie }
		);
		expect(movedReview.status).toBe(200);
		// The old unit lists only the declarations of people it still holds (or nobody's yet).
		const inOld = await declarationsSeenBy(commune, secretary.cookie);
		expect(inOld.map((d) => d._id).sort()).toEqual([ids.stayer, ids.newcomer].sort());

		// The leaver corrects with her receipt code: it lands where her unit now is.
		const corrected = await declarationApi(server, '/correct', {
			receipt: sent.leaver.receipt,
			fields: declarationFields({
				givenName: leaver.givenName,
				citizenId: leaverId,
				phone: '0911222333'
			}),
			consent: consentNow()
		});
		expect(corrected.status).toBe(200);
		expect(await corrected.json()).toMatchObject({
			state: 'pending',
			revision: 2,
			unit: { id: fresh.id, name: 'Đoàn xã Thôn Đi Khai' }
		});

		// The new secretary approves it onto the moved record; the member sees it approved.
		const current = (await (
			await server.request(
				`/couch/${fresh.db}/${encodeURIComponent(declarationReviewId(ids.leaver))}`,
				{ cookie: newSecretary.cookie }
			)
		).json()) as { _rev: string; createdAt: string; createdBy: string };
		const approved = await put({
			unit: fresh,
			cookie: newSecretary.cookie,
			doc: {
				...review({
					unit: fresh,
					declarationId: ids.leaver,
					decision: 'approved',
					revision: 2,
					by: newSecretary.login,
					memberId: leaver._id
				}),
				_rev: current._rev,
				createdAt: current.createdAt,
				createdBy: current.createdBy
			}
		});
		expect(approved.status, await approved.clone().text()).toBe(201);
		const status = await declarationApi(server, '/status', { receipt: sent.leaver.receipt });
		expect(((await status.json()) as DeclarationView).state).toBe('approved');

		// The moved chi đoàn's poster no longer delivers anywhere; the old unit's own link still does.
		const viaOldPoster = await server.request(`/api/join/${branchLink.token}`);
		expect(viaOldPoster.status).toBe(410);
		expect(await viaOldPoster.json()).toMatchObject({ error: 'branch_moved' });
		const late = await submitDeclaration({ server, token: branchLink.token });
		expect(late.res.status).toBe(410);
		expect((await server.request(`/api/join/${unitLink.token}`)).status).toBe(200);
		// The job says which links stopped, and the audit trail keeps it.
		const done = (await server.audit.listFor({ type: 'unit', id: commune.id })).find(
			(entry) => entry.action === 'unit.split.done'
		);
		expect(done?.details).toMatchObject({ joinLinksLeft: [branchLink.doc._id] });
		expect(job.joinLinksLeft).toEqual([branchLink.doc._id]);
	});
});

function review(options: {
	unit: UnitRecord;
	declarationId: string;
	decision: 'approved' | 'correction-requested';
	reason?: string;
	revision?: number;
	by: string;
	memberId?: string;
}): { _id: string } & Record<string, unknown> {
	const at = new Date().toISOString();
	return {
		_id: declarationReviewId(options.declarationId),
		type: 'declaration-review',
		v: 1,
		unitId: options.unit.id,
		declarationId: options.declarationId,
		decision: options.decision,
		revision: options.revision ?? 1,
		...(options.reason ? { reason: options.reason } : {}),
		...(options.memberId ? { memberId: options.memberId } : {}),
		decidedAt: at,
		decidedBy: options.by,
		createdAt: at,
		createdBy: options.by,
		updatedAt: at,
		updatedBy: options.by
	};
}
