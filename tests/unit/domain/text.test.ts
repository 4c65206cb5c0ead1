import { describe, expect, it } from 'vitest';
import { fold, foldWords, titleCaseName, toNfc } from '$lib/domain';

const nfd = (s: string) => s.normalize('NFD');

describe('toNfc', () => {
	it('stores names typed with combining marks in precomposed form', () => {
		const typed = nfd('Nguyễn Thị Thu Trang');
		expect(typed).not.toBe('Nguyễn Thị Thu Trang');
		expect(toNfc(typed)).toBe('Nguyễn Thị Thu Trang');
	});

	it('trims and collapses the spaces users leave between words', () => {
		expect(toNfc('  Nguyễn \t Thị\u00a0 Thu  ')).toBe('Nguyễn Thị Thu');
	});
});

describe('fold', () => {
	it('treats both tone placements as the same word: Hoà/hòa, Thuỷ/thủy', () => {
		expect(fold('Hoà')).toBe(fold('hòa'));
		expect(fold('Hoà')).toBe('hoa');
		expect(fold('Thuỷ')).toBe(fold('thủy'));
		expect(fold('Thuỷ')).toBe('thuy');
	});

	it('folds precomposed and combining input to the same text', () => {
		const name = 'Phạm Thị Ngọc Ánh';
		expect(fold(nfd(name))).toBe(fold(name));
		expect(fold(name)).toBe('pham thi ngoc anh');
	});

	it('maps đ and Đ to d, which NFD alone leaves untouched', () => {
		expect(nfd('đ')).toBe('đ');
		expect(fold('Đặng Đình Đức')).toBe('dang dinh duc');
		expect(fold(nfd('ĐẶNG'))).toBe('dang');
	});

	it('maps the eth some legacy keyboards type for Đ', () => {
		expect(fold('Ðặng')).toBe('dang');
	});

	it('drops every vowel mark: ă â ê ô ơ ư', () => {
		expect(fold('Ăn Âu Êm Ôn Ơn Ưng')).toBe('an au em on on ung');
	});

	it('collapses whitespace and is idempotent', () => {
		const once = fold('  Trần   Thị  Hương ');
		expect(once).toBe('tran thi huong');
		expect(fold(once)).toBe(once);
	});
});

describe('foldWords', () => {
	it('splits on spaces and punctuation, keeping apostrophe names whole', () => {
		expect(foldWords(' Nguyễn  Thị-Thu ')).toEqual(['nguyen', 'thi', 'thu']);
		expect(foldWords("H'Hen Niê")).toEqual(['hhen', 'nie']);
		expect(foldWords('  ')).toEqual([]);
	});
});

describe('titleCaseName', () => {
	it('capitalises each word and keeps NFC', () => {
		expect(titleCaseName('nguyễn  thị')).toBe('Nguyễn Thị');
		expect(titleCaseName('ĐẶNG văn ĐỨC')).toBe('Đặng Văn Đức');
		const fromCombining = titleCaseName(nfd('ưng hoàng phúc'));
		expect(fromCombining).toBe('Ưng Hoàng Phúc');
		expect(fromCombining).toBe(fromCombining.normalize('NFC'));
	});

	it('capitalises after hyphens and apostrophes (Ê-đê and Hmông names)', () => {
		expect(titleCaseName("h'hen niê")).toBe("H'Hen Niê");
		expect(titleCaseName('y-moan')).toBe('Y-Moan');
	});
});
