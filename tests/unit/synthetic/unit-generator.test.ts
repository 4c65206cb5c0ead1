import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MemberDocSchema, UNIT_ID_PATTERN, canContain, getUnitKind } from '$lib/domain';
import { generateProvince, generateUnitMembers } from '$lib/synthetic';

describe('generateProvince', () => {
	const province = generateProvince({ seed: 'demo' });

	it('is deterministic', () => {
		expect(generateProvince({ seed: 'demo' })).toEqual(province);
		const other = generateProvince({ seed: 'other' });
		expect(other.units.map((u) => u.memberCount)).not.toEqual(
			province.units.map((u) => u.memberCount)
		);
	});

	it('builds a Tỉnh đoàn over Đoàn xã and Đoàn phường', () => {
		expect(province.root.name).toBe('Tỉnh đoàn Phú Thọ');
		expect(province.units[0]).toBe(province.root);
		expect(province.units.slice(1).map((u) => u.name)).toEqual([
			'Đoàn xã Thanh Sơn',
			'Đoàn xã Tân Sơn',
			'Đoàn phường Việt Trì',
			'Đoàn xã Lâm Thao'
		]);
		for (const unit of province.units.slice(1)) {
			expect(unit.parentId).toBe(province.root.id);
			expect(unit.ancestors).toEqual([province.root.id]);
		}
		expect(province.units.find((u) => u.name === 'Đoàn xã Thanh Sơn')?.ethnicMix).toBe(
			'mountain-district'
		);
		expect(province.units.find((u) => u.name === 'Đoàn phường Việt Trì')?.ethnicMix).toBe(
			'lowland'
		);
	});

	it('uses unit kinds the kind table knows, each under a parent that may contain it', () => {
		for (const unit of province.units) {
			expect(getUnitKind(unit.kind)?.hasDatabase).toBe(true);
			const parent = province.units.find((u) => u.id === unit.parentId);
			if (parent) expect(canContain({ parent: parent.kind, child: unit.kind })).toBe(true);
		}
	});

	it('uses ids that can name CouchDB databases', () => {
		const ids = province.units.map((u) => u.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const unit of province.units) {
			expect(unit.id).toMatch(UNIT_ID_PATTERN);
			expect(unit.db).toBe(`unit_${unit.id}`);
		}
		const branchIds = province.units.flatMap((u) => u.branches.map((b) => b.id));
		expect(new Set(branchIds).size).toBe(branchIds.length);
		expect(branchIds.every((id) => /^[a-z0-9]{4,24}$/.test(id))).toBe(true);
	});

	it('gives each commune 3–6 chi đoàn and a member count', () => {
		for (const unit of province.units.slice(1)) {
			expect(unit.branches.length).toBeGreaterThanOrEqual(3);
			expect(unit.branches.length).toBeLessThanOrEqual(6);
			expect(unit.branches.every((b) => b.name.startsWith('Chi đoàn '))).toBe(true);
			expect(unit.memberCount).toBeGreaterThanOrEqual(80);
			expect(unit.memberCount).toBeLessThanOrEqual(240);
		}
	});

	it('generates each unit’s members into its branches', () => {
		const unit = province.units[1]!;
		const members = generateUnitMembers({ unit, today: '2025-11-28' });
		expect(members).toHaveLength(unit.memberCount);
		expect(members.every((m) => m.unitId === unit.id)).toBe(true);
		const branchIds = new Set(unit.branches.map((b) => b.id));
		expect(members.every((m) => branchIds.has(m.branchId!))).toBe(true);
		expect(members.every((m) => v.is(MemberDocSchema, m))).toBe(true);
		expect(members.some((m) => m.currentAddress?.endsWith('xã Thanh Sơn, tỉnh Phú Thọ'))).toBe(
			true
		);
		const otherUnit = generateUnitMembers({ unit: province.units[2]!, today: '2025-11-28' });
		const ids = new Set(members.map((m) => m._id));
		expect(otherUnit.some((m) => ids.has(m._id))).toBe(false);
	});
});
