import { describe, expect, it } from 'vitest';
import { createRandom } from '$lib/synthetic';

describe('createRandom', () => {
	it('repeats the same sequence for the same seed and differs for another', () => {
		const a = createRandom('doanvu');
		const b = createRandom('doanvu');
		const c = createRandom('doanvu2');
		const seqA = Array.from({ length: 20 }, () => a.next());
		const seqB = Array.from({ length: 20 }, () => b.next());
		const seqC = Array.from({ length: 20 }, () => c.next());
		expect(seqB).toEqual(seqA);
		expect(seqC).not.toEqual(seqA);
		expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
		expect(createRandom(42).next()).toBe(createRandom('42').next());
	});

	it('draws integers within both bounds, reaching each', () => {
		const random = createRandom(1);
		const seen = new Set<number>();
		for (let i = 0; i < 2000; i++) seen.add(random.int({ min: 3, max: 7 }));
		expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
	});

	it('follows the weights', () => {
		const random = createRandom('weights');
		let heads = 0;
		for (let i = 0; i < 10000; i++)
			if (
				random.weighted([
					['a', 3],
					['b', 1]
				] as const) === 'a'
			)
				heads++;
		expect(heads / 10000).toBeGreaterThan(0.72);
		expect(heads / 10000).toBeLessThan(0.78);
	});

	it('draws dates within the range, both ends included', () => {
		const random = createRandom('dates');
		const seen = new Set<string>();
		for (let i = 0; i < 500; i++) seen.add(random.date({ from: '2024-02-27', to: '2024-03-01' }));
		expect([...seen].sort()).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
	});

	it('refuses impossible requests', () => {
		const random = createRandom(0);
		expect(() => random.pick([])).toThrow();
		expect(() => random.int({ min: 2, max: 1 })).toThrow();
		expect(() => random.date({ from: '2024-03-01', to: '2024-02-01' })).toThrow();
	});
});
