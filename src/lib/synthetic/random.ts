// A small seeded PRNG (xoshiro128**, seeded through cyrb128 from any string or number): the demo,
// tests and benchmarks must produce the same data from the same seed on every machine, which
// Math.random cannot.

import { addDays, isoDateParts } from '../domain';

function cyrb128(text: string): [number, number, number, number] {
	let h1 = 1779033703;
	let h2 = 3144134277;
	let h3 = 1013904242;
	let h4 = 2773480762;
	for (let i = 0; i < text.length; i++) {
		const k = text.charCodeAt(i);
		h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
		h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
		h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
		h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
	}
	h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
	h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
	h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
	h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
	h1 ^= h2 ^ h3 ^ h4;
	h2 ^= h1;
	h3 ^= h1;
	h4 ^= h1;
	return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export interface Random {
	/** Uniform in [0, 1). */
	next(): number;
	/** Uniform integer in [min, max], both included. */
	int(range: { min: number; max: number }): number;
	/** True with probability p. */
	chance(p: number): boolean;
	/** One item, uniformly. Throws on an empty list. */
	pick<T>(items: readonly T[]): T;
	/** One value, with probability proportional to its weight. */
	weighted<T>(entries: readonly (readonly [T, number])[]): T;
	/** A uniform ISO date in [from, to], both included. */
	date(range: { from: string; to: string }): string;
	/** An independent generator derived from this one's seed and a label. */
	fork(label: string): Random;
}

export function createRandom(seed: string | number): Random {
	const seedText = String(seed);
	let [a, b, c, d] = cyrb128(seedText);
	if ((a | b | c | d) === 0) a = 1;

	function nextUint32(): number {
		const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
		const t = b << 9;
		c ^= a;
		d ^= b;
		b ^= c;
		a ^= d;
		c ^= t;
		d = rotl(d, 11);
		return result;
	}

	const random: Random = {
		next: () => nextUint32() / 4294967296,
		int({ min, max }) {
			if (max < min) throw new RangeError(`int: max ${max} < min ${min}`);
			return min + Math.floor(random.next() * (max - min + 1));
		},
		chance: (p) => random.next() < p,
		pick(items) {
			if (items.length === 0) throw new RangeError('pick: empty list');
			return items[Math.floor(random.next() * items.length)] as (typeof items)[number];
		},
		weighted(entries) {
			let total = 0;
			for (const [, weight] of entries) total += weight;
			if (!(total > 0)) throw new RangeError('weighted: no positive weight');
			let roll = random.next() * total;
			for (const [value, weight] of entries) {
				roll -= weight;
				if (roll < 0) return value;
			}
			const last = entries[entries.length - 1];
			if (last === undefined) throw new RangeError('weighted: empty list');
			return last[0];
		},
		date({ from, to }) {
			if (isoDateParts(from) === null || isoDateParts(to) === null || to < from) {
				throw new RangeError(`date: bad range ${from}..${to}`);
			}
			const span = Math.round(
				(Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000
			);
			return addDays({ date: from, days: random.int({ min: 0, max: span }) });
		},
		fork: (label) => createRandom(`${seedText}/${label}/${nextUint32()}`)
	};
	return random;
}

function rotl(x: number, k: number): number {
	return (x << k) | (x >>> (32 - k));
}
