import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { receiptHash } from '../../server/declarations/receipt-index';
import {
	CURRENT_CONSENT_VERSION,
	declarationReviewId,
	newReceiptCode,
	type DeclarationDoc,
	type DeclarationView,
	type JoinLinkInfo
} from '../../src/lib/domain/declarations';
import {
	consentNow,
	createJoinLink,
	declarationApi,
	declarationFields,
	nameMarker,
	submitDeclaration,
	type JoinLink
} from '../support/declaration-fixture';
import { api, waitForJob } from '../support/org-api';
import { createProvince, signedIn, type SignedIn } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// Members' own declarations through the public API (docs/decisions/0019-self-declarations.md),
// against the real server: the unit's secretary writes a join link through /couch; a member with no
// account submits, resends, looks up, corrects and withdraws with her receipt code; the unit's
// review, written by the secretary through /couch, decides what the member sees.

let server: TestServer;
let province: UnitRecord;
let commune: UnitRecord;
let secretary: SignedIn;
let provinceAdmin: SignedIn;
let link: JoinLink;

async function declarationsIn(unit: UnitRecord): Promise<DeclarationDoc[]> {
	const rows = await server.couch.allDocs<DeclarationDoc>({
		db: unit.db,
		startkey: 'declaration:',
		endkey: 'declaration:\ufff0',
		includeDocs: true
	});
	return rows.flatMap((row) => (row.doc ? [row.doc] : []));
}

async function writeReview(options: {
	declarationId: string;
	decision: 'approved' | 'rejected' | 'correction-requested';
	revision: number;
	reason?: string;
}): Promise<Response> {
	const id = declarationReviewId(options.declarationId);
	const path = `/couch/${commune.db}/${encodeURIComponent(id)}`;
	const current = await server.request(path, { cookie: secretary.cookie });
	const before = current.ok
		? ((await current.json()) as { _rev: string; createdAt: string })
		: undefined;
	const at = new Date().toISOString();
	return server.request(path, {
		method: 'PUT',
		cookie: secretary.cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			_id: id,
			...(before ? { _rev: before._rev } : {}),
			type: 'declaration-review',
			v: 1,
			unitId: commune.id,
			declarationId: options.declarationId,
			decision: options.decision,
			revision: options.revision,
			...(options.reason ? { reason: options.reason } : {}),
			decidedAt: at,
			decidedBy: secretary.login,
			createdAt: before?.createdAt ?? at,
			createdBy: secretary.login,
			updatedAt: at,
			updatedBy: secretary.login
		})
	});
}

beforeAll(async () => {
	server = await startTestServer();
	const top = await createProvince(server, 'Tỉnh đoàn Khai Báo');
	province = top.unit;
	provinceAdmin = await signedIn(server, top);
	const created = await server.createUnitWithAccount({
		parentId: province.id,
		name: 'Đoàn xã Khai Báo'
	});
	commune = created.unit;
	secretary = await signedIn(server, created);
	link = await createJoinLink({ server, unit: commune, secretaryCookie: secretary.cookie });
});

afterAll(async () => {
	await server?.close();
});

describe('a join link', () => {
	it('tells the member which unit she declares to and which consent text to show', async () => {
		const res = await server.request(`/api/join/${link.token}`);
		expect(res.status).toBe(200);
		const info = (await res.json()) as JoinLinkInfo;
		expect(info).toEqual({
			unit: { id: commune.id, name: 'Đoàn xã Khai Báo' },
			consentVersion: CURRENT_CONSENT_VERSION
		});
	});

	it('is read in any case and with the dashes people type', async () => {
		const [unitId, code] = link.token.split('-') as [string, string];
		const typed = `${unitId.toUpperCase()}-${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`;
		const res = await server.request(`/api/join/${typed}`);
		expect(res.status).toBe(200);
	});
});

describe('a declaration from submission to decision', () => {
	let receipt: string;
	let declarationId: string;
	const given = nameMarker();

	it('lands in the unit database as the server, with consent and normalised fields', async () => {
		// Typed with a decomposed "ơ" (NFD, as some keyboards send it) and in lower case.
		const fields = declarationFields({
			familyName: 'nguye\u0302\u0303n',
			givenName: given,
			middleName: 'tho\u031b'
		});
		const consent = consentNow();
		const sent = await submitDeclaration({ server, token: link.token, fields, consent });
		receipt = sent.receipt;
		expect(sent.res.status).toBe(201);
		const view = sent.body as unknown as DeclarationView;
		expect(view.state).toBe('pending');
		expect(view.revision).toBe(1);
		expect(view.unit).toEqual({ id: commune.id, name: 'Đoàn xã Khai Báo' });
		expect(view.receipt.replace(/-/g, '')).toBe(receipt);

		const docs = await declarationsIn(commune);
		const doc = docs.find((d) => d.fields.givenName === given);
		expect(doc).toBeDefined();
		declarationId = doc!._id;
		expect(doc!.fields.familyName).toBe('Nguyễn');
		expect(doc!.fields.familyName).toBe('Nguyễn'.normalize('NFC'));
		expect(doc!.fields.middleName).toBe('Thơ');
		expect(doc!.consent).toEqual({ version: CURRENT_CONSENT_VERSION, given: true, at: consent.at });
		expect(doc).toMatchObject({
			type: 'declaration',
			unitId: commune.id,
			joinLinkId: 'join-link:unit',
			revision: 1,
			state: 'submitted',
			createdBy: 'doanvu-server',
			updatedBy: 'doanvu-server'
		});
		const index = await server.couch.getDoc<{ unitId: string; declarationId: string }>({
			db: server.provision.names.declarations,
			id: `receipt:${receiptHash(receipt)}`
		});
		expect(index).toMatchObject({ unitId: commune.id, declarationId });
		// The index holds no personal data and not the code itself.
		expect(JSON.stringify(index)).not.toContain(given);
		expect(JSON.stringify(index)).not.toContain(receipt);
	});

	it('an identical resend answers 200 with the same declaration, and stores nothing new', async () => {
		const doc = (await declarationsIn(commune)).find((d) => d._id === declarationId)!;
		const res = await declarationApi(server, '', {
			link: link.token,
			receipt,
			fields: declarationFields({
				familyName: 'nguye\u0302\u0303n',
				givenName: given,
				middleName: 'tho\u031b'
			}),
			consent: doc.consent
		});
		expect(res.status).toBe(200);
		const view = (await res.json()) as DeclarationView;
		expect(view.state).toBe('pending');
		const same = (await declarationsIn(commune)).filter((d) => d.fields.givenName === given);
		expect(same.map((d) => d._id)).toEqual([declarationId]);
	});

	it('status answers with the receipt code, typed with dashes and in lower case', async () => {
		const typed = `${receipt.slice(0, 4)}-${receipt.slice(4, 8)}-${receipt.slice(8)}`.toLowerCase();
		const res = await declarationApi(server, '/status', { receipt: typed });
		expect(res.status).toBe(200);
		const view = (await res.json()) as DeclarationView;
		expect(view).toMatchObject({ state: 'pending', revision: 1 });
		expect(view.fields.givenName).toBe(given);
	});

	it('a correction makes revision 2; sent twice, still revision 2', async () => {
		const body = {
			receipt,
			fields: declarationFields({ givenName: given, phone: '0987654321' }),
			consent: consentNow()
		};
		const res = await declarationApi(server, '/correct', body);
		expect(res.status).toBe(200);
		const view = (await res.json()) as DeclarationView;
		expect(view).toMatchObject({ state: 'pending', revision: 2 });
		expect(view.correctedAt).toBeTruthy();
		expect(view.fields.phone).toBe('0987654321');
		const again = await declarationApi(server, '/correct', body);
		expect(((await again.json()) as DeclarationView).revision).toBe(2);
		const doc = (await declarationsIn(commune)).find((d) => d._id === declarationId)!;
		expect(doc.revision).toBe(2);
		expect(doc.fields.phone).toBe('0987654321');
	});

	it('a correction request shows its reason; the member corrects and it is pending again', async () => {
		const review = await writeReview({
			declarationId,
			decision: 'correction-requested',
			revision: 2,
			reason: 'Ngày sinh chưa khớp với CCCD, bạn kiểm tra lại giúp.'
		});
		expect(review.status).toBe(201);
		const status = await declarationApi(server, '/status', { receipt });
		expect(await status.json()).toMatchObject({
			state: 'correction-requested',
			reason: 'Ngày sinh chưa khớp với CCCD, bạn kiểm tra lại giúp.'
		});
		const corrected = await declarationApi(server, '/correct', {
			receipt,
			fields: declarationFields({ givenName: given, phone: '0987654322' }),
			consent: consentNow()
		});
		expect(corrected.status).toBe(200);
		expect(await corrected.json()).toMatchObject({ state: 'pending', revision: 3 });
	});

	it('once approved, the member sees it approved and can neither correct nor withdraw', async () => {
		const review = await writeReview({ declarationId, decision: 'approved', revision: 3 });
		expect(review.status).toBe(201);
		const status = await declarationApi(server, '/status', { receipt });
		const view = (await status.json()) as DeclarationView;
		expect(view.state).toBe('approved');
		expect(view.decidedAt).toBeTruthy();
		const correct = await declarationApi(server, '/correct', {
			receipt,
			fields: declarationFields({ givenName: given, phone: '0987654323' }),
			consent: consentNow()
		});
		expect(correct.status).toBe(409);
		expect(await correct.json()).toMatchObject({ error: 'declaration_closed' });
		const withdraw = await declarationApi(server, '/withdraw', { receipt });
		expect(withdraw.status).toBe(409);
		const doc = (await declarationsIn(commune)).find((d) => d._id === declarationId)!;
		expect(doc).toMatchObject({ revision: 3, state: 'submitted' });
	});

	it('an approval stands: the secretary cannot turn it into a rejection', async () => {
		const res = await writeReview({
			declarationId,
			decision: 'rejected',
			revision: 3,
			reason: 'Đổi ý'
		});
		expect(res.status).toBe(403);
	});
});

describe('withdrawing', () => {
	it('marks the declaration withdrawn, keeps it, and closes it to corrections', async () => {
		const sent = await submitDeclaration({
			server,
			token: link.token,
			fields: declarationFields({ givenName: nameMarker() })
		});
		expect(sent.res.status).toBe(201);
		const res = await declarationApi(server, '/withdraw', { receipt: sent.receipt });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ state: 'withdrawn' });
		// Sent again after a lost answer: the same answer, not an error.
		const again = await declarationApi(server, '/withdraw', { receipt: sent.receipt });
		expect(again.status).toBe(200);
		const correct = await declarationApi(server, '/correct', {
			receipt: sent.receipt,
			fields: declarationFields(),
			consent: consentNow()
		});
		expect(correct.status).toBe(409);
		const status = await declarationApi(server, '/status', { receipt: sent.receipt });
		expect(await status.json()).toMatchObject({ state: 'withdrawn' });
	});
});

describe('a chi đoàn link', () => {
	it('delivers into the unit database with the chi đoàn named', async () => {
		const branchId = `branch:${commune.id}chidoan1`;
		const branch = await server.request(`/couch/${commune.db}/${encodeURIComponent(branchId)}`, {
			method: 'PUT',
			cookie: secretary.cookie,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				_id: branchId,
				type: 'branch',
				v: 1,
				unitId: commune.id,
				name: 'Chi đoàn Thôn 1',
				kind: 'khu-dan-cu',
				status: 'active',
				createdAt: new Date().toISOString(),
				createdBy: secretary.login,
				updatedAt: new Date().toISOString(),
				updatedBy: secretary.login
			})
		});
		expect(branch.status, await branch.clone().text()).toBe(201);
		const branchLink = await createJoinLink({
			server,
			unit: commune,
			secretaryCookie: secretary.cookie,
			branchId
		});
		const info = (await (
			await server.request(`/api/join/${branchLink.token}`)
		).json()) as JoinLinkInfo;
		expect(info.branch).toEqual({ id: branchId, name: 'Chi đoàn Thôn 1' });
		const sent = await submitDeclaration({ server, token: branchLink.token });
		expect(sent.res.status).toBe(201);
		expect(sent.body).toMatchObject({ branch: { id: branchId, name: 'Chi đoàn Thôn 1' } });
		const doc = (await declarationsIn(commune)).find((d) => d.joinLinkId !== 'join-link:unit');
		expect(doc).toMatchObject({ branchId, joinLinkId: branchLink.doc._id });
	});
});

describe('resends that must not duplicate', () => {
	it('three identical submissions at once: one declaration, one 201', async () => {
		const given = nameMarker();
		const body = {
			link: link.token,
			receipt: newReceiptCode(),
			fields: declarationFields({ givenName: given }),
			consent: consentNow()
		};
		const answers = await Promise.all([1, 2, 3].map(() => declarationApi(server, '', body)));
		const statuses = answers.map((res) => res.status).sort();
		expect(statuses).toEqual([200, 200, 201]);
		const docs = (await declarationsIn(commune)).filter((d) => d.fields.givenName === given);
		expect(docs).toHaveLength(1);
	});

	it('a resend after the server stopped between the declaration and its receipt', async () => {
		const given = nameMarker();
		const body = {
			link: link.token,
			receipt: newReceiptCode(),
			fields: declarationFields({ givenName: given }),
			consent: consentNow()
		};
		expect((await declarationApi(server, '', body)).status).toBe(201);
		// The state a crash after the first write leaves: the declaration stored, no receipt.
		const db = server.provision.names.declarations;
		const id = `receipt:${receiptHash(body.receipt)}`;
		const entry = await server.couch.getDoc({ db, id });
		await server.couch.request({
			method: 'DELETE',
			path: `${db}/${encodeURIComponent(id)}`,
			query: { rev: entry!._rev }
		});
		const lost = await declarationApi(server, '/status', { receipt: body.receipt });
		expect(lost.status).toBe(404);

		const resent = await declarationApi(server, '', body);
		expect(resent.status).toBe(200);
		expect(await resent.json()).toMatchObject({ state: 'pending', revision: 1 });
		const docs = (await declarationsIn(commune)).filter((d) => d.fields.givenName === given);
		expect(docs).toHaveLength(1);
		const found = await declarationApi(server, '/status', { receipt: body.receipt });
		expect(found.status).toBe(200);
		// The same code with other content is still refused once the receipt is back.
		const other = await declarationApi(server, '', {
			...body,
			fields: declarationFields({ givenName: nameMarker() })
		});
		expect(other.status).toBe(409);
	});
});

describe('a merged unit', () => {
	it("its declarations follow its members; its links stop; the survivor's review is what she sees", async () => {
		const away = await server.createUnitWithAccount({ parentId: province.id, name: 'Đoàn xã Cũ' });
		const stays = await server.createUnitWithAccount({
			parentId: province.id,
			name: 'Đoàn xã Mới'
		});
		const awayLink = await createJoinLink({ server, unit: away.unit });
		const given = nameMarker();
		const sent = await submitDeclaration({
			server,
			token: awayLink.token,
			fields: declarationFields({ givenName: given })
		});
		expect(sent.res.status).toBe(201);
		const merge = await api<{ id: string }>(server, `/units/${away.unit.id}/merge`, {
			cookie: provinceAdmin.cookie,
			body: { intoId: stays.unit.id }
		});
		expect(merge.status).toBe(202);
		const job = await waitForJob(server, { cookie: provinceAdmin.cookie, id: merge.body.id });
		expect(job).toMatchObject({ state: 'done' });

		// The link of a unit that no longer exists: refused with a reason, not delivered anywhere.
		const info = await server.request(`/api/join/${awayLink.token}`);
		expect(info.status).toBe(410);
		expect(await info.json()).toMatchObject({ error: 'unit_closed' });
		const late = await submitDeclaration({ server, token: awayLink.token });
		expect(late.res.status).toBe(410);
		// Her phone resending the declaration it sent before the merge still gets its answer.
		const resent = await declarationApi(server, '', sent.sentBody);
		expect(resent.status).toBe(200);
		// Join links stay with their unit: the survivor got none of the merged unit's.
		expect(await server.couch.getDoc({ db: stays.unit.db, id: 'join-link:unit' })).toBeUndefined();

		const copy = (await declarationsIn(stays.unit)).find((d) => d.fields.givenName === given);
		expect(copy).toMatchObject({ unitId: stays.unit.id });
		const status = await declarationApi(server, '/status', { receipt: sent.receipt });
		expect(await status.json()).toMatchObject({
			state: 'pending',
			unit: { id: stays.unit.id, name: 'Đoàn xã Mới' }
		});
		// A correction lands in the survivor's copy, where its secretary reviews it.
		const corrected = await declarationApi(server, '/correct', {
			receipt: sent.receipt,
			fields: declarationFields({ givenName: given, phone: '0911222333' }),
			consent: consentNow()
		});
		expect(corrected.status).toBe(200);
		const after = await server.couch.getDoc<DeclarationDoc>({ db: stays.unit.db, id: copy!._id });
		expect(after).toMatchObject({ revision: 2 });
	});
});

describe('a receipt code is unknown until used', () => {
	it('answers 404 for a code never submitted', async () => {
		const res = await declarationApi(server, '/status', { receipt: newReceiptCode() });
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ error: 'declaration_unknown' });
	});
});
