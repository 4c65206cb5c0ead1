import type { MemberFieldKey } from '../member-schema';
import { fold } from '../text';
import { MEMBER_SHEET_COLUMNS } from './member-sheet';
import type {
	ColumnGuess,
	ColumnMapping,
	ImportTarget,
	RememberedMapping
} from './member-import-types';

// Which sheet column feeds which member field, guessed from the header texts (docs/spreadsheets.md,
// "Header matching"). Headers are compared folded (no marks, lower case), with punctuation,
// line breaks and anything in brackets ignored, so "Ngày sinh", "NGAY SINH", "Ngày/tháng/năm sinh"
// and "Ngày sinh (dd/mm/yyyy)" all read as the birth date. The roster sheet's own headers
// (member-sheet.ts: what the template and the exports write) always match; the variants below are
// the headings units' own sheets and the national software's templates use.

const VARIANTS: Readonly<Record<MemberFieldKey | 'fullName', readonly string[]>> = {
	fullName: [
		'Họ và tên',
		'Họ tên',
		'Họ và tên đoàn viên',
		'Họ tên đoàn viên',
		'Họ và tên khai sinh',
		'Tên đoàn viên'
	],
	familyName: ['Họ', 'Họ đoàn viên'],
	middleName: ['Tên đệm', 'Tên lót', 'Đệm', 'Chữ đệm'],
	givenName: ['Tên', 'Tên gọi'],
	otherName: ['Tên khác', 'Bí danh'],
	gender: ['Giới tính', 'Giới', 'Nam/Nữ', 'Nam nữ', 'Phái', 'GT'],
	birthDate: [
		'Ngày sinh',
		'Ngày/tháng/năm sinh',
		'Ngày tháng năm sinh',
		'Sinh ngày',
		'Năm sinh',
		'NS'
	],
	citizenId: [
		'Số CCCD',
		'CCCD',
		'CCCD/CMND',
		'CMND/CCCD',
		'Số CCCD/CMND',
		'Số CMND/CCCD',
		'Số định danh',
		'Số định danh cá nhân',
		'Căn cước công dân',
		'Số căn cước công dân',
		'Số căn cước',
		'Căn cước',
		'CMND',
		'Số CMND'
	],
	citizenIdIssuedOn: ['Ngày cấp', 'Ngày cấp CCCD/CMND'],
	citizenIdIssuedBy: ['Nơi cấp', 'Nơi cấp CCCD/CMND'],
	ethnicCode: ['Dân tộc', 'DT'],
	religion: ['Tôn giáo', 'TG'],
	nationality: ['Quốc tịch'],
	hometown: ['Quê quán', 'Nguyên quán', 'Quê'],
	permanentAddress: [
		'Địa chỉ thường trú',
		'Thường trú',
		'Hộ khẩu thường trú',
		'HKTT',
		'Nơi đăng ký thường trú'
	],
	currentAddress: [
		'Chỗ ở hiện nay',
		'Nơi ở',
		'Địa chỉ',
		'Địa chỉ hiện nay',
		'Địa chỉ nơi ở hiện nay',
		'Hiện nay',
		'Tạm trú',
		'Địa chỉ liên hệ'
	],
	phone: ['Điện thoại', 'SĐT', 'ĐT', 'Số ĐT', 'Di động', 'Điện thoại di động', 'Số di động'],
	email: ['E-mail', 'Thư điện tử', 'Địa chỉ email'],
	joinedOn: ['Ngày kết nạp', 'Ngày kết nạp Đoàn', 'Vào Đoàn', 'Ngày vào Đoàn TNCS HCM'],
	joinedPlace: ['Nơi vào Đoàn', 'Nơi kết nạp Đoàn'],
	cardNumber: ['Số thẻ', 'Số thẻ đoàn', 'Thẻ đoàn viên', 'Mã thẻ đoàn viên'],
	branchId: ['Chi đoàn sinh hoạt', 'Thuộc chi đoàn', 'Tên chi đoàn', 'Sinh hoạt tại chi đoàn'],
	unionPosition: ['Chức vụ', 'Chức vụ trong Đoàn'],
	generalEducation: [
		'Trình độ văn hóa',
		'Văn hóa',
		'Học vấn',
		'Trình độ học vấn',
		'GDPT',
		'Trình độ giáo dục phổ thông'
	],
	professionalQualification: ['Trình độ chuyên môn', 'Chuyên môn nghiệp vụ', 'Trình độ CMNV'],
	politicalTheory: ['LLCT', 'Trình độ lý luận chính trị', 'Trình độ LLCT', 'Chính trị'],
	itSkill: ['Trình độ tin học'],
	foreignLanguage: ['Trình độ ngoại ngữ'],
	partyMember: ['Là đảng viên'],
	partyJoinedOn: ['Ngày kết nạp Đảng', 'Vào Đảng'],
	partyOfficialOn: ['Ngày vào Đảng chính thức', 'Ngày chính thức vào Đảng', 'Đảng viên chính thức'],
	partySympathizer: ['Đối tượng Đảng', 'Cảm tình Đảng viên'],
	occupation: ['Nghề', 'Công việc', 'Nghề nghiệp hiện nay'],
	status: ['Tình trạng', 'Tình trạng sinh hoạt']
};

/**
 * Headers that number the rows or say nothing, and the unit column of a roster spanning several
 * units (roster-export-workbook.ts: the import writes into the unit on screen): never a field.
 */
const IGNORED = new Set([
	'stt',
	'tt',
	'so tt',
	'so thu tu',
	'ghi chu',
	'ky ten',
	'ky nhan',
	'don vi'
]);

/**
 * The key a header is matched and remembered by: folded, bracketed asides dropped, punctuation and
 * line breaks as single spaces. "Ngày/tháng/năm\nsinh (dd/mm/yyyy)" → "ngay thang nam sinh".
 */
export function headerKey(header: string): string {
	return fold(header.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '))
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();
}

const CANONICAL = new Map<string, MemberFieldKey>();
const KNOWN = new Map<string, Exclude<ImportTarget, null>>();
for (const column of MEMBER_SHEET_COLUMNS) {
	CANONICAL.set(headerKey(column.header), column.key);
	KNOWN.set(headerKey(column.header), column.key);
}
for (const [target, variants] of Object.entries(VARIANTS) as [
	MemberFieldKey | 'fullName',
	readonly string[]
][]) {
	for (const variant of variants) {
		const key = headerKey(variant);
		if (!KNOWN.has(key)) KNOWN.set(key, target);
	}
}

/**
 * The target one header names, or null. A header made of a group heading and a sub-heading
 * ("Địa chỉ Thường trú", from merged header cells) is tried whole, then by its last words.
 */
export function headerTarget(header: string): ImportTarget {
	const key = headerKey(header);
	if (key === '' || IGNORED.has(key)) return null;
	const whole = KNOWN.get(key);
	if (whole) return whole;
	const words = key.split(' ');
	// "Ngày sinh Nam" / "Ngày sinh Nữ": a birth-date heading over the national forms' sub-columns.
	const last = words.at(-1);
	if ((last === 'nam' || last === 'nu') && words.length > 1) {
		const group = headerTarget(words.slice(0, -1).join(' '));
		if (group === 'birthDate') return last === 'nam' ? 'birthDateMale' : 'birthDateFemale';
	}
	for (let start = 1; start < words.length; start++) {
		const tail = KNOWN.get(words.slice(start).join(' '));
		if (tail && words.length - start >= 2) return tail;
	}
	return null;
}

/** Fields a new member cannot do without (validateMemberInput with newRecord). */
const NEEDED_FOR_NEW: readonly MemberFieldKey[] = [
	'familyName',
	'givenName',
	'gender',
	'birthDate',
	'ethnicCode',
	'religion',
	'generalEducation'
];

/** Guesses a target for every column; a remembered mapping (by folded header) wins over guessing. */
export function guessColumnMapping(options: {
	headers: readonly string[];
	remembered?: RememberedMapping;
}): ColumnGuess {
	const mapping: ColumnMapping = [];
	const how: ColumnGuess['how'] = [];
	const taken = new Set<Exclude<ImportTarget, null>>();
	const repeated = new Set<MemberFieldKey>();
	for (const header of options.headers) {
		const key = headerKey(header);
		let target: ImportTarget = null;
		let found: ColumnGuess['how'][number] = 'none';
		if (options.remembered && key !== '' && key in options.remembered) {
			target = options.remembered[key] ?? null;
			found = target === null ? 'none' : 'remembered';
		} else {
			target = headerTarget(header);
			if (target !== null) found = CANONICAL.get(key) === target ? 'header' : 'variant';
		}
		if (target !== null && taken.has(target)) {
			// Only the first column keeps a field: two columns writing one field would be a guess.
			if (target === 'birthDateMale' || target === 'birthDateFemale') repeated.add('birthDate');
			else if (target !== 'fullName') repeated.add(target);
			target = null;
			found = 'none';
		}
		if (target !== null) taken.add(target);
		mapping.push(target);
		how.push(found);
	}
	return {
		mapping,
		how,
		missing: missingFields(mapping),
		repeated: [...repeated]
	};
}

/** The fields a new member needs that a mapping does not give (a full name gives họ and tên). */
export function missingFields(mapping: ColumnMapping): MemberFieldKey[] {
	const given = new Set<ImportTarget>(mapping.filter((target) => target !== null));
	if (given.has('birthDateMale') || given.has('birthDateFemale')) {
		// The date's sub-column gives the gender as well (a gender column, if any, is checked).
		given.add('birthDate');
		given.add('gender');
	}
	return NEEDED_FOR_NEW.filter(
		(field) =>
			!given.has(field) &&
			!(given.has('fullName') && (field === 'familyName' || field === 'givenName'))
	);
}
