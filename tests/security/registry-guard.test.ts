import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import { RETRY_LATER } from '../../server/proxy/write-guard';
import type { MemberDoc } from '../../src/lib/domain/member-schema';
import { newCitizenId, validMember } from '../support/domain-fixture';
import { startTestServer, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';

// The national citizen-id check of the /couch proxy (findings 3 and 4 of issue 9). A second unit
// pushing a member whose number is active elsewhere must be refused whatever the spelling of the
// body (JSON escapes, duplicate keys, compression, with or without new_edits, PUT); and refusals
// must not turn the push into a lookup service: invalid documents learn nothing, and valid ones
// learn the holder's name at most as often as the check endpoint would tell it.

const LIMIT = { perLogin: 5, perUnit: 8, perIp: 1000, windowMs: 60_000 };

type Row = { id?: string; ok?: boolean; error?: string; reason?: string; retry?: boolean };

let server: TestServer;
let holder: UnitRecord; // where the numbers are active
let heldName: string;
let attacker: { unit: UnitRecord; login: string; cookie: string };
let colleague: { login: string; cookie: string }; // a second secretary of the attacker's unit
const held: string[] = []; // citizen ids active in `holder`

beforeAll(async () => {
	server = await startTestServer({ registryCheckLimits: LIMIT });
	const a = await server.createUnitWithAccount({ name: 'Đoàn xã Giữ Số' });
	holder = a.unit;
	heldName = a.unit.name;
	const { cookie: holderCookie } = await server.signIn(a);
	const members = Array.from({ length: 3 }, (_, i) =>
		validMember({ unitId: holder.id, login: a.login, givenName: `Giữ${i}` })
	);
	const res = await push(holder.db, holderCookie, { docs: members });
	expect(res.status).toBe(201);
	held.push(...members.map((m) => m.citizenId!));

	const b = await server.createUnitWithAccount({ name: 'Đoàn xã Dò Số' });
	attacker = { unit: b.unit, login: b.login, cookie: (await server.signIn(b)).cookie };
	const second = await server.createAccountIn({ unitId: b.unit.id, role: 'secretary' });
	colleague = { login: second.login, cookie: (await server.signIn(second)).cookie };
});

afterAll(async () => {
	await expectAlive(server.url);
	await server?.close();
});

function push(
	db: string,
	cookie: string,
	body: unknown,
	options: { encoding?: string; raw?: Buffer | string } = {}
): Promise<Response> {
	return server.request(`/couch/${db}/_bulk_docs`, {
		method: 'POST',
		cookie,
		headers: {
			'content-type': 'application/json',
			...(options.encoding ? { 'content-encoding': options.encoding } : {})
		},
		body: (options.raw ?? JSON.stringify(body)) as BodyInit
	});
}

/** A valid member of the attacker's unit carrying `citizenId`. */
function duplicateOf(citizenId: string, login = attacker.login): MemberDoc {
	return {
		...validMember({ unitId: attacker.unit.id, login, givenName: 'Trùng' }),
		citizenId
	};
}

/** The JSON text with every `"citizenId"` key spelt with an escape. */
function escaped(value: unknown): string {
	return JSON.stringify(value).replaceAll('"citizenId"', '"citizen\\u0049d"');
}

async function stored(id: string): Promise<unknown> {
	return server.couch.getDoc({ db: attacker.unit.db, id });
}

async function rowsOf(res: Response): Promise<Row[]> {
	expect(res.status).toBeLessThan(300);
	return (await res.json()) as Row[];
}

describe('a member whose number is active elsewhere cannot be slipped past the check', () => {
	const gzip = promisify(zlib.gzip);
	const deflate = promisify(zlib.deflate);
	const brotli = promisify(zlib.brotliCompress);

	const variants: {
		name: string;
		send: (doc: MemberDoc) => Promise<Response>;
	}[] = [
		{
			name: 'escaped key "citizen\\u0049d" in _bulk_docs',
			send: (doc) =>
				push(attacker.unit.db, attacker.cookie, null, { raw: escaped({ docs: [doc] }) })
		},
		{
			name: 'escaped key in _bulk_docs with new_edits:false',
			send: (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: escaped({
						docs: [{ ...doc, _rev: '1-0123456789abcdef0123456789abcdef' }],
						new_edits: false
					})
				})
		},
		{
			name: 'escaped key, gzip body',
			send: async (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: await gzip(escaped({ docs: [doc] })),
					encoding: 'gzip'
				})
		},
		{
			name: 'escaped key, deflate body',
			send: async (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: await deflate(escaped({ docs: [doc] })),
					encoding: 'deflate'
				})
		},
		{
			name: 'escaped key, br body',
			send: async (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: await brotli(escaped({ docs: [doc] })),
					encoding: 'br'
				})
		},
		{
			name: 'escaped value and key ("\\u0030…" digits)',
			send: (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: escaped({ docs: [doc] }).replace(
						`"${doc.citizenId}"`,
						`"\\u00${doc.citizenId!.charCodeAt(0).toString(16)}${doc.citizenId!.slice(1)}"`
					)
				})
		},
		{
			name: 'duplicate key: a fresh number first, the held one last',
			send: (doc) =>
				push(attacker.unit.db, attacker.cookie, null, {
					raw: JSON.stringify({ docs: [doc] }).replace(
						'"citizenId"',
						`"citizenId":"${newCitizenId()}","citizenId"`
					)
				})
		}
	];

	for (const variant of variants) {
		it(`refuses it and stores nothing: ${variant.name}`, async () => {
			const doc = duplicateOf(held[0]!);
			const res = await variant.send(doc);
			const rows = res.status < 300 ? ((await res.json()) as Row[]) : [];
			const row = rows.find((r) => r.id === doc._id);
			const kept = await stored(doc._id);
			expectRefused(
				`registry bypass: ${variant.name}`,
				kept === undefined && (res.status >= 400 || row?.error === 'forbidden'),
				`HTTP ${res.status} ${JSON.stringify(row)} stored=${kept !== undefined}`
			);
		});
	}

	it('refuses it and stores nothing: escaped key in a document PUT', async () => {
		const doc = duplicateOf(held[0]!);
		const res = await server.request(`/couch/${attacker.unit.db}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			cookie: attacker.cookie,
			headers: { 'content-type': 'application/json' },
			body: escaped(doc)
		});
		expectRefused(
			'registry bypass: escaped key in a document PUT',
			res.status === 403 && (await stored(doc._id)) === undefined,
			`HTTP ${res.status}`
		);
	});

	it('with duplicate keys, what is stored is what was checked', async () => {
		// The held number first, a fresh one last: JSON.parse keeps the last, and so must CouchDB.
		const fresh = newCitizenId();
		const doc = duplicateOf(fresh);
		const raw = JSON.stringify({ docs: [doc] }).replace(
			'"citizenId"',
			`"citizenId":"${held[0]}","citizenId"`
		);
		const rows = await rowsOf(await push(attacker.unit.db, attacker.cookie, null, { raw }));
		expect(rows[0]).toMatchObject({ id: doc._id, ok: true });
		const kept = (await stored(doc._id)) as MemberDoc | undefined;
		expectRefused(
			'registry bypass: duplicate keys read differently by the store',
			kept?.citizenId === fresh,
			`stored citizenId ${kept?.citizenId === held[0] ? 'is the held one' : 'differs'}`
		);
	});

	it('an unparseable body is refused, not forwarded unchecked', async () => {
		const doc = duplicateOf(held[0]!);
		const raw = `${JSON.stringify({ docs: [doc] })} trailing`;
		const res = await push(attacker.unit.db, attacker.cookie, null, { raw });
		expectRefused(
			'registry bypass: body the guard cannot parse',
			res.status === 400 && (await stored(doc._id)) === undefined,
			`HTTP ${res.status}`
		);
	});
});

describe('refusals are not a citizen-id oracle', () => {
	it('invalid member documents learn nothing about who holds a number, and nothing is stored', async () => {
		// Invalid for the member schema (no gender, no ethnicity…) but enough for the design doc.
		const docs = Array.from({ length: 40 }, (_, i) => {
			const {
				gender: _g,
				ethnicCode: _e,
				provenance: _p,
				...rest
			} = duplicateOf(held[i % held.length]!);
			return rest;
		});
		const rows = await rowsOf(await push(attacker.unit.db, attacker.cookie, { docs }));
		const named = rows.filter((row) => row.reason?.includes(heldName)).length;
		const storedCount = (await Promise.all(docs.map((d) => stored(d._id)))).filter(Boolean).length;
		expectRefused(
			'registry oracle: invalid documents naming the holder',
			named === 0 && storedCount === 0 && rows.every((row) => row.error === 'forbidden'),
			`${named} named the holder, ${storedCount} stored`
		);
	});

	it('probing many numbers gets at most the limit’s worth of unit names, per account and per unit', async () => {
		const probe = async (who: { login: string; cookie: string }, count: number) => {
			const docs = Array.from({ length: count }, (_, i) =>
				duplicateOf(held[i % held.length]!, who.login)
			);
			const rows = await rowsOf(await push(attacker.unit.db, who.cookie, { docs }));
			const storedCount = (await Promise.all(docs.map((d) => stored(d._id)))).filter(
				Boolean
			).length;
			expect(storedCount).toBe(0);
			expect(rows.every((row) => row.error === 'forbidden')).toBe(true);
			return rows;
		};
		// One account, in parallel batches: at most its own limit.
		const batches = await Promise.all(Array.from({ length: 6 }, () => probe(attacker, 10)));
		const rows = batches.flat();
		const named = rows.filter((row) => row.reason?.includes(heldName)).length;
		expectRefused(
			'registry oracle: one account probing 60 numbers',
			named <= LIMIT.perLogin,
			`${named} refusals named the holder (limit ${LIMIT.perLogin})`
		);
		// Past the limit the refusal names nobody, says "later", and asks the device to send again.
		const later = rows.filter((row) => !row.reason?.includes(heldName));
		expect(later.length).toBeGreaterThan(0);
		for (const row of later) expect(row).toMatchObject({ reason: RETRY_LATER, retry: true });

		// A second account of the same unit: the unit's limit caps both together.
		const more = await probe(colleague, 20);
		const unitNamed = named + more.filter((row) => row.reason?.includes(heldName)).length;
		expectRefused(
			'registry oracle: a second account of the same unit',
			unitNamed <= LIMIT.perUnit,
			`${unitNamed} named the holder for the unit (limit ${LIMIT.perUnit})`
		);

		// The check endpoint counts against the same limit.
		const check = await server.request(`/api/registry/check?citizenId=${held[0]}`, {
			cookie: attacker.cookie
		});
		expectRefused(
			'registry oracle: the check endpoint after the push refusals used the limit',
			check.status === 429 && !!check.headers.get('retry-after'),
			`HTTP ${check.status}`
		);
	});
});
