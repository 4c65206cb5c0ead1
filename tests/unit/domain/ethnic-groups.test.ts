import { describe, expect, it } from 'vitest';
import {
	ETHNIC_GROUPS,
	ethnicGroupName,
	ethnicMatchKey,
	findEthnicGroup,
	isEthnicMinority
} from '$lib/domain';

// docs/domain.md §2, in code order.
const OFFICIAL = [
	'Kinh',
	'Tày',
	'Thái',
	'Hoa',
	'Khơ-me',
	'Mường',
	'Nùng',
	'Hmông',
	'Dao',
	'Gia-rai',
	'Ngái',
	'Ê-đê',
	'Ba-na',
	'Xơ-đăng',
	'Sán Chay',
	'Cơ-ho',
	'Chăm',
	'Sán Dìu',
	'Hrê',
	'Mnông',
	'Ra-glai',
	'Xtiêng',
	'Bru-Vân Kiều',
	'Thổ',
	'Giáy',
	'Cơ-tu',
	'Giẻ-Triêng',
	'Mạ',
	'Khơ-mú',
	'Co',
	'Tà-ôi',
	'Chơ-ro',
	'Kháng',
	'Xinh-mun',
	'Hà Nhì',
	'Chu-ru',
	'Lào',
	'La Chí',
	'La Ha',
	'Phù Lá',
	'La Hủ',
	'Lự',
	'Lô Lô',
	'Chứt',
	'Mảng',
	'Pà Thẻn',
	'Cơ Lao',
	'Cống',
	'Bố Y',
	'Si La',
	'Pu Péo',
	'Brâu',
	'Ơ Đu',
	'Rơ-măm',
	'Người nước ngoài'
];

describe('ethnic groups', () => {
	it('has the 54 groups and foreigners with the official codes 01–55', () => {
		expect(ETHNIC_GROUPS.map((g) => g.name)).toEqual(OFFICIAL);
		expect(ETHNIC_GROUPS.map((g) => g.code)).toEqual(
			OFFICIAL.map((_, i) => String(i + 1).padStart(2, '0'))
		);
		expect(ethnicGroupName('06')).toBe('Mường');
		expect(ethnicGroupName('55')).toBe('Người nước ngoài');
		expect(ethnicGroupName('56')).toBeNull();
	});

	it.each([
		['Khmer', '05'],
		['Khơ-me', '05'],
		['khơ me', '05'],
		["H'Mông", '08'],
		['H’Mông', '08'],
		['Mông', '08'],
		['Hmông', '08'],
		['HMÔNG', '08'],
		["X'tiêng", '22'],
		['Xtiêng', '22'],
		['Raglai', '21'],
		['Ra-glai', '21'],
		['Cờ Lao', '47'],
		['Co Lao', '47'],
		['Cơ Lao', '47'],
		['Bru - Vân Kiều', '23'],
		['Bru-Vân Kiều', '23'],
		['Ê Đê', '12'],
		['Gia Rai', '10'],
		['dân tộc Tày', '02'],
		['kinh', '01'],
		['Thái', '03']
	])('matches the spelling "%s" to code %s', (name, code) => {
		expect(findEthnicGroup(name)?.code).toBe(code);
	});

	it('matches names typed with combining marks', () => {
		expect(findEthnicGroup('Mường'.normalize('NFD'))?.code).toBe('06');
		expect(findEthnicGroup('Sán Dìu'.normalize('NFD'))?.code).toBe('18');
	});

	it('finds nothing for unknown or empty names', () => {
		expect(findEthnicGroup('Klingon')).toBeNull();
		expect(findEthnicGroup('')).toBeNull();
		expect(findEthnicGroup(' - ')).toBeNull();
	});

	it('never gives one folded spelling to two groups', () => {
		const owner = new Map<string, string>();
		for (const group of ETHNIC_GROUPS) {
			for (const spelling of [group.name, ...group.aliases]) {
				const key = ethnicMatchKey(spelling);
				expect(owner.get(key) ?? group.code, `${spelling} (${key})`).toBe(group.code);
				owner.set(key, group.code);
			}
		}
	});

	it('counts every group but Kinh as an ethnic minority', () => {
		expect(isEthnicMinority('01')).toBe(false);
		expect(isEthnicMinority('06')).toBe(true);
		expect(isEthnicMinority('09')).toBe(true);
		expect(isEthnicMinority('55')).toBe(true);
	});
});
