import { describe, expect, it } from 'vitest';
import { todayIso } from '../../../src/lib/domain/dates';
import {
	addSummaries,
	emptySummary,
	summariseUnit,
	type Summary,
	type SummaryHistory,
	type SummaryMember
} from '../../../src/lib/domain/figures';
import { entriesInForce, type HistoryDoc } from '../../../src/lib/domain/history-schema';

// A unit's figures from hand-built members and history: every count, the coming-of-age year, the
// ratings' last stage, reversed entries left out, and the year taken from Vietnam's date — then the
// sums that roll them up the tree.

let next = 0;
function member(fields: Partial<SummaryMember> = {}): SummaryMember {
	next++;
	return {
		_id: `member:${String(next).padStart(4, '0')}`,
		status: 'active',
		gender: 'female',
		birthDate: '2000-05-10',
		ethnicCode: '01',
		religion: 'Không',
		generalEducation: '12/12',
		...fields
	};
}

/** History entries as stored, reversals included: the summary is given those in force. */
function inForce(entries: (SummaryHistory & { _id: string; reverses?: string })[]) {
	return entriesInForce(entries as unknown as HistoryDoc[]).map((entry) => ({
		memberId: entry.memberId,
		kind: entry.kind,
		at: entry.at,
		data: (entry as { data?: Record<string, unknown> }).data ?? {}
	}));
}

describe('summariseUnit', () => {
	const today = '2026-12-07';

	it('counts the members on the rolls, each way, and every status', () => {
		const members = [
			member({ gender: 'male', ethnicCode: '02', religion: 'Công giáo', partyMember: true }),
			member({ status: 'transferring', generalEducation: '9/12' }),
			member({ provenance: { source: 'self', approvedAt: '2026-11-01T02:00:00Z' } }),
			member({ provenance: { source: 'self' }, religion: '  ' }),
			member({ status: 'removed', gender: 'male' }),
			member({ status: 'matured' }),
			member({ status: 'nonsense' })
		];
		const summary = summariseUnit({ members, history: [], today });
		expect(summary.onRolls).toBe(4);
		expect(summary.byStatus).toEqual({ active: 3, transferring: 1, removed: 1, matured: 1 });
		expect(summary.byGender).toEqual({ male: 1, female: 3 });
		expect(summary.bySource).toEqual({ unit: 2, self: 2, selfApproved: 1 });
		expect(summary.minority).toBe(1);
		expect(summary.byEthnicity).toEqual({ '01': 3, '02': 1 });
		expect(summary.byReligion).toEqual({ Không: 3, 'Công giáo': 1 });
		expect(summary.partyMembers).toBe(1);
		expect(summary.byEducation).toEqual({ '12/12': 3, '9/12': 1 });
	});

	it('puts ages in bands on the given day, birthdays not yet reached counting one year less', () => {
		const members = [
			member({ birthDate: '2010-12-08' }), // 15 until tomorrow
			member({ birthDate: '2010-12-07' }), // 16 today
			member({ birthDate: '2002-01-01' }), // 24
			member({ birthDate: '2001-12-07' }), // 25 today
			member({ birthDate: '1996-12-07' }), // 30
			member({ birthDate: '1995-12-07' }) // 31
		];
		const summary = summariseUnit({ members, history: [], today });
		expect(summary.byAgeBand).toEqual({
			'under-16': 1,
			'16-18': 1,
			'19-24': 1,
			'25-30': 2,
			'over-30': 1
		});
	});

	it('counts those whose coming-of-age birthday (30) falls in the year, not full-time staff', () => {
		const members = [
			member({ birthDate: '1996-01-01' }),
			member({ birthDate: '1996-12-31' }),
			member({ birthDate: '1996-06-01', fullTimeUnionStaff: true }),
			member({ birthDate: '1995-12-31' }),
			member({ birthDate: '1996-03-03', status: 'matured' })
		];
		expect(summariseUnit({ members, history: [], today }).comingOfAge).toBe(2);
	});

	it('counts the coming of age of this year and the four ahead, year by year', () => {
		const members = [
			member({ birthDate: '1996-05-01' }), // 30 in 2026
			member({ birthDate: '1997-01-01' }), // 2027
			member({ birthDate: '1997-12-31' }), // 2027
			member({ birthDate: '2000-07-07' }), // 2030
			member({ birthDate: '2001-02-02' }), // 2031: beyond the five years
			member({ birthDate: '1995-06-06' }), // 2025: already past
			member({ birthDate: '1998-03-03', fullTimeUnionStaff: true }),
			member({ birthDate: '1999-03-03', status: 'removed' })
		];
		const summary = summariseUnit({ members, history: [], today });
		expect(summary.comingOfAgeByYear).toEqual({ '2026': 1, '2027': 2, '2030': 1 });
		// A parent adds its children's year by year, a figure of an older shape (none) counting 0.
		const older = { ...summary, comingOfAgeByYear: undefined };
		expect(addSummaries([summary, summary, older]).comingOfAgeByYear).toEqual({
			'2026': 2,
			'2027': 4,
			'2030': 2
		});
	});

	it('counts dues paid through this month or later', () => {
		const members = [
			member({ duesPaidThrough: '2026-12' }),
			member({ duesPaidThrough: '2027-03' }),
			member({ duesPaidThrough: '2026-11' }),
			member()
		];
		expect(summariseUnit({ members, history: [], today }).duesPaidUp).toBe(2);
	});

	it('takes each member’s rating at its furthest stage, this year only, members on the rolls', () => {
		const a = member();
		const b = member();
		const c = member();
		const gone = member({ status: 'transferred' });
		const rating = (memberId: string, stage: string, gradeLabel: string, year = 2026) => ({
			memberId,
			kind: 'rating',
			at: `${year}-12-01`,
			data: { year, stage, gradeLabel }
		});
		const history: SummaryHistory[] = [
			rating(a._id, 'self', 'Xuất sắc'),
			rating(a._id, 'superior', 'Khá'),
			rating(a._id, 'branch', 'Tốt'),
			rating(b._id, 'self', 'Tốt'),
			rating(c._id, 'superior', 'Xuất sắc', 2025),
			rating(gone._id, 'superior', 'Tốt')
		];
		const summary = summariseUnit({ members: [a, b, c, gone], history, today });
		expect(summary.ratings).toEqual({ Khá: 1, Tốt: 1 });
	});

	it('counts the year’s training registrations and scores by band', () => {
		const a = member();
		const b = member();
		const history: SummaryHistory[] = [
			{ memberId: a._id, kind: 'training-registration', at: '2026-02-01', data: { year: 2026 } },
			{ memberId: b._id, kind: 'training-registration', at: '2026-02-01', data: { year: 2026 } },
			{
				memberId: a._id,
				kind: 'training-score',
				at: '2026-11-01',
				data: { year: 2026, bandLabel: 'Tốt' }
			},
			{
				memberId: b._id,
				kind: 'training-score',
				at: '2025-11-01',
				data: { year: 2025, bandLabel: 'Khá' }
			}
		];
		const summary = summariseUnit({ members: [a, b], history, today });
		expect(summary.training).toEqual({ registered: 2, scored: 1, byBand: { Tốt: 1 } });
	});

	it('counts the year’s events from the entries in force: a reversed admission is not one', () => {
		const a = member();
		const history = inForce([
			{ _id: 'h1', memberId: a._id, kind: 'admission', at: '2026-03-26' },
			{ _id: 'h2', memberId: a._id, kind: 'admission', at: '2026-04-01' },
			{ _id: 'h3', memberId: a._id, kind: 'reversal', at: '2026-04-02', reverses: 'h2' },
			{ _id: 'h4', memberId: a._id, kind: 'transfer-in', at: '2026-05-01' },
			{ _id: 'h5', memberId: a._id, kind: 'transfer-out', at: '2026-06-01' },
			{ _id: 'h6', memberId: a._id, kind: 'removal', at: '2026-07-01' },
			{ _id: 'h7', memberId: a._id, kind: 'coming-of-age', at: '2026-08-01' },
			{ _id: 'h8', memberId: a._id, kind: 'admission', at: '2025-12-31' }
		]);
		expect(summariseUnit({ members: [a], history, today }).year).toEqual({
			admissions: 1,
			transfersIn: 1,
			transfersOut: 1,
			removals: 1,
			comingOfAge: 1
		});
	});

	it('takes the year from Vietnam’s date: at 18:00 UTC on 31 December it is already the new year', () => {
		const now = new Date('2026-12-31T18:00:00Z');
		const vietnam = todayIso(now);
		expect(vietnam).toBe('2027-01-01');
		const a = member({ birthDate: '1997-01-01' });
		const history: SummaryHistory[] = [
			{ memberId: a._id, kind: 'admission', at: '2027-01-01' },
			{ memberId: a._id, kind: 'admission', at: '2026-12-31' }
		];
		const summary = summariseUnit({ members: [a], history, today: vietnam });
		expect(summary.year.admissions).toBe(1);
		// 30 on 1 January 2027: coming of age this (Vietnamese) year, and already in the 25–30 band.
		expect(summary.comingOfAge).toBe(1);
		expect(summary.byAgeBand).toEqual({ '25-30': 1 });
		// In UTC it is still 2026: the counts would differ.
		expect(summariseUnit({ members: [a], history, today: '2026-12-31' }).year.admissions).toBe(1);
		expect(summariseUnit({ members: [a], history, today: '2026-12-31' }).comingOfAge).toBe(0);
	});
});

describe('addSummaries', () => {
	it('adds key by key, a key missing on one side counting 0', () => {
		const a = summariseUnit({
			members: [member({ ethnicCode: '02', gender: 'male' }), member()],
			history: [],
			today: '2026-12-07'
		});
		const b = summariseUnit({
			members: [member({ ethnicCode: '05', status: 'removed' })],
			history: [],
			today: '2026-12-07'
		});
		const total = addSummaries([a, b]);
		expect(total.onRolls).toBe(2);
		expect(total.byStatus).toEqual({ active: 2, removed: 1 });
		expect(total.byEthnicity).toEqual({ '01': 1, '02': 1 });
		expect(total.byGender).toEqual({ male: 1, female: 1 });
	});

	it('adds a summary of an older shape (keys it lacks count 0) and leaves its inputs alone', () => {
		const full = emptySummary();
		full.onRolls = 5;
		full.bySource = { unit: 5, self: 0, selfApproved: 0 };
		full.training.byBand = { Tốt: 2 };
		const older = {
			onRolls: 3,
			byStatus: { active: 3 },
			bySource: { unit: 2, self: 1 },
			byGender: { male: 1, female: 2 }
		} as unknown as Summary;
		const total = addSummaries([full, older]);
		expect(total.onRolls).toBe(8);
		expect(total.bySource).toEqual({ unit: 7, self: 1, selfApproved: 0 });
		expect(total.byStatus).toEqual({ active: 3 });
		expect(total.training).toEqual({ registered: 0, scored: 0, byBand: { Tốt: 2 } });
		expect(total.year.admissions).toBe(0);
		expect(full.onRolls).toBe(5);
		expect(addSummaries([])).toEqual(emptySummary());
	});

	it('a parent’s total is its own plus its children’s totals, whatever the depth', () => {
		const own = (n: number) =>
			summariseUnit({
				members: Array.from({ length: n }, () => member()),
				history: [],
				today: '2026-12-07'
			});
		const leafA = own(3);
		const leafB = own(4);
		const middle = addSummaries([own(1), leafA, leafB]);
		const top = addSummaries([own(2), middle]);
		expect(top.onRolls).toBe(10);
		expect(top.byStatus.active).toBe(10);
	});
});
