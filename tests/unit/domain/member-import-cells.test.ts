import { describe, expect, it } from 'vitest';
import {
	canonicalReligion,
	excelSerialDay,
	readImportCell,
	splitFullName
} from '../../../src/lib/domain/spreadsheets/member-import-cells';
import {
	guessColumnMapping,
	headerKey,
	headerTarget
} from '../../../src/lib/domain/spreadsheets/member-import-headers';
import { MEMBER_SHEET_COLUMNS } from '../../../src/lib/domain/spreadsheets/member-sheet';

// Reading one cell of a unit's sheet into what the member form takes, and guessing columns from
// their headers. Run under TZ=UTC and TZ=Asia/Ho_Chi_Minh: a date cell must give the same day.

describe('headers', () => {
	it('matches folded headers and known variants', () => {
		expect(headerTarget('Ngày sinh')).toBe('birthDate');
		expect(headerTarget('NGAY SINH')).toBe('birthDate');
		expect(headerTarget('ngày/tháng/năm sinh')).toBe('birthDate');
		expect(headerTarget('Ngày sinh (dd/mm/yyyy)')).toBe('birthDate');
		expect(headerTarget('Họ và tên')).toBe('fullName');
		expect(headerTarget('HỌ VÀ TÊN')).toBe('fullName');
		expect(headerTarget('Số CCCD')).toBe('citizenId');
		expect(headerTarget('CCCD/CMND')).toBe('citizenId');
		expect(headerTarget('Số định danh')).toBe('citizenId');
		expect(headerTarget('Giới\ntính')).toBe('gender');
		expect(headerTarget('Địa chỉ Thường trú')).toBe('permanentAddress');
		expect(headerTarget('STT')).toBeNull();
		expect(headerTarget('Sở thích')).toBeNull();
		expect(headerKey('Ngày/tháng/năm\nsinh (dd/mm/yyyy)')).toBe('ngay thang nam sinh');
	});

	it('maps every column the roster sheet writes back to its own field', () => {
		const guess = guessColumnMapping({ headers: MEMBER_SHEET_COLUMNS.map((c) => c.header) });
		expect(guess.mapping).toEqual(MEMBER_SHEET_COLUMNS.map((c) => c.key));
		expect(guess.how.every((how) => how === 'header')).toBe(true);
		expect(guess.missing).toEqual([]);
	});

	it('leaves unknown columns out, keeps a field for its first column, lists what a new member lacks', () => {
		const guess = guessColumnMapping({
			headers: ['STT', 'Họ và tên', 'Sở thích', 'Ngày sinh', 'NGÀY SINH', 'Dân tộc']
		});
		expect(guess.mapping).toEqual([null, 'fullName', null, 'birthDate', null, 'ethnicCode']);
		expect(guess.how).toEqual(['none', 'variant', 'none', 'header', 'none', 'header']);
		expect(guess.repeated).toEqual(['birthDate']);
		expect(guess.missing).toEqual(['gender', 'religion', 'generalEducation']);
	});

	it('a remembered mapping wins, by folded header', () => {
		const guess = guessColumnMapping({
			headers: ['Tên chi đoàn', 'Ghi chú riêng'],
			remembered: { 'ghi chu rieng': 'otherName', 'ten chi doan': null }
		});
		expect(guess.mapping).toEqual([null, 'otherName']);
		expect(guess.how).toEqual(['none', 'remembered']);
	});
});

describe('dates', () => {
	const read = (cell: Parameters<typeof readImportCell>[0]['cell']) =>
		readImportCell({ field: 'birthDate', cell });

	it('reads text in dd/mm/yyyy, d/m/yy and yyyy-mm-dd, and keeps the day of a timestamp', () => {
		expect(read('05/01/2003')).toEqual({ ok: true, text: '05/01/2003' });
		expect(read('5/1/03')).toEqual({ ok: true, text: '05/01/2003' });
		expect(read('7/3/98')).toEqual({ ok: true, text: '07/03/1998' });
		expect(read('2003-01-05')).toEqual({ ok: true, text: '05/01/2003' });
		expect(read('05/01/2003 00:00:00')).toEqual({ ok: true, text: '05/01/2003' });
		expect(read('5.1.2003')).toEqual({ ok: true, text: '05/01/2003' });
		// Not a date: left as typed, for the member form's rule to word the error.
		expect(read('mùng 5 tết')).toEqual({ ok: true, text: 'mùng 5 tết' });
		expect(read('  ')).toEqual({ ok: true, text: '' });
	});

	it("takes a date cell's UTC day, whatever the machine's zone", () => {
		expect(read(new Date(Date.UTC(2003, 0, 5)))).toEqual({ ok: true, text: '05/01/2003' });
		expect(read(new Date(Date.UTC(2008, 11, 31)))).toEqual({ ok: true, text: '31/12/2008' });
	});

	it('reads Excel serial numbers in the 1900 system, with its fictitious 29/02/1900', () => {
		expect(excelSerialDay(1)).toBe('1900-01-01');
		expect(excelSerialDay(59)).toBe('1900-02-28');
		expect(excelSerialDay(60)).toBeNull();
		expect(excelSerialDay(61)).toBe('1900-03-01');
		expect(excelSerialDay(37_626)).toBe('2003-01-05');
		expect(excelSerialDay(45_658.75)).toBe('2025-01-01');
		expect(read(37_626)).toEqual({ ok: true, text: '05/01/2003' });
		expect(read('37626')).toEqual({ ok: true, text: '05/01/2003' });
		expect(read(60)).toEqual({
			ok: false,
			message:
				'Ngày sinh: ô ghi ngày 29/02/1900, một ngày không có thật (lỗi của Excel); hãy nhập lại ngày.'
		});
		expect(read(-3)).toMatchObject({ ok: false });
	});
});

describe('citizen ids', () => {
	const read = (cell: Parameters<typeof readImportCell>[0]['cell']) =>
		readImportCell({ field: 'citizenId', cell });

	it('restores the leading zeros Excel dropped from a number', () => {
		expect(read(1303012345)).toEqual({
			ok: true,
			text: '001303012345',
			note: 'Số CCCD 1303012345 được thêm 2 số 0 ở đầu (Excel đã bỏ đi): 001303012345.'
		});
		expect(read(25303012345)).toMatchObject({ ok: true, text: '025303012345' });
		expect(read('001 303 012 345')).toEqual({ ok: true, text: '001303012345' });
		expect(read("'001303012345")).toEqual({ ok: true, text: '001303012345' });
		// Too short to be an id that lost its zeros: left for the length check.
		expect(read(12345)).toEqual({ ok: true, text: '12345' });
	});

	it('never guesses an id shown in scientific notation', () => {
		expect(read('1.23457E+11')).toEqual({
			ok: false,
			message:
				'Số CCCD: "1.23457E+11" là dạng số mũ của Excel, đã mất các chữ số cuối nên không khôi ' +
				'phục được. Hãy định dạng cột là Văn bản (Text) rồi nhập lại đủ 12 chữ số.'
		});
		expect(read('1,23457E+11')).toMatchObject({ ok: false });
		expect(read(1.5)).toMatchObject({ ok: false });
	});
});

describe('names, genders, ethnic groups, religions', () => {
	it('splits a whole name in Vietnamese order, NFC and title case', () => {
		const nfd = 'nguyễn thị minh anh'.normalize('NFD');
		expect(splitFullName(nfd)).toEqual({
			familyName: 'Nguyễn',
			middleName: 'Thị Minh',
			givenName: 'Anh'
		});
		expect(splitFullName(nfd).middleName).toBe('Thị Minh'.normalize('NFC'));
		expect(splitFullName('LÊ  AN')).toEqual({ familyName: 'Lê', middleName: '', givenName: 'An' });
		expect(splitFullName('Lan')).toEqual({ familyName: '', middleName: '', givenName: 'Lan' });
	});

	it('reads genders in the ways sheets write them', () => {
		for (const cell of ['Nam', 'nam', 'NAM', 'M', 'male']) {
			expect(readImportCell({ field: 'gender', cell })).toEqual({ ok: true, text: 'Nam' });
		}
		for (const cell of ['Nữ', 'nữ', 'NU', 'nu', 'F', 'Nữ'.normalize('NFD')]) {
			expect(readImportCell({ field: 'gender', cell })).toEqual({ ok: true, text: 'Nữ' });
		}
		expect(readImportCell({ field: 'gender', cell: 'X' })).toEqual({
			ok: false,
			message: 'Giới tính: "X" không rõ; ghi Nam hoặc Nữ.'
		});
	});

	it("reads ethnic groups by folded names and variants, never by another system's number", () => {
		const read = (cell: string) => readImportCell({ field: 'ethnicCode', cell });
		expect(read('kinh')).toEqual({ ok: true, text: 'Kinh' });
		expect(read('Dân tộc Kinh')).toEqual({ ok: true, text: 'Kinh' });
		expect(read('Kinh (Việt)')).toEqual({ ok: true, text: 'Kinh' });
		expect(read("H'Mông")).toEqual({ ok: true, text: 'Hmông' });
		expect(read('Mèo')).toEqual({ ok: true, text: 'Hmông' });
		expect(read('KHMER')).toEqual({ ok: true, text: 'Khơ-me' });
		expect(read('01')).toMatchObject({ ok: false });
		// Unknown: kept, for the form's rule ("không có trong danh mục 54 dân tộc").
		expect(read('Sao Hỏa')).toEqual({ ok: true, text: 'Sao Hỏa' });
	});

	it('reads religions by folded names and spellings; others are kept as written', () => {
		expect(canonicalReligion('Thiên chúa')).toBe('Công giáo');
		expect(canonicalReligion('THIÊN CHÚA GIÁO')).toBe('Công giáo');
		expect(canonicalReligion('Công giáo')).toBe('Công giáo');
		expect(canonicalReligion('Phật')).toBe('Phật giáo');
		expect(canonicalReligion('không')).toBe('Không');
		expect(canonicalReligion('Không có')).toBe('Không');
		expect(canonicalReligion('tin lanh')).toBe('Tin lành');
		expect(canonicalReligion('Bà-la-môn')).toBe('Bà-la-môn');
	});

	it('reads yes/no and phone numbers that lost their zero', () => {
		expect(readImportCell({ field: 'partyMember', cell: 'x' })).toEqual({ ok: true, text: 'Có' });
		expect(readImportCell({ field: 'partyMember', cell: 'Không' })).toEqual({ ok: true, text: '' });
		expect(readImportCell({ field: 'partyMember', cell: true })).toEqual({ ok: true, text: 'Có' });
		expect(readImportCell({ field: 'phone', cell: 912345678 })).toEqual({
			ok: true,
			text: '0912345678'
		});
	});
});
