import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	planDeath,
	planDiscipline,
	planRemoval,
	planReward,
	type DisciplineInput,
	type MemberDoc,
	type RemovalInput,
	type RewardInput
} from '$lib/domain';
import { DECISION, context, errorsOf, member, planOf } from './operation-fixtures';

const remove = (input: RemovalInput, who: MemberDoc = member()) =>
	planRemoval({
		...context(),
		member: who,
		input: { on: '20/11/2025', decision: DECISION, ...input }
	});

const discipline = (input: DisciplineInput, who: MemberDoc = member()) =>
	planDiscipline({
		...context(),
		member: who,
		input: {
			reason: 'Vi phạm nội quy',
			on: '20/11/2025',
			ballotPresent: '9',
			ballotInFavour: '5',
			decision: DECISION,
			...input
		}
	});

const reward = (input: RewardInput, who: MemberDoc = member()) =>
	planReward({
		...context(),
		member: who,
		input: {
			achievement: 'Xuất sắc trong phong trào tình nguyện',
			on: '20/11/2025',
			decision: DECISION,
			...input
		}
	});

const NOT_ACTIVE = [
	'transferring',
	'transferred',
	'matured',
	'removed',
	'expelled',
	'deceased'
] as const;

describe('planRemoval (xóa tên)', () => {
	it('removes after 3 months without meetings or dues, keeping the reason and decision', () => {
		const plan = planOf(remove({ reasonId: 'bo-sinh-hoat', monthsMissed: '3' }));
		expect(plan.member).toMatchObject({ status: 'removed', statusSince: '2025-11-20' });
		expect(plan.entries[0]).toMatchObject({
			kind: 'removal',
			decision: { number: '12-QĐ/ĐTN' },
			data: { reasonId: 'bo-sinh-hoat', monthsMissed: 3 }
		});
		expect(plan.entries[0]?.data).toHaveProperty('reasonLabel');
	});

	it('refuses fewer than 3 months', () => {
		expect(errorsOf(remove({ reasonId: 'bo-sinh-hoat', monthsMissed: '2' })).monthsMissed).toBe(
			'Số tháng không sinh hoạt, không đóng đoàn phí: lý do này cần từ 3 tháng trong năm trở lên ' +
				'(đang ghi 2).'
		);
	});

	it('exempts a member away for study or work who keeps in touch, not one who does not', () => {
		const away = { reasonId: 'bo-sinh-hoat', monthsMissed: '5', awayForStudyOrWork: true };
		expect(errorsOf(remove({ ...away, keepsInTouch: true })).form).toContain('vẫn giữ liên hệ');
		expect(remove({ ...away, keepsInTouch: false }).ok).toBe(true);
	});

	it('needs a note for the "other" reason, a known reason, and a decision', () => {
		expect(errorsOf(remove({ reasonId: 'khac' })).note).toBe('Ghi rõ lý do không được để trống.');
		expect(remove({ reasonId: 'khac', note: 'Xin ra khỏi Đoàn' }).ok).toBe(true);
		expect(errorsOf(remove({ reasonId: 'khong-co' })).reasonId).toContain('chọn một lý do');
		expect(
			errorsOf(remove({ reasonId: 'bo-sinh-hoat', monthsMissed: '4', decision: {} }))[
				'decision.number'
			]
		).toBeDefined();
	});

	it.each(NOT_ACTIVE)('refuses a member whose status is %s', (status) => {
		expect(
			errorsOf(remove({ reasonId: 'bo-sinh-hoat', monthsMissed: '4' }, member({ status }))).form
		).toMatch(/^Không thể xóa tên/);
	});
});

describe('planDeath (từ trần)', () => {
	it('takes an active member off the rolls, and only an active one', () => {
		expect(
			planOf(planDeath({ ...context(), member: member(), input: { on: '01/11/2025' } })).member
		).toMatchObject({
			status: 'deceased',
			statusSince: '2025-11-01'
		});
		expect(
			errorsOf(
				planDeath({
					...context(),
					member: member({ status: 'matured' }),
					input: { on: '01/11/2025' }
				})
			).form
		).toBeDefined();
	});
});

describe('planDiscipline (kỷ luật)', () => {
	it.each([
		['khien-trach', 'Khiển trách'],
		['canh-cao', 'Cảnh cáo']
	])('%s changes nothing on the member but records the decision', (formId, label) => {
		const plan = planOf(discipline({ formId }));
		expect(plan.member).toBeNull();
		expect(plan.entries[0]).toMatchObject({
			kind: 'discipline',
			data: { formId, formLabel: label, ballot: { present: 9, inFavour: 5 } }
		});
		expect(plan.entries[0]).not.toHaveProperty('effect');
	});

	it('cách chức only for an office holder, and it clears the office', () => {
		expect(errorsOf(discipline({ formId: 'cach-chuc' })).formId).toBe(
			'Hình thức kỷ luật: cách chức chỉ áp dụng với đoàn viên đang giữ chức vụ Đoàn; đoàn viên ' +
				'này không giữ chức vụ nào.'
		);
		const plan = planOf(
			discipline({ formId: 'cach-chuc' }, member({ unionPosition: 'Bí thư chi đoàn' }))
		);
		expect(plan.member).not.toHaveProperty('unionPosition');
		expect(plan.member?.status).toBe('active');
		expect(plan.entries[0]?.effect).toEqual({
			before: { unionPosition: 'Bí thư chi đoàn' },
			after: { unionPosition: null }
		});
	});

	it('khai trừ ends membership (expelled) and clears any office', () => {
		const plan = planOf(
			discipline({ formId: 'khai-tru' }, member({ unionPosition: 'Phó Bí thư' }))
		);
		expect(plan.member).toMatchObject({ status: 'expelled', statusSince: '2025-11-20' });
		expect(plan.member).not.toHaveProperty('unionPosition');
	});

	it('needs more than half of the secret ballot: exactly half is refused', () => {
		expect(
			errorsOf(discipline({ formId: 'canh-cao', ballotPresent: '10', ballotInFavour: '5' }))
				.ballotInFavour
		).toBe(
			'Số phiếu tán thành: bỏ phiếu kín phải có quá nửa số người có mặt tán thành (đang có 5/10).'
		);
		expect(
			errorsOf(discipline({ formId: 'canh-cao', ballotInFavour: '10' })).ballotInFavour
		).toContain('không được lớn hơn');
	});

	it('refuses a retired or unknown form, and a member not active', () => {
		const rules = {
			...DEFAULT_UNION_RULES,
			version: 3,
			disciplineForms: DEFAULT_UNION_RULES.disciplineForms.map((f) =>
				f.id === 'canh-cao' ? { ...f, offered: false } : f
			)
		};
		const retired = planDiscipline({
			...context({ rules }),
			member: member(),
			input: { formId: 'canh-cao' }
		});
		expect(errorsOf(retired).formId).toContain('chọn một hình thức');
		expect(errorsOf(discipline({ formId: 'phat-tien' })).formId).toContain('chọn một hình thức');
		for (const status of NOT_ACTIVE) {
			expect(errorsOf(discipline({ formId: 'khien-trach' }, member({ status }))).form).toMatch(
				/^Không thể kỷ luật/
			);
		}
	});
});

describe('planReward (khen thưởng)', () => {
	it('records the form, level and achievement with labels', () => {
		const plan = planOf(reward({ formId: 'giay-khen', levelId: 'huyen' }));
		expect(plan.member).toBeNull();
		expect(plan.entries[0]).toMatchObject({
			kind: 'reward',
			data: {
				formId: 'giay-khen',
				formLabel: 'Giấy khen',
				levelId: 'huyen',
				levelLabel: 'Ban Thường vụ Đoàn cấp huyện và tương đương'
			}
		});
	});

	it('refuses a level the form does not allow, and unknown forms and levels', () => {
		expect(errorsOf(reward({ formId: 'bang-khen', levelId: 'co-so' })).levelId).toBe(
			'Cấp khen thưởng: Bằng khen chỉ do Ban Thường vụ Tỉnh đoàn, Thành đoàn; Ban Chấp hành ' +
				'Trung ương Đoàn trao tặng.'
		);
		expect(errorsOf(reward({ formId: 'huan-chuong', levelId: 'tinh' })).formId).toBeDefined();
		expect(errorsOf(reward({ formId: 'giay-khen', levelId: 'xa' })).levelId).toBeDefined();
	});

	it('rewards members on the rolls (a pending transfer included), not others', () => {
		expect(
			reward({ formId: 'giay-khen', levelId: 'co-so' }, member({ status: 'transferring' })).ok
		).toBe(true);
		expect(
			errorsOf(reward({ formId: 'giay-khen', levelId: 'co-so' }, member({ status: 'matured' })))
				.form
		).toContain('không còn trong danh sách');
	});
});
