import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { localDb } from '../../../src/lib/data/store/pouch';
import {
	holdPush,
	isWriteGoingOn,
	saveWriteJournal,
	takeBackInterrupted
} from '../../../src/lib/data/sync/push-hold';

// The journal of a held write (the members import): a write still going on — in this tab (held)
// or in another (a fresh beat) — is left alone; one the app was closed in the middle of is taken
// back; one that finished (its documents noted as waiting to upload) is only forgotten.

const DB = 'unit_journaltest';
const member = (n: number) => ({
	_id: `member:01JF00000000000000000000${String(n).padStart(2, '0')}`,
	type: 'member',
	familyName: 'Lê'
});

async function cutWrite(options: { beatAgoMs: number }) {
	await saveWriteJournal({
		db: DB,
		journal: { created: [member(1)._id, member(2)._id], updated: [], by: 'bithu' }
	});
	await deviceDb.settings.put({
		key: `held-write-beat:${DB}`,
		value: Date.now() - options.beatAgoMs
	});
	await localDb(DB).bulkDocs([member(1)]);
}

async function alive(): Promise<string[]> {
	const rows = await localDb(DB).allDocs();
	return rows.rows.map((row) => row.id);
}

describe('held writes', () => {
	it('a write going on here or in another tab is left alone', async () => {
		await cutWrite({ beatAgoMs: 5_000 });
		expect(await isWriteGoingOn(DB)).toBe(true);
		await takeBackInterrupted({ db: DB, local: localDb(DB) });
		expect(await alive()).toEqual([member(1)._id]);

		await deviceDb.settings.put({ key: `held-write-beat:${DB}`, value: 0 });
		const release = holdPush(DB);
		expect(await isWriteGoingOn(DB)).toBe(true);
		await takeBackInterrupted({ db: DB, local: localDb(DB) });
		expect(await alive()).toEqual([member(1)._id]);
		release();
		expect(await isWriteGoingOn(DB)).toBe(false);
	});

	it('a write cut short is taken back, once', async () => {
		await takeBackInterrupted({ db: DB, local: localDb(DB) });
		expect(await alive()).toEqual([]);
		expect(await deviceDb.settings.get(`held-write:${DB}`)).toBeUndefined();
	});

	it('a cut update is put back from the journal, stored as text or, written before, whole', async () => {
		const before = { ...member(3), familyName: 'Lò' };
		const written = await localDb(DB).put(before);
		const journal = {
			created: [],
			updated: [{ ...before, _rev: written.rev }],
			by: 'bithu'
		};
		for (const store of ['text', 'whole'] as const) {
			if (store === 'text') await saveWriteJournal({ db: DB, journal });
			// A journal a version before this one stored: its documents as they were, whole.
			else await deviceDb.settings.put({ key: `held-write:${DB}`, value: journal });
			await deviceDb.settings.put({ key: `held-write-beat:${DB}`, value: 0 });
			const current = await localDb(DB).get(before._id);
			await localDb(DB).put({ ...current, familyName: 'Đổi' });
			await takeBackInterrupted({ db: DB, local: localDb(DB) });
			expect((await localDb(DB).get<{ familyName: string }>(before._id)).familyName).toBe('Lò');
			expect(await deviceDb.settings.get(`held-write:${DB}`)).toBeUndefined();
		}
		await localDb(DB).remove(await localDb(DB).get(before._id));
	});

	it('a finished write is only forgotten', async () => {
		await cutWrite({ beatAgoMs: 120_000 });
		const rev = (await localDb(DB).get(member(1)._id))._rev;
		await deviceDb.outbox.put({ db: DB, docId: member(1)._id, rev, at: new Date().toISOString() });
		await takeBackInterrupted({ db: DB, local: localDb(DB) });
		expect(await alive()).toEqual([member(1)._id]);
		expect(await deviceDb.settings.get(`held-write:${DB}`)).toBeUndefined();
	});
});
