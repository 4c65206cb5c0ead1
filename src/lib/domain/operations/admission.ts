import { checkAdmissionAge } from '../age';
import { daysInMonth, formatDate, isoDateParts } from '../dates';
import { historyId } from '../history-schema';
import {
	MEMBER_ID_PATTERN,
	MEMBER_SCHEMA_VERSION,
	type MemberDoc,
	type MemberFields
} from '../member-schema';
import {
	buildEntry,
	createInputReader,
	hasErrors,
	readDecision,
	rulesOf,
	type DecisionInput,
	type InputValue,
	type OperationContext,
	type OperationResult
} from './shared';
import { lowerFirst } from '../text';

// Kết nạp (docs/domain.md §3): application, charter course, sponsor, branch vote, then the direct
// superior's decision. "Ngày vào Đoàn" is the decision date, and the age is judged on it. A person
// already active anywhere in the country is refused: they must be transferred, not re-admitted.

/** What the national citizen-id registry (kept by the server) says about the candidate. */
export type CitizenIdRegistryAnswer =
	| { status: 'free' }
	| { status: 'active'; unitName: string }
	/** The registry could not be asked (offline): the server checks again when the entry syncs. */
	| { status: 'unavailable' };

export interface AdmissionInput {
	branchId?: InputValue;
	/** Nơi kết nạp, as the record keeps it; the issuer when left empty. */
	joinedPlace?: InputValue;
	applicationDate?: InputValue;
	charterCourseDate?: InputValue;
	/** 'member': a member who worked with the candidate; 'organisation': the Young Pioneers or the youth association group. */
	sponsorKind?: InputValue;
	sponsorName?: InputValue;
	sponsorMemberId?: InputValue;
	/** Since when the sponsoring member has worked with the candidate. */
	sponsorSince?: InputValue;
	voteDate?: InputValue;
	votePresent?: InputValue;
	voteInFavour?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

export const ADMISSION_FIELD_LABELS = {
	branchId: 'Chi đoàn',
	joinedPlace: 'Nơi kết nạp',
	applicationDate: 'Ngày nộp đơn',
	charterCourseDate: 'Ngày học xong lớp tìm hiểu Điều lệ Đoàn',
	sponsorKind: 'Người giới thiệu',
	sponsorName: 'Tên người (tổ chức) giới thiệu',
	sponsorMemberId: 'Đoàn viên giới thiệu',
	sponsorSince: 'Ngày bắt đầu cùng công tác, sinh hoạt',
	voteDate: 'Ngày chi đoàn biểu quyết',
	votePresent: 'Số đoàn viên có mặt',
	voteInFavour: 'Số đoàn viên tán thành'
} as const;

/** The same day `months` months later; the last day of the month when that day does not exist. */
export function addMonthsToDate(options: { date: string; months: number }): string {
	const parts = isoDateParts(options.date);
	if (parts === null) throw new RangeError(`Ngày không hợp lệ: ${options.date}`);
	const index = parts.year * 12 + parts.month - 1 + options.months;
	const year = Math.floor(index / 12);
	const month = (index % 12) + 1;
	const day = Math.min(parts.day, daysInMonth({ year, month }));
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Checks an admission and plans the new member document (status active, joined on the decision
 * date) with its "admission" entry. `person` is the profile already checked by
 * validateMemberInput; `registry` is the national registry's answer for its citizen id.
 */
export function planAdmission(
	options: OperationContext & {
		person: MemberFields;
		input: AdmissionInput;
		registry: CitizenIdRegistryAnswer;
	}
): OperationResult {
	const { person, input, registry } = options;
	const rules = rulesOf(options);
	const labels = ADMISSION_FIELD_LABELS;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const warnings: string[] = [];

	// The citizen id: one person, one active record nationwide.
	let registryChecked = false;
	if (!person.citizenId) {
		warnings.push(
			'Chưa có số CCCD nên chưa kiểm tra được người này đã là đoàn viên ở nơi khác chưa.'
		);
	} else if (registry.status === 'active') {
		errors.citizenId =
			`Số CCCD: người này đang là đoàn viên sinh hoạt tại ${registry.unitName}. Hãy làm thủ tục ` +
			'chuyển sinh hoạt, không kết nạp lại.';
	} else if (registry.status === 'unavailable') {
		warnings.push(
			'Chưa kiểm tra được số CCCD trên toàn quốc (máy đang ngoại tuyến); máy chủ sẽ kiểm tra lại ' +
				'khi đồng bộ.'
		);
	} else {
		registryChecked = true;
	}

	const branchId = reader.text('branchId', input.branchId, labels.branchId);
	const applicationDate = reader.date(
		'applicationDate',
		input.applicationDate,
		labels.applicationDate,
		{
			required: true
		}
	);
	const charterCourseDate = reader.date(
		'charterCourseDate',
		input.charterCourseDate,
		labels.charterCourseDate,
		{ required: true }
	);

	// The sponsor: a member who has worked with the candidate long enough, or an organisation.
	const sponsorKindText = reader.text('sponsorKind', input.sponsorKind, labels.sponsorKind, {
		required: true
	});
	const sponsorKind =
		sponsorKindText === 'member' || sponsorKindText === 'organisation' ? sponsorKindText : null;
	if (sponsorKindText !== '' && sponsorKind === null) {
		errors.sponsorKind =
			'Người giới thiệu: chọn một đoàn viên, hoặc Liên đội Thiếu niên Tiền phong / Chi hội thanh niên.';
	}
	const sponsorName = reader.text('sponsorName', input.sponsorName, labels.sponsorName, {
		required: true
	});
	const sponsorMemberId = reader.text(
		'sponsorMemberId',
		input.sponsorMemberId,
		labels.sponsorMemberId
	);
	if (sponsorMemberId && !MEMBER_ID_PATTERN.test(sponsorMemberId)) {
		errors.sponsorMemberId = `${labels.sponsorMemberId}: chọn đoàn viên trong danh sách.`;
	}
	const sponsorSince =
		sponsorKind === 'member'
			? reader.date('sponsorSince', input.sponsorSince, labels.sponsorSince, { required: true })
			: undefined;

	// The branch vote: more than the configured share of those present.
	const voteDate = reader.date('voteDate', input.voteDate, labels.voteDate, { required: true });
	const present = reader.number('votePresent', input.votePresent, labels.votePresent, {
		required: true,
		min: 1
	});
	const inFavour = reader.number('voteInFavour', input.voteInFavour, labels.voteInFavour, {
		required: true,
		min: 0
	});
	if (present !== undefined && inFavour !== undefined) {
		if (inFavour > present) {
			errors.voteInFavour = `${labels.voteInFavour} không được lớn hơn số có mặt (${present}).`;
		} else if (!(inFavour > present * rules.admissionVoteShare)) {
			errors.voteInFavour =
				`${labels.voteInFavour}: cần quá ${rules.admissionVoteShare === 0.5 ? 'nửa' : `${rules.admissionVoteShare * 100}%`} ` +
				`số đoàn viên có mặt tán thành (đang có ${inFavour}/${present}).`;
		}
	}

	const decision = readDecision({ reader, input: input.decision, required: true });

	// The order of the steps, and the age on the decision date.
	if (applicationDate && voteDate && applicationDate > voteDate) {
		reader.fail(
			'voteDate',
			`${labels.voteDate} không được trước ngày nộp đơn (${formatDate(applicationDate)}).`
		);
	}
	if (charterCourseDate && voteDate && charterCourseDate > voteDate) {
		reader.fail(
			'charterCourseDate',
			`${labels.charterCourseDate} phải trước khi chi đoàn biểu quyết (${formatDate(voteDate)}).`
		);
	}
	if (sponsorSince && voteDate) {
		const enough = addMonthsToDate({ date: sponsorSince, months: rules.sponsorMinMonths });
		if (enough > voteDate) {
			reader.fail(
				'sponsorSince',
				`${labels.sponsorSince}: người giới thiệu phải cùng công tác, sinh hoạt với người được ` +
					`giới thiệu ít nhất ${rules.sponsorMinMonths} tháng trước khi biểu quyết (từ ngày ` +
					`${formatDate(enough)}).`
			);
		}
	}
	if (decision && voteDate && decision.date < voteDate) {
		reader.fail(
			'decision.date',
			`Ngày quyết định không được trước ngày chi đoàn biểu quyết (${formatDate(voteDate)}).`
		);
	}
	if (decision) {
		const problem = checkAdmissionAge({
			birthDate: person.birthDate,
			decisionDate: decision.date,
			rules
		});
		if (problem) reader.fail('decision.date', `Ngày quyết định: ${lowerFirst(problem.message)}`);
	}

	if (
		hasErrors(errors) ||
		!decision ||
		!applicationDate ||
		!charterCourseDate ||
		!voteDate ||
		present === undefined ||
		inFavour === undefined ||
		sponsorKind === null
	) {
		return { ok: false, errors };
	}

	const memberId = `member:${options.newUlid()}` as const;
	const joinedPlace =
		reader.text('joinedPlace', input.joinedPlace, labels.joinedPlace) || decision.issuer;
	const member: MemberDoc = {
		...person,
		_id: memberId,
		type: 'member',
		v: MEMBER_SCHEMA_VERSION,
		unitId: options.actor.unitId,
		status: 'active',
		statusSince: decision.date,
		joinedOn: decision.date,
		joinedPlace,
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: options.now,
		createdBy: options.actor.login,
		updatedAt: options.now,
		updatedBy: options.actor.login
	};
	if (branchId) member.branchId = branchId;
	else delete member.branchId;

	const note = reader.text('note', input.note, 'Ghi chú');
	const entry = buildEntry({
		context: options,
		member,
		kind: 'admission',
		id: historyId({ memberId, key: options.newUlid() }),
		at: decision.date,
		data: {
			applicationDate,
			charterCourseDate,
			sponsor: {
				kind: sponsorKind,
				name: sponsorName,
				...(sponsorMemberId ? { memberId: sponsorMemberId as `member:${string}` } : {}),
				...(sponsorSince ? { since: sponsorSince } : {})
			},
			vote: { on: voteDate, present, inFavour },
			registryChecked
		},
		decision,
		note
	});
	return { ok: true, plan: { entries: [entry], member, warnings } };
}
