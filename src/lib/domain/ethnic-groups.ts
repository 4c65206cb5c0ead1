import { fold } from './text';

// The 54 ethnic groups with the codes of the 1979 list (still used by civil-status and insurance
// systems), plus 55 for foreigners. Records store the code; names from other systems are matched
// on a folded form, never on another system's number (some systems number the groups differently).

export interface EthnicGroup {
	code: string;
	name: string;
	/** Other spellings seen in imports and other systems. */
	aliases: readonly string[];
}

export const ETHNIC_GROUPS: readonly EthnicGroup[] = [
	{ code: '01', name: 'Kinh', aliases: ['Việt', 'Người Kinh'] },
	{ code: '02', name: 'Tày', aliases: [] },
	{ code: '03', name: 'Thái', aliases: ['Thái Đen', 'Thái Trắng'] },
	{ code: '04', name: 'Hoa', aliases: ['Hán', 'Người Hoa'] },
	{
		code: '05',
		name: 'Khơ-me',
		aliases: ['Khmer', 'Khơ Me', 'Khơme', 'Khmer Krom', 'Khơ-me Krôm']
	},
	{ code: '06', name: 'Mường', aliases: ['Mol', 'Mual'] },
	{ code: '07', name: 'Nùng', aliases: [] },
	{ code: '08', name: 'Hmông', aliases: ["H'Mông", 'Mông', 'H’Mông', 'Hmong', 'H Mông'] },
	{ code: '09', name: 'Dao', aliases: ['Dìu Miền', 'Kìm Miền'] },
	{ code: '10', name: 'Gia-rai', aliases: ['Gia Rai', 'Giarai', 'Jrai', 'Jarai', 'Zrai'] },
	{ code: '11', name: 'Ngái', aliases: [] },
	{ code: '12', name: 'Ê-đê', aliases: ['Ê Đê', 'Êđê', 'Rhađê', 'Rhade', 'Ra-đê'] },
	{ code: '13', name: 'Ba-na', aliases: ['Ba Na', 'Bahnar', 'Ba-nar'] },
	{ code: '14', name: 'Xơ-đăng', aliases: ['Xơ Đăng', 'Sê Đăng', 'Sedang', 'Xơ-teng'] },
	{ code: '15', name: 'Sán Chay', aliases: ['Sán Chay (Cao Lan - Sán Chỉ)', 'Cao Lan', 'Sán Chỉ'] },
	{ code: '16', name: 'Cơ-ho', aliases: ['Cơ Ho', "K'Ho", 'Koho', 'Kơho'] },
	{ code: '17', name: 'Chăm', aliases: ['Chàm', 'Cham'] },
	{ code: '18', name: 'Sán Dìu', aliases: ['Sán Dẻo'] },
	{ code: '19', name: 'Hrê', aliases: ["H're", 'Hre', 'H’rê'] },
	{ code: '20', name: 'Mnông', aliases: ["M'Nông", 'M’Nông', 'Mơ Nông', 'Mnong'] },
	{ code: '21', name: 'Ra-glai', aliases: ['Raglai', 'Ra Glai', 'Rắc Lây', 'Roglai'] },
	{ code: '22', name: 'Xtiêng', aliases: ["X'tiêng", 'X’tiêng', 'Xa Điêng', 'Stiêng', 'Stieng'] },
	{
		code: '23',
		name: 'Bru-Vân Kiều',
		aliases: ['Bru - Vân Kiều', 'Bru Vân Kiều', 'Vân Kiều', 'Bru']
	},
	{ code: '24', name: 'Thổ', aliases: [] },
	{ code: '25', name: 'Giáy', aliases: ['Nhắng', 'Giầy'] },
	{ code: '26', name: 'Cơ-tu', aliases: ['Cơ Tu', 'Ca Tu', 'Katu'] },
	{ code: '27', name: 'Giẻ-Triêng', aliases: ['Gié Triêng', 'Giẻ Triêng', 'Gié-Triêng', 'Giẻ'] },
	{ code: '28', name: 'Mạ', aliases: ['Châu Mạ'] },
	{ code: '29', name: 'Khơ-mú', aliases: ['Khơ Mú', 'Khmú', 'Kho Mu', 'Xá Cẩu'] },
	{ code: '30', name: 'Co', aliases: ['Cor', 'Col'] },
	{ code: '31', name: 'Tà-ôi', aliases: ['Tà Ôi', 'Tà Ôi (Pa Cô)', 'Pa Cô', 'Ta Oi'] },
	{ code: '32', name: 'Chơ-ro', aliases: ['Chơ Ro', 'Châu Ro', 'Chro'] },
	{ code: '33', name: 'Kháng', aliases: [] },
	{ code: '34', name: 'Xinh-mun', aliases: ['Xinh Mun', 'Puộc', 'Pụa'] },
	{ code: '35', name: 'Hà Nhì', aliases: ['Hà-nhì', 'U Ní', 'Xá U Ní'] },
	{ code: '36', name: 'Chu-ru', aliases: ['Chu Ru', 'Churu', 'Chơ-ru'] },
	{ code: '37', name: 'Lào', aliases: ['Lào Bốc', 'Lào Nọi'] },
	{ code: '38', name: 'La Chí', aliases: ['La-chí', 'Cù Tê'] },
	{ code: '39', name: 'La Ha', aliases: ['La-ha'] },
	{ code: '40', name: 'Phù Lá', aliases: ['Phù-lá', 'Bồ Khô Pạ'] },
	{ code: '41', name: 'La Hủ', aliases: ['La-hủ', 'Pu Đang'] },
	{ code: '42', name: 'Lự', aliases: ['Lữ', 'Nhuồn', 'Duôn'] },
	{ code: '43', name: 'Lô Lô', aliases: ['Lô-lô', 'Mun Di'] },
	{ code: '44', name: 'Chứt', aliases: ['Rục', 'Sách', 'A Rem'] },
	{ code: '45', name: 'Mảng', aliases: ['Mảng Ư', 'Xá Lá Vàng'] },
	{ code: '46', name: 'Pà Thẻn', aliases: ['Pà-thẻn', 'Pà Hưng'] },
	{ code: '47', name: 'Cơ Lao', aliases: ['Cờ Lao', 'Co Lao', 'Cơ-lao'] },
	{ code: '48', name: 'Cống', aliases: ['Xắm Khống', 'Mấng Nhé'] },
	{ code: '49', name: 'Bố Y', aliases: ['Bố-y', 'Bố Ý', 'Chủng Chá', 'Trọng Gia'] },
	{ code: '50', name: 'Si La', aliases: ['Si-la', 'Cú Dé Xử'] },
	{ code: '51', name: 'Pu Péo', aliases: ['Pu-péo', 'Ka Pèo', 'Pen Ti Lô Lô'] },
	{ code: '52', name: 'Brâu', aliases: ['Brao'] },
	{ code: '53', name: 'Ơ Đu', aliases: ['Ơ-đu', 'Tày Hạt'] },
	{ code: '54', name: 'Rơ-măm', aliases: ['Rơ Măm', 'Romam'] },
	{ code: '55', name: 'Người nước ngoài', aliases: ['Nước ngoài', 'Ngoại quốc'] }
];

export const KINH_CODE = '01';
export const FOREIGNER_CODE = '55';

export const ETHNIC_CODES: readonly string[] = ETHNIC_GROUPS.map((group) => group.code);

/** Lower case, no diacritics, no hyphens, apostrophes or spaces: "H'Mông" → "hmong". */
export function ethnicMatchKey(name: string): string {
	return fold(name).replace(/[\s\-'‘’ʼ`.()]/g, '');
}

const BY_CODE = new Map(ETHNIC_GROUPS.map((group) => [group.code, group]));
const BY_KEY = new Map<string, EthnicGroup>();
for (const group of ETHNIC_GROUPS) {
	for (const spelling of [group.name, ...group.aliases])
		BY_KEY.set(ethnicMatchKey(spelling), group);
}

/**
 * The group an imported or typed name means, whatever the spelling ("Khmer", "Khơ-me",
 * "H'Mông", "Mông"…); a leading "dân tộc" is ignored. Null when nothing matches.
 */
export function findEthnicGroup(name: string): EthnicGroup | null {
	const key = ethnicMatchKey(name).replace(/^dantoc/, '');
	if (key === '') return null;
	return BY_KEY.get(key) ?? null;
}

export function ethnicGroupByCode(code: string): EthnicGroup | null {
	return BY_CODE.get(code) ?? null;
}

/** "06" → "Mường"; null for a code not in the list. */
export function ethnicGroupName(code: string): string | null {
	return BY_CODE.get(code)?.name ?? null;
}

export function isEthnicCode(code: unknown): code is string {
	return typeof code === 'string' && BY_CODE.has(code);
}

/** Any group other than Kinh (01), as the Union's statistics count it. */
export function isEthnicMinority(code: string): boolean {
	return code !== KINH_CODE;
}
