import { describe, expect, it } from 'vitest';
import { alternated, sideBySide } from '../../../bench/cheap-phone-order';

// The cheap-phone bench's builds take turns sample by sample (bench/cheap-phone-order.ts): each is
// measured first as often as second, so a drift of the machine's load or a browser warming up no
// longer falls on one build alone.

describe('alternated', () => {
	it('puts each build first in turn, ours first in the first round', () => {
		const rounds = [0, 1, 2, 3].map((round) =>
			alternated(['ours', 'main'], round).map(({ item, position }) => `${position}:${item}`)
		);
		expect(rounds).toEqual([
			['0:ours', '1:main'],
			['0:main', '1:ours'],
			['0:ours', '1:main'],
			['0:main', '1:ours']
		]);
	});

	it('measures each build first in half the rounds of an even count', () => {
		const firsts = [0, 1, 2, 3, 4, 5].map((round) => alternated(['a', 'b'], round)[0]!.item);
		expect(firsts.filter((item) => item === 'a')).toHaveLength(3);
		expect(firsts.filter((item) => item === 'b')).toHaveLength(3);
	});
});

describe('sideBySide', () => {
	it('shows both medians, their ratio and what coming first did', () => {
		// Ours 10 s and 12 s, main 20 s and 22 s; first of their round: 10 and 22, second: 20 and 12.
		const lines = sideBySide({
			builds: [
				{
					label: 'ours',
					samples: [
						{ ms: 10_000, position: 0 },
						{ ms: 12_000, position: 1 }
					]
				},
				{
					label: 'main',
					samples: [
						{ ms: 20_000, position: 1 },
						{ ms: 22_000, position: 0 }
					]
				}
			],
			metrics: [{ name: 'sign-in', unit: 's', pick: (s) => s.ms }]
		});
		const row = lines.find((line) => line.includes('sign-in'))!;
		expect(row).toContain('12.0 s [10.0 s, 12.0 s]');
		expect(row).toContain('22.0 s [20.0 s, 22.0 s]');
		expect(row).toContain('1.83×');
		// Upper medians: first 22 s, second 20 s.
		expect(row).toContain('1.10×');
	});
});
