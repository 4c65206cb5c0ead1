// Whole on purpose (~550 lines): almost all of it is the name frequency tables; the code is ~60 lines.
import type { Gender, NameParts } from '../domain';
import type { Random } from './random';

// Vietnamese names with realistic frequencies. Weights are relative within each table: the national
// surname shares (Nguyễn ≈ 38%, Trần ≈ 11%, Lê ≈ 9.5%, Phạm ≈ 7%…) for Kinh, and the surnames
// common among the minorities of Phú Thọ's mountain districts and their neighbours for the others.

type Table = readonly (readonly [string, number])[];

const KINH_FAMILY: Table = [
	['Nguyễn', 384],
	['Trần', 110],
	['Lê', 95],
	['Phạm', 70],
	['Hoàng', 40],
	['Huỳnh', 5],
	['Phan', 45],
	['Vũ', 35],
	['Võ', 5],
	['Đặng', 21],
	['Bùi', 20],
	['Đỗ', 14],
	['Hồ', 13],
	['Ngô', 13],
	['Dương', 10],
	['Lý', 5],
	['Đinh', 6],
	['Hà', 6],
	['Đào', 6],
	['Cao', 5],
	['Lương', 4],
	['Mai', 4],
	['Trịnh', 5],
	['Lâm', 3],
	['Phùng', 4],
	['Tạ', 4],
	['Chu', 3],
	['Lưu', 3],
	['Kiều', 3],
	['Tô', 2],
	['Đoàn', 4],
	['Vương', 2],
	['Trương', 4],
	['Khúc', 1],
	['Đàm', 2],
	['Tống', 1],
	['Thân', 1],
	['Khổng', 1],
	['Ninh', 1],
	['Phí', 1],
	['Nghiêm', 1],
	['Quan', 1],
	['Cù', 1],
	['Doãn', 1],
	['Giáp', 1],
	['Lại', 2],
	['Kim', 1],
	['Khuất', 1],
	['Âu', 1],
	['Hán', 1],
	['Nhữ', 1],
	['Văn', 1],
	['Triệu', 1],
	['Quách', 1],
	['Mạc', 1]
];

const MUONG_FAMILY: Table = [
	['Hà', 14],
	['Đinh', 14],
	['Bùi', 12],
	['Nguyễn', 10],
	['Quách', 6],
	['Xa', 5],
	['Bạch', 4],
	['Cao', 5],
	['Phùng', 4],
	['Hoàng', 4],
	['Lê', 3],
	['Trần', 3],
	['Đỗ', 2],
	['Đặng', 2]
];

const DAO_FAMILY: Table = [
	['Triệu', 18],
	['Bàn', 18],
	['Đặng', 14],
	['Lý', 12],
	['Phùng', 8],
	['Chảo', 6],
	['Tẩn', 5],
	['Hoàng', 4],
	['Trương', 3],
	['Dương', 2]
];

const TAY_NUNG_FAMILY: Table = [
	['Hoàng', 12],
	['Nông', 12],
	['Bế', 6],
	['Ma', 6],
	['Hà', 6],
	['Lục', 4],
	['Vi', 4],
	['Lương', 5],
	['Nguyễn', 8],
	['Đàm', 4],
	['Mạc', 3],
	['Triệu', 3],
	['Hứa', 3],
	['Chu', 3],
	['Lý', 3],
	['Mã', 2],
	['Sầm', 2]
];

const HMONG_FAMILY: Table = [
	['Giàng', 12],
	['Vàng', 12],
	['Sùng', 10],
	['Thào', 10],
	['Lý', 8],
	['Mùa', 6],
	['Hờ', 5],
	['Lầu', 5],
	['Hầu', 4],
	['Tráng', 4]
];

const THAI_FAMILY: Table = [
	['Lò', 10],
	['Lường', 8],
	['Cầm', 6],
	['Quàng', 5],
	['Vi', 5],
	['Hà', 8],
	['Lộc', 3],
	['Tòng', 4],
	['Sầm', 3]
];

const MALE_MIDDLE: Table = [
	['Văn', 30],
	['Đức', 8],
	['Minh', 8],
	['Hữu', 4],
	['Quang', 5],
	['Công', 4],
	['Xuân', 3],
	['Thanh', 4],
	['Tuấn', 2],
	['Hoàng', 3],
	['Ngọc', 3],
	['Duy', 3],
	['Trung', 3],
	['Mạnh', 3],
	['Đình', 4],
	['Quốc', 4],
	['Việt', 3],
	['Tiến', 3],
	['Anh', 3],
	['Gia', 3],
	['Hải', 2],
	['Bảo', 2],
	['Nhật', 2],
	['Trọng', 2],
	['Khánh', 2],
	['Đăng', 2],
	['Thế', 3],
	['Huy', 2],
	['Thành', 2],
	['Chí', 2]
];

const FEMALE_MIDDLE: Table = [
	['Thị', 40],
	['Ngọc', 6],
	['Thu', 5],
	['Thanh', 5],
	['Minh', 3],
	['Thúy', 2],
	['Phương', 4],
	['Hồng', 3],
	['Bích', 2],
	['Hoài', 2],
	['Kim', 3],
	['Diệu', 2],
	['Mai', 2],
	['Khánh', 3],
	['Lan', 1],
	['Hải', 2],
	['Bảo', 3],
	['Quỳnh', 2],
	['Thảo', 2],
	['Thùy', 3],
	['Hương', 1],
	['Tuyết', 1],
	['Mỹ', 1],
	['Như', 1],
	['Cẩm', 1],
	['Vân', 1],
	['Ánh', 1],
	['Linh', 2],
	['Yến', 1]
];

/** The second word of a double middle name: "Thị Thu", "Thị Hồng". */
const AFTER_THI: Table = [
	['Thu', 6],
	['Thanh', 4],
	['Hồng', 4],
	['Minh', 3],
	['Ngọc', 3],
	['Kim', 3],
	['Thúy', 2],
	['Mai', 2],
	['Phương', 2],
	['Lan', 1],
	['Hoài', 1]
];

const MALE_GIVEN: Table = [
	['Anh', 30],
	['Hùng', 14],
	['Dũng', 14],
	['Tuấn', 18],
	['Nam', 16],
	['Hải', 12],
	['Long', 14],
	['Minh', 16],
	['Đức', 14],
	['Huy', 16],
	['Hoàng', 8],
	['Quân', 12],
	['Khoa', 6],
	['Phúc', 8],
	['Sơn', 12],
	['Thắng', 10],
	['Trung', 10],
	['Tùng', 10],
	['Cường', 10],
	['Hiếu', 12],
	['Hưng', 10],
	['Hào', 5],
	['Kiên', 8],
	['Lâm', 6],
	['Lộc', 6],
	['Mạnh', 10],
	['Nghĩa', 8],
	['Phong', 8],
	['Quang', 8],
	['Tài', 6],
	['Thành', 12],
	['Thịnh', 6],
	['Tiến', 8],
	['Toàn', 8],
	['Trí', 5],
	['Tú', 6],
	['Vinh', 6],
	['Vũ', 6],
	['Việt', 8],
	['Bảo', 6],
	['Bình', 6],
	['Công', 5],
	['Đạt', 12],
	['Định', 4],
	['Duy', 8],
	['Dương', 6],
	['Giang', 4],
	['Hậu', 5],
	['Hiệp', 5],
	['Hòa', 5],
	['Khánh', 6],
	['Khải', 3],
	['Lực', 3],
	['Lương', 3],
	['Nhân', 5],
	['Ninh', 4],
	['Phương', 4],
	['Quý', 4],
	['Quyết', 4],
	['Sang', 3],
	['Tâm', 5],
	['Thái', 4],
	['Thanh', 6],
	['Thông', 3],
	['Thuận', 4],
	['Tín', 3],
	['Toản', 3],
	['Trọng', 4],
	['Trường', 6],
	['Tuân', 3],
	['Vĩ', 2],
	['Xuân', 3],
	['Đông', 4],
	['Điệp', 3],
	['Chiến', 6],
	['Cảnh', 3],
	['Bắc', 2],
	['An', 5],
	['Kỳ', 2],
	['Luân', 3],
	['Lợi', 4],
	['Nguyên', 5],
	['Phát', 4],
	['Quyền', 3],
	['Sỹ', 2],
	['Tấn', 2],
	['Thiện', 4],
	['Tuệ', 2],
	['Vượng', 3],
	['Doanh', 2],
	['Đại', 2],
	['Khang', 4],
	['Khôi', 4],
	['Lân', 2],
	['Tuyên', 2],
	['Ân', 2],
	['Đạo', 1],
	['Ước', 1]
];

const FEMALE_GIVEN: Table = [
	['Trang', 22],
	['Hương', 16],
	['Linh', 22],
	['Huyền', 14],
	['Hà', 12],
	['Anh', 18],
	['Ngọc', 10],
	['Lan', 8],
	['Mai', 10],
	['Thảo', 14],
	['Hằng', 12],
	['Nhung', 8],
	['Phương', 12],
	['Thủy', 10],
	['Vân', 8],
	['Yến', 8],
	['Nga', 8],
	['Hạnh', 8],
	['Hoa', 8],
	['Hồng', 6],
	['Loan', 5],
	['Ly', 8],
	['My', 6],
	['Nhi', 8],
	['Oanh', 6],
	['Quyên', 5],
	['Quỳnh', 8],
	['Tâm', 5],
	['Thanh', 5],
	['Thu', 6],
	['Thúy', 6],
	['Trinh', 4],
	['Tuyết', 4],
	['Uyên', 6],
	['Vy', 6],
	['Xuân', 3],
	['Ánh', 5],
	['Bích', 4],
	['Chi', 6],
	['Diệp', 3],
	['Diệu', 2],
	['Dung', 6],
	['Duyên', 6],
	['Giang', 6],
	['Hiền', 8],
	['Hoài', 3],
	['Huế', 3],
	['Kim', 3],
	['Liên', 4],
	['Liễu', 2],
	['Lụa', 1],
	['Minh', 3],
	['Nguyệt', 4],
	['Nhàn', 4],
	['Phượng', 4],
	['Thắm', 4],
	['Thơ', 3],
	['Thương', 5],
	['Tiên', 3],
	['Trâm', 4],
	['Vui', 2],
	['Hân', 4],
	['Ngân', 8],
	['Thoa', 3],
	['Thư', 6],
	['Châu', 3],
	['Đào', 2],
	['Hòa', 3],
	['Hậu', 3],
	['Lệ', 2],
	['Mận', 1],
	['Na', 2],
	['Trà', 3],
	['Tươi', 3],
	['Vi', 3],
	['Diễm', 3],
	['Khuyên', 2],
	['Gấm', 1],
	['Hường', 3],
	['Hảo', 2],
	['Lam', 2],
	['Mến', 2],
	['Thêu', 1],
	['Thùy', 4]
];

const HMONG_MALE_MIDDLE: Table = [
	['A', 6],
	['Seo', 2],
	['Văn', 3]
];
const HMONG_MALE_GIVEN: Table = [
	['Páo', 3],
	['Dế', 3],
	['Sử', 3],
	['Chứ', 3],
	['Pó', 2],
	['Sình', 2],
	['Lử', 2],
	['Tủa', 2],
	['Vư', 2],
	['Khua', 1],
	['Sềnh', 1]
];
const HMONG_FEMALE_GIVEN: Table = [
	['Mỷ', 3],
	['Dua', 3],
	['Say', 2],
	['Sua', 2],
	['Dợ', 2],
	['Pàng', 2],
	['Súa', 2],
	['Chá', 1],
	['Dí', 1]
];
const DAO_MALE_GIVEN: Table = [
	['Phin', 3],
	['Sinh', 3],
	['Quẩy', 2],
	['Chàn', 2],
	['Tòn', 2],
	['Vần', 2],
	['Liềm', 1]
];
const DAO_FEMALE_GIVEN: Table = [
	['Mẩy', 3],
	['Xiêm', 2],
	['Dùng', 2],
	['Nhất', 1],
	['Chiêm', 1]
];

// Both tone placements are in use ("Hòa"/"Hoà", "Thủy"/"Thuỷ"): some records keep the older one,
// which search must still find.
const OLD_TONE_PLACEMENT: Readonly<Record<string, string>> = {
	Hòa: 'Hoà',
	Thủy: 'Thuỷ',
	Thúy: 'Thuý',
	Thùy: 'Thuỳ',
	Khỏe: 'Khoẻ'
};
const OLD_TONE_SHARE = 0.25;

function withToneStyle(random: Random, word: string): string {
	const old = OLD_TONE_PLACEMENT[word];
	return old !== undefined && random.chance(OLD_TONE_SHARE) ? old : word;
}

function familyTable(ethnicCode: string): Table {
	switch (ethnicCode) {
		case '06':
			return MUONG_FAMILY;
		case '09':
			return DAO_FAMILY;
		case '02':
		case '07':
			return TAY_NUNG_FAMILY;
		case '08':
			return HMONG_FAMILY;
		case '03':
			return THAI_FAMILY;
		default:
			return KINH_FAMILY;
	}
}

/** Every distinct word the generator can produce, per role (for tests and documentation). */
export const NAME_TABLES = {
	family: [
		KINH_FAMILY,
		MUONG_FAMILY,
		DAO_FAMILY,
		TAY_NUNG_FAMILY,
		HMONG_FAMILY,
		THAI_FAMILY
	].flatMap((table) => table.map(([name]) => name)),
	middle: [MALE_MIDDLE, FEMALE_MIDDLE, AFTER_THI, HMONG_MALE_MIDDLE].flatMap((table) =>
		table.map(([name]) => name)
	),
	given: [
		MALE_GIVEN,
		FEMALE_GIVEN,
		HMONG_MALE_GIVEN,
		HMONG_FEMALE_GIVEN,
		DAO_MALE_GIVEN,
		DAO_FEMALE_GIVEN
	].flatMap((table) => table.map(([name]) => name))
};

/**
 * A realistic name for a person of this sex and ethnic group (code from the official list; Kinh
 * when omitted). Deterministic for a given generator state.
 */
export function generateName(options: {
	random: Random;
	gender: Gender;
	ethnicCode?: string;
}): NameParts {
	const { random, gender } = options;
	const ethnicCode = options.ethnicCode ?? '01';
	const familyName = random.weighted(familyTable(ethnicCode));
	const male = gender === 'male';

	let middleName: string;
	if (ethnicCode === '08' && male) middleName = random.weighted(HMONG_MALE_MIDDLE);
	else if (male) middleName = random.weighted(MALE_MIDDLE);
	else {
		middleName = random.weighted(FEMALE_MIDDLE);
		if (middleName === 'Thị' && random.chance(0.2)) {
			middleName = `Thị ${random.weighted(AFTER_THI)}`;
		}
	}

	let givenTable = male ? MALE_GIVEN : FEMALE_GIVEN;
	if (ethnicCode === '08' && random.chance(0.7)) {
		givenTable = male ? HMONG_MALE_GIVEN : HMONG_FEMALE_GIVEN;
	} else if (ethnicCode === '09' && random.chance(0.3)) {
		givenTable = male ? DAO_MALE_GIVEN : DAO_FEMALE_GIVEN;
	}
	const givenName = withToneStyle(random, random.weighted(givenTable));
	middleName = middleName
		.split(' ')
		.map((word) => withToneStyle(random, word))
		.join(' ');
	return { familyName, middleName, givenName };
}
