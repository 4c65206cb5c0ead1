import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	issueDecisionNumber,
	type NumberingDevice,
	type RegisterLocal,
	type RegisterRemote
} from '../../src/lib/data/commands/numbering';
import { vietnamToday } from '../support/domain-fixture';
import { fakeUlid, memberDoc } from '../support/member-fixture';
import PouchDB from '../support/pouchdb-node';
import { startTestServer, type TestServer } from '../support/test-server';

// Decision numbers from two phones of one unit (the secretary's and her deputy's), each with its
// own device, local PouchDB and sign-in, against the real server: numbers claimed in blocks through
// the /couch proxy while online, issued from the phone's own blocks offline, for every kind of
// operation that carries a decision, and synced. Whatever the mix, no number of the year repeats —
// not even after a transfer took a member's history (and the decision that sent her) out of the
// unit, the demo's "01-QĐ/ĐTN" issued twice.

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.close();
});

interface Phone {
	login: string;
	local: PouchDB.Database;
	online: RegisterRemote & PouchDB.Database;
	device: (options: { offline?: boolean }) => NumberingDevice;
}

const OFFLINE: RegisterRemote = {
	get: () => Promise.reject(new TypeError('Failed to fetch')),
	put: () => Promise.reject(new TypeError('Failed to fetch'))
};

async function syncOnce(phone: Phone): Promise<void> {
	const pushed = await phone.local.replicate.to(phone.online);
	const pulled = await phone.local.replicate.from(phone.online);
	expect(pushed.doc_write_failures).toBe(0);
	expect(pulled.doc_write_failures).toBe(0);
}

/** The decisions in the unit's history as the phone holds it. */
async function decisionsOn(local: PouchDB.Database) {
	const all = await local.allDocs({
		include_docs: true,
		startkey: 'history:',
		endkey: 'history:\uffff'
	});
	return all.rows.flatMap((row) => {
		const decision = (row.doc as { decision?: { number: string; date: string } }).decision;
		return decision ? [decision] : [];
	});
}

describe('decision numbers from two phones, online and offline', () => {
	it('never repeat within the unit’s year, across operation kinds, syncs and a transfer', async () => {
		const { unit, login, password } = await server.createUnitWithAccount({
			name: 'Đoàn xã Thanh Sơn'
		});
		const deputy = await server.createAccountIn({ unitId: unit.id, role: 'deputy' });
		const today = vietnamToday();
		const year = Number(today.slice(0, 4));
		const phones: Phone[] = [];
		for (const account of [{ login, password }, deputy]) {
			const { cookie, session } = await server.signIn(account);
			const local = new PouchDB(`phone-${randomBytes(6).toString('hex')}`);
			const online = server.remoteDb({ db: unit.db, cookie }) as RegisterRemote & PouchDB.Database;
			phones.push({
				login: account.login,
				local,
				online,
				device: ({ offline }) => ({
					deviceId: session.device.id,
					login: account.login,
					local: local as unknown as RegisterLocal,
					remote: offline ? OFFLINE : online,
					decisions: () => decisionsOn(local)
				})
			});
		}
		const [a, b] = phones as [Phone, Phone];
		expect(a.device({}).deviceId).not.toBe(b.device({}).deviceId);

		// Every number handed out, in order, with the operation it went to.
		const issued: { phone: string; kind: string; number: string }[] = [];
		/** Takes a number and, as an operation does, records the decision in the member's history. */
		async function decide(options: {
			phone: Phone;
			kind: string;
			memberId: string;
			offline?: boolean;
		}): Promise<string | null> {
			const { phone } = options;
			const result = await issueDecisionNumber({
				device: phone.device({ offline: options.offline }),
				unitId: unit.id,
				year,
				issuerCode: 'ĐTN'
			});
			if (!result.ok) return null;
			issued.push({ phone: phone.login, kind: options.kind, number: result.number });
			const at = new Date().toISOString();
			await phone.local.put({
				_id: `history:${options.memberId.slice('member:'.length)}:${fakeUlid()}`,
				type: 'history',
				v: 1,
				unitId: unit.id,
				memberId: options.memberId,
				kind: options.kind,
				at: today,
				decision: {
					number: result.number,
					date: today,
					signer: 'Nguyễn Văn An',
					issuer: 'Ban Chấp hành Đoàn xã Thanh Sơn'
				},
				data: {},
				createdAt: at,
				createdBy: phone.login,
				updatedAt: at,
				updatedBy: phone.login
			});
			return result.number;
		}

		// The members, entered on phone A and synced to both.
		const members = Array.from({ length: 6 }, (_, i) =>
			memberDoc({ unitId: unit.id, login: a.login, givenName: `Hoa ${i + 1}` })
		);
		await a.local.bulkDocs(members);
		await syncOnce(a);
		await syncOnce(b);
		const [m1, m2, m3, m4, m5, m6] = members.map((m) => m._id) as [
			string,
			string,
			string,
			string,
			string,
			string
		];

		// Online: each phone claims a block from the unit's register on the server.
		expect(await decide({ phone: a, kind: 'admission', memberId: m1 })).toBe('01-QĐ/ĐTN');
		expect(await decide({ phone: b, kind: 'reward', memberId: m2 })).toBe('11-QĐ/ĐTN');

		// A transfer decision on phone A; the transfer completes on the server, whose worker takes
		// the member and her history out of the sending unit (here the server's admin does it).
		const transferNumber = await decide({ phone: a, kind: 'transfer-requested', memberId: m6 });
		expect(transferNumber).toBe('02-QĐ/ĐTN');
		await syncOnce(a);
		const leaving = await server.couch.json<{ rows: { id: string; value: { rev: string } }[] }>({
			path: `${unit.db}/_all_docs`,
			query: {
				startkey: JSON.stringify(`history:${m6.slice(7)}:`),
				endkey: JSON.stringify(`history:${m6.slice(7)}:\uffff`)
			}
		});
		const member6 = await server.couch.getDoc<{ _id: string; _rev: string }>({
			db: unit.db,
			id: m6
		});
		await server.couch.json({
			method: 'POST',
			path: `${unit.db}/_bulk_docs`,
			body: {
				docs: [
					{ _id: m6, _rev: member6!._rev, _deleted: true },
					...leaving.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true }))
				]
			}
		});
		await syncOnce(a);
		expect((await decisionsOn(a.local)).map((d) => d.number)).not.toContain('02-QĐ/ĐTN');

		// Offline, both phones work through the day: every kind of operation with a decision.
		const kinds = [
			'coming-of-age',
			'discipline',
			'removal',
			'reward',
			'branch-move',
			'stay-extended'
		];
		const targets = [m1, m2, m3, m4, m5];
		for (let i = 0; i < 8; i++) {
			await decide({ phone: a, kind: kinds[i % 6]!, memberId: targets[i % 5]!, offline: true });
			if (i < 6) {
				await decide({
					phone: b,
					kind: kinds[5 - i]!,
					memberId: targets[(i + 2) % 5]!,
					offline: true
				});
			}
		}
		// Phone A has used its ten numbers (01–10): offline it has no more and says so.
		expect(await decide({ phone: a, kind: 'reward', memberId: m3, offline: true })).toBeNull();

		// Back online: each syncs, A claims a new block above everything claimed so far.
		await syncOnce(a);
		await syncOnce(b);
		await syncOnce(a);
		expect(await decide({ phone: a, kind: 'reward', memberId: m3 })).toBe('21-QĐ/ĐTN');
		expect(await decide({ phone: b, kind: 'discipline', memberId: m4 })).toMatch(/^1\d-QĐ\/ĐTN$/);
		await syncOnce(a);
		await syncOnce(b);

		// No number handed out twice, and none twice on the server's copy of the unit either.
		const numbers = issued.map((entry) => entry.number);
		expect(numbers.filter((n, i) => numbers.indexOf(n) !== i)).toEqual([]);
		expect(numbers).toHaveLength(19);
		const onServer = await decisionsOn(b.local);
		const serverNumbers = onServer.map((d) => d.number);
		expect(serverNumbers.filter((n, i) => serverNumbers.indexOf(n) !== i)).toEqual([]);
		// Every kind took part, from both phones.
		expect(new Set(issued.map((entry) => entry.kind)).size).toBe(8);
		expect(new Set(issued.map((entry) => entry.phone))).toEqual(new Set([a.login, b.login]));
	});
});
