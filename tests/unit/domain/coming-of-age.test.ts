import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	comingOfAgeExemption,
	comingOfAgeList,
	comingOfAgeWarnings,
	nextCeremonyDate,
	planComingOfAge,
	planStayExtension
} from '$lib/domain';
import { context, errorsOf, member, planOf } from './operation-fixtures';

// Born 10/06/1995: 30th birthday 10/06/2025, 35th birthday 10/06/2030.
const thirty = member({ birthDate: '1995-06-10', citizenId: '025195001234' });

function mature(who = thirty, on = '15/10/2025', today = '2025-11-28') {
	return planComingOfAge({ ...context({ today }), member: who, input: { on } });
}

function stay(until: string, who = thirty, today = '2025-03-01') {
	return planStayExtension({ ...context({ today }), member: who, input: { until, on: today } });
}

describe('the rules table', () => {
	it('has the usual ceremony dates and a warning lead time', () => {
		expect(DEFAULT_UNION_RULES.ceremonyDates.map((c) => `${c.day}/${c.month}`)).toEqual([
			'26/3',
			'19/5',
			'15/10',
			'22/12'
		]);
		expect(DEFAULT_UNION_RULES.comingOfAgeWarningDays).toBe(90);
	});
});

describe('nextCeremonyDate', () => {
	it('is the day itself when it is a ceremony day, else the next one, across the year end', () => {
		expect(nextCeremonyDate({ from: '2025-03-26' }).date).toBe('2025-03-26');
		expect(nextCeremonyDate({ from: '2025-03-27' }).date).toBe('2025-05-19');
		expect(nextCeremonyDate({ from: '2025-10-16' })).toEqual({
			date: '2025-12-22',
			ceremony: { month: 12, day: 22, label: 'Ngày thành lập Quân đội nhân dân Việt Nam' }
		});
		expect(nextCeremonyDate({ from: '2025-12-23' }).date).toBe('2026-03-26');
	});
});

describe('exemptions', () => {
	it('exempts an office holder and full-time Union staff with no age limit', () => {
		const old = { ...thirty, birthDate: '1985-01-01' };
		expect(
			comingOfAgeExemption({ member: { ...old, unionPosition: 'Bí thư' }, on: '2025-11-28' })
		).toBe('elected-office');
		expect(
			comingOfAgeExemption({ member: { ...old, fullTimeUnionStaff: true }, on: '2025-11-28' })
		).toBe('full-time-staff');
		expect(
			comingOfAgeExemption({ member: { ...old, unionPosition: '  ' }, on: '2025-11-28' })
		).toBeNull();
	});

	it('counts a stay decision up to and including its last day', () => {
		const staying = { ...thirty, staysUntil: '2026-06-10' };
		expect(comingOfAgeExemption({ member: staying, on: '2026-06-10' })).toBe('stays-until');
		expect(comingOfAgeExemption({ member: staying, on: '2026-06-11' })).toBeNull();
	});
});

describe('comingOfAgeList', () => {
	const members = [
		member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3A', birthDate: '1995-12-31' }),
		member({
			_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3B',
			birthDate: '1995-01-01',
			unionPosition: 'Phó Bí thư'
		}),
		member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3C', birthDate: '1994-07-01' }),
		member({
			_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3D',
			birthDate: '1993-02-01',
			staysUntil: '2026-01-31'
		}),
		member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3E', birthDate: '1996-01-01' }),
		member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3F', birthDate: '1995-03-01', status: 'matured' })
	];

	it('lists who turns 30 this year and who is already over, sorted by birthday, active members only', () => {
		const rows = comingOfAgeList({ members, year: 2025, today: '2025-11-28' });
		expect(rows.map((r) => [r.member.birthDate, r.category, r.exemption, r.due, r.warn])).toEqual([
			['1993-02-01', 'already-over', 'stays-until', false, false],
			['1994-07-01', 'already-over', null, true, false],
			['1995-01-01', 'turns-this-year', 'elected-office', false, false],
			['1995-12-31', 'turns-this-year', null, false, true]
		]);
		expect(rows[3]).toMatchObject({
			birthday: '2025-12-31',
			maxStay: '2030-12-31',
			daysToBirthday: 33
		});
	});

	it('warns within the lead time before the birthday, the boundary days included', () => {
		const born = (birthDate: string) => [member({ birthDate })];
		// 90 days from 28/11/2025 is 26/02/2026.
		expect(comingOfAgeWarnings({ members: born('1996-02-26'), today: '2025-11-28' })).toHaveLength(
			1
		);
		expect(comingOfAgeWarnings({ members: born('1996-02-27'), today: '2025-11-28' })).toHaveLength(
			0
		);
		expect(comingOfAgeWarnings({ members: born('1995-11-28'), today: '2025-11-28' })).toHaveLength(
			1
		);
		expect(comingOfAgeWarnings({ members: born('1995-11-27'), today: '2025-11-28' })).toHaveLength(
			0
		);
		expect(
			comingOfAgeWarnings({
				members: [member({ birthDate: '1996-01-10', fullTimeUnionStaff: true })],
				today: '2025-11-28'
			})
		).toHaveLength(0);
	});
});

describe('planComingOfAge', () => {
	it('matures a member at a ceremony after the 30th birthday', () => {
		const plan = planOf(mature());
		expect(plan.member).toMatchObject({ status: 'matured', statusSince: '2025-10-15' });
		expect(plan.entries[0]).toMatchObject({
			kind: 'coming-of-age',
			at: '2025-10-15',
			data: { ceremony: 'Ngày truyền thống Hội Liên hiệp Thanh niên Việt Nam' },
			effect: { before: { status: 'active' }, after: { status: 'matured' } }
		});
		expect(plan.warnings).toEqual([]);
	});

	it('refuses on the 30th birthday itself and accepts the day after', () => {
		expect(errorsOf(mature(thirty, '10/06/2025')).on).toBe(
			'Ngày trưởng thành phải sau ngày tròn 30 tuổi (10/06/2025).'
		);
		const plan = planOf(mature(thirty, '11/06/2025'));
		expect(plan.warnings[0]).toBe(
			'Ngày 11/06/2025 không phải ngày lễ trưởng thành thường lệ; ngày gần nhất là 15/10/2025.'
		);
	});

	it('counts by calendar year when the rules say so', () => {
		const rules = { ...DEFAULT_UNION_RULES, version: 3, comingOfAgeByCalendarYear: true };
		const at = (on: string) =>
			planComingOfAge({ ...context({ rules }), member: thirty, input: { on } });
		expect(at('26/03/2025').ok).toBe(true);
		expect(errorsOf(at('22/12/2024')).on).toContain('chưa đến năm tròn 30 tuổi');
	});

	it('refuses an office holder, full-time staff and a member with a stay in force', () => {
		expect(errorsOf(mature({ ...thirty, unionPosition: 'Bí thư chi đoàn' })).form).toContain(
			'đang giữ chức vụ Đoàn (Bí thư chi đoàn)'
		);
		expect(errorsOf(mature({ ...thirty, fullTimeUnionStaff: true })).form).toBe(
			'Đoàn viên là cán bộ Đoàn chuyên trách nên chưa trưởng thành.'
		);
		expect(errorsOf(mature({ ...thirty, staysUntil: '2026-06-10' })).form).toContain(
			'tiếp tục sinh hoạt đến ngày 10/06/2026'
		);
	});

	it('matures once the stay has ended, and clears it', () => {
		const plan = planOf(
			mature({ ...thirty, staysUntil: '2026-06-10' }, '19/05/2027', '2027-06-01')
		);
		expect(plan.member?.status).toBe('matured');
		expect(plan.member).not.toHaveProperty('staysUntil');
	});

	it('refuses a member not active', () => {
		expect(errorsOf(mature({ ...thirty, status: 'transferring' })).form).toContain(
			'đang chuyển sinh hoạt'
		);
		expect(errorsOf(mature({ ...thirty, status: 'matured' })).form).toContain('"Trưởng thành"');
	});
});

describe('planStayExtension: never beyond 35', () => {
	it('allows up to and including the 35th birthday', () => {
		const plan = planOf(stay('10/06/2030'));
		expect(plan.member?.staysUntil).toBe('2030-06-10');
		expect(plan.entries[0]).toMatchObject({ kind: 'stay-extended', data: { until: '2030-06-10' } });
		expect(errorsOf(stay('11/06/2030')).until).toBe(
			'Sinh hoạt đến ngày không được quá ngày tròn 35 tuổi (10/06/2030).'
		);
	});

	it('must end after the 30th birthday and not in the past', () => {
		expect(errorsOf(stay('10/06/2025')).until).toContain('phải sau ngày tròn 30 tuổi (10/06/2025)');
		expect(stay('11/06/2025').ok).toBe(true);
		expect(errorsOf(stay('01/01/2026', thirty, '2026-02-01')).until).toContain('đã qua');
	});

	it('counts a 29/02 birth: the 35th birthday in a common year is 28/02', () => {
		const leap = { ...thirty, birthDate: '1996-02-29' };
		expect(stay('28/02/2031', leap, '2026-03-01').ok).toBe(true);
		expect(errorsOf(stay('01/03/2031', leap, '2026-03-01')).until).toContain('(28/02/2031)');
	});

	it('replaces an earlier decision, keeping what it replaced', () => {
		const plan = planOf(stay('10/06/2028', { ...thirty, staysUntil: '2026-06-10' }));
		expect(plan.entries[0]?.effect).toEqual({
			before: { staysUntil: '2026-06-10' },
			after: { staysUntil: '2028-06-10' }
		});
	});

	it('is refused for a member not active', () => {
		expect(errorsOf(stay('10/06/2028', { ...thirty, status: 'removed' })).form).toContain(
			'"Xóa tên"'
		);
	});
});
