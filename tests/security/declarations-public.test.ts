import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { loggedPath } from '../../server/http/request-log';
import { newJoinCode, newReceiptCode } from '../../src/lib/domain/declarations';
import {
	consentNow,
	createJoinLink,
	declarationApi,
	declarationFields,
	submitDeclaration,
	type JoinLink
} from '../support/declaration-fixture';
import { createProvince } from '../support/org-setup';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { rawRequest } from './support/org-fixture';

// The public declaration API (docs/decisions/0019-self-declarations.md) is the one door without an
// account: anyone on the Internet can write to it. Every attempt below is refused with a
// Vietnamese reason, stores nothing — no `declaration:` document in any unit database, no receipt
// in `doanvu_declarations` — and leaves the server answering. Each attack comes "from" its own
// address (X-Forwarded-For, trusted here) so the lowered limits of one do not stop another.

let server: TestServer;
let unit: UnitRecord;
let other: UnitRecord;
let link: JoinLink;
let otherLink: JoinLink;
let nextAddress = 1;

const LIMITS = {
	submitPerIp: 6,
	receiptPerIp: 12,
	unknownReceiptPerIp: 3,
	joinPerIp: 12,
	unknownJoinPerIp: 3,
	windowMs: 60_000,
	submitPerLink: 1000,
	linkWindowMs: 60_000,
	maxBlockMs: 60_000,
	// Refusal counts reach the audit trail within a second here (10 minutes by default).
	refusalAuditMs: 500
};

/** A fresh client address for one attack. */
function address(): Record<string, string> {
	nextAddress += 1;
	return { 'x-forwarded-for': `198.51.100.${nextAddress}` };
}

async function stored(): Promise<{ declarations: number; receipts: number }> {
	let declarations = 0;
	for (const db of [unit.db, other.db]) {
		const rows = await server.couch.allDocs({
			db,
			startkey: 'declaration:',
			endkey: 'declaration:\ufff0'
		});
		declarations += rows.length;
	}
	const receipts = (await server.couch.allDocs({ db: server.provision.names.declarations })).length;
	return { declarations, receipts };
}

/** An attempt refused with `statuses`, a Vietnamese reason, and nothing stored. */
async function refusedAndNothingStored(
	name: string,
	attempt: () => Promise<Response>,
	statuses: number[]
): Promise<Record<string, unknown>> {
	const before = await stored();
	const res = await attempt();
	await expectRefusedResponse(name, res, statuses);
	const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
	expect(typeof body.reason, name).toBe('string');
	expect(body.reason as string, name).toMatch(/[ăâđêôơưạảấầẩậắằặẹẻếềểệịọỏốồổộớờởợụủứừửựỳỷ]/i);
	const after = await stored();
	expectRefused(
		`${name}: nothing stored`,
		after.declarations === before.declarations && after.receipts === before.receipts,
		JSON.stringify({ before, after })
	);
	return body;
}

function submitBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		link: link.token,
		receipt: newReceiptCode(),
		fields: declarationFields(),
		consent: consentNow(),
		...overrides
	};
}

function post(body: unknown, headers: Record<string, string> = address()): Promise<Response> {
	return declarationApi(server, '', body, headers);
}

beforeAll(async () => {
	server = await startTestServer({ trustProxy: true, declarationLimits: LIMITS });
	const province = await createProvince(server, 'Tỉnh đoàn Cửa Công Khai');
	unit = (await server.createUnitWithAccount({ parentId: province.unit.id, name: 'Đoàn xã Cửa' }))
		.unit;
	other = (
		await server.createUnitWithAccount({ parentId: province.unit.id, name: 'Đoàn xã Bên Cạnh' })
	).unit;
	link = await createJoinLink({ server, unit });
	otherLink = await createJoinLink({ server, unit: other });
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

describe('bodies that are not a declaration', () => {
	const cases: [string, () => unknown][] = [
		['a JSON array', () => [submitBody()]],
		['a JSON string', () => '"hello"'],
		['broken JSON', () => '{"link": '],
		['the link as a number', () => submitBody({ link: 42 })],
		['the receipt as an array', () => submitBody({ receipt: ['A'] })],
		['the consent as a string', () => submitBody({ consent: 'yes' })],
		['fields as a list', () => submitBody({ fields: ['Nguyễn'] })],
		[
			'a name as a number',
			() => submitBody({ fields: declarationFields({ givenName: 5 as never }) })
		],
		[
			'a name as an object',
			() => submitBody({ fields: { ...declarationFields(), givenName: { $gt: '' } } })
		],
		['an unknown top-level key', () => submitBody({ admin: true })],
		['the unit id smuggled in', () => submitBody({ unitId: 'x', _id: 'declaration:X' })],
		[
			'a member status in the fields',
			() => submitBody({ fields: { ...declarationFields(), status: 'active' } })
		],
		[
			'a chi đoàn in the fields',
			() => submitBody({ fields: { ...declarationFields(), branchId: 'branch:x' } })
		],
		[
			'__proto__ in the fields',
			() =>
				`{"link":"${link.token}","receipt":"${newReceiptCode()}","consent":${JSON.stringify(consentNow())},"fields":{"__proto__":{"admin":true},"familyName":"Nguyễn","givenName":"Hoa"}}`
		],
		['a malformed receipt code', () => submitBody({ receipt: '../../etc' })],
		['a receipt code of 11 characters', () => submitBody({ receipt: newReceiptCode().slice(1) })]
	];
	for (const [name, body] of cases) {
		it(`${name}: 400`, async () => {
			await refusedAndNothingStored(`declaration: ${name}`, () => post(body()), [400]);
		});
	}
});

describe('field contents', () => {
	it('a name of 301 characters is refused per field', async () => {
		const body = await refusedAndNothingStored(
			'declaration: 301-character name',
			() => post(submitBody({ fields: declarationFields({ givenName: 'a'.repeat(301) }) })),
			[400]
		);
		expect(body.fields).toHaveProperty('givenName');
	});

	it('an address of 300 characters in every text field still fits no more than 16 KB', async () => {
		const long = 'Thôn Một, xã Hai, huyện Ba, tỉnh Bốn '.repeat(9).slice(0, 300);
		const fields = declarationFields({
			permanentAddress: long,
			currentAddress: long,
			hometown: long,
			joinedPlace: long,
			occupation: long,
			professionalQualification: long,
			foreignLanguage: long,
			citizenIdIssuedBy: long
		});
		// A legitimate maximal body is not refused for its size (control: the limit is not too tight).
		const res = await post(submitBody({ fields }));
		expect([201, 400]).toContain(res.status);
		expect(res.status).not.toBe(413);
	});

	it('a script in a name is refused, not stored', async () => {
		const body = await refusedAndNothingStored(
			'declaration: <script> in a name',
			() =>
				post(submitBody({ fields: declarationFields({ givenName: '<script>alert(1)</script>' }) })),
			[400]
		);
		expect(body.fields).toHaveProperty('givenName');
	});

	it('control characters in a name are refused', async () => {
		await refusedAndNothingStored(
			'declaration: control characters in a name',
			() => post(submitBody({ fields: declarationFields({ familyName: 'Nguy\u0000ễn\u0007' }) })),
			[400]
		);
	});

	const hidden: [string, string][] = [
		['NUL and bell in an address', 'Thôn\u0000 Một\u0007'],
		['a right-to-left override in an address', 'Thôn \u202eMột'],
		['an escape sequence in an address', 'Thôn \u001b[31mMột']
	];
	for (const [name, permanentAddress] of hidden) {
		it(`${name} is refused per field`, async () => {
			const body = await refusedAndNothingStored(
				`declaration: ${name}`,
				() => post(submitBody({ fields: declarationFields({ permanentAddress }) })),
				[400]
			);
			expect(body.fields).toHaveProperty('permanentAddress');
		});
	}

	it('a birth date in the future and a citizen id that does not fit are refused per field', async () => {
		const body = await refusedAndNothingStored(
			'declaration: impossible date and citizen id',
			() =>
				post(
					submitBody({
						fields: declarationFields({ birthDate: '01/01/2999', citizenId: '123' })
					})
				),
			[400]
		);
		expect(body.fields).toHaveProperty('birthDate');
	});
});

describe('consent', () => {
	const cases: [string, () => unknown][] = [
		[
			'missing',
			() => {
				const { consent: _c, ...rest } = submitBody();
				return rest;
			}
		],
		['not given', () => submitBody({ consent: { ...consentNow(), given: false } })],
		[
			'given as the string "true"',
			() => submitBody({ consent: { ...consentNow(), given: 'true' } })
		],
		[
			'an unknown text version',
			() => submitBody({ consent: { ...consentNow(), version: '1999-1' } })
		],
		['a time that is not a time', () => submitBody({ consent: { ...consentNow(), at: 'hôm qua' } })]
	];
	for (const [name, body] of cases) {
		it(`${name}: 400`, async () => {
			await refusedAndNothingStored(`declaration: consent ${name}`, () => post(body()), [400]);
		});
	}
});

describe('links that do not open', () => {
	it('a disabled link: 410, for the page and for a submission', async () => {
		const off = await createJoinLink({
			server,
			unit: other,
			secretaryCookie: otherLink.cookie,
			branchId: `branch:${other.id}tat`,
			enabled: false
		});
		const info = await server.request(`/api/join/${off.token}`, { headers: address() });
		await expectRefusedResponse('join info: disabled link', info, [410]);
		expect(await info.json()).toMatchObject({ error: 'join_link_disabled' });
		await refusedAndNothingStored(
			'declaration: disabled link',
			() => post(submitBody({ link: off.token })),
			[410]
		);
	});

	it('a rotated link: the old code answers as unknown', async () => {
		const rotating = await createJoinLink({
			server,
			unit: other,
			secretaryCookie: otherLink.cookie,
			branchId: `branch:${other.id}xoay`
		});
		await createJoinLink({
			server,
			unit: other,
			secretaryCookie: otherLink.cookie,
			branchId: `branch:${other.id}xoay`
		});
		const info = await server.request(`/api/join/${rotating.token}`, { headers: address() });
		await expectRefusedResponse('join info: rotated code', info, [404]);
		await refusedAndNothingStored(
			'declaration: rotated code',
			() => post(submitBody({ link: rotating.token })),
			[404]
		);
	});

	it('an unknown unit and an unknown code answer the same', async () => {
		const unknownUnit = await server.request(`/api/join/zzzzzzzzzzzz-${newJoinCode()}`, {
			headers: address()
		});
		const unknownCode = await server.request(`/api/join/${unit.id}-${newJoinCode()}`, {
			headers: address()
		});
		await expectRefusedResponse('join info: unknown unit', unknownUnit, [404]);
		await expectRefusedResponse('join info: unknown code', unknownCode, [404]);
		expect(await unknownUnit.json()).toEqual(await unknownCode.json());
		await refusedAndNothingStored(
			'declaration: unknown unit',
			() => post(submitBody({ link: `zzzzzzzzzzzz-${newJoinCode()}` })),
			[404]
		);
		await refusedAndNothingStored(
			'declaration: unknown code',
			() => post(submitBody({ link: `${unit.id}-${newJoinCode()}` })),
			[404]
		);
	});

	const malformed = [
		'..',
		'..%2F..%2Fdoanvu_declarations',
		'%2e%2e%2f%2e%2e',
		`${'a'.repeat(200)}-${'B'.repeat(200)}`,
		`${'x'}-%00%00`,
		`_users-0123456789`,
		`doanvu_declarations-0123456789`,
		`${'%C0%AE'.repeat(4)}`,
		`%ZZ`
	];
	for (const token of malformed) {
		it(`a malformed link ${token.slice(0, 30)}: 404 or 400, nothing said`, async () => {
			const res = await rawRequest(server, `/api/join/${token}`, { headers: address() });
			expectRefused(
				`join info: malformed ${token.slice(0, 30)}`,
				res.status === 404 || res.status === 400,
				`HTTP ${res.status}`
			);
			expect(res.body).not.toContain('doanvu_');
			await refusedAndNothingStored(
				`declaration: malformed link ${token.slice(0, 30)}`,
				() => post(submitBody({ link: decodeURIComponentSafe(token) })),
				[400, 404]
			);
		});
	}

	it('a dissolved unit: 410 with a reason, nothing stored', async () => {
		const doomed = (
			await server.createUnitWithAccount({
				parentId: unit.parentId ?? undefined,
				name: 'Đoàn xã Giải Thể'
			})
		).unit;
		const doomedLink = await createJoinLink({ server, unit: doomed });
		await server.provision.updateUnit(doomed.id, (current) => ({
			...current,
			status: 'dissolved',
			dissolvedAt: new Date().toISOString()
		}));
		const body = await refusedAndNothingStored(
			'declaration: dissolved unit',
			() => post(submitBody({ link: doomedLink.token })),
			[410]
		);
		expect(body.error).toBe('unit_closed');
		const rows = await server.couch.allDocs({
			db: doomed.db,
			startkey: 'declaration:',
			endkey: 'declaration:\ufff0'
		});
		expect(rows).toHaveLength(0);
	});
});

function decodeURIComponentSafe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

describe('size', () => {
	it('a 1 MB body: 413 from its length, nothing read', async () => {
		const huge = JSON.stringify(
			submitBody({ fields: { ...declarationFields(), permanentAddress: 'x'.repeat(1024 * 1024) } })
		);
		await refusedAndNothingStored('declaration: 1 MB body', () => post(huge), [413]);
	});

	it('a 1 MB body sent without a length (chunked): 413', async () => {
		const before = await stored();
		const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
		const res = await rawRequest(server, '/api/declarations', {
			method: 'POST',
			headers: address(),
			body: [new TextEncoder().encode('{"link":'), ...Array.from({ length: 16 }, () => chunk)]
		});
		expectRefused('declaration: 1 MB chunked body', res.status === 413, `HTTP ${res.status}`);
		expect(res.body).toContain('16 KB');
		expect(await stored()).toEqual(before);
	});

	it('17 KB on a receipt request: 413', async () => {
		await refusedAndNothingStored(
			'status: 17 KB body',
			() =>
				declarationApi(
					server,
					'/status',
					{ receipt: newReceiptCode(), pad: 'x'.repeat(17 * 1024) },
					address()
				),
			[413]
		);
	});
});

describe('what a browser of another site may not do', () => {
	it('a cross-site submission is refused', async () => {
		await refusedAndNothingStored(
			'declaration: cross-site',
			() =>
				post(submitBody(), {
					...address(),
					origin: 'https://evil.example',
					'sec-fetch-site': 'cross-site'
				}),
			[403]
		);
	});

	it('a form-encoded submission is refused', async () => {
		const res = await server.request('/api/declarations', {
			method: 'POST',
			headers: { ...address(), 'content-type': 'text/plain' },
			body: JSON.stringify(submitBody())
		});
		await expectRefusedResponse('declaration: text/plain body', res, [415]);
	});
});

describe('receipt codes', () => {
	it('the same code with other content: 409, the first declaration untouched', async () => {
		const first = await submitDeclaration({ server, token: link.token, headers: address() });
		expect(first.res.status).toBe(201);
		const body = await refusedAndNothingStored(
			'declaration: replayed receipt, other content',
			() =>
				post(
					submitBody({ receipt: first.receipt, fields: declarationFields({ givenName: 'Lan' }) })
				),
			[409]
		);
		expect(body.error).toBe('receipt_taken');
		const status = await declarationApi(server, '/status', { receipt: first.receipt }, address());
		expect(((await status.json()) as { fields: { givenName: string } }).fields.givenName).toBe(
			'Hoa'
		);
	});

	it("another unit's receipt code with this unit's link: 409, nothing delivered here", async () => {
		const theirs = await submitDeclaration({ server, token: otherLink.token, headers: address() });
		expect(theirs.res.status).toBe(201);
		await refusedAndNothingStored(
			"declaration: another unit's receipt with this link",
			() => post(submitBody({ receipt: theirs.receipt, fields: declarationFields() })),
			[409]
		);
	});

	it('guessing codes stops at the guessing limit, with a wait in Vietnamese', async () => {
		const from = address();
		const statuses: number[] = [];
		for (let i = 0; i < LIMITS.unknownReceiptPerIp + 2; i++) {
			const res = await declarationApi(server, '/status', { receipt: newReceiptCode() }, from);
			statuses.push(res.status);
			if (res.status === 429) {
				expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
				expect(((await res.json()) as { reason: string }).reason).toMatch(/thử lại sau \d+ phút/);
			}
		}
		expectRefused(
			'status: receipt guessing limit',
			statuses.slice(-1)[0] === 429,
			statuses.join(',')
		);
		expect(statuses.slice(0, LIMITS.unknownReceiptPerIp).every((s) => s === 404)).toBe(true);
		// The member's own code from the same address waits too: guessing is counted per address.
		const withdraw = await declarationApi(server, '/withdraw', { receipt: newReceiptCode() }, from);
		await expectRefusedResponse('withdraw: after the guessing limit', withdraw, [429]);
	});

	it('a known code does not count as a guess', async () => {
		const mine = await submitDeclaration({ server, token: link.token, headers: address() });
		const from = address();
		for (let i = 0; i < LIMITS.unknownReceiptPerIp + 2; i++) {
			const res = await declarationApi(server, '/status', { receipt: mine.receipt }, from);
			expect(res.status).toBe(200);
		}
	});
});

describe('floods', () => {
	it('submissions from one address stop at the limit: 429 with Retry-After', async () => {
		const from = address();
		const statuses: number[] = [];
		let last: Response | undefined;
		for (let i = 0; i < LIMITS.submitPerIp + 3; i++) {
			last = await post(
				submitBody({ fields: declarationFields({ givenName: 'a'.repeat(400) }) }),
				from
			);
			statuses.push(last.status);
		}
		expectRefused('declaration: flood from one address', last?.status === 429, statuses.join(','));
		expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(((await last!.json()) as { reason: string }).reason).toMatch(
			/Vui lòng thử lại sau \d+ phút/
		);
		// A good declaration from that address waits as well; another address is not affected.
		await refusedAndNothingStored(
			'declaration: good body during the block',
			() => post(submitBody(), from),
			[429]
		);
		const elsewhere = await post(submitBody());
		expect(elsewhere.status).toBe(201);
	});

	it('parallel submissions cannot overshoot the limit', async () => {
		const from = address();
		const answers = await Promise.all(
			Array.from({ length: 20 }, () =>
				post(submitBody({ fields: declarationFields({ givenName: '' }) }), from)
			)
		);
		const through = answers.filter((res) => res.status !== 429).length;
		expectRefused(
			'declaration: parallel flood',
			through <= LIMITS.submitPerIp,
			`${through} through`
		);
	});

	it('receipt requests from one address stop at their limit', async () => {
		const mine = await submitDeclaration({ server, token: link.token, headers: address() });
		const from = address();
		let last = 0;
		for (let i = 0; i < LIMITS.receiptPerIp + 2; i++) {
			last = (await declarationApi(server, '/status', { receipt: mine.receipt }, from)).status;
		}
		expectRefused('status: flood from one address', last === 429, `HTTP ${last}`);
	});

	it('made-up join links from one address stop at the guessing limit; a working link does not count', async () => {
		const from = address();
		const statuses: number[] = [];
		for (let i = 0; i < LIMITS.unknownJoinPerIp + 2; i++) {
			const res = await server.request(`/api/join/${unit.id}-${newJoinCode()}`, { headers: from });
			statuses.push(res.status);
		}
		expect(statuses.slice(0, LIMITS.unknownJoinPerIp).every((s) => s === 404)).toBe(true);
		expectRefused('join: link guessing limit', statuses.slice(-1)[0] === 429, statuses.join(','));
		// The unit's own link from that address waits too (guessing is counted per address)...
		const blocked = await server.request(`/api/join/${link.token}`, { headers: from });
		await expectRefusedResponse('join: working link after the guessing limit', blocked, [429]);
		expect(((await blocked.json()) as { reason: string }).reason).toMatch(/thử lại sau \d+ phút/);
		// ...while a phone opening its link again and again is not a guesser.
		const phone = address();
		for (let i = 0; i < LIMITS.unknownJoinPerIp + 2; i++) {
			const res = await server.request(`/api/join/${link.token}`, { headers: phone });
			expect(res.status).toBe(200);
		}
	});

	it('join-link look-ups from one address stop at their limit', async () => {
		const from = address();
		let last = 0;
		for (let i = 0; i < LIMITS.joinPerIp + 2; i++) {
			last = (await server.request(`/api/join/${link.token}`, { headers: from })).status;
		}
		expectRefused('join: look-up flood from one address', last === 429, `HTTP ${last}`);
	});
});

describe('what is logged', () => {
	it('the request log keeps no join code', () => {
		expect(loggedPath(`/api/join/${link.token}?x=1`)).toBe(`/api/join/${unit.id}…`);
		const [, code] = link.token.split('-');
		expect(loggedPath(`/api/join/${unit.id}%2D${code}`)).not.toContain(code);
		expect(loggedPath(`/api/join/${unit.id}-${code}/extra`)).not.toContain(code);
		expect(loggedPath('/api/declarations/status')).toBe('/api/declarations/status');
	});

	it('a refused submission is counted in the audit trail, with nothing of what was sent', async () => {
		const citizenId = `0013${String(new Date().getUTCFullYear() - 20).slice(-2)}424242`;
		const sent = submitBody({
			fields: declarationFields({
				// Refused: a script in her name; the rest is hers and must not be kept.
				givenName: 'Quỳnh<script>alert(1)</script>',
				familyName: 'Trịnh',
				citizenId,
				phone: '0966555444',
				permanentAddress: 'Thôn Đông Khê'
			})
		});
		await refusedAndNothingStored('audit: a refused submission', () => post(sent), [400]);
		const entries = async () =>
			(
				await server.couch.allDocs<{ action?: string }>({
					db: server.provision.names.audit,
					startkey: 'audit:',
					endkey: 'audit:\ufff0',
					includeDocs: true
				})
			).flatMap((row) => (row.doc ? [row.doc] : []));
		let counted = false;
		for (let i = 0; i < 200 && !counted; i++) {
			counted = (await entries()).some((entry) => entry.action === 'declaration.refused');
			if (!counted) await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(counted).toBe(true);
		const text = JSON.stringify(await entries());
		const leaked = [
			'Quỳnh',
			'Trịnh',
			citizenId,
			'0966555444',
			'<script>',
			sent.receipt as string
		].filter((secret) => text.includes(secret));
		expectRefused(
			'audit: a refused submission leaves nothing personal in the trail',
			leaked.length === 0,
			leaked.join(', ')
		);
	});
});
