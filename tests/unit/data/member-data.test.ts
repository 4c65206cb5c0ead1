import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, updateMember } from '../../../src/lib/data/commands/members';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { rebuildReadModel } from '../../../src/lib/data/read-model/rebuild';
import { searchMembers, getMember } from '../../../src/lib/data/queries/members';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { clearMemberRows } from '../../../src/lib/data/read-model/member-pack-writer';
import { countPending, clearPushed } from '../../../src/lib/data/sync/outbox';
import { allowLocalDbs, destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';

// The device's data layer with real PouchDB (memory adapter) and Dexie over fake-indexeddb: the
// commands validate and write, the read model finds what a secretary types.

const db = 'unit_test01';
const actor = { login: 'bithu.thanhson' };
const today = '2026-11-28';

function input(overrides: Record<string, string | boolean> = {}) {
	return {
		familyName: 'Nguyễn',
		middleName: 'Thị Thu',
		givenName: 'Trang',
		gender: 'female',
		birthDate: '05/01/2003',
		ethnicCode: '06',
		religion: 'Không',
		generalEducation: '12/12',
		status: 'active',
		partyMember: false,
		...overrides
	};
}

async function add(overrides: Record<string, string | boolean> = {}) {
	const result = await addMember({ db, actor, input: input(overrides) });
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.id;
}

beforeEach(async () => {
	// Each test destroys the database afterwards; a destroyed one opens again only when allowed.
	allowLocalDbs([db]);
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([db]);
});

describe('member commands', () => {
	it('saves a valid member to PouchDB with attribution and counts it as waiting to upload', async () => {
		const id = await add();
		const doc = await getMember({ db, id });
		expect(doc).toMatchObject({
			type: 'member',
			v: 2,
			unitId: 'test01',
			familyName: 'Nguyễn',
			givenName: 'Trang',
			birthDate: '2003-01-05',
			createdBy: 'bithu.thanhson',
			updatedBy: 'bithu.thanhson',
			provenance: { source: 'unit' }
		});
		expect(id).toMatch(/^member:[0-9A-HJKMNP-TV-Z]{26}$/);
		expect(await countPending(db)).toBe(1);
	});

	it('refuses bad input with Vietnamese messages naming each field, and writes nothing', async () => {
		const result = await addMember({
			db,
			actor,
			input: input({ givenName: '', birthDate: '31/02/2003', citizenId: '02530300123' })
		});
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.errors.givenName).toMatch(/Tên/);
		expect(result.errors.birthDate).toMatch(/Ngày sinh/);
		expect(result.errors.citizenId).toMatch(/12 chữ số/);
		expect((await localDb(db).allDocs()).rows).toHaveLength(0);
	});

	it('refuses a second active member with the same citizen id in the unit', async () => {
		await add({ citizenId: '025303001234' });
		await catchUp(db);
		const result = await addMember({
			db,
			actor,
			input: input({ givenName: 'Hương', citizenId: '025303001234' })
		});
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.citizenId).toContain('Nguyễn Thị Thu Trang');
	});

	it('edits keep what the form does not touch and record who changed it', async () => {
		const id = await add({ phone: '0912345678' });
		const result = await updateMember({
			db,
			id,
			actor: { login: 'phobithu' },
			input: input({ phone: '0987654321' })
		});
		expect(result.ok).toBe(true);
		const doc = await getMember({ db, id });
		expect(doc?.phone).toBe('0987654321');
		expect(doc?.createdBy).toBe('bithu.thanhson');
		expect(doc?.updatedBy).toBe('phobithu');
	});

	it('clears the outbox only for the revision that was pushed', async () => {
		const id = await add();
		const first = await localDb(db).get(id);
		await updateMember({ db, id, actor, input: input({ phone: '0912345678' }) });
		// The edit and its history entry both wait to upload.
		expect(await countPending(db)).toBe(2);
		await clearPushed({ db, docs: [{ _id: id, _rev: first._rev }] });
		expect(await deviceDb.outbox.get(id)).toBeDefined();
		const latest = await localDb(db).get(id);
		await clearPushed({ db, docs: [{ _id: id, _rev: latest._rev }] });
		expect(await deviceDb.outbox.get(id)).toBeUndefined();
		expect(await countPending(db)).toBe(1);
	});

	it('records each profile edit in the history and refuses changing the status by hand', async () => {
		const id = await add({ phone: '0912345678' });
		await updateMember({ db, id, actor, input: input({ phone: '0987654321' }) });
		const history = await localDb(db).allDocs({
			include_docs: true,
			startkey: `history:${id.slice(7)}:`,
			endkey: `history:${id.slice(7)}:\ufff0`
		});
		expect(history.rows).toHaveLength(1);
		expect(history.rows[0]?.doc).toMatchObject({ type: 'history', kind: 'profile-edit' });
		const refused = await updateMember({ db, id, actor, input: input({ status: 'removed' }) });
		expect(refused.ok).toBe(false);
		if (!refused.ok) expect(refused.errors.status).toMatch(/nghiệp vụ/);
	});
});

describe('read model search', () => {
	beforeEach(async () => {
		await add({ familyName: 'Nguyễn', middleName: 'Thị Thu', givenName: 'Trang' });
		await add({ familyName: 'Đinh', middleName: 'Văn', givenName: 'Hoà', gender: 'male' });
		await add({
			familyName: 'Hà',
			middleName: 'Thị',
			givenName: 'Thủy',
			phone: '0912000111',
			citizenId: '025303009999'
		});
		await add({ familyName: 'Trần', middleName: 'Đức', givenName: 'Anh', gender: 'male' });
		await add({ familyName: 'Bùi', middleName: 'Văn', givenName: 'Anh', gender: 'male', ethnicCode: '01' });
		await catchUp(db);
	});

	const names = async (query: string) =>
		(await searchMembers({ dbs: [db], query, today })).rows.map((r) => r.fullName);

	it('lists members in Vietnamese order: given name, then middle name, then family name', async () => {
		const page = await searchMembers({ dbs: [db], today });
		expect(page.total).toBe(5);
		expect(page.rows.map((r) => r.fullName)).toEqual([
			'Trần Đức Anh',
			'Bùi Văn Anh',
			'Đinh Văn Hoà',
			'Hà Thị Thủy',
			'Nguyễn Thị Thu Trang'
		]);
	});

	it('finds names typed without diacritics, with đ as d, in either Unicode form', async () => {
		expect(await names('dinh hoa')).toEqual(['Đinh Văn Hoà']);
		expect(await names('hòa')).toEqual(['Đinh Văn Hoà']);
		expect(await names('thuy')).toEqual(['Hà Thị Thủy']);
		expect(await names('thuỷ'.normalize('NFD'))).toEqual(['Hà Thị Thủy']);
		expect(await names('duc')).toEqual(['Trần Đức Anh']);
	});

	it('ranks a given-name match before a match elsewhere in the name', async () => {
		await add({ familyName: 'Anh', middleName: 'Văn', givenName: 'Bình', gender: 'male' });
		await catchUp(db);
		const found = await names('anh');
		expect(found.at(-1)).toBe('Anh Văn Bình');
		expect(found.slice(0, 2).sort()).toEqual(['Bùi Văn Anh', 'Trần Đức Anh']);
	});

	it('finds by citizen id and by phone', async () => {
		expect(await names('025303009999')).toEqual(['Hà Thị Thủy']);
		expect(await names('0912 000')).toEqual(['Hà Thị Thủy']);
	});

	it('filters ethnic minorities and pages results', async () => {
		const minority = await searchMembers({ dbs: [db], today, filters: { minority: true } });
		expect(minority.total).toBe(4);
		const page2 = await searchMembers({ dbs: [db], today, offset: 2, limit: 2 });
		expect(page2.rows.map((r) => r.fullName)).toEqual(['Đinh Văn Hoà', 'Hà Thị Thủy']);
		expect(page2.total).toBe(5);
	});

	it('can be rebuilt from PouchDB at any time', async () => {
		await clearMemberRows();
		expect((await searchMembers({ dbs: [db], today })).total).toBe(0);
		await rebuildReadModel([db]);
		expect((await searchMembers({ dbs: [db], today })).total).toBe(5);
	});
});
