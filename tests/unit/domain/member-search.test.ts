import { describe, expect, it } from 'vitest';
import {
	looksLikeCardNumber,
	looksLikeCitizenId,
	looksLikePhone,
	memberNameWords,
	normaliseSearchQuery,
	parseSearchQuery,
	rankMemberMatch,
	type SearchableMember
} from '$lib/domain';

const trang: SearchableMember = {
	familyName: 'Nguyễn',
	middleName: 'Thị Thu',
	givenName: 'Trang',
	otherName: 'Bống',
	citizenId: '025303001234',
	phone: '0912345678',
	cardNumber: '2519001234'
};

const rank = (query: string, member: SearchableMember = trang) =>
	rankMemberMatch({ member, query });

describe('memberNameWords', () => {
	it('gives the folded words of every name part and the other name, once each', () => {
		expect(memberNameWords(trang)).toEqual(['nguyen', 'thi', 'thu', 'trang', 'bong']);
		expect(memberNameWords({ familyName: 'Hà', middleName: 'Thị', givenName: 'Hà' })).toEqual([
			'ha',
			'thi'
		]);
	});

	it('gives the same words for combining-mark input', () => {
		const nfd = {
			familyName: 'Nguyễn'.normalize('NFD'),
			middleName: 'Thị Thu'.normalize('NFD'),
			givenName: 'Trang',
			otherName: 'Bống'.normalize('NFD')
		};
		expect(memberNameWords(nfd)).toEqual(memberNameWords(trang));
	});
});

describe('normaliseSearchQuery', () => {
	it('ignores case, diacritics and extra spaces', () => {
		expect(normaliseSearchQuery('  Nguyễn   THỊ ')).toBe('nguyen thi');
		expect(normaliseSearchQuery('Đức')).toBe('duc');
	});
});

describe('rankMemberMatch', () => {
	it('ranks the exact full name first', () => {
		expect(rank('Nguyễn Thị Thu Trang')).toBe(0);
		expect(rank('nguyen thi thu trang')).toBe(0);
		expect(rank('NGUYỄN THỊ THU TRANG'.normalize('NFD'))).toBe(0);
	});

	it('then a prefix of the given name', () => {
		expect(rank('tra')).toBe(1);
		expect(rank('Trang')).toBe(1);
	});

	it('then a word of the name starting with the query, or every typed word doing so', () => {
		expect(rank('thu')).toBe(2);
		expect(rank('nguy')).toBe(2);
		expect(rank('bong')).toBe(2);
		expect(rank('nguyen trang')).toBe(2);
		expect(rank('nguyen thi')).toBe(2);
	});

	it('then anything contained in the name', () => {
		expect(rank('uyen')).toBe(3);
		expect(rank('thu tr')).toBe(2);
		expect(rank('hi thu')).toBe(3);
	});

	it('does not match other names', () => {
		expect(rank('hoa')).toBeNull();
		expect(rank('')).toBeNull();
		expect(rank('   ')).toBeNull();
	});

	it('matches both tone placements and đ', () => {
		const hoa = { familyName: 'Đặng', middleName: 'Thị', givenName: 'Hoà' };
		expect(rank('hòa', hoa)).toBe(1);
		expect(rank('Hoà', hoa)).toBe(1);
		expect(rank('dang thi hoa', hoa)).toBe(0);
		const thuy = { familyName: 'Lê', middleName: 'Thu', givenName: 'Thủy' };
		expect(rank('Thuỷ', thuy)).toBe(1);
	});

	it('orders a result list: exact, given-name prefix, word prefix, contained', () => {
		const members: SearchableMember[] = [
			{ familyName: 'Lê', middleName: 'Thị', givenName: 'Lan' },
			{ familyName: 'An', middleName: 'Văn', givenName: 'Bình' },
			{ familyName: 'Trần', middleName: 'Văn', givenName: 'Anh' },
			{ familyName: 'Vũ', middleName: '', givenName: 'An' }
		];
		const ranked = members
			.map((member) => ({ member, rank: rankMemberMatch({ member, query: 'an' }) }))
			.filter((r) => r.rank !== null)
			.sort((a, b) => a.rank! - b.rank!)
			.map((r) => r.member.givenName);
		expect(ranked).toEqual(['Anh', 'An', 'Bình', 'Lan']);
	});

	it('finds members by citizen id, phone and card number', () => {
		expect(rank('025303001234')).toBe(0);
		expect(rank('025 303 001 234')).toBe(0);
		expect(rank('0912 345 678')).toBe(0);
		expect(rank('+84 912 345 678')).toBe(0);
		expect(rank('2519001234')).toBe(0);
		expect(rank('0912')).toBe(2);
		expect(rank('025303')).toBe(2);
		expect(rank('3001')).toBe(3);
		expect(rank('0987654321')).toBeNull();
		expect(rank('123', { familyName: 'Lê', middleName: '', givenName: 'Na' })).toBeNull();
	});
});

describe('query detection', () => {
	it('recognises citizen ids, phones and card numbers', () => {
		expect(looksLikeCitizenId('025 303 001 234')).toBe(true);
		expect(looksLikeCitizenId('02530300123')).toBe(false);
		expect(looksLikePhone('+84 912 345 678')).toBe(true);
		expect(looksLikePhone('025303001234')).toBe(false);
		expect(looksLikeCardNumber('2519001234')).toBe(true);
		expect(looksLikeCardNumber('ĐV-001234')).toBe(true);
		expect(looksLikeCardNumber('Trang')).toBe(false);
	});

	it('tells the search which indexes to use', () => {
		expect(parseSearchQuery('+84 912 345 678')).toMatchObject({
			phone: '0912345678',
			citizenId: null
		});
		expect(parseSearchQuery('025 303 001 234')).toMatchObject({
			citizenId: '025303001234',
			digits: '025303001234'
		});
		expect(parseSearchQuery('Thu Trang')).toMatchObject({
			text: 'thu trang',
			words: ['thu', 'trang'],
			digits: null,
			phone: null
		});
	});
});
