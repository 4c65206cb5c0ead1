import * as v from 'valibot';
import { checkAdmissionAge } from './age';
import { checkCitizenId } from './citizen-id';
import { formatDate, parseDateDetailed } from './dates';
import { findEthnicGroup, isEthnicCode } from './ethnic-groups';
import {
	GENDERS,
	GENDER_LABELS,
	OCCUPATIONS,
	OCCUPATION_LABELS,
	POLITICAL_THEORY_LABELS,
	POLITICAL_THEORY_LEVELS,
	normaliseGeneralEducation,
	type Gender
} from './labels';
import { MEMBER_STATUSES, MEMBER_STATUS_LABELS, type MemberStatus } from './member-statuses';
import type { MemberFieldKey, MemberFields } from './member-schema';
import { normalisePhone } from './phone';
import { DEFAULT_RULES, type MembershipRules } from './rules/table';
import { fold, lowerFirst, titleCaseName, toNfc } from './text';

// Defined in phone.ts, which the boot-time member search can import without the form validation.
export { normalisePhone };

/** What a form hands over: each field as its input holds it (dates typed, checkboxes booleans). */
export type MemberInput = Readonly<Partial<Record<string, string | boolean | null | undefined>>>;

export type MemberFieldErrors = Partial<Record<MemberFieldKey, string>>;

export type MemberInputResult =
	{ ok: true; value: MemberFields } | { ok: false; errors: MemberFieldErrors };

// The labels live in member-field-labels.ts (the public declaration page reads them without the
// validation's code); re-exported here, where every caller finds them.
export { MEMBER_FIELD_LABELS } from './member-field-labels';
import { MEMBER_FIELD_LABELS } from './member-field-labels';

const EARLIEST_BIRTH_YEAR = 1900;
const NAME_CHARACTERS = /^[\p{L}\p{M} '’ʼ-]*$/u;
const EmailSchema = v.pipe(v.string(), v.email());

function pickOption<T extends string>(options: {
	value: string;
	list: readonly T[];
	labels: Readonly<Record<T, string>>;
}): T | null {
	const { value, list, labels } = options;
	if ((list as readonly string[]).includes(value)) return value as T;
	const folded = fold(value);
	return list.find((item) => fold(labels[item]) === folded) ?? null;
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes', 'co', 'x']);

/**
 * The form boundary: checks what a user typed and turns it into the stored fields (NFC, title-case
 * names, ISO dates, normalised phone), or returns a Vietnamese sentence per faulty field — all of
 * them at once, so the user fixes everything in one pass.
 */
export function validateMemberInput(options: {
	input: MemberInput;
	/** ISO date of today on the device: nothing may happen after it. */
	today: string;
	rules?: MembershipRules;
	/**
	 * A record being created (add form, admission): ethnicity, religion and general education must be
	 * answered, never defaulted — a silent "Kinh" or "12/12" would be a wrong record in a commune where
	 * most members are ethnic minorities. Editing an older record that lacks them still saves.
	 */
	newRecord?: boolean;
}): MemberInputResult {
	const { input, today } = options;
	const rules = options.rules ?? DEFAULT_RULES;
	const errors: MemberFieldErrors = {};
	const label = MEMBER_FIELD_LABELS;

	const text = (key: MemberFieldKey): string => {
		const raw = input[key];
		return typeof raw === 'string' ? toNfc(raw) : '';
	};
	const flag = (key: MemberFieldKey): boolean => {
		const raw = input[key];
		return typeof raw === 'boolean' ? raw : TRUE_WORDS.has(fold(raw ?? ''));
	};
	/** A typed date as ISO, or undefined (empty or wrong, with the error recorded). */
	const date = (key: MemberFieldKey, opts: { required?: boolean } = {}): string | undefined => {
		const typed = text(key);
		if (typed === '') {
			if (opts.required) errors[key] = `${label[key]} không được để trống.`;
			return undefined;
		}
		const parsed = parseDateDetailed(typed);
		if (!parsed.ok) {
			errors[key] =
				parsed.reason === 'nonexistent'
					? `${label[key]}: không có ngày ${typed}, hãy kiểm tra ngày và tháng.`
					: `${label[key]}: nhập theo dạng ngày/tháng/năm, ví dụ 05/01/2003.`;
			return undefined;
		}
		if (parsed.iso > today) {
			errors[key] = `${label[key]} không được sau hôm nay (${formatDate(today)}).`;
			return undefined;
		}
		return parsed.iso;
	};
	const name = (key: MemberFieldKey, opts: { required: boolean }): string => {
		const value = titleCaseName(text(key));
		if (value === '') {
			if (opts.required) errors[key] = `${label[key]} không được để trống.`;
		} else if (!NAME_CHARACTERS.test(value)) {
			const odd = [...value].find((ch) => !NAME_CHARACTERS.test(ch)) ?? '';
			errors[key] = `${label[key]} chỉ gồm chữ cái (đang có "${odd}").`;
		}
		return value;
	};

	// Identity
	const familyName = name('familyName', { required: true });
	const middleName = name('middleName', { required: false });
	const givenName = name('givenName', { required: true });
	const otherName = name('otherName', { required: false });

	const genderText = text('gender');
	const gender: Gender | null = genderText
		? pickOption({ value: genderText, list: GENDERS, labels: GENDER_LABELS })
		: null;
	if (gender === null) errors.gender = 'Giới tính: chọn Nam hoặc Nữ.';

	let birthDate = date('birthDate', { required: true });
	if (birthDate !== undefined && Number(birthDate.slice(0, 4)) < EARLIEST_BIRTH_YEAR) {
		errors.birthDate = `Ngày sinh: năm sinh phải từ ${EARLIEST_BIRTH_YEAR} trở đi.`;
		birthDate = undefined;
	}
	const notBeforeBirth = (key: MemberFieldKey, iso: string | undefined): string | undefined => {
		if (iso === undefined || birthDate === undefined || iso >= birthDate) return iso;
		errors[key] = `${label[key]} không được trước ngày sinh (${formatDate(birthDate)}).`;
		return undefined;
	};

	const citizenId = text('citizenId').replace(/\s/g, '');
	if (citizenId !== '') {
		const problems = checkCitizenId({ citizenId, gender, birthDate });
		if (problems.length > 0) errors.citizenId = problems.map((p) => p.message).join(' ');
	}
	const citizenIdIssuedOn = notBeforeBirth('citizenIdIssuedOn', date('citizenIdIssuedOn'));
	if (citizenIdIssuedOn !== undefined && citizenId === '') {
		errors.citizenIdIssuedOn = 'Ngày cấp CCCD chỉ ghi khi có số CCCD.';
	}

	// Origin
	const ethnicText = text('ethnicCode');
	let ethnicCode: string | null = null;
	if (ethnicText === '') errors.ethnicCode = 'Dân tộc không được để trống.';
	else {
		ethnicCode = isEthnicCode(ethnicText)
			? ethnicText
			: (findEthnicGroup(ethnicText)?.code ?? null);
		if (ethnicCode === null) {
			errors.ethnicCode = `Dân tộc "${ethnicText}" không có trong danh mục 54 dân tộc.`;
		}
	}

	if (options.newRecord && text('religion') === '') {
		errors.religion = 'Tôn giáo không được để trống: ghi tên tôn giáo, hoặc “Không”.';
	}

	// Contact
	const phoneText = text('phone');
	const phone = phoneText === '' ? '' : normalisePhone(phoneText);
	if (phone === null) {
		const digits = phoneText.replace(/\D/g, '');
		errors.phone =
			`Số điện thoại không đúng (đang có ${digits.length} chữ số): số di động có 10 chữ số ` +
			`bắt đầu bằng 0, ví dụ 0912 345 678, hoặc viết dạng +84 912 345 678; số máy bàn có 11 ` +
			`chữ số bắt đầu bằng 02.`;
	}
	const email = text('email');
	if (email !== '' && !v.is(EmailSchema, email)) {
		errors.email = 'Email không đúng dạng, ví dụ ten.ho@gmail.com.';
	}

	// Union
	const joinedOn = notBeforeBirth('joinedOn', date('joinedOn'));
	if (joinedOn !== undefined && birthDate !== undefined) {
		const problem = checkAdmissionAge({ birthDate, decisionDate: joinedOn, rules });
		if (problem) errors.joinedOn = `${label.joinedOn}: ${lowerFirst(problem.message)}`;
	}

	// Education
	const educationText = text('generalEducation');
	const generalEducation = educationText === '' ? '' : normaliseGeneralEducation(educationText);
	if (options.newRecord && educationText === '') {
		errors.generalEducation =
			'Giáo dục phổ thông không được để trống: ghi lớp đã học xong, ví dụ 9/12 hoặc 12/12.';
	} else if (generalEducation === null) {
		errors.generalEducation =
			'Giáo dục phổ thông: ghi lớp đã học xong trên hệ 12 năm, ví dụ 9/12 hoặc 12/12.';
	}
	const theoryText = text('politicalTheory');
	const politicalTheory = theoryText
		? pickOption({
				value: theoryText,
				list: POLITICAL_THEORY_LEVELS,
				labels: POLITICAL_THEORY_LABELS
			})
		: undefined;
	if (politicalTheory === null) {
		errors.politicalTheory = 'Lý luận chính trị: chọn Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.';
	}

	// Party
	const partyMember = flag('partyMember');
	let partyJoinedOn: string | undefined;
	let partyOfficialOn: string | undefined;
	if (partyMember) {
		partyJoinedOn = notBeforeBirth('partyJoinedOn', date('partyJoinedOn'));
		partyOfficialOn = notBeforeBirth('partyOfficialOn', date('partyOfficialOn'));
		if (partyJoinedOn && partyOfficialOn && partyOfficialOn < partyJoinedOn) {
			errors.partyOfficialOn = 'Ngày chính thức không được trước ngày vào Đảng.';
		}
	} else {
		for (const key of ['partyJoinedOn', 'partyOfficialOn'] as const) {
			if (text(key) !== '') errors[key] = `${label[key]} chỉ ghi khi là đảng viên.`;
		}
	}

	// Work and status
	const occupationText = text('occupation');
	const occupation = occupationText
		? pickOption({ value: occupationText, list: OCCUPATIONS, labels: OCCUPATION_LABELS })
		: undefined;
	if (occupation === null) errors.occupation = 'Nghề nghiệp: chọn một mục trong danh sách.';
	const statusText = text('status');
	const status: MemberStatus | null = statusText
		? pickOption({ value: statusText, list: MEMBER_STATUSES, labels: MEMBER_STATUS_LABELS })
		: 'active';
	if (status === null) errors.status = `Trạng thái "${statusText}" không có trong danh mục.`;

	// Every null below already has its message in `errors`; the checks narrow the types.
	if (
		gender === null ||
		birthDate === undefined ||
		ethnicCode === null ||
		status === null ||
		phone === null ||
		generalEducation === null ||
		Object.keys(errors).length > 0
	) {
		return { ok: false, errors };
	}

	const value: MemberFields = {
		familyName,
		middleName,
		givenName,
		gender,
		birthDate,
		ethnicCode,
		religion: text('religion') || 'Không',
		nationality: text('nationality') || 'Việt Nam',
		partyMember,
		status
	};
	const optional: Partial<MemberFields> = {
		otherName,
		citizenId,
		citizenIdIssuedOn,
		citizenIdIssuedBy: text('citizenIdIssuedBy'),
		hometown: text('hometown'),
		permanentAddress: text('permanentAddress'),
		currentAddress: text('currentAddress'),
		phone,
		email,
		joinedOn,
		joinedPlace: text('joinedPlace'),
		cardNumber: text('cardNumber').replace(/\s/g, ''),
		branchId: text('branchId'),
		unionPosition: text('unionPosition'),
		generalEducation,
		professionalQualification: text('professionalQualification'),
		politicalTheory: politicalTheory ?? undefined,
		itSkill: text('itSkill'),
		foreignLanguage: text('foreignLanguage'),
		partyJoinedOn,
		partyOfficialOn,
		partySympathizer: flag('partySympathizer') || undefined,
		occupation: occupation ?? undefined
	};
	// Empty optional fields are left out rather than stored as '' or undefined.
	for (const [key, fieldValue] of Object.entries(optional)) {
		if (fieldValue !== undefined && fieldValue !== '') {
			(value as Record<string, unknown>)[key] = fieldValue;
		}
	}
	return { ok: true, value };
}
