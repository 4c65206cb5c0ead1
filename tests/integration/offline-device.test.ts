import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addMember, updateMember } from '../../src/lib/data/commands/members';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { searchMembers } from '../../src/lib/data/queries/members';
import { countPending } from '../../src/lib/data/sync/outbox';
import { destroyLocalDbs } from '../../src/lib/data/store/pouch';
import { todayIso } from '../../src/lib/domain/dates';
import { startTestServer, type TestServer } from '../support/test-server';
import { seedActiveMembers } from '../support/member-fixture';
import { startPhoneSync, until } from '../support/phone-sync';

// An old device: a secretary syncs once, then works 60 days without signal — 300 members added and
// 200 of them completed later (each edit a member document and its history entry), while her
// deputy adds 20 members on the server. When the signal returns, the same session syncs (the
// device cookie lives 400 days and the server does not age devices out: docs/data-layer.md,
// "Storage") and nothing is lost either way.

const DAY = 24 * 60 * 60 * 1000;
const ADDED = 300;
const EDITED = 200;

let server: TestServer;
let unit: { id: string; db: string };
let login: string;
let cookie: string;

beforeAll(async () => {
	server = await startTestServer();
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Nậm Cắn' });
	unit = created.unit;
	login = created.login;
	await seedActiveMembers(server, { unit, seed: 60, count: 150 });
	cookie = (await server.signIn({ login, password: created.password })).cookie;
});

afterAll(async () => {
	vi.useRealTimers();
	await destroyLocalDbs([unit.db]);
	await server?.close();
});

/** 0 → 'aa', 27 → 'bb': names are letters only. */
function letters(n: number): string {
	const a = 'a'.charCodeAt(0);
	return String.fromCharCode(a + (Math.floor(n / 26) % 26), a + (n % 26));
}

function newMember(n: number) {
	return {
		familyName: 'Lò',
		middleName: 'Văn',
		givenName: `Thử${letters(n)}`,
		gender: n % 2 ? 'male' : 'female',
		birthDate: '10/10/2004',
		ethnicCode: '03',
		religion: 'Không',
		generalEducation: '9/12',
		partyMember: false
	};
}

describe('a device offline for 60 days', () => {
	it('syncs its 500 changes and the server’s without losing any', async () => {
		const first = startPhoneSync({ server, db: unit.db, cookie });
		await until(first.idle, 60_000);
		first.handle.stop();

		// From here the phone has no signal. Her edits are dated over 60 days (the commands take
		// their "now"); the server's clock jumps once, when the signal returns.
		const start = Date.now();
		const ids: string[] = [];
		for (let n = 0; n < ADDED + EDITED; n++) {
			const now = new Date(start + Math.floor((n * 59 * DAY) / (ADDED + EDITED)));
			if (n < ADDED) {
				const added = await addMember({ db: unit.db, actor: { login }, input: newMember(n), now });
				if (!added.ok) throw new Error(JSON.stringify(added.errors));
				ids.push(added.id);
			} else {
				const k = n - ADDED;
				const edited = await updateMember({
					db: unit.db,
					id: ids[k]!,
					actor: { login },
					input: { ...newMember(k), phone: `09${String(12_345_000 + k)}` },
					now
				});
				if (!edited.ok) throw new Error(JSON.stringify(edited.errors));
			}
		}
		// What the header shows as waiting: one per document (an edit's member document replaces its
		// earlier entry; its history entry is new).
		expect(await countPending(unit.db)).toBe(ADDED + EDITED);
		// Meanwhile the deputy's additions reach the server.
		await seedActiveMembers(server, { unit, seed: 61, count: 20 });

		// Day 60: the signal is back; the same session, no new sign-in.
		vi.useFakeTimers({ toFake: ['Date'], now: start + 60 * DAY, shouldAdvanceTime: true });
		const back = startPhoneSync({ server, db: unit.db, cookie });
		try {
			await until(async () => back.idle() && (await countPending(unit.db)) === 0, 120_000);
		} finally {
			back.handle.stop();
		}
		const problems = [...first.problems, ...back.problems];
		expect(problems.filter((p) => p.kind !== 'offline')).toEqual([]);

		// On the server: every member, the 200 completed ones with their phone, their history.
		const onServer = await server.couch.allDocs<{ phone?: string; givenName?: string }>({
			db: unit.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		expect(onServer).toHaveLength(150 + 20 + ADDED);
		const mine = onServer.filter((row) => row.doc?.givenName?.startsWith('Thử'));
		expect(mine).toHaveLength(ADDED);
		expect(mine.filter((row) => row.doc?.phone?.startsWith('09'))).toHaveLength(EDITED);
		const history = await server.couch.allDocs({
			db: unit.db,
			startkey: 'history:',
			endkey: 'history:\ufff0'
		});
		expect(history.length).toBeGreaterThanOrEqual(EDITED);

		// On the phone: the deputy's 20 arrived, the roster counts everyone.
		await catchUp(unit.db);
		const roster = await searchMembers({ dbs: [unit.db], today: todayIso(new Date()), limit: 1 });
		expect(roster.total).toBe(150 + 20 + ADDED);
	}, 300_000);
});
