import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	addMonthsToDate,
	planAdmission,
	type AdmissionInput,
	type CitizenIdRegistryAnswer,
	type MemberFields
} from '$lib/domain';
import { DECISION, context, errorsOf, planOf } from './operation-fixtures';

// Born 05/01/2008: 15 years on 05/01/2023, 15 years and one day on 06/01/2023, 16 on 05/01/2024.
const person: MemberFields = {
	familyName: 'Nguyễn',
	middleName: 'Thị Thu',
	givenName: 'Trang',
	gender: 'female',
	birthDate: '2008-01-05',
	citizenId: '025308001234',
	ethnicCode: '01',
	religion: 'Không',
	nationality: 'Việt Nam',
	partyMember: false,
	status: 'active'
};

const input: AdmissionInput = {
	branchId: 'branch:xathanhsonkhu3',
	applicationDate: '01/09/2025',
	charterCourseDate: '20/09/2025',
	sponsorKind: 'member',
	sponsorName: 'Hà Thị Hoa',
	sponsorMemberId: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
	sponsorSince: '01/05/2025',
	voteDate: '10/10/2025',
	votePresent: '20',
	voteInFavour: '11',
	decision: DECISION
};

const free: CitizenIdRegistryAnswer = { status: 'free' };

function admit(
	changes: Partial<AdmissionInput> = {},
	options: {
		person?: Partial<MemberFields>;
		registry?: CitizenIdRegistryAnswer;
		today?: string;
	} = {}
) {
	return planAdmission({
		...context({ today: options.today ?? '2025-11-28' }),
		person: { ...person, ...options.person },
		input: { ...input, ...changes },
		registry: options.registry ?? free
	});
}

const decidedOn = (date: string) => ({ decision: { ...DECISION, date } });

describe('planAdmission: a complete admission', () => {
	it('creates the member, active from the decision date, with an admission entry', () => {
		const plan = planOf(admit());
		const member = plan.member;
		expect(member).toMatchObject({
			_id: 'member:01HZZ000000000000000000001',
			type: 'member',
			v: 2,
			unitId: 'xathanhson',
			status: 'active',
			statusSince: '2025-11-20',
			joinedOn: '2025-11-20',
			joinedPlace: 'Ban Chấp hành Đoàn xã Thanh Sơn',
			branchId: 'branch:xathanhsonkhu3',
			provenance: { source: 'unit' },
			fieldRevs: {},
			createdBy: 'bithu.thanhson'
		});
		expect(plan.entries).toHaveLength(1);
		expect(plan.entries[0]).toMatchObject({
			_id: 'history:01HZZ000000000000000000001:01HZZ000000000000000000002',
			kind: 'admission',
			memberId: 'member:01HZZ000000000000000000001',
			at: '2025-11-20',
			rulesVersion: DEFAULT_UNION_RULES.version,
			decision: {
				number: '12-QĐ/ĐTN',
				date: '2025-11-20',
				signer: 'Nguyễn Văn An',
				signerTitle: 'Bí thư',
				issuer: 'Ban Chấp hành Đoàn xã Thanh Sơn'
			},
			data: {
				applicationDate: '2025-09-01',
				charterCourseDate: '2025-09-20',
				sponsor: {
					kind: 'member',
					name: 'Hà Thị Hoa',
					memberId: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
					since: '2025-05-01'
				},
				vote: { on: '2025-10-10', present: 20, inFavour: 11 },
				registryChecked: true
			}
		});
		expect(plan.warnings).toEqual([]);
	});

	it('accepts an organisation as sponsor without a start date', () => {
		const plan = planOf(
			admit({
				sponsorKind: 'organisation',
				sponsorName: 'Chi hội thanh niên thôn Khu 3',
				sponsorMemberId: '',
				sponsorSince: ''
			})
		);
		expect(plan.entries[0]?.data).toMatchObject({
			sponsor: { kind: 'organisation', name: 'Chi hội thanh niên thôn Khu 3' }
		});
	});
});

describe('planAdmission: age on the decision date (16 = 15 years and one day; up to the 30th birthday)', () => {
	it('admits when the 16th birthday is the day after the decision', () => {
		// 16th birthday 05/01/2024; decision 04/01/2024: 15 years, 364 days.
		const early = {
			applicationDate: '01/11/2023',
			charterCourseDate: '20/11/2023',
			sponsorSince: '01/06/2023',
			voteDate: '03/01/2024'
		};
		expect(admit({ ...early, ...decidedOn('04/01/2024') }, { today: '2024-01-10' }).ok).toBe(true);
	});

	it('admits on the day after the 15th birthday, refuses on the 15th birthday itself', () => {
		const on = (date: string) =>
			admit(
				{
					...decidedOn(date),
					applicationDate: '01/12/2022',
					charterCourseDate: '02/12/2022',
					sponsorSince: '01/01/2022',
					voteDate: '03/12/2022'
				},
				{ today: '2023-02-01' }
			);
		expect(on('06/01/2023').ok).toBe(true);
		expect(errorsOf(on('05/01/2023'))['decision.date']).toBe(
			'Ngày quyết định: chưa đủ tuổi kết nạp: ngày 05/01/2023 mới 15 tuổi, phải từ đủ 15 tuổi ' +
				'và 1 ngày (từ ngày 06/01/2023).'
		);
	});

	it('admits on the 30th birthday and refuses the day after', () => {
		const older = { birthDate: '1995-11-20', citizenId: '025195001234' };
		expect(admit({}, { person: older }).ok).toBe(true);
		const late = errorsOf(admit(decidedOn('21/11/2025'), { person: older }));
		expect(late['decision.date']).toContain('quá 30 tuổi');
	});

	it('counts a 29/02 birth from 28/02 in common years', () => {
		const leap = { birthDate: '1996-02-29', citizenId: '025196001234' };
		const decide = (date: string) =>
			admit(
				{
					...decidedOn(date),
					applicationDate: '01/01/2026',
					charterCourseDate: '02/01/2026',
					sponsorSince: '01/06/2025',
					voteDate: '10/02/2026'
				},
				{ person: leap, today: '2026-03-10' }
			);
		expect(decide('28/02/2026').ok).toBe(true);
		expect(errorsOf(decide('01/03/2026'))['decision.date']).toContain('quá 30 tuổi');
	});

	it('follows the configured range', () => {
		const rules = { ...DEFAULT_UNION_RULES, version: 3, admissionMinAge: 19 };
		const result = planAdmission({
			...context({ rules }),
			person,
			input,
			registry: free
		});
		expect(errorsOf(result)['decision.date']).toContain('phải từ đủ 18 tuổi và 1 ngày');
	});
});

describe('planAdmission: one person, one active record nationwide', () => {
	it('refuses a citizen id active in another unit, pointing to a transfer', () => {
		const errors = errorsOf(
			admit({}, { registry: { status: 'active', unitName: 'Đoàn phường Gia Cẩm' } })
		);
		expect(errors.citizenId).toBe(
			'Số CCCD: người này đang là đoàn viên sinh hoạt tại Đoàn phường Gia Cẩm. Hãy làm thủ tục ' +
				'chuyển sinh hoạt, không kết nạp lại.'
		);
	});

	it('admits offline with a warning and marks the registry as not checked', () => {
		const plan = planOf(admit({}, { registry: { status: 'unavailable' } }));
		expect(plan.warnings[0]).toContain('máy đang ngoại tuyến');
		expect(plan.entries[0]?.data).toMatchObject({ registryChecked: false });
	});

	it('warns when there is no citizen id to check', () => {
		const plan = planOf(admit({}, { person: { citizenId: undefined } }));
		expect(plan.warnings[0]).toContain('Chưa có số CCCD');
		expect(plan.entries[0]?.data).toMatchObject({ registryChecked: false });
	});
});

describe('planAdmission: the steps', () => {
	it('reports every missing field at once, by name', () => {
		const errors = errorsOf(planAdmission({ ...context(), person, input: {}, registry: free }));
		expect(errors).toMatchObject({
			applicationDate: 'Ngày nộp đơn không được để trống.',
			charterCourseDate: 'Ngày học xong lớp tìm hiểu Điều lệ Đoàn không được để trống.',
			sponsorKind: 'Người giới thiệu không được để trống.',
			sponsorName: 'Tên người (tổ chức) giới thiệu không được để trống.',
			voteDate: 'Ngày chi đoàn biểu quyết không được để trống.',
			votePresent: 'Số đoàn viên có mặt không được để trống.',
			voteInFavour: 'Số đoàn viên tán thành không được để trống.',
			'decision.number': 'Số quyết định không được để trống.',
			'decision.date': 'Ngày quyết định không được để trống.',
			'decision.signer': 'Người ký quyết định không được để trống.',
			'decision.issuer': 'Cơ quan ban hành quyết định không được để trống.'
		});
	});

	it('needs more than half of those present: exactly half is refused', () => {
		expect(errorsOf(admit({ voteInFavour: '10' })).voteInFavour).toBe(
			'Số đoàn viên tán thành: cần quá nửa số đoàn viên có mặt tán thành (đang có 10/20).'
		);
		expect(admit({ voteInFavour: '11' }).ok).toBe(true);
		expect(errorsOf(admit({ voteInFavour: '21' })).voteInFavour).toContain('không được lớn hơn');
	});

	it('needs a sponsoring member who worked with the candidate for 3 months before the vote', () => {
		// Vote on 10/10/2025: from 10/07/2025 is enough, 11/07/2025 is not.
		expect(admit({ sponsorSince: '10/07/2025' }).ok).toBe(true);
		expect(errorsOf(admit({ sponsorSince: '11/07/2025' })).sponsorSince).toContain(
			'ít nhất 3 tháng trước khi biểu quyết (từ ngày 11/10/2025)'
		);
		expect(errorsOf(admit({ sponsorSince: '' })).sponsorSince).toBeDefined();
	});

	it('keeps the steps in order: application and course before the vote, decision after it', () => {
		expect(errorsOf(admit({ applicationDate: '11/10/2025' })).voteDate).toContain(
			'trước ngày nộp đơn'
		);
		expect(errorsOf(admit({ charterCourseDate: '11/10/2025' })).charterCourseDate).toContain(
			'phải trước khi chi đoàn biểu quyết'
		);
		expect(errorsOf(admit(decidedOn('09/10/2025')))['decision.date']).toContain(
			'không được trước ngày chi đoàn biểu quyết'
		);
	});

	it('refuses dates after today and an unknown sponsor kind', () => {
		const errors = errorsOf(admit({ applicationDate: '01/12/2025', sponsorKind: 'friend' }));
		expect(errors.applicationDate).toBe('Ngày nộp đơn không được sau hôm nay (28/11/2025).');
		expect(errors.sponsorKind).toContain('chọn một đoàn viên');
	});

	it('refuses a sponsoring member id that is not a member id', () => {
		expect(errorsOf(admit({ sponsorMemberId: 'Hoa' })).sponsorMemberId).toBeDefined();
	});
});

describe('addMonthsToDate', () => {
	it('keeps the day, or takes the month end when it does not exist', () => {
		expect(addMonthsToDate({ date: '2025-07-10', months: 3 })).toBe('2025-10-10');
		expect(addMonthsToDate({ date: '2025-11-30', months: 3 })).toBe('2026-02-28');
		expect(addMonthsToDate({ date: '2023-11-30', months: 3 })).toBe('2024-02-29');
	});
});
