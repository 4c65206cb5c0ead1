import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { newCitizenId, validMember } from '../support/domain-fixture';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { couch, startOrg, type Actor, type Org } from './support/org-fixture';

// The registry's batch look-up for a member import (POST /api/registry/clashes): it answers, of
// the numbers a caller sends, only which are on the rolls in another unit and that unit's name —
// never the member's record, never a number the caller did not send, never the caller's own unit's
// members; it is for accounts that import (not viewers, not strangers), takes only a strict list of
// 12-digit numbers of bounded size, and is braked by distinct numbers a day per account and per unit
// and by requests, so it cannot become a faster way to find where people are active.

let org: Org;
/** Members of commune B on the rolls (claimed in the registry through the /couch proxy). */
let heldByB: MemberDoc[];
/** A member of commune A itself. */
let ownOfA: MemberDoc;

const LIMITS = {
	idsPerAccount: 300,
	idsPerUnit: 400,
	windowMs: 60 * 60_000,
	requestsPerAccount: 12,
	requestWindowMs: 60 * 60_000
};

async function store(actor: Actor, docs: MemberDoc[]): Promise<void> {
	const unit = org.units[org.homes[actor]].unit;
	const res = await couch(org.server, `/${unit.db}/_bulk_docs`, {
		cookie: org.cookies[actor],
		method: 'POST',
		body: { docs }
	});
	const results = (await res.json()) as { error?: string }[];
	if (res.status !== 201 || results.some((r) => r.error)) {
		throw new Error(`seeding ${unit.db}: ${res.status} ${JSON.stringify(results)}`);
	}
}

beforeAll(async () => {
	org = await startOrg({ registryClashLimits: LIMITS });
	const b = org.units.communeB.unit;
	heldByB = ['Bình', 'Cúc', 'Dũng'].map((givenName) =>
		validMember({ unitId: b.id, login: org.logins.secretaryB, givenName })
	);
	await store('secretaryB', heldByB);
	ownOfA = validMember({
		unitId: org.units.communeA.unit.id,
		login: org.logins.secretaryA,
		givenName: 'An'
	});
	await store('secretaryA', [ownOfA]);
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function ask(actor: Actor | null, body: unknown, raw = false): Promise<Response> {
	return org.server.request('/api/registry/clashes', {
		method: 'POST',
		cookie: actor ? org.cookies[actor] : undefined,
		headers: { 'content-type': 'application/json' },
		body: raw ? (body as string) : JSON.stringify(body)
	});
}

function fresh(count: number): string[] {
	return Array.from({ length: count }, () => newCitizenId());
}

describe('POST /api/registry/clashes', () => {
	it('control: names the other unit for its numbers only, and nothing else of the person', async () => {
		const asked = [heldByB[0]!.citizenId!, heldByB[1]!.citizenId!, ownOfA.citizenId!, ...fresh(5)];
		const res = await ask('secretaryA', { citizenIds: asked });
		expect(res.status).toBe(200);
		const text = await res.text();
		const body = JSON.parse(text) as { clashes: { citizenId: string; unitName: string }[] };
		expect(body.clashes.sort((x, y) => x.citizenId.localeCompare(y.citizenId))).toEqual(
			[heldByB[0]!, heldByB[1]!]
				.map((m) => ({ citizenId: m.citizenId!, unitName: org.units.communeB.unit.name }))
				.sort((x, y) => x.citizenId.localeCompare(y.citizenId))
		);
		// A number of B the caller did not send is never in the answer.
		expectRefused('a number not sent is not revealed', !text.includes(heldByB[2]!.citizenId!));
		// Nothing of B's record: no member id, name, birth date, unit id.
		for (const [what, value] of [
			['member id', heldByB[0]!._id],
			['given name', heldByB[0]!.givenName],
			['family name', heldByB[0]!.familyName],
			['birth date', heldByB[0]!.birthDate],
			['unit id', org.units.communeB.unit.id]
		] as const) {
			expectRefused(
				`the answer carries no ${what} of the other unit's member`,
				!text.includes(value)
			);
		}
		// The caller's own member is not a clash, and its unit is not named to itself.
		expectRefused('own member not named', !text.includes(ownOfA.citizenId!));
	});

	it('the audit trail records who asked how many, never the numbers', async () => {
		const entries = await org.server.audit.listFor({
			type: 'unit',
			id: org.units.communeA.unit.id
		});
		const batch = entries.filter((e) => e.action === 'registry.clashes');
		expect(batch.length).toBeGreaterThan(0);
		expect(batch[0]).toMatchObject({
			actor: org.logins.secretaryA,
			details: { asked: 8, clashes: 2 }
		});
		expectRefused('no citizen id in the audit', !JSON.stringify(batch).match(/\d{12}/));
	});

	it('refuses strangers, stale cookies and viewers', async () => {
		const wanted = { citizenIds: [heldByB[0]!.citizenId!] };
		await expectRefusedResponse('clashes without a session', await ask(null, wanted), [401]);
		const forged = await org.server.request('/api/registry/clashes', {
			method: 'POST',
			cookie: 'doanvu_device=forged.value',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(wanted)
		});
		await expectRefusedResponse('clashes with a forged cookie', forged, [401]);
		const viewer = await ask('viewerA', wanted);
		await expectRefusedResponse('clashes by a viewer (viewers do not import)', viewer, [403]);
	});

	it('refuses malformed bodies before asking the registry', async () => {
		const held = heldByB[0]!.citizenId!;
		const bodies: [string, unknown, boolean?][] = [
			['not JSON', '{"citizenIds": [', true],
			['no list', {}],
			['a string instead of a list', { citizenIds: held }],
			['numbers instead of text', { citizenIds: [Number(held)] }],
			['an 11-digit number', { citizenIds: [held.slice(1)] }],
			['a 13-digit number', { citizenIds: [`${held}0`] }],
			['spaces in a number', { citizenIds: [` ${held}`] }],
			['a pattern for many numbers', { citizenIds: ['0252010*****'] }],
			['an empty list', { citizenIds: [] }],
			['an object in the list', { citizenIds: [{ $gt: '' }] }],
			[
				'an unknown field (another unit)',
				{ citizenIds: [held], unitId: org.units.communeB.unit.id }
			],
			['an unknown field (details)', { citizenIds: [held], include: ['memberId', 'name'] }],
			['a list at the top', [held], false],
			['null', null]
		];
		for (const [name, body, raw] of bodies) {
			const res = await ask('secretaryA', body, raw ?? false);
			await expectRefusedResponse(`clashes: ${name}`, res, [400, 415, 422]);
			const text = await res.text();
			expectRefused(`clashes: ${name} names nobody`, !text.includes(org.units.communeB.unit.name));
		}
	});

	it('refuses more than 5,000 numbers and bodies larger than a list of them', async () => {
		const many = await ask('secretaryA', { citizenIds: fresh(5_001) });
		await expectRefusedResponse('clashes: 5,001 numbers', many, [413, 422]);
		const padded = `{"citizenIds":["${heldByB[0]!.citizenId!}"],"pad":"${'x'.repeat(200_000)}"}`;
		await expectRefusedResponse(
			'clashes: a 200 kB body',
			await ask('secretaryA', padded, true),
			[413]
		);
	});

	it('brakes by distinct numbers per account, counting a number asked again only once', async () => {
		const first = fresh(LIMITS.idsPerAccount);
		expect((await ask('schoolSecretary', { citizenIds: first })).status).toBe(200);
		// The same file checked again (a fixed row, a second preview) costs nothing more.
		expect((await ask('schoolSecretary', { citizenIds: first.slice(0, 200) })).status).toBe(200);
		const over = await ask('schoolSecretary', { citizenIds: [heldByB[0]!.citizenId!] });
		await expectRefusedResponse('clashes past the account’s daily numbers', over, [429]);
		expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
		expectRefused(
			'a braked answer names nobody',
			!(await over.text()).includes(org.units.communeB.unit.name)
		);
	});

	it('brakes by distinct numbers per unit, whichever of its accounts asks', async () => {
		const school = org.units.school.unit.id;
		const deputy = await org.server.createAccountIn({ unitId: school, role: 'deputy' });
		const { cookie } = await org.server.signIn(deputy);
		const send = (citizenIds: string[]) =>
			org.server.request('/api/registry/clashes', {
				method: 'POST',
				cookie,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ citizenIds })
			});
		// The school's secretary spent 300 of the unit's 400 above.
		expect((await send(fresh(LIMITS.idsPerUnit - LIMITS.idsPerAccount))).status).toBe(200);
		await expectRefusedResponse(
			'clashes past the unit’s daily numbers',
			await send(fresh(1)),
			[429]
		);
	});

	it('brakes by requests per account', async () => {
		const same = [heldByB[2]!.citizenId!];
		for (let i = 0; i < LIMITS.requestsPerAccount; i++) {
			expect((await ask('deputyA', { citizenIds: same })).status).toBe(200);
		}
		await expectRefusedResponse(
			'clashes past the account’s requests',
			await ask('deputyA', { citizenIds: same }),
			[429]
		);
	});
});
