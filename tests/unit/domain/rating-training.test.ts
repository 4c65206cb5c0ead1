import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	checkRulesChange,
	currentRatingScale,
	finalRating,
	planRating,
	planReversal,
	planTrainingRegistration,
	planTrainingScore,
	planTrainingSubmission,
	ratingGradeLabel,
	ratingLabel,
	suggestedRatingGrade,
	trainingProgrammeForYear,
	type HistoryDoc,
	type HistoryOf,
	type MemberDoc
} from '$lib/domain';
import { context, errorsOf, member, planOf } from './operation-fixtures';

function rate(history: HistoryDoc[], input: Record<string, string>, who: MemberDoc = member()) {
	return planRating({ ...context(), member: who, input: { year: '2025', ...input }, history });
}

/** A rating written by an older app on the old scale. */
function oldRating(): HistoryOf<'rating'> {
	return {
		_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01H0000000000000000000OLD0',
		type: 'history',
		v: 1,
		unitId: 'xathanhson',
		memberId: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
		kind: 'rating',
		at: '2019-12-20',
		rulesVersion: 1,
		data: {
			year: 2019,
			stage: 'branch',
			scaleId: 'xep-loai-cu',
			gradeId: 'kha',
			gradeLabel: 'Khá'
		},
		createdAt: '2019-12-20T03:00:00.000Z',
		createdBy: 'bithu.cu',
		updatedAt: '2019-12-20T03:00:00.000Z',
		updatedBy: 'bithu.cu'
	};
}

describe('rating scales', () => {
	it('offers the current four-level scale for new ratings', () => {
		expect(currentRatingScale().grades.map((g) => g.label)).toEqual([
			'Hoàn thành xuất sắc nhiệm vụ',
			'Hoàn thành tốt nhiệm vụ',
			'Hoàn thành nhiệm vụ',
			'Không hoàn thành nhiệm vụ'
		]);
	});

	it('still reads the old scale on old records, and a stored label when the table forgot it', () => {
		expect(ratingLabel({ entry: oldRating() })).toBe('Khá');
		expect(ratingGradeLabel({ scaleId: 'xep-loai-cu', gradeId: 'yeu' })).toBe('Yếu');
		const forgetful = { ...DEFAULT_UNION_RULES, ratingScales: [currentRatingScale()] };
		expect(ratingLabel({ entry: oldRating(), rules: forgetful })).toBe('Khá');
		// …and such a table is refused as a change: old records would lose their scale.
		expect(
			checkRulesChange({ previous: DEFAULT_UNION_RULES, next: { ...forgetful, version: 3 } })
		).toEqual([
			'Thang xếp loại "Xếp loại cũ" không được xóa vì hồ sơ cũ còn dùng; hãy đánh dấu ngừng dùng.'
		]);
	});
});

describe('planRating', () => {
	it('records a grade of the current scale with its label', () => {
		const plan = planOf(rate([], { stage: 'branch', gradeId: 'hoan-thanh-tot' }));
		expect(plan.member).toBeNull();
		expect(plan.entries[0]).toMatchObject({
			kind: 'rating',
			data: {
				year: 2025,
				stage: 'branch',
				scaleId: 'nhiem-vu',
				gradeId: 'hoan-thanh-tot',
				gradeLabel: 'Hoàn thành tốt nhiệm vụ'
			}
		});
	});

	it('refuses a grade of the old scale for a new rating', () => {
		expect(errorsOf(rate([], { stage: 'branch', gradeId: 'kha' })).gradeId).toContain(
			'chọn một mức của thang hiện hành'
		);
	});

	it('rates each stage once a year, the superior after the branch', () => {
		const branch = planOf(rate([], { stage: 'branch', gradeId: 'hoan-thanh' })).entries;
		expect(errorsOf(rate(branch, { stage: 'branch', gradeId: 'hoan-thanh-tot' })).form).toBe(
			'Chi đoàn đánh giá năm 2025 đã ghi (Hoàn thành nhiệm vụ); hủy bản đã ghi trước nếu cần sửa.'
		);
		expect(errorsOf(rate([], { stage: 'superior', gradeId: 'hoan-thanh' })).form).toContain(
			'cấp trên xếp loại sau chi đoàn'
		);
		const superior = planOf(rate(branch, { stage: 'superior', gradeId: 'hoan-thanh-tot' })).entries;
		expect(finalRating({ history: [...branch, ...superior], year: 2025 })?.data.gradeId).toBe(
			'hoan-thanh-tot'
		);
		expect(finalRating({ history: [oldRating()], year: 2019 })?.data.gradeLabel).toBe('Khá');
	});

	it('can rate again once the earlier rating is reversed', () => {
		const branch = planOf(rate([], { stage: 'branch', gradeId: 'hoan-thanh' })).entries;
		const reversal = planOf(
			planReversal({
				...context(),
				member: member(),
				entry: branch[0] as HistoryDoc,
				history: branch,
				input: { reason: 'Ghi nhầm' }
			})
		).entries;
		expect(rate([...branch, ...reversal], { stage: 'branch', gradeId: 'hoan-thanh-tot' }).ok).toBe(
			true
		);
	});

	it('refuses a year in the future or before joining, an unknown stage, a member off the rolls', () => {
		expect(errorsOf(rate([], { year: '2026', stage: 'self', gradeId: 'hoan-thanh' })).year).toBe(
			'Năm đánh giá không được quá 2025.'
		);
		expect(errorsOf(rate([], { year: '2019', stage: 'self', gradeId: 'hoan-thanh' })).year).toBe(
			'Năm đánh giá phải từ 2020 trở lên.'
		);
		expect(errorsOf(rate([], { stage: 'chi-bo', gradeId: 'hoan-thanh' })).stage).toBeDefined();
		expect(
			errorsOf(rate([], { stage: 'self', gradeId: 'hoan-thanh' }, member({ status: 'removed' })))
				.form
		).toBeDefined();
	});
});

describe('training programme', () => {
	const programme = trainingProgrammeForYear({ year: 2025 });

	it('runs in the 2023–2027 phase, its groups bounded, totalling 100', () => {
		expect(programme?.id).toBe('2023-2027');
		expect(trainingProgrammeForYear({ year: 2022 })).toBeUndefined();
		expect(trainingProgrammeForYear({ year: 2028 })).toBeUndefined();
		expect(programme?.groups.reduce((sum, g) => sum + g.maxScore, 0)).toBe(100);
	});

	const register = (history: HistoryDoc[], contentIds: string[], year = '2025', who = member()) =>
		planTrainingRegistration({ ...context(), member: who, input: { year, contentIds }, history });
	const full = {
		'chinh-tri': '28',
		'hoc-tap': '27,5',
		'tinh-nguyen': '18',
		'the-chat': '9',
		'nhiem-vu': '10'
	};
	const score = (history: HistoryDoc[], scores: Record<string, string>, submitted = false) =>
		planTrainingScore({
			...context(),
			member: member(),
			input: { year: '2025', scores },
			history,
			submitted
		});

	it('registers once a year for known contents', () => {
		const entries = planOf(register([], ['hoc-nghi-quyet', 'ky-nang-so', 'ky-nang-so'])).entries;
		expect(entries[0]).toMatchObject({
			kind: 'training-registration',
			data: { programmeId: '2023-2027', year: 2025, contentIds: ['hoc-nghi-quyet', 'ky-nang-so'] }
		});
		expect(errorsOf(register(entries, ['hoc-nghi-quyet'])).form).toBe(
			'Đoàn viên đã đăng ký chương trình rèn luyện năm 2025.'
		);
		expect(errorsOf(register([], ['bay-dem'])).contentIds).toContain('bay-dem');
		expect(errorsOf(register([], [])).contentIds).toBeDefined();
		expect(errorsOf(register([], ['hoc-nghi-quyet'], '2022')).year).toContain(
			'không thuộc giai đoạn nào'
		);
	});

	it('scores every group within its bound, totals and bands the result', () => {
		const registered = planOf(register([], ['hoc-nghi-quyet'])).entries;
		const plan = planOf(score(registered, full));
		expect(plan.entries[0]).toMatchObject({
			kind: 'training-score',
			data: { total: 92.5, bandId: 'xuat-sac', bandLabel: 'Xuất sắc', scores: { 'hoc-tap': 27.5 } }
		});
		expect(suggestedRatingGrade({ history: [...registered, ...plan.entries], year: 2025 })).toBe(
			'hoan-thanh-xuat-sac'
		);
		const errors = errorsOf(score(registered, { ...full, 'the-chat': '10,5', 'nhiem-vu': '' }));
		expect(errors['scores.the-chat']).toBe('Rèn luyện thể chất, văn hóa không được quá 10.');
		expect(errors['scores.nhiem-vu']).toBe('Thực hiện nhiệm vụ đoàn viên không được để trống.');
		expect(
			errorsOf(score(registered, { ...full, 'chinh-tri': '-1' }))['scores.chinh-tri']
		).toContain('phải từ 0');
	});

	it('places boundary totals in the right band', () => {
		const registered = planOf(register([], ['hoc-nghi-quyet'])).entries;
		// Fills the groups in order up to their bounds.
		const band = (total: number) => {
			let left = total;
			const scores: Record<string, string> = {};
			for (const group of programme?.groups ?? []) {
				const given = Math.min(group.maxScore, left);
				scores[group.id] = String(given);
				left -= given;
			}
			const entry = planOf(score(registered, scores)).entries[0] as HistoryOf<'training-score'>;
			return entry.data.bandId;
		};
		expect([band(50), band(49), band(70), band(69), band(0)]).toEqual([
			'dat',
			'khong-dat',
			'tot',
			'dat',
			'khong-dat'
		]);
	});

	it('refuses scoring an unregistered member, scoring twice, and after submission', () => {
		expect(errorsOf(score([], full)).form).toBe(
			'Đoàn viên chưa đăng ký chương trình rèn luyện năm 2025.'
		);
		const registered = planOf(register([], ['hoc-nghi-quyet'])).entries;
		const scored = [...registered, ...planOf(score(registered, full)).entries];
		expect(errorsOf(score(scored, full)).form).toContain('Đã chấm điểm');
		expect(errorsOf(score(registered, full, true)).form).toBe(
			'Kết quả rèn luyện năm 2025 đã chuyển cấp trên, không sửa được nữa.'
		);
	});

	it('submits the year upwards only when every registered member is scored', () => {
		const a = member();
		const b = member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Z', givenName: 'Lan' });
		const regA = planOf(register([], ['hoc-nghi-quyet'], '2025', a)).entries;
		const regB = planOf(register([], ['hoc-nghi-quyet'], '2025', b)).entries;
		const scoreA = planOf(score(regA, full)).entries;
		const submit = (history: HistoryDoc[]) =>
			planTrainingSubmission({
				unitId: 'xathanhson',
				year: 2025,
				members: [a, b],
				history,
				now: '2025-12-20T00:00:00.000Z',
				by: 'bithu'
			});
		const missing = submit([...regA, ...regB, ...scoreA]);
		expect(missing.ok).toBe(false);
		expect(!missing.ok && missing.errors.form).toBe(
			'Còn 1 đoàn viên đã đăng ký nhưng chưa chấm điểm năm 2025; chấm đủ rồi mới chuyển cấp trên.'
		);
		expect(!missing.ok && missing.missing.map((m) => m.givenName)).toEqual(['Lan']);
		const scoreB = planOf(
			planTrainingScore({
				...context(),
				member: b,
				input: { year: '2025', scores: { ...full, 'chinh-tri': '0' } },
				history: regB
			})
		).entries;
		const done = submit([...regA, ...regB, ...scoreA, ...scoreB]);
		expect(done.ok && done.submission).toMatchObject({
			_id: 'training:2025',
			registered: 2,
			scored: 2,
			averageTotal: 78.5,
			bands: [
				{ id: 'xuat-sac', count: 1 },
				{ id: 'tot', count: 0 },
				{ id: 'dat', count: 1 },
				{ id: 'khong-dat', count: 0 }
			]
		});
	});
});
