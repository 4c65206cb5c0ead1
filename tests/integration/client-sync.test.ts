import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMembers } from '../../src/lib/synthetic';
import { addMember } from '../../src/lib/data/commands/members';
import { catchUp } from '../../src/lib/data/read-model/indexer';
import { searchMembers } from '../../src/lib/data/queries/members';
import { countPending } from '../../src/lib/data/sync/outbox';
import { destroyLocalDbs, localDb } from '../../src/lib/data/store/pouch';
import { startPhoneSync, until } from '../support/phone-sync';
import { startTestServer, type TestServer } from '../support/test-server';

// The app's own sync engine (src/lib/data/sync/unit-sync.ts) against the real server: a first sync with
// progress, a local change uploaded and cleared from "waiting", a revoked device told so.

let server: TestServer;
let unit: { id: string; db: string };
let login: string;
let cookie: string;
let deviceId: string;

beforeAll(async () => {
	server = await startTestServer();
	const created = await server.createUnitWithAccount({ name: 'Đoàn xã Thử Đồng Bộ' });
	unit = created.unit;
	login = created.login;
	const members = generateMembers({
		seed: 7,
		count: 1200,
		unitId: unit.id,
		branchIds: [],
		today: '2026-11-28',
		ethnicMix: 'mountain-district'
	});
	for (let i = 0; i < members.length; i += 400) {
		await server.couch.bulkDocs({ db: unit.db, docs: members.slice(i, i + 400) });
	}
	const signedIn = await server.signIn({ login, password: created.password });
	cookie = signedIn.cookie;
	deviceId = signedIn.session.device.id;
});

afterAll(async () => {
	await destroyLocalDbs([unit.db]);
	await server?.close();
});

describe('the device sync engine', () => {
	it('first sync reports progress, then keeps the device and server in step until revoked', async () => {
		const progress: { received: number; done: number; total: number }[] = [];
		const { handle, problems, idle } = startPhoneSync({
			server,
			db: unit.db,
			cookie,
			listener: { onProgress: ({ progress: p }) => progress.push({ ...p }) }
		});
		try {
			await until(idle, 60_000);
			// The server holds 1,200 members and the design document.
			const last = progress.at(-1)!;
			expect(last.total).toBeGreaterThanOrEqual(1200);
			expect(last.done).toBe(last.total);
			expect(progress.length).toBeGreaterThan(2);
			expect(progress.map((p) => p.done)).toEqual(
				[...progress.map((p) => p.done)].sort((a, b) => a - b)
			);
			// Records received move ahead of those written: the bar follows the download itself.
			expect(progress.map((p) => p.received)).toEqual(
				[...progress.map((p) => p.received)].sort((a, b) => a - b)
			);
			expect(progress.some((p) => p.total > 0 && p.received > p.done)).toBe(true);
			expect((await localDb(unit.db).info()).doc_count).toBe(last.total);

			await catchUp(unit.db);
			const page = await searchMembers({ dbs: [unit.db], today: '2026-11-28', limit: 10 });
			expect(page.total).toBeGreaterThan(1000);

			const added = await addMember({
				db: unit.db,
				actor: { login },
				input: {
					familyName: 'Hà',
					middleName: 'Thị',
					givenName: 'Lụa',
					gender: 'female',
					birthDate: '02/02/2002',
					ethnicCode: '06',
					religion: 'Không',
					generalEducation: '12/12',
					partyMember: false
				}
			});
			expect(added.ok).toBe(true);
			if (!added.ok) return;
			expect(await countPending(unit.db)).toBe(1);
			await until(async () => (await countPending(unit.db)) === 0);
			const onServer = await server.couch.getDoc<{ _id: string; givenName?: string }>({
				db: unit.db,
				id: added.id
			});
			expect(onServer?.givenName).toBe('Lụa');
			expect(problems).toEqual([]);

			// A superior revokes this phone: its next contact is refused and it is told why.
			await server.devices.revokeDevice({ deviceId, revokedBy: 'test' });
			handle.restart();
			await until(() => problems.some((p) => p.kind === 'revoked'));
		} finally {
			handle.stop();
		}
	});
});
