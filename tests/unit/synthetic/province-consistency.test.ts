import { describe, expect, it } from 'vitest';
import { parseDocumentNumber } from '$lib/domain';
import {
	generateHistory,
	generateProvince,
	generateUnitMembers,
	provinceCodeOf
} from '$lib/synthetic';

// Invariants a reviewer checks by eye in the demo, over a whole generated province (as the demo
// loader builds it): the Party after the Youth Union, citizen ids from the hometown's province,
// decision numbers that never repeat within a unit's year.

const TODAY = '2026-11-28';
const province = generateProvince({ seed: 'demo' });
const units = province.units
	.filter((unit) => unit.parentId !== null)
	.map((unit) => {
		const members = generateUnitMembers({ unit, today: TODAY });
		const history = generateHistory({
			seed: unit.memberSeed,
			members,
			today: TODAY,
			issuer: `Ban Chấp hành ${unit.name}`
		});
		return { unit, members, history };
	});
const members = units.flatMap((u) => u.members);

describe('a generated province', () => {
	it('has enough members to mean something', () => {
		expect(members.length).toBeGreaterThan(300);
		expect(members.filter((m) => m.partyJoinedOn).length).toBeGreaterThan(5);
	});

	it('admits to the Party only after the Youth Union, and not before 18', () => {
		const wrong = members.filter(
			(m) =>
				m.partyJoinedOn !== undefined &&
				((m.joinedOn !== undefined && m.partyJoinedOn <= m.joinedOn) ||
					Number(m.partyJoinedOn.slice(0, 4)) - Number(m.birthDate.slice(0, 4)) < 18)
		);
		expect(wrong.map((m) => [m.joinedOn, m.partyJoinedOn])).toEqual([]);
	});

	it('gives each citizen id the province code of the member’s hometown', () => {
		const withId = members.filter((m) => m.citizenId !== undefined && m.hometown !== undefined);
		expect(withId.length).toBeGreaterThan(members.length * 0.9);
		const wrong = withId.filter((m) => m.citizenId!.slice(0, 3) !== provinceCodeOf(m.hometown!));
		expect(wrong.map((m) => [m.citizenId, m.hometown])).toEqual([]);
		// Not everyone is from Phú Thọ (025): the codes really follow the hometowns.
		expect(new Set(withId.map((m) => m.citizenId!.slice(0, 3))).size).toBeGreaterThan(2);
	});

	it('never gives two decisions of a unit’s year the same number', () => {
		for (const { history } of units) {
			const decisionOf = new Map<string, string>();
			for (const entry of history) {
				if (!entry.decision) continue;
				const parsed = parseDocumentNumber(entry.decision.number);
				expect(parsed, entry.decision.number).not.toBeNull();
				expect(entry.decision.number).toMatch(/^\d{2,}-QĐ\/ĐTN$/);
				// One decision = one date and one kind; members admitted the same day share it.
				const key = `${entry.decision.date.slice(0, 4)}/${parsed!.number}`;
				const decision = `${entry.decision.date}/${entry.kind}`;
				expect(decisionOf.get(key) ?? decision, key).toBe(decision);
				decisionOf.set(key, decision);
			}
			expect(decisionOf.size).toBeGreaterThan(10);
		}
	});
});
