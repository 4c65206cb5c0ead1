import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../src/lib/data/sync/main-thread';

// The first sync's write slices (src/lib/data/sync/main-thread.ts): a slow phone gets small
// slices (short tasks), a fast one large (fewer transactions), never outside the bounds.

describe('BatchSizer', () => {
	const sizer = () => new BatchSizer({ start: 100, min: 20, max: 500, targetMs: 60 });

	it('shrinks at once to what fits the target on a slow phone', () => {
		const s = sizer();
		// 100 documents in 400 ms: 4 ms each, so 15 fit in 60 ms; the floor is 20.
		s.took({ count: 100, ms: 400 });
		expect(s.size).toBe(20);
		// 1.5 ms each: 40 documents.
		s.took({ count: 20, ms: 30 });
		expect(s.size).toBe(30);
	});

	it('grows by half at most per write on a fast machine, up to the ceiling', () => {
		const s = sizer();
		s.took({ count: 100, ms: 5 });
		expect(s.size).toBe(150);
		for (let i = 0; i < 10; i++) s.took({ count: s.size, ms: 5 });
		expect(s.size).toBe(500);
	});

	it('ignores a write too small to say anything', () => {
		const s = sizer();
		s.took({ count: 3, ms: 200 });
		expect(s.size).toBe(100);
	});
});
