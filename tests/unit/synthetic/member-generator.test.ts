import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	MEMBER_ID_PATTERN,
	MemberDocSchema,
	PHONE_PATTERN,
	ageOn,
	checkAdmissionAge,
	checkCitizenId,
	formatDate,
	isComingOfAgeDue,
	isPastAge,
	validateMemberInput,
	type MemberDoc
} from '$lib/domain';
import { generateMembers } from '$lib/synthetic';

const TODAY = '2025-11-28';
const BRANCHES = ['xathanhsonkhu1', 'xathanhsonkhu3', 'xathanhsonxommu'];

function mountain(count: number, seed: string | number = 'thanhson'): MemberDoc[] {
	return generateMembers({
		seed,
		count,
		unitId: 'xathanhson',
		branchIds: BRANCHES,
		today: TODAY,
		ethnicMix: 'mountain-district'
	});
}

const members = mountain(3000);

const share = (docs: MemberDoc[], test: (m: MemberDoc) => boolean) =>
	docs.filter(test).length / docs.length;

describe('generateMembers', () => {
	it('is deterministic: the same seed gives the same members and ids', () => {
		expect(mountain(300)).toEqual(members.slice(0, 300));
		const other = mountain(300, 'tanson');
		expect(other.map((m) => m._id)).not.toEqual(members.slice(0, 300).map((m) => m._id));
	});

	it('produces documents that pass the member schema', () => {
		for (const member of members) {
			const result = v.safeParse(MemberDocSchema, member);
			expect(result.success, JSON.stringify(result.issues?.map((i) => i.message))).toBe(true);
		}
	});

	it('gives ULID-shaped ids, unique, carrying the optional prefix', () => {
		expect(new Set(members.map((m) => m._id)).size).toBe(members.length);
		expect(members.every((m) => MEMBER_ID_PATTERN.test(m._id))).toBe(true);
		const prefixed = generateMembers({
			seed: 'thanhson',
			count: 20,
			unitId: 'xathanhson',
			branchIds: [],
			today: TODAY,
			idPrefix: 'TS'
		});
		expect(prefixed.every((m) => m._id.slice(17, 19) === 'TS')).toBe(true);
		expect(() =>
			generateMembers({
				seed: 1,
				count: 1,
				unitId: 'xathanhson',
				branchIds: [],
				today: TODAY,
				idPrefix: 'ts'
			})
		).toThrow();
	});

	it('gives citizen ids consistent with sex and birth year, unique, mostly from Phú Thọ', () => {
		const withId = members.filter((m) => m.citizenId !== undefined);
		expect(withId.length / members.length).toBeGreaterThan(0.9);
		for (const m of withId) {
			expect(
				checkCitizenId({ citizenId: m.citizenId!, gender: m.gender, birthDate: m.birthDate })
			).toEqual([]);
		}
		expect(new Set(withId.map((m) => m.citizenId)).size).toBe(withId.length);
		expect(share(withId, (m) => m.citizenId!.startsWith('025'))).toBeGreaterThan(0.8);
	});

	it('follows the mountain-district ethnic mix within tolerance', () => {
		expect(share(members, (m) => m.ethnicCode === '01')).toBeCloseTo(0.39, 1);
		expect(share(members, (m) => m.ethnicCode === '06')).toBeCloseTo(0.45, 1);
		expect(share(members, (m) => m.ethnicCode === '09')).toBeGreaterThan(0.07);
		expect(share(members, (m) => m.ethnicCode === '09')).toBeLessThan(0.13);
		expect(share(members, (m) => m.ethnicCode !== '01')).toBeGreaterThan(0.57);
	});

	it('follows the lowland ethnic mix', () => {
		const lowland = generateMembers({
			seed: 'viettri',
			count: 2000,
			unitId: 'phuongviettri',
			branchIds: [],
			today: TODAY,
			ethnicMix: 'lowland'
		});
		expect(share(lowland, (m) => m.ethnicCode === '01')).toBeGreaterThan(0.96);
	});

	it('makes members 16–35 years old, mostly 16–30', () => {
		const ages = members.map((m) => ageOn({ birthDate: m.birthDate, on: TODAY }));
		expect(Math.min(...ages)).toBe(16);
		expect(Math.max(...ages)).toBe(35);
		expect(ages.filter((a) => a <= 30).length / ages.length).toBeGreaterThan(0.85);
	});

	it('admits members at a valid age, before today', () => {
		const joined = members.filter((m) => m.joinedOn !== undefined);
		expect(joined.length / members.length).toBeGreaterThan(0.9);
		for (const m of joined) {
			expect(
				checkAdmissionAge({ birthDate: m.birthDate, decisionDate: m.joinedOn! }),
				formatDate(m.joinedOn!)
			).toBeNull();
			expect(m.joinedOn! <= TODAY).toBe(true);
		}
	});

	it('keeps statuses plausible: mostly active, matured only past 30, nobody active past 35', () => {
		expect(share(members, (m) => m.status === 'active')).toBeGreaterThan(0.8);
		expect(new Set(members.map((m) => m.status)).size).toBeGreaterThanOrEqual(5);
		for (const m of members) {
			if (m.status === 'matured')
				expect(isComingOfAgeDue({ birthDate: m.birthDate, on: TODAY })).toBe(true);
			if (m.status === 'active')
				expect(isPastAge({ birthDate: m.birthDate, on: TODAY, years: 35 })).toBe(false);
		}
	});

	it('spreads members over the given branches, and fills phones, cards and occupations', () => {
		expect(new Set(members.map((m) => m.branchId))).toEqual(new Set(BRANCHES));
		const phones = members.flatMap((m) => (m.phone ? [m.phone] : []));
		expect(phones.length / members.length).toBeGreaterThan(0.8);
		expect(phones.every((p) => PHONE_PATTERN.test(p))).toBe(true);
		expect(new Set(phones).size).toBe(phones.length);
		const cards = members.flatMap((m) => (m.cardNumber ? [m.cardNumber] : []));
		expect(cards.length / members.length).toBeGreaterThan(0.3);
		expect(new Set(cards).size).toBe(cards.length);
		expect(new Set(members.map((m) => m.occupation)).size).toBeGreaterThanOrEqual(7);
		const students = members.filter((m) => ageOn({ birthDate: m.birthDate, on: TODAY }) <= 17);
		expect(share(students, (m) => m.occupation === 'hoc-sinh')).toBeGreaterThan(0.7);
	});

	it('never dates anything after today', () => {
		for (const m of members) {
			for (const date of [
				m.birthDate,
				m.joinedOn,
				m.citizenIdIssuedOn,
				m.partyJoinedOn,
				m.partyOfficialOn
			]) {
				if (date !== undefined) expect(date <= TODAY).toBe(true);
			}
			expect(m.createdAt <= m.updatedAt).toBe(true);
			expect(m.updatedAt.slice(0, 10) <= TODAY).toBe(true);
		}
	});

	it('records where records came from, mostly the members themselves', () => {
		expect(share(members, (m) => m.provenance.source === 'self')).toBeCloseTo(0.61, 1);
		for (const m of members.filter((x) => x.provenance.approvedAt)) {
			expect(m.provenance.approvedAt! >= m.createdAt).toBe(true);
		}
	});

	it('passes the member form as a user would type it', () => {
		for (const m of members.slice(0, 500)) {
			const input: Record<string, string | boolean> = {};
			for (const [key, value] of Object.entries(m)) {
				if (typeof value === 'string' || typeof value === 'boolean') input[key] = value;
			}
			for (const key of [
				'birthDate',
				'joinedOn',
				'citizenIdIssuedOn',
				'partyJoinedOn',
				'partyOfficialOn'
			] as const) {
				if (m[key]) input[key] = formatDate(m[key]!);
			}
			const result = validateMemberInput({ input, today: TODAY });
			expect(result.ok, JSON.stringify(result.ok ? null : result.errors)).toBe(true);
		}
	});
});
