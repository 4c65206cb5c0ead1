import { describe, expect, it } from 'vitest';
import { fold, fullName, titleCaseName, type NameParts } from '$lib/domain';
import { NAME_TABLES, createRandom, generateName } from '$lib/synthetic';

function many(options: {
	seed: string;
	count: number;
	ethnicCode?: string;
}): (NameParts & { male: boolean })[] {
	const random = createRandom(options.seed);
	return Array.from({ length: options.count }, () => {
		const male = random.chance(0.5);
		return {
			...generateName({ random, gender: male ? 'male' : 'female', ethnicCode: options.ethnicCode }),
			male
		};
	});
}

describe('generateName', () => {
	it('draws from large enough tables', () => {
		expect(new Set(NAME_TABLES.family).size).toBeGreaterThanOrEqual(60);
		expect(new Set(NAME_TABLES.middle).size).toBeGreaterThanOrEqual(40);
		expect(new Set(NAME_TABLES.given).size).toBeGreaterThanOrEqual(150);
	});

	it('gives Kinh names the national surname shares', () => {
		const names = many({ seed: 'kinh', count: 20000, ethnicCode: '01' });
		const share = (family: string) =>
			names.filter((n) => n.familyName === family).length / names.length;
		expect(share('Nguyễn')).toBeGreaterThan(0.34);
		expect(share('Nguyễn')).toBeLessThan(0.42);
		expect(share('Trần')).toBeGreaterThan(0.08);
		expect(share('Lê')).toBeGreaterThan(0.07);
		expect(new Set(names.map((n) => n.familyName)).size).toBeGreaterThan(40);
	});

	it('gives Mường and Dao members the surnames of the mountain districts', () => {
		const muong = new Set(
			many({ seed: 'muong', count: 2000, ethnicCode: '06' }).map((n) => n.familyName)
		);
		for (const family of ['Đinh', 'Hà', 'Quách', 'Bạch', 'Xa']) expect(muong).toContain(family);
		const dao = new Set(
			many({ seed: 'dao', count: 2000, ethnicCode: '09' }).map((n) => n.familyName)
		);
		for (const family of ['Triệu', 'Bàn', 'Đặng']) expect(dao).toContain(family);
	});

	it('uses middle names by sex: Thị for women, Văn for men, mostly', () => {
		const names = many({ seed: 'middle', count: 4000 });
		const women = names.filter((n) => !n.male);
		const men = names.filter((n) => n.male);
		const thi = women.filter((n) => n.middleName.startsWith('Thị')).length / women.length;
		expect(thi).toBeGreaterThan(0.3);
		expect(men.some((n) => n.middleName.startsWith('Thị'))).toBe(false);
		expect(men.filter((n) => n.middleName === 'Văn').length / men.length).toBeGreaterThan(0.2);
		expect(women.some((n) => n.middleName === 'Thị Thu')).toBe(true);
	});

	it('produces NFC, title-cased names, some with the older tone placement', () => {
		const names = many({ seed: 'form', count: 5000 });
		for (const name of names) {
			const text = fullName(name);
			expect(text).toBe(text.normalize('NFC'));
			expect(text).toBe(titleCaseName(text));
		}
		const given = names.map((n) => n.givenName);
		expect(given).toContain('Hoà');
		expect(given).toContain('Hòa');
		expect(
			new Set(given.filter((g) => fold(g) === 'hoa' || fold(g) === 'thuy')).size
		).toBeGreaterThan(2);
	});
});
