import type { Gender } from './labels';

// Số định danh cá nhân / CCCD: 12 digits, kept as text because of the leading zeros.
//   digits 1–3  province where the birth was registered (the 63 pre-2025 province codes; the
//               July 2025 provincial merger did not renumber ids already issued)
//   digit 4     century and sex: 1900s 0 male / 1 female, 2000s 2 / 3, 2100s 4 / 5 (Nghị định
//               137/2015 goes on to 2200s 6 / 7 and 2300s 8 / 9, so every digit decodes)
//   digits 5–6  last two digits of the birth year
//   digits 7–12 random

/** Province codes of the citizen id (Thông tư 07/2016/TT-BCA, 63 pre-2025 provinces). */
export const CITIZEN_ID_PROVINCES: Readonly<Record<string, string>> = {
	'001': 'Hà Nội',
	'002': 'Hà Giang',
	'004': 'Cao Bằng',
	'006': 'Bắc Kạn',
	'008': 'Tuyên Quang',
	'010': 'Lào Cai',
	'011': 'Điện Biên',
	'012': 'Lai Châu',
	'014': 'Sơn La',
	'015': 'Yên Bái',
	'017': 'Hòa Bình',
	'019': 'Thái Nguyên',
	'020': 'Lạng Sơn',
	'022': 'Quảng Ninh',
	'024': 'Bắc Giang',
	'025': 'Phú Thọ',
	'026': 'Vĩnh Phúc',
	'027': 'Bắc Ninh',
	'030': 'Hải Dương',
	'031': 'Hải Phòng',
	'033': 'Hưng Yên',
	'034': 'Thái Bình',
	'035': 'Hà Nam',
	'036': 'Nam Định',
	'037': 'Ninh Bình',
	'038': 'Thanh Hóa',
	'040': 'Nghệ An',
	'042': 'Hà Tĩnh',
	'044': 'Quảng Bình',
	'045': 'Quảng Trị',
	'046': 'Thừa Thiên Huế',
	'048': 'Đà Nẵng',
	'049': 'Quảng Nam',
	'051': 'Quảng Ngãi',
	'052': 'Bình Định',
	'054': 'Phú Yên',
	'056': 'Khánh Hòa',
	'058': 'Ninh Thuận',
	'060': 'Bình Thuận',
	'062': 'Kon Tum',
	'064': 'Gia Lai',
	'066': 'Đắk Lắk',
	'067': 'Đắk Nông',
	'068': 'Lâm Đồng',
	'070': 'Bình Phước',
	'072': 'Tây Ninh',
	'074': 'Bình Dương',
	'075': 'Đồng Nai',
	'077': 'Bà Rịa - Vũng Tàu',
	'079': 'Thành phố Hồ Chí Minh',
	'080': 'Long An',
	'082': 'Tiền Giang',
	'083': 'Bến Tre',
	'084': 'Trà Vinh',
	'086': 'Vĩnh Long',
	'087': 'Đồng Tháp',
	'089': 'An Giang',
	'091': 'Kiên Giang',
	'092': 'Cần Thơ',
	'093': 'Hậu Giang',
	'094': 'Sóc Trăng',
	'095': 'Bạc Liêu',
	'096': 'Cà Mau'
};

export type CitizenIdProblemCode = 'length' | 'non-digit' | 'province' | 'sex' | 'century' | 'year';

export interface CitizenIdProblem {
	code: CitizenIdProblemCode;
	/** A Vietnamese sentence naming the field, ready to show. */
	message: string;
}

/** What the digits of a well-formed id say; null when the id is not 12 digits. */
export interface CitizenIdParts {
	provinceCode: string;
	/** Null when the province code is not in the list. */
	provinceName: string | null;
	/** Even digit 4 is male, odd is female. */
	gender: Gender;
	/** First year of the century digit 4 encodes: 1900, 2000, 2100, … */
	centuryStart: number;
	/** Digits 5–6. */
	yearDigits: string;
}

export function decodeCitizenId(citizenId: string): CitizenIdParts | null {
	const id = citizenId.trim();
	if (!/^\d{12}$/.test(id)) return null;
	const provinceCode = id.slice(0, 3);
	const digit = Number(id.charAt(3));
	return {
		provinceCode,
		provinceName: CITIZEN_ID_PROVINCES[provinceCode] ?? null,
		gender: digit % 2 === 0 ? 'male' : 'female',
		centuryStart: 1900 + Math.floor(digit / 2) * 100,
		yearDigits: id.slice(4, 6)
	};
}

/** The province where the birth was registered, or null for a malformed id or unknown code. */
export function citizenIdProvince(citizenId: string): string | null {
	return decodeCitizenId(citizenId)?.provinceName ?? null;
}

/** The digit 4 a person of this sex born in this year carries (for generators and hints). */
export function citizenIdCenturyDigit(options: { gender: Gender; birthYear: number }): string {
	const century = Math.floor((options.birthYear - 1900) / 100);
	return String(century * 2 + (options.gender === 'female' ? 1 : 0));
}

const GENDER_WORD: Record<Gender, string> = { male: 'Nam', female: 'Nữ' };

/**
 * Every way the id contradicts itself or the record: format first (nothing else can be trusted
 * when it is not 12 digits), then the province, then digit 4 and digits 5–6 against the record's
 * sex and birth year. Empty when the id is consistent. Sex and birth date are optional so a form
 * with an invalid birth date still gets the checks that do not need it.
 */
export function checkCitizenId(options: {
	citizenId: string;
	gender?: Gender | null;
	/** ISO 'YYYY-MM-DD'. */
	birthDate?: string | null;
}): CitizenIdProblem[] {
	const id = options.citizenId.trim();
	const problems: CitizenIdProblem[] = [];
	const nonDigits = [...new Set(id.replace(/\d/g, ''))];
	if (nonDigits.length > 0) {
		const shown = nonDigits
			.map((ch) => (ch === ' ' ? 'dấu cách' : `"${ch}"`))
			.slice(0, 3)
			.join(', ');
		problems.push({
			code: 'non-digit',
			message: `Số CCCD chỉ gồm chữ số (đang có ${shown}).`
		});
	}
	const length = [...id].length;
	if (length !== 12) {
		problems.push({
			code: 'length',
			message: `Số CCCD phải có đúng 12 chữ số (đang có ${length}).`
		});
	}
	if (problems.length > 0) return problems;

	const parts = decodeCitizenId(id);
	if (parts === null) return problems;
	if (parts.provinceName === null) {
		problems.push({
			code: 'province',
			message:
				`Số CCCD: 3 chữ số đầu "${parts.provinceCode}" không phải mã tỉnh nơi đăng ký ` +
				'khai sinh.'
		});
	}
	const digit4 = id.charAt(3);
	if (options.gender && parts.gender !== options.gender) {
		problems.push({
			code: 'sex',
			message:
				`Số CCCD không khớp giới tính: chữ số thứ 4 là "${digit4}" ` +
				`(${GENDER_WORD[parts.gender]}) nhưng hồ sơ ghi ${GENDER_WORD[options.gender]}.`
		});
	}
	const birthYear = options.birthDate ? Number(options.birthDate.slice(0, 4)) : NaN;
	if (Number.isInteger(birthYear)) {
		const recordCentury = Math.floor(birthYear / 100) * 100;
		if (recordCentury !== parts.centuryStart) {
			problems.push({
				code: 'century',
				message:
					`Số CCCD không khớp năm sinh: chữ số thứ 4 là "${digit4}" (sinh trong các năm ` +
					`${parts.centuryStart}–${parts.centuryStart + 99}) nhưng năm sinh là ${birthYear}.`
			});
		}
		const yearDigits = String(birthYear % 100).padStart(2, '0');
		if (parts.yearDigits !== yearDigits) {
			problems.push({
				code: 'year',
				message:
					`Số CCCD không khớp năm sinh: chữ số thứ 5–6 là "${parts.yearDigits}" nhưng năm ` +
					`sinh là ${birthYear} (phải là "${yearDigits}").`
			});
		}
	}
	return problems;
}
