import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	NumberRegisterSchema,
	checkNumberClash,
	claimNumberBlock,
	comingOfAgeCertificate,
	decisionDocument,
	defaultIssuerCode,
	documentNumberLine,
	emptyNumberRegister,
	formatDocumentNumber,
	formatLongDate,
	mergeNumberRegisters,
	nextDocumentNumber,
	numbersInUse,
	parseDocumentNumber,
	planComingOfAge,
	planRemoval,
	type Decision,
	type HistoryDoc,
	type NumberRegister
} from '$lib/domain';
import { DECISION, context, member, planOf } from './operation-fixtures';

const T = '2025-01-02T00:00:00.000Z';

function register(): NumberRegister {
	return emptyNumberRegister({ unitId: 'xathanhson', year: 2025, now: T, by: 'bithu' });
}

describe('document numbers', () => {
	it('print as "Số: 12-QĐ/ĐTN", numbers below 10 with a leading zero', () => {
		expect(formatDocumentNumber({ number: 12, type: 'QĐ', issuer: 'ĐTN' })).toBe('12-QĐ/ĐTN');
		expect(formatDocumentNumber({ number: 5, type: 'KH', issuer: 'TĐTN-VP' })).toBe(
			'05-KH/TĐTN-VP'
		);
		expect(formatDocumentNumber({ number: 120, type: 'CV', issuer: 'HĐTN' })).toBe('120-CV/HĐTN');
		expect(documentNumberLine('12-QĐ/ĐTN')).toBe('Số: 12-QĐ/ĐTN');
		expect(() => formatDocumentNumber({ number: 0, type: 'QĐ', issuer: 'ĐTN' })).toThrow(
			RangeError
		);
	});

	it('read back from what people type', () => {
		expect(parseDocumentNumber('Số: 12 - QĐ/ĐTN')).toEqual({
			number: 12,
			type: 'QĐ',
			issuer: 'ĐTN'
		});
		expect(parseDocumentNumber('05-tb/TĐTN-VP')).toEqual({
			number: 5,
			type: 'TB',
			issuer: 'TĐTN-VP'
		});
		expect(parseDocumentNumber('12/QĐ')).toBeNull();
		expect(parseDocumentNumber('12-XX/ĐTN')).toBeNull();
	});

	it('name the issuing body by unit kind', () => {
		expect(
			['trung-uong', 'tinh-doan', 'huyen-doan', 'doan-xa', 'doan-co-so'].map(defaultIssuerCode)
		).toEqual(['TWĐTN', 'TĐTN', 'HĐTN', 'ĐTN', 'ĐTN']);
	});
});

describe('numbering offline without collisions: blocks claimed from the unit register', () => {
	it('gives two devices disjoint blocks, per type, in one register per year', () => {
		let reg = register();
		reg = claimNumberBlock({ register: reg, deviceId: 'phone-a', type: 'QĐ', now: T, by: 'bithu' });
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-b',
			type: 'QĐ',
			now: T,
			by: 'phobithu'
		});
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-b',
			type: 'TB',
			size: 5,
			now: T,
			by: 'phobithu'
		});
		expect(reg._id).toBe('numbering:2025');
		expect(reg.blocks.map((b) => [b.deviceId, b.type, b.from, b.to])).toEqual([
			['phone-a', 'QĐ', 1, 10],
			['phone-b', 'QĐ', 11, 20],
			['phone-b', 'TB', 1, 5]
		]);
		expect(v.safeParse(NumberRegisterSchema, reg).success).toBe(true);
	});

	it('lets each device number offline from its own blocks, never the other’s', () => {
		let reg = register();
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-a',
			type: 'QĐ',
			size: 3,
			now: T,
			by: 'a'
		});
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-b',
			type: 'QĐ',
			size: 3,
			now: T,
			by: 'b'
		});
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-a',
			type: 'QĐ',
			size: 3,
			now: T,
			by: 'a'
		});
		// Both devices go offline and issue as many decisions as they can.
		const issue = (deviceId: string) => {
			const used: number[] = [];
			for (;;) {
				const next = nextDocumentNumber({ register: reg, deviceId, type: 'QĐ', used });
				if (!next.ok) return { used, message: next.message };
				used.push(next.number);
			}
		};
		const a = issue('phone-a');
		const b = issue('phone-b');
		expect(a.used).toEqual([1, 2, 3, 7, 8, 9]);
		expect(b.used).toEqual([4, 5, 6]);
		expect(a.used.filter((n) => b.used.includes(n))).toEqual([]);
		expect(b.message).toContain('đã dùng hết số văn bản được cấp');
	});

	it('skips numbers already used (typed by hand) and asks for a refill when few are left', () => {
		const reg = claimNumberBlock({
			register: register(),
			deviceId: 'a',
			type: 'QĐ',
			size: 5,
			now: T,
			by: 'a'
		});
		expect(nextDocumentNumber({ register: reg, deviceId: 'a', type: 'QĐ', used: [1, 2] })).toEqual({
			ok: true,
			number: 3,
			remaining: 2,
			refill: true
		});
		expect(
			nextDocumentNumber({ register: reg, deviceId: 'a', type: 'QĐ', used: [] })
		).toMatchObject({ number: 1, refill: false });
		expect(nextDocumentNumber({ register: reg, deviceId: 'a', type: 'KH', used: [] }).ok).toBe(
			false
		);
	});

	it('merges registers that conflicted anyway and reports overlapping blocks', () => {
		const base = register();
		const a = claimNumberBlock({ register: base, deviceId: 'a', type: 'QĐ', now: T, by: 'a' });
		const b = claimNumberBlock({
			register: base,
			deviceId: 'b',
			type: 'QĐ',
			now: '2025-01-03T00:00:00.000Z',
			by: 'b'
		});
		const merged = mergeNumberRegisters({ a, b });
		expect(merged.register.blocks).toHaveLength(2);
		expect(merged.overlaps).toHaveLength(1);
		expect(mergeNumberRegisters({ a: b, b: a }).register.blocks).toEqual(merged.register.blocks);
		const clean = mergeNumberRegisters({
			a,
			b: claimNumberBlock({ register: a, deviceId: 'b', type: 'QĐ', now: T, by: 'b' })
		});
		expect(clean.overlaps).toEqual([]);
		expect(clean.register.blocks).toHaveLength(2);
	});

	it('starts a new block above every number already used, typed or from before the register', () => {
		// The demo's history (and a unit's paper past) numbered decisions with no register at all.
		let reg = claimNumberBlock({
			register: register(),
			deviceId: 'phone-a',
			type: 'QĐ',
			used: [3, 12, 7],
			now: T,
			by: 'a'
		});
		expect(reg.blocks.map((b) => [b.from, b.to])).toEqual([[13, 22]]);
		// A number typed by hand beyond every block pushes the next block past it too.
		reg = claimNumberBlock({
			register: reg,
			deviceId: 'phone-b',
			type: 'QĐ',
			used: [3, 12, 7, 30],
			now: T,
			by: 'b'
		});
		expect(reg.blocks.map((b) => [b.deviceId, b.from, b.to])).toEqual([
			['phone-a', 13, 22],
			['phone-b', 31, 40]
		]);
	});

	it('never issues again a number the device handed out, even once its decision is gone', () => {
		// The demo case: 01 printed on a transfer decision; the member left with her history, so the
		// unit's documents no longer show 01, yet it must not come back for the next decision.
		const reg = claimNumberBlock({
			register: register(),
			deviceId: 'a',
			type: 'QĐ',
			now: T,
			by: 'a'
		});
		expect(
			nextDocumentNumber({ register: reg, deviceId: 'a', type: 'QĐ', used: [] })
		).toMatchObject({ number: 1 });
		expect(
			nextDocumentNumber({ register: reg, deviceId: 'a', type: 'QĐ', used: [], issued: [1] })
		).toMatchObject({ number: 2, remaining: 8 });
		expect(
			nextDocumentNumber({ register: reg, deviceId: 'a', type: 'QĐ', used: [2], issued: [1, 3] })
		).toMatchObject({ number: 4 });
	});

	it('counts the numbers of one type in the year of each decision’s date', () => {
		const decisions = [
			{ number: '01-QĐ/ĐTN', date: '2025-02-01' },
			{ number: 'Số: 12 - QĐ/ĐTN', date: '2025-06-01' },
			{ number: '12-QĐ/ĐTN', date: '2025-07-01' },
			{ number: '03-TB/ĐTN', date: '2025-06-01' },
			{ number: '05-QĐ/ĐTN', date: '2024-12-31' },
			{ number: 'không rõ', date: '2025-01-01' }
		];
		expect(numbersInUse({ decisions, year: 2025, type: 'QĐ' })).toEqual([1, 12]);
		expect(numbersInUse({ decisions, year: 2025, type: 'TB' })).toEqual([3]);
		expect(numbersInUse({ decisions, year: 2024, type: 'QĐ' })).toEqual([5]);
	});

	it('warns about a number already used by another document of the year', () => {
		const existing = [{ number: '12-QĐ/ĐTN', title: 'Quyết định kết nạp đoàn viên' }];
		expect(checkNumberClash({ number: '12-QĐ/ĐTN', existing })).toBe(
			'Số 12-QĐ/ĐTN đã dùng cho văn bản "Quyết định kết nạp đoàn viên" trong năm; hãy chọn số khác.'
		);
		expect(checkNumberClash({ number: '12-TB/ĐTN', existing })).toBeNull();
		expect(checkNumberClash({ number: '13-QĐ/ĐTN', existing })).toBeNull();
	});
});

const UNIT = { name: 'Đoàn xã Thục Luyện', superiorName: 'Huyện đoàn Thanh Sơn', place: 'Phú Thọ' };
const DECIDED: Decision = {
	number: '12-QĐ/ĐTN',
	date: '2024-01-05',
	signer: 'Nguyễn Văn An',
	signerTitle: 'Bí thư',
	issuer: 'Ban Chấp hành Đoàn xã Thục Luyện'
};

function removalEntry(givenName = 'Hoa'): { member: ReturnType<typeof member>; entry: HistoryDoc } {
	const who = member({ givenName });
	const plan = planOf(
		planRemoval({
			...context(),
			member: who,
			input: { reasonId: 'bo-sinh-hoat', monthsMissed: '4', on: '20/11/2025', decision: DECISION }
		})
	);
	return { member: who, entry: plan.entries[0] as HistoryDoc };
}

describe('the printed decision', () => {
	it('has the administrative header: superior, issuer, number, motto, place and date', () => {
		const { member: who, entry } = removalEntry();
		const doc = decisionDocument({
			unit: UNIT,
			decision: DECIDED,
			subjects: [{ member: who, entry, branchName: 'Chi đoàn Khu 3' }]
		});
		expect(doc.header).toEqual({
			superior: 'HUYỆN ĐOÀN THANH SƠN',
			issuer: 'BCH ĐOÀN XÃ THỤC LUYỆN',
			number: 'Số: 12-QĐ/ĐTN',
			motto: 'ĐOÀN TNCS HỒ CHÍ MINH',
			placeDate: 'Phú Thọ, ngày 05 tháng 01 năm 2024'
		});
		expect(formatLongDate({ place: 'Phú Thọ', date: '2024-03-15' })).toBe(
			'Phú Thọ, ngày 15 tháng 3 năm 2024'
		);
		expect(doc.title).toBe('QUYẾT ĐỊNH');
		expect(doc.subject).toBe('về việc xóa tên đoàn viên');
		expect(doc.authority).toBe('BAN CHẤP HÀNH ĐOÀN XÃ THỤC LUYỆN');
		expect(doc.bases).toEqual([
			'- Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;',
			'- Xét đề nghị của Chi đoàn Khu 3,'
		]);
		expect(doc.decides).toBe('QUYẾT ĐỊNH:');
		expect(doc.articles[0]).toEqual({
			label: 'Điều 1.',
			text:
				'Xóa tên đồng chí Hà Thị Hoa, sinh ngày 08/03/2004, đoàn viên Chi đoàn Khu 3 khỏi danh sách ' +
				'đoàn viên. Lý do: Không tham gia sinh hoạt và không đóng đoàn phí 3 tháng trong năm mà ' +
				'không có lý do chính đáng.'
		});
		expect(doc.articles.map((a) => a.label)).toEqual(['Điều 1.', 'Điều 2.', 'Điều 3.']);
		expect(doc.recipients).toEqual([
			'- Như Điều 3;',
			'- Huyện đoàn Thanh Sơn (để báo cáo);',
			'- Lưu VP.'
		]);
		expect(doc.signature).toEqual({
			onBehalf: 'T/M BAN CHẤP HÀNH',
			title: 'BÍ THƯ',
			name: 'Nguyễn Văn An'
		});
		expect(doc.annex).toBeUndefined();
	});

	it('prints a bulk act as one decision with an annexed list', () => {
		const subjects = ['Hoa', 'Lan', 'Mai'].map((name) => {
			const { member: who, entry } = removalEntry(name);
			return { member: who, entry, branchName: 'Chi đoàn Khu 3' };
		});
		const doc = decisionDocument({ unit: UNIT, decision: DECIDED, subjects });
		expect(doc.articles[0]?.text).toBe(
			'Xóa tên 3 đồng chí có tên trong danh sách kèm theo khỏi danh sách đoàn viên.'
		);
		expect(doc.annex?.title).toBe('DANH SÁCH KÈM THEO QUYẾT ĐỊNH SỐ 12-QĐ/ĐTN NGÀY 05/01/2024');
		expect(doc.annex?.columns).toEqual(['TT', 'Họ và tên', 'Ngày sinh', 'Chi đoàn', 'Lý do']);
		expect(doc.annex?.rows[1]?.slice(0, 4)).toEqual([
			'2',
			'Hà Thị Lan',
			'08/03/2004',
			'Chi đoàn Khu 3'
		]);
		expect(doc.bases[1]).toBe('- Xét đề nghị của chi đoàn,');
	});

	it('refuses kinds without a decision and mixed kinds', () => {
		const { member: who, entry } = removalEntry();
		expect(() => decisionDocument({ unit: UNIT, decision: DECIDED, subjects: [] })).toThrow(
			RangeError
		);
		const rating = { ...entry, kind: 'rating' } as HistoryDoc;
		expect(() =>
			decisionDocument({
				unit: UNIT,
				decision: DECIDED,
				subjects: [{ member: who, entry: rating }]
			})
		).toThrow('không có quyết định');
		const reward = { ...entry, kind: 'reward' } as HistoryDoc;
		expect(() =>
			decisionDocument({
				unit: UNIT,
				decision: DECIDED,
				subjects: [
					{ member: who, entry },
					{ member: who, entry: reward }
				]
			})
		).toThrow('cùng loại');
	});

	it('prints the coming-of-age certificate', () => {
		const who = member({ birthDate: '1995-06-10' });
		const plan = planOf(
			planComingOfAge({ ...context(), member: who, input: { on: '15/10/2025' } })
		);
		const certificate = comingOfAgeCertificate({
			unit: UNIT,
			member: who,
			entry: plan.entries[0] as HistoryDoc,
			date: '2025-10-15',
			signer: 'Nguyễn Văn An'
		});
		expect(certificate.header.placeDate).toBe('Phú Thọ, ngày 15 tháng 10 năm 2025');
		expect(certificate.title).toBe('GIẤY CHỨNG NHẬN');
		expect(certificate.subtitle).toBe('TRƯỞNG THÀNH ĐOÀN');
		expect(certificate.lines).toEqual([
			'Ban Chấp hành Đoàn xã Thục Luyện chứng nhận:',
			'Đồng chí: HÀ THỊ HOA',
			'Sinh ngày: 10/06/1995',
			'Ngày vào Đoàn: 26/03/2020',
			'Đã hoàn thành nhiệm vụ của người đoàn viên và trưởng thành Đoàn kể từ ngày 15/10/2025.'
		]);
		expect(() =>
			comingOfAgeCertificate({
				unit: UNIT,
				member: who,
				entry: removalEntry().entry,
				date: '2025-10-15',
				signer: 'x'
			})
		).toThrow(RangeError);
	});
});
