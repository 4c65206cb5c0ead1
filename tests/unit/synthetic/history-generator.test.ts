import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { HistoryDocSchema } from '$lib/domain';
import { generateHistory, generateMembers } from '$lib/synthetic';

const TODAY = '2026-11-28';
const members = generateMembers({
	seed: 'thanhson',
	count: 2000,
	unitId: 'xathanhson',
	branchIds: ['branch:xathanhsonkhu1', 'branch:xathanhsonkhu3'],
	today: TODAY,
	ethnicMix: 'mountain-district'
});
const history = generateHistory({ seed: 'thanhson', members, today: TODAY });

describe('generateHistory', () => {
	it('is deterministic, and a member’s entries do not depend on the other members', () => {
		expect(generateHistory({ seed: 'thanhson', members, today: TODAY })).toEqual(history);
		const firstHundred = generateHistory({
			seed: 'thanhson',
			members: members.slice(0, 100),
			today: TODAY
		});
		const ids = new Set(members.slice(0, 100).map((m) => m._id));
		// Except the decision numbers, which count through the unit's year over all members.
		const unnumbered = (entries: typeof history) =>
			entries.map((h) => (h.decision ? { ...h, decision: { ...h.decision, number: '' } } : h));
		expect(unnumbered(firstHundred)).toEqual(
			unnumbered(history.filter((h) => ids.has(h.memberId)))
		);
		const other = generateHistory({ seed: 'other', members: members.slice(0, 100), today: TODAY });
		expect(other.map((h) => h._id)).not.toEqual(firstHundred.map((h) => h._id));
	});

	it('writes entries the domain accepts, with unique ids that carry the member’s ULID', () => {
		for (const entry of history) {
			const parsed = v.safeParse(HistoryDocSchema, entry);
			expect(
				parsed.success,
				`${entry._id}: ${JSON.stringify(parsed.issues?.map((i) => i.message))}`
			).toBe(true);
		}
		expect(new Set(history.map((h) => h._id)).size).toBe(history.length);
		for (const entry of history) {
			expect(entry._id.startsWith(`history:${entry.memberId.slice('member:'.length)}:`)).toBe(true);
		}
	});

	it('gives about two entries a member, each a few hundred bytes, none after today', () => {
		const perMember = history.length / members.length;
		expect(perMember).toBeGreaterThan(1.7);
		expect(perMember).toBeLessThan(2.3);
		const bytes = history.reduce((sum, h) => sum + JSON.stringify(h).length, 0) / history.length;
		expect(bytes).toBeGreaterThan(200);
		expect(bytes).toBeLessThan(800);
		expect(history.every((h) => h.at <= TODAY && h.createdAt.slice(0, 10) <= TODAY)).toBe(true);
	});

	it('records each admission, ratings of past years, and what explains a status', () => {
		const byMember = new Map<string, string[]>();
		for (const h of history)
			byMember.set(h.memberId, [...(byMember.get(h.memberId) ?? []), h.kind]);
		for (const m of members) {
			const kinds = byMember.get(m._id) ?? [];
			expect(kinds.includes('admission')).toBe(m.joinedOn !== undefined);
			if (m.status === 'matured') expect(kinds).toContain('coming-of-age');
			if (m.status === 'removed') expect(kinds).toContain('removal');
			if (m.status === 'transferred') expect(kinds).toContain('transfer-out');
		}
		const ratings = history.filter((h) => h.kind === 'rating');
		expect(ratings.length).toBeGreaterThan(members.length / 2);
		expect(
			ratings.every((r) => r.kind === 'rating' && r.data.year < 2026 && r.data.year >= 2023)
		).toBe(true);
		expect(history.some((h) => h.kind === 'transfer-in')).toBe(true);
	});
});
