import { describe, expect, it } from 'vitest';
import {
	DEFAULT_RULES,
	DEFAULT_UNION_RULES,
	checkRulesChange,
	findDuesCategory,
	parseUnionRules,
	trainingBand,
	trainingProgrammeForYear,
	type UnionRules
} from '$lib/domain';

function copy(): UnionRules {
	return JSON.parse(JSON.stringify(DEFAULT_UNION_RULES)) as UnionRules;
}

describe('the rules table', () => {
	it('keeps the ages of the first version and raises the version', () => {
		expect(DEFAULT_RULES.version).toBe(1);
		expect(DEFAULT_UNION_RULES).toMatchObject({
			version: 2,
			admissionMinAge: 16,
			admissionMaxAge: 30,
			comingOfAgeAge: 30,
			maxStayAge: 35,
			transferDeadlineDays: null
		});
		expect(Object.isFrozen(DEFAULT_UNION_RULES.ratingScales[0])).toBe(true);
	});

	it('lists the four discipline forms, cách chức for office holders, khai trừ ending membership', () => {
		expect(
			DEFAULT_UNION_RULES.disciplineForms.map((f) => [
				f.label,
				f.officeHoldersOnly,
				f.endsMembership
			])
		).toEqual([
			['Khiển trách', false, false],
			['Cảnh cáo', false, false],
			['Cách chức', true, false],
			['Khai trừ', false, true]
		]);
		expect(DEFAULT_UNION_RULES.rewardForms.map((f) => f.label).slice(0, 2)).toEqual([
			'Giấy khen',
			'Bằng khen'
		]);
		expect(findDuesCategory({ categoryId: 'nuoc-ngoai' })?.atLeast).toBe(true);
	});

	it('bands training totals best first', () => {
		const programme = trainingProgrammeForYear({ year: 2027 });
		if (!programme) throw new Error('no programme');
		expect(
			[100, 90, 89.9, 70, 50, 49.9, 0].map((total) => trainingBand({ programme, total })?.id)
		).toEqual(['xuat-sac', 'xuat-sac', 'tot', 'tot', 'dat', 'khong-dat', 'khong-dat']);
	});
});

describe('parseUnionRules: the table as the central level sends it', () => {
	it('accepts the defaults', () => {
		expect(parseUnionRules(copy())).toEqual({ ok: true, rules: copy() });
	});

	it('names every problem with its path', () => {
		const broken = {
			...copy(),
			admissionMinAge: 31,
			currentRatingScaleId: 'xep-loai-cu',
			comingOfAgeWarningDays: -1
		};
		const result = parseUnionRules(broken);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems.some((p) => p.startsWith('comingOfAgeWarningDays:'))).toBe(true);
		const checks = parseUnionRules({ ...copy(), admissionMinAge: 31 });
		expect(!checks.ok && checks.problems).toEqual([
			'Tuổi kết nạp thấp nhất phải không lớn hơn tuổi cao nhất.'
		]);
		const scale = parseUnionRules({ ...copy(), currentRatingScaleId: 'xep-loai-cu' });
		expect(!scale.ok && scale.problems).toEqual([
			'Thang xếp loại hiện hành phải có trong danh sách và đang dùng.'
		]);
		expect(parseUnionRules({ ...copy(), extra: 1 }).ok).toBe(false);
	});
});

describe('checkRulesChange: old records stay readable', () => {
	it('accepts a raised version that retires an item', () => {
		const next = copy();
		next.version = 3;
		next.rewardForms = next.rewardForms.map((f) =>
			f.id === 'tuoi-tre-dung-cam' ? { ...f, offered: false } : f
		);
		next.duesCategories = next.duesCategories.map((c) =>
			c.id === 'co-luong' ? { ...c, monthlyAmount: 10000 } : c
		);
		expect(checkRulesChange({ previous: DEFAULT_UNION_RULES, next })).toEqual([]);
	});

	it('refuses the same version, a deleted item and a deleted grade', () => {
		const next = copy();
		next.removalReasons = next.removalReasons.filter((r) => r.id !== 'khac');
		next.ratingScales = next.ratingScales.map((s) =>
			s.id === 'xep-loai-cu' ? { ...s, grades: s.grades.slice(0, 3) } : s
		);
		expect(checkRulesChange({ previous: DEFAULT_UNION_RULES, next })).toEqual([
			'Phiên bản quy định mới (2) phải lớn hơn phiên bản đang dùng (2).',
			'Lý do xóa tên "Lý do khác" không được xóa vì hồ sơ cũ còn dùng; hãy đánh dấu ngừng dùng.',
			'Thang "Xếp loại cũ" không được bỏ mức "Yếu" vì hồ sơ cũ còn dùng.'
		]);
	});
});
