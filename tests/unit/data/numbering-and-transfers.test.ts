import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import PouchDB from 'pouchdb-browser';
import {
	buildTransferOffer,
	type HistoryOf,
	type MemberDoc,
	type TransferDoc
} from '$lib/domain';
import {
	decisionNumberErrors,
	takeDecisionNumber,
	type RegisterRemote
} from '../../../src/lib/data/commands/numbering';
import {
	loadMember,
	recordComingOfAge,
	requestTransfer
} from '../../../src/lib/data/member-operations';
import {
	acceptTransfer,
	incomingOffers,
	outgoingTransfers,
	rejectTransfer
} from '../../../src/lib/data/commands/transfer-offers';
import { memberHistory } from '../../../src/lib/data/queries/history';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { historyOfDb } from '../../../src/lib/data/read-model/member-store';

// Decision numbers claimed in blocks from the unit's register (a revision-checked write to the
// server; here a second PouchDB stands for it), and the receiving side of a transfer between units.

// Fresh databases per test: a destroyed one stays closed on this device (store/pouch.ts).
let run = 0;
let db = 'unit_xathanhson0';
let receiving = 'unit_xathucluyen0';
const now = new Date('2026-11-28T03:00:00.000Z');
let server: PouchDB.Database;

function memberDoc(overrides: Partial<MemberDoc> = {}): MemberDoc {
	return {
		_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
		type: 'member',
		v: 2,
		unitId: db.slice('unit_'.length),
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '1996-03-08',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2014-03-26',
		branchId: 'branch:khu3',
		unionPosition: 'Phó Bí thư chi đoàn',
		partyMember: false,
		status: 'active',
		duesCategory: 'khong-luong',
		duesPaidThrough: '2026-11',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: '2024-04-30T03:00:00.000Z',
		createdBy: 'bithu',
		updatedAt: '2024-05-01T02:00:00.000Z',
		updatedBy: 'bithu',
		...overrides
	};
}

beforeEach(async () => {
	run++;
	db = `unit_xathanhson${run}`;
	receiving = `unit_xathucluyen${run}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
	server = new PouchDB(`server-${Math.random()}`);
});

afterEach(async () => {
	await destroyLocalDbs([db, receiving]);
	await server.destroy();
});

describe('decision numbers', () => {
	const take = (deviceId: string, remote: RegisterRemote = server) =>
		takeDecisionNumber({
			db,
			year: 2026,
			issuerCode: 'ĐTN',
			deviceId,
			login: 'bithu',
			now,
			remote
		});

	it('claims a block online, issues from it, and skips numbers already used', async () => {
		expect(await take('may-1')).toMatchObject({ ok: true, number: '01-QĐ/ĐTN', remaining: 9 });
		// The register is on the server and, with the server's revision, on the device.
		const onServer = await server.get('numbering:2026');
		const onDevice = await localDb(db).get('numbering:2026');
		expect(onDevice._rev).toBe(onServer._rev);
		// Using the number (an operation's decision) moves on to the next.
		await localDb(db).put(memberDoc({ unionPosition: undefined }));
		const used = await recordComingOfAge({
			db,
			actor: { login: 'bithu' },
			now,
			memberId: memberDoc()._id,
			input: {
				on: '28/11/2026',
				decision: {
					number: '01-QĐ/ĐTN',
					date: '28/11/2026',
					signer: 'Nguyễn Văn An',
					issuer: 'BCH Đoàn xã Thanh Sơn'
				}
			}
		});
		expect(used.ok).toBe(true);
		await catchUp(db);
		expect(await take('may-1')).toMatchObject({ ok: true, number: '02-QĐ/ĐTN' });
	});

	it('gives another device of the unit its own block', async () => {
		await take('may-1');
		expect(await take('may-2')).toMatchObject({ ok: true, number: '11-QĐ/ĐTN' });
	});

	it('retries when another device claimed first (409), never sharing a block', async () => {
		let raced = false;
		const racing: RegisterRemote = {
			get: (id, options) => server.get(id, options ?? {}),
			async put(doc) {
				if (!raced) {
					raced = true;
					// Another device's claim lands between this device's read and its write.
					await takeDecisionNumber({
						db: `unit_khac${run}`,
						year: 2026,
						issuerCode: 'ĐTN',
						deviceId: 'may-2',
						login: 'phobithu',
						now,
						remote: server
					});
				}
				return server.put(doc);
			}
		};
		expect(await take('may-1', racing)).toMatchObject({ ok: true, number: '11-QĐ/ĐTN' });
		await destroyLocalDbs([`unit_khac${run}`]);
	});

	it('the demo case: a transfer decision’s number is not issued again once the member has left', async () => {
		// Issue 10: "Số: 01-QĐ/ĐTN" printed for a transfer, then "Lấy số tự động" gave 01 again for
		// a reward. The transfer worker deletes the member's history in the sending unit, so 01 was
		// no longer among the unit's decisions and the device's block offered it again.
		await localDb(db).put(memberDoc());
		const first = await take('may-1');
		expect(first).toMatchObject({ ok: true, number: '01-QĐ/ĐTN' });
		const requested = await requestTransfer({
			db,
			actor: { login: 'bithu' },
			now,
			memberId: memberDoc()._id,
			input: {
				toUnitId: receiving.slice('unit_'.length),
				toUnitName: 'Đoàn xã Thục Luyện',
				on: '27/11/2026',
				reason: 'Chuyển nơi làm việc',
				assessment: 'Hoàn thành tốt nhiệm vụ.',
				decision: {
					number: '01-QĐ/ĐTN',
					date: '27/11/2026',
					signer: 'Nguyễn Văn An',
					issuer: 'BCH Đoàn xã Thanh Sơn'
				}
			}
		});
		expect(requested.ok).toBe(true);
		await catchUp(db);
		// The transfer completes: the member and her history leave the unit's database.
		const local = localDb(db);
		const gone = await local.allDocs({ startkey: 'history:', endkey: 'history:\uffff' });
		const member = await local.get(memberDoc()._id);
		await local.bulkDocs([
			{ _id: member._id, _rev: member._rev, _deleted: true },
			...gone.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true }))
		]);
		await catchUp(db);
		expect(await historyOfDb({ db })).toHaveLength(0);
		// The next decision (a reward) gets 02, and a typed 01 is flagged before saving.
		expect(await take('may-1')).toMatchObject({ ok: true, number: '02-QĐ/ĐTN' });
		const typed = await decisionNumberErrors({
			db,
			values: { number: '01-QĐ/ĐTN', date: '28/11/2026' },
			today: '2026-11-28'
		});
		expect(typed['decision.number']).toMatch(/01-QĐ\/ĐTN .*đã cấp .*chọn số khác/);
		// The number this form took itself is its own.
		expect(
			await decisionNumberErrors({
				db,
				values: { number: '02-QĐ/ĐTN', date: '28/11/2026' },
				today: '2026-11-28',
				taken: '02-QĐ/ĐTN'
			})
		).toEqual({});
	});

	it('starts the register above the numbers already in the unit’s history (the demo’s past)', async () => {
		// A unit loaded with its history (the demo, a unit's paper past) has no register yet.
		await localDb(db).put(memberDoc({ unionPosition: undefined }));
		const recorded = await recordComingOfAge({
			db,
			actor: { login: 'bithu' },
			now,
			memberId: memberDoc()._id,
			input: {
				on: '20/11/2026',
				decision: {
					number: '07-QĐ/ĐTN',
					date: '20/11/2026',
					signer: 'Nguyễn Văn An',
					issuer: 'BCH Đoàn xã Thanh Sơn'
				}
			}
		});
		expect(recorded.ok).toBe(true);
		await catchUp(db);
		expect(await take('may-1')).toMatchObject({ ok: true, number: '08-QĐ/ĐTN' });
		expect(await take('may-2')).toMatchObject({ ok: true, number: '18-QĐ/ĐTN' });
		// Typing 07 again is flagged on the decision field, in Vietnamese, before anything is saved.
		const typed = await decisionNumberErrors({
			db,
			values: { number: '7-QĐ/ĐTN', date: '28/11/2026' },
			today: '2026-11-28'
		});
		expect(typed['decision.number']).toMatch(/đã dùng cho văn bản "quyết định ngày 20\/11\/2026"/);
		// The same decision entered for another member it covers (same number, date and signer) is
		// not a repeat; the same number with another signer or date is.
		expect(
			await decisionNumberErrors({
				db,
				values: { number: '07-QĐ/ĐTN', date: '20/11/2026', signer: ' nguyễn văn  An ' },
				today: '2026-11-28',
				kind: 'coming-of-age'
			})
		).toEqual({});
		// Another operation's decision with that number, date and signer is another document.
		expect(
			await decisionNumberErrors({
				db,
				values: { number: '07-QĐ/ĐTN', date: '20/11/2026', signer: 'Nguyễn Văn An' },
				today: '2026-11-28',
				kind: 'reward'
			})
		).toHaveProperty(['decision.number']);
		expect(
			await decisionNumberErrors({
				db,
				values: { number: '07-QĐ/ĐTN', date: '21/11/2026', signer: 'Nguyễn Văn An' },
				today: '2026-11-28',
				kind: 'coming-of-age'
			})
		).toHaveProperty(['decision.number']);
		// Another year's register starts again from 1.
		expect(
			await decisionNumberErrors({
				db,
				values: { number: '07-QĐ/ĐTN', date: '05/01/2027' },
				today: '2026-11-28'
			})
		).toEqual({});
	});

	it('never hands out the same number twice on one device, even when it is not saved', async () => {
		const numbers = [];
		for (let i = 0; i < 12; i++) {
			const result = await take('may-1');
			if (result.ok) numbers.push(result.number);
		}
		expect(numbers).toHaveLength(12);
		expect(new Set(numbers).size).toBe(12);
	});

	it('offline with no block left: asks for the number typed from the paper register', async () => {
		const offline: RegisterRemote = {
			get: () => Promise.reject(new TypeError('Failed to fetch')),
			put: () => Promise.reject(new TypeError('Failed to fetch'))
		};
		const result = await take('may-1', offline);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toMatch(/số quyết định nhập tay/);
		// A server that refuses the register (403) is treated the same way.
		const refusing: RegisterRemote = {
			get: () => Promise.reject(Object.assign(new Error('not found'), { status: 404 })),
			put: () => Promise.reject(Object.assign(new Error('forbidden'), { status: 403 }))
		};
		expect((await take('may-1', refusing)).ok).toBe(false);
	});
});

describe('transfers between units', () => {
	async function requestAndOffer(): Promise<TransferDoc> {
		await localDb(db).put(memberDoc());
		const requested = await requestTransfer({
			db,
			actor: { login: 'bithu' },
			now,
			memberId: memberDoc()._id,
			input: {
				toUnitId: receiving.slice('unit_'.length),
				toUnitName: 'Đoàn xã Thục Luyện',
				on: '27/11/2026',
				reason: 'Chuyển nơi làm việc',
				assessment: 'Hoàn thành tốt nhiệm vụ.'
			}
		});
		if (!requested.ok) throw new Error(JSON.stringify(requested.errors));
		const member = (await loadMember({ db, id: memberDoc()._id }))!;
		expect(member).toMatchObject({
			status: 'transferring',
			transfer: { toUnitId: receiving.slice('unit_'.length) }
		});
		const { entries } = await memberHistory({ db, memberId: member._id });
		// What the server's worker delivers into the receiving unit's database.
		const offer = buildTransferOffer({
			request: entries[0] as HistoryOf<'transfer-requested'>,
			member,
			fromUnitName: 'Đoàn xã Thanh Sơn',
			now: now.toISOString(),
			by: 'system'
		});
		await localDb(receiving).put(offer);
		for (const [id, name] of [['branch:thucluyen1', 'Chi đoàn thôn 1']]) {
			await localDb(receiving).put({
				_id: id,
				type: 'branch',
				v: 1,
				unitId: receiving.slice('unit_'.length),
				name,
				createdAt: now.toISOString(),
				createdBy: 'test',
				updatedAt: now.toISOString(),
				updatedBy: 'test'
			});
		}
		await catchUp(db);
		await catchUp(receiving);
		return offer;
	}

	it('lists the request as waiting on the sending side, and the offer on the receiving side', async () => {
		const offer = await requestAndOffer();
		expect(await outgoingTransfers(db)).toMatchObject([
			{
				transferId: offer.transferId,
				name: 'Hà Thị Hoa',
				toUnitName: 'Đoàn xã Thục Luyện',
				requestedOn: '2026-11-27',
				state: 'pending'
			}
		]);
		expect(await incomingOffers(receiving)).toMatchObject([
			{ id: offer._id, name: 'Hà Thị Hoa', offer: { state: 'pending', fromUnitName: 'Đoàn xã Thanh Sơn' } }
		]);
	});

	it('accepting places the member in a branch here, active, and answers the offer', async () => {
		const offer = await requestAndOffer();
		const call = { db: receiving, actor: { login: 'bithu.thucluyen' }, now };
		const refused = await acceptTransfer({
			...call,
			offerId: offer._id,
			input: { branchId: 'branch:khac', on: '28/11/2026' }
		});
		expect(refused.ok ? {} : refused.errors).toMatchObject({ branchId: expect.stringMatching(/không có/) });
		const accepted = await acceptTransfer({
			...call,
			offerId: offer._id,
			input: { branchId: 'branch:thucluyen1', on: '28/11/2026' }
		});
		expect(accepted).toMatchObject({ ok: true, memberId: offer.memberId });
		const member = await loadMember({ db: receiving, id: offer.memberId });
		expect(member).toMatchObject({
			unitId: receiving.slice('unit_'.length),
			status: 'active',
			branchId: 'branch:thucluyen1',
			givenName: 'Hoa'
		});
		// The office held in the old unit does not follow the member.
		expect(member?.unionPosition).toBeUndefined();
		expect((await localDb(receiving).get(offer._id)) as unknown).toMatchObject({
			state: 'accepted',
			decidedBy: 'bithu.thucluyen',
			branchId: 'branch:thucluyen1'
		});
		const { entries } = await memberHistory({ db: receiving, memberId: offer.memberId });
		expect(entries.map((e) => e.kind)).toEqual(['transfer-in']);
		// Answered offers cannot be answered again.
		const again = await rejectTransfer({
			...call,
			offerId: offer._id,
			input: { reason: 'Nhầm', on: '28/11/2026' }
		});
		expect(again.ok ? {} : again.errors).toMatchObject({ form: expect.stringMatching(/đã được tiếp nhận/) });
	});

	it('rejecting needs a reason and creates no member', async () => {
		const offer = await requestAndOffer();
		const call = { db: receiving, actor: { login: 'bithu.thucluyen' }, now };
		const noReason = await rejectTransfer({ ...call, offerId: offer._id, input: { on: '28/11/2026' } });
		expect(noReason.ok ? {} : noReason.errors).toMatchObject({ reason: expect.any(String) });
		const rejected = await rejectTransfer({
			...call,
			offerId: offer._id,
			input: { reason: 'Không có chi đoàn phù hợp', on: '28/11/2026' }
		});
		expect(rejected.ok).toBe(true);
		expect(await loadMember({ db: receiving, id: offer.memberId })).toBeNull();
		await catchUp(receiving);
		expect((await incomingOffers(receiving))[0]?.offer).toMatchObject({
			state: 'rejected',
			rejectionReason: 'Không có chi đoàn phù hợp'
		});
	});
});
