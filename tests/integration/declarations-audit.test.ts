import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDoc } from '../../server/audit/audit-service';
import type { UnitRecord } from '../../server/couch/provision-service';
import { DECLARATION_LIMITS } from '../../server/declarations/declaration-limits';
import type { DeclarationDoc } from '../../src/lib/domain/declarations';
import {
	consentNow,
	createJoinLink,
	declarationApi,
	declarationFields,
	nameMarker,
	submitDeclaration,
	type JoinLink
} from '../support/declaration-fixture';
import { until } from '../support/org-api';
import { createProvince } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';

// The public declaration API in the audit trail (declaration-audit.ts): every write a member makes —
// submit, correct, withdraw — is one entry in her unit's scope, naming the declaration by id, once
// however often her phone resends; refusals are counted by their code, per unit when a real link
// named one. No entry holds what she declared or her receipt code.

let server: TestServer;
let unit: UnitRecord;
let link: JoinLink;

beforeAll(async () => {
	server = await startTestServer({
		declarationLimits: { ...DECLARATION_LIMITS, refusalAuditMs: 300 }
	});
	const province = await createProvince(server, 'Tỉnh đoàn Sổ Ghi');
	unit = (
		await server.createUnitWithAccount({ parentId: province.unit.id, name: 'Đoàn xã Sổ Ghi' })
	).unit;
	link = await createJoinLink({ server, unit });
});

afterAll(async () => {
	await server?.close();
});

async function trail(): Promise<AuditDoc[]> {
	const rows = await server.couch.allDocs<AuditDoc>({
		db: server.provision.names.audit,
		startkey: 'audit:',
		endkey: 'audit:\ufff0',
		includeDocs: true
	});
	return rows.flatMap((row) => (row.doc ? [row.doc] : []));
}

const ofDeclaration = (entries: AuditDoc[], id: string) =>
	entries.filter((entry) => entry.details?.declarationId === id);

describe('a member’s writes', () => {
	it('submit, resend, correct twice the same, withdraw: one entry each, in the unit’s scope, nothing personal', async () => {
		const given = nameMarker();
		const fields = declarationFields({ givenName: given, phone: '0977123456' });
		const sent = await submitDeclaration({ server, token: link.token, fields });
		expect(sent.res.status).toBe(201);
		const declaration = (
			await server.couch.allDocs<DeclarationDoc>({
				db: unit.db,
				startkey: 'declaration:',
				endkey: 'declaration:\ufff0',
				includeDocs: true
			})
		)
			.flatMap((row) => (row.doc ? [row.doc] : []))
			.find((doc) => doc.fields.givenName === given)!;
		// Her phone never got the answer and sends it again.
		expect((await declarationApi(server, '', sent.sentBody)).status).toBe(200);
		const correction = {
			receipt: sent.receipt,
			fields: declarationFields({ givenName: given, phone: '0977123457' }),
			consent: consentNow()
		};
		expect((await declarationApi(server, '/correct', correction)).status).toBe(200);
		expect((await declarationApi(server, '/correct', correction)).status).toBe(200);
		expect((await declarationApi(server, '/withdraw', { receipt: sent.receipt })).status).toBe(200);

		const entries = ofDeclaration(await trail(), declaration._id);
		expect(entries.map((entry) => [entry.action, entry.details?.revision])).toEqual([
			['declaration.submit', 1],
			['declaration.correct', 2],
			['declaration.withdraw', 2]
		]);
		for (const entry of entries) {
			expect(entry.target).toEqual({ type: 'unit', id: unit.id });
			expect(entry.actor).toBe('khai-cong-khai');
		}
		expect(entries[0]?.details).toEqual({
			declarationId: declaration._id,
			revision: 1,
			joinLinkId: 'join-link:unit'
		});
		const text = JSON.stringify(entries);
		for (const secret of [given, '0977123456', '0977123457', sent.receipt]) {
			expect(text).not.toContain(secret);
		}
	});
});

describe('refusals', () => {
	it('are counted by code: in the unit when a real link named it, for the API otherwise', async () => {
		const paused = await createJoinLink({ server, unit, enabled: false });
		const given = nameMarker();
		// A paused link (the unit is known), twice; a field the form refuses (no unit believed yet).
		for (let i = 0; i < 2; i++) {
			const res = await submitDeclaration({
				server,
				token: paused.token,
				fields: declarationFields({ givenName: given })
			});
			expect(res.res.status).toBe(410);
		}
		const invalid = await submitDeclaration({
			server,
			token: link.token,
			fields: declarationFields({ givenName: given, birthDate: '31/02/2001' })
		});
		expect(invalid.res.status).toBe(400);
		const invalidCode = String(invalid.body.error);

		const counted = await until(
			async () => {
				const entries = (await trail()).filter((e) => e.action === 'declaration.refused');
				const inUnit = entries.find((e) => e.target.id === unit.id);
				const publicOnes = entries.find((e) => e.target.type === 'public');
				return inUnit && publicOnes ? { inUnit, publicOnes } : undefined;
			},
			{ ms: 10_000, what: 'the refusal counts' }
		);
		expect(counted.inUnit.details?.refused).toEqual({ join_link_disabled: 2 });
		expect(counted.publicOnes.details?.refused).toMatchObject({ [invalidCode]: 1 });
		expect(JSON.stringify(counted)).not.toContain(given);
	});
});
