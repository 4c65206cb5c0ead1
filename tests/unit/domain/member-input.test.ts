import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	MEMBER_FIELD_LABELS,
	MemberFieldsSchema,
	normalisePhone,
	validateMemberInput,
	type MemberInput
} from '$lib/domain';

const TODAY = '2025-11-28';

const base: MemberInput = {
	familyName: 'Nguyễn',
	middleName: 'Thị Thu',
	givenName: 'Trang',
	gender: 'female',
	birthDate: '05/01/2003',
	ethnicCode: '01',
	partyMember: false
};

function check(changes: MemberInput) {
	return validateMemberInput({ input: { ...base, ...changes }, today: TODAY });
}

function errorsOf(changes: MemberInput) {
	const result = check(changes);
	if (result.ok) throw new Error('expected errors');
	return result.errors;
}

function valueOf(changes: MemberInput) {
	const result = check(changes);
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value;
}

describe('validateMemberInput: a valid form', () => {
	it('returns the stored fields with defaults and without empty optional fields', () => {
		const value = valueOf({ phone: '', email: '  ', hometown: '' });
		expect(value).toEqual({
			familyName: 'Nguyễn',
			middleName: 'Thị Thu',
			givenName: 'Trang',
			gender: 'female',
			birthDate: '2003-01-05',
			ethnicCode: '01',
			religion: 'Không',
			nationality: 'Việt Nam',
			partyMember: false,
			status: 'active'
		});
		expect(v.safeParse(MemberFieldsSchema, value).success).toBe(true);
	});

	it('stores names typed in lower case with combining marks as NFC title case', () => {
		const value = valueOf({
			familyName: ' nguyễn '.normalize('NFD'),
			middleName: 'thị   thu'.normalize('NFD'),
			givenName: 'TRANG'
		});
		expect(value.familyName).toBe('Nguyễn');
		expect(value.middleName).toBe('Thị Thu');
		expect(value.givenName).toBe('Trang');
		expect(value.familyName).toBe(value.familyName.normalize('NFC'));
	});

	it('reads dates typed dd/mm/yyyy or ISO', () => {
		expect(valueOf({ birthDate: '5/1/2003' }).birthDate).toBe('2003-01-05');
		expect(valueOf({ birthDate: '2003-01-05' }).birthDate).toBe('2003-01-05');
	});

	it('keeps a full record with every optional field filled', () => {
		const value = valueOf({
			otherName: 'bống',
			citizenId: '025 303 001 234',
			citizenIdIssuedOn: '12/05/2021',
			citizenIdIssuedBy: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
			ethnicCode: 'Mường',
			religion: 'Công giáo',
			phone: '+84 912 345 678',
			email: 'trang.nguyen@gmail.com',
			joinedOn: '26/03/2019',
			joinedPlace: 'Chi đoàn lớp 10A1, Trường THPT Thanh Sơn',
			cardNumber: '25 19 001234',
			branchId: 'xathanhsonkhu3',
			unionPosition: 'Bí thư chi đoàn',
			generalEducation: '12 / 12',
			politicalTheory: 'Sơ cấp',
			partyMember: 'on',
			partyJoinedOn: '03/02/2023',
			partyOfficialOn: '03/02/2024',
			occupation: 'Công nhân',
			status: 'Đang sinh hoạt'
		});
		expect(value).toMatchObject({
			otherName: 'Bống',
			citizenId: '025303001234',
			citizenIdIssuedOn: '2021-05-12',
			ethnicCode: '06',
			religion: 'Công giáo',
			phone: '0912345678',
			joinedOn: '2019-03-26',
			cardNumber: '2519001234',
			generalEducation: '12/12',
			politicalTheory: 'so-cap',
			partyMember: true,
			partyJoinedOn: '2023-02-03',
			partyOfficialOn: '2024-02-03',
			occupation: 'cong-nhan',
			status: 'active'
		});
		expect(v.safeParse(MemberFieldsSchema, value).success).toBe(true);
	});
});

describe('validateMemberInput: errors', () => {
	it('collects every error at once, each a sentence naming its field', () => {
		const errors = errorsOf({
			familyName: '',
			givenName: '  ',
			gender: '',
			birthDate: '2003/01/05',
			citizenId: '02530300123',
			ethnicCode: '',
			phone: '12345',
			email: 'trang@',
			generalEducation: 'lớp 12'
		});
		expect(errors).toEqual({
			familyName: 'Họ không được để trống.',
			givenName: 'Tên không được để trống.',
			gender: 'Giới tính: chọn Nam hoặc Nữ.',
			birthDate: 'Ngày sinh: nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2003.',
			citizenId: 'Số CCCD phải có đúng 12 chữ số (đang có 11).',
			ethnicCode: 'Dân tộc không được để trống.',
			phone: expect.stringMatching(/^Số điện thoại không đúng \(đang có 5 chữ số\)/),
			email: 'Email không đúng dạng, ví dụ ten.ho@gmail.com.',
			generalEducation: expect.stringMatching(/^Giáo dục phổ thông: .*9\/12/)
		});
	});

	it('starts every message with the field name users see', () => {
		const errors = errorsOf({
			familyName: '',
			givenName: '',
			birthDate: '',
			ethnicCode: 'Klingon',
			joinedOn: 'hôm qua',
			status: 'nghỉ'
		});
		for (const [key, message] of Object.entries(errors)) {
			const label = MEMBER_FIELD_LABELS[key as keyof typeof MEMBER_FIELD_LABELS];
			expect(message.startsWith(label), `${key}: ${message}`).toBe(true);
			expect(message.endsWith('.'), message).toBe(true);
		}
		expect(Object.keys(errors).sort()).toEqual(
			['birthDate', 'ethnicCode', 'familyName', 'givenName', 'joinedOn', 'status'].sort()
		);
	});

	it('refuses names with digits or symbols', () => {
		expect(errorsOf({ givenName: 'Trang2' }).givenName).toBe('Tên chỉ gồm chữ cái (đang có "2").');
	});

	describe('birth date', () => {
		it('is required', () => {
			expect(errorsOf({ birthDate: '' }).birthDate).toBe('Ngày sinh không được để trống.');
		});

		it('must exist', () => {
			expect(errorsOf({ birthDate: '31/02/2003' }).birthDate).toBe(
				'Ngày sinh: không có ngày 31/02/2003, hãy kiểm tra ngày và tháng.'
			);
		});

		it('cannot be in the future, but today is fine', () => {
			expect(errorsOf({ birthDate: '29/11/2025' }).birthDate).toBe(
				'Ngày sinh không được sau hôm nay (28/11/2025).'
			);
			expect(check({ birthDate: '28/11/2025' }).ok).toBe(true);
		});

		it('cannot be before 1900', () => {
			expect(errorsOf({ birthDate: '05/01/0203' }).birthDate).toBe(
				'Ngày sinh: năm sinh phải từ 1900 trở đi.'
			);
		});
	});

	it('requires sex', () => {
		expect(errorsOf({ gender: undefined }).gender).toBe('Giới tính: chọn Nam hoặc Nữ.');
		expect(valueOf({ gender: 'Nam' }).gender).toBe('male');
	});

	describe('ethnic group', () => {
		it('accepts a code or a name in any spelling', () => {
			expect(valueOf({ ethnicCode: '09' }).ethnicCode).toBe('09');
			expect(valueOf({ ethnicCode: "H'Mông" }).ethnicCode).toBe('08');
		});

		it('refuses unknown groups', () => {
			expect(errorsOf({ ethnicCode: '99' }).ethnicCode).toBe(
				'Dân tộc "99" không có trong danh mục 54 dân tộc.'
			);
		});
	});

	describe('citizen id', () => {
		it('is optional', () => {
			expect(valueOf({ citizenId: '' }).citizenId).toBeUndefined();
		});

		it('is checked against the sex and birth year on the form', () => {
			expect(errorsOf({ citizenId: '025203001234' }).citizenId).toBe(
				'Số CCCD không khớp giới tính: chữ số thứ 4 là "2" (Nam) nhưng hồ sơ ghi Nữ.'
			);
			const both = errorsOf({ citizenId: '025204001234' }).citizenId ?? '';
			expect(both).toContain('giới tính');
			expect(both).toContain('chữ số thứ 5–6 là "04"');
		});

		it('still gets the format checks when the birth date is wrong', () => {
			const errors = errorsOf({ birthDate: 'x', citizenId: '0253' });
			expect(errors.citizenId).toBe('Số CCCD phải có đúng 12 chữ số (đang có 4).');
			expect(errors.birthDate).toBeDefined();
		});

		it('needs a number before an issue date', () => {
			expect(errorsOf({ citizenIdIssuedOn: '01/01/2022' }).citizenIdIssuedOn).toBe(
				'Ngày cấp CCCD chỉ ghi khi có số CCCD.'
			);
		});
	});

	describe('phone', () => {
		it.each([
			['0912345678', '0912345678'],
			['0912 345 678', '0912345678'],
			['0912.345.678', '0912345678'],
			['+84 912 345 678', '0912345678'],
			['+84 (0) 912 345 678', '0912345678'],
			['84912345678', '0912345678'],
			['0210 3847 123', '02103847123']
		])('stores %s as %s', (typed, stored) => {
			expect(normalisePhone(typed)).toBe(stored);
			expect(valueOf({ phone: typed }).phone).toBe(stored);
		});

		it.each(['091234567', '09123456789', '0123456789', '1912345678', 'không có'])(
			'refuses %s',
			(typed) => {
				expect(normalisePhone(typed)).toBeNull();
				expect(errorsOf({ phone: typed }).phone).toMatch(/^Số điện thoại không đúng/);
			}
		);
	});

	describe('date of joining the Union', () => {
		it('cannot be before the birth date nor in the future', () => {
			expect(errorsOf({ joinedOn: '01/01/2002' }).joinedOn).toBe(
				'Ngày vào Đoàn không được trước ngày sinh (05/01/2003).'
			);
			expect(errorsOf({ joinedOn: '01/12/2025' }).joinedOn).toBe(
				'Ngày vào Đoàn không được sau hôm nay (28/11/2025).'
			);
		});

		it('must fall within the admission ages', () => {
			expect(errorsOf({ joinedOn: '05/01/2018' }).joinedOn).toBe(
				'Ngày vào Đoàn: chưa đủ tuổi kết nạp: ngày 05/01/2018 mới 15 tuổi, ' +
					'phải từ đủ 15 tuổi và 1 ngày (từ ngày 06/01/2018).'
			);
			expect(valueOf({ joinedOn: '06/01/2018' }).joinedOn).toBe('2018-01-06');
			expect(errorsOf({ birthDate: '10/06/1995', joinedOn: '11/06/2025' }).joinedOn).toMatch(
				/^Ngày vào Đoàn: quá tuổi kết nạp/
			);
		});
	});

	describe('party', () => {
		it('refuses party dates for someone who is not a party member', () => {
			const errors = errorsOf({
				partyMember: false,
				partyJoinedOn: '01/01/2024',
				partyOfficialOn: '01/01/2025'
			});
			expect(errors.partyJoinedOn).toBe('Ngày vào Đảng chỉ ghi khi là đảng viên.');
			expect(errors.partyOfficialOn).toBe('Ngày chính thức chỉ ghi khi là đảng viên.');
		});

		it('refuses an official date before the joining date', () => {
			expect(
				errorsOf({ partyMember: true, partyJoinedOn: '01/01/2024', partyOfficialOn: '01/01/2023' })
					.partyOfficialOn
			).toBe('Ngày chính thức không được trước ngày vào Đảng.');
		});
	});

	it('refuses an unknown status and accepts a label', () => {
		expect(errorsOf({ status: 'nghỉ' }).status).toBe('Trạng thái "nghỉ" không có trong danh mục.');
		expect(valueOf({ status: 'Trưởng thành' }).status).toBe('matured');
		expect(valueOf({ status: 'transferring' }).status).toBe('transferring');
	});

	it('refuses an unknown occupation or political theory level', () => {
		const errors = errorsOf({ occupation: 'phi hành gia', politicalTheory: 'Tiến sĩ' });
		expect(errors.occupation).toBe('Nghề nghiệp: chọn một mục trong danh sách.');
		expect(errors.politicalTheory).toBe(
			'Lý luận chính trị: chọn Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.'
		);
	});
});

describe('validateMemberInput: a new record answers ethnicity, religion and education', () => {
	const fresh = (changes: MemberInput) =>
		validateMemberInput({ input: { ...base, ...changes }, today: TODAY, newRecord: true });

	it('refuses a new record with any of them left empty, each with its own sentence', () => {
		const result = fresh({ ethnicCode: '', religion: '', generalEducation: '' });
		if (result.ok) throw new Error('expected errors');
		expect(result.errors).toEqual({
			ethnicCode: 'Dân tộc không được để trống.',
			religion: 'Tôn giáo không được để trống: ghi tên tôn giáo, hoặc “Không”.',
			generalEducation:
				'Giáo dục phổ thông không được để trống: ghi lớp đã học xong, ví dụ 9/12 hoặc 12/12.'
		});
	});

	it('accepts "Không" as an answer, and an older record without them still saves when edited', () => {
		const answered = fresh({ religion: 'Không', generalEducation: '9/12' });
		expect(answered.ok && answered.value.religion).toBe('Không');
		expect(check({ religion: '', generalEducation: '' }).ok).toBe(true);
	});
});
