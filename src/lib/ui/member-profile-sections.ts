import {
	citizenIdProvince,
	ethnicGroupName,
	formatDate,
	formatMonth,
	fullName,
	type MemberDoc
} from '$lib/domain';
import { genderLabel, occupationLabel, politicalTheoryLabel, statusLabel } from './options';

// What a member's profile lists, section by section, as the secretary reads it.

export interface ProfileSection {
	title: string;
	rows: { label: string; value: string }[];
}

// State the operations keep: shown only once an operation has set it.
const STATE_ROWS = new Set([
	'Trạng thái từ ngày',
	'Sinh hoạt đến ngày',
	'Đoàn phí đã đóng đến',
	'Chuyển sinh hoạt'
]);

function row(label: string, value: string | undefined | null) {
	return { label, value: value && value.trim() ? value : '—' };
}

/** The profile's sections of label and value rows ('—' for a field not filled in). */
export function profileSections(
	m: MemberDoc,
	context: { unitName: string; branchName: string }
): ProfileSection[] {
	return [
		{
			title: 'Thông tin cá nhân',
			rows: [
				row('Họ và tên', fullName(m)),
				row('Tên gọi khác', m.otherName),
				row('Giới tính', genderLabel(m.gender)),
				row('Ngày sinh', formatDate(m.birthDate)),
				row(
					'Số CCCD',
					m.citizenId
						? `${m.citizenId}${citizenIdProvince(m.citizenId) ? ` (đăng ký khai sinh: ${citizenIdProvince(m.citizenId)})` : ''}`
						: ''
				),
				row(
					'Ngày cấp, nơi cấp',
					[m.citizenIdIssuedOn ? formatDate(m.citizenIdIssuedOn) : '', m.citizenIdIssuedBy ?? '']
						.filter(Boolean)
						.join(', ')
				),
				row('Dân tộc', ethnicGroupName(m.ethnicCode)),
				row('Tôn giáo', m.religion),
				row('Quốc tịch', m.nationality)
			]
		},
		{
			title: 'Địa chỉ và liên hệ',
			rows: [
				row('Quê quán', m.hometown),
				row('Nơi thường trú', m.permanentAddress),
				row('Nơi ở hiện nay', m.currentAddress),
				row('Điện thoại', m.phone),
				row('Email', m.email)
			]
		},
		{
			title: 'Thông tin Đoàn',
			rows: [
				row('Đơn vị', context.unitName),
				row('Trạng thái', statusLabel(m.status)),
				row('Chi đoàn', context.branchName),
				row('Ngày vào Đoàn', m.joinedOn ? formatDate(m.joinedOn) : ''),
				row('Nơi kết nạp', m.joinedPlace),
				row('Số thẻ đoàn viên', m.cardNumber),
				row('Chức vụ Đoàn', m.unionPosition),
				row('Trạng thái từ ngày', m.statusSince ? formatDate(m.statusSince) : ''),
				row('Sinh hoạt đến ngày', m.staysUntil ? formatDate(m.staysUntil) : ''),
				row(
					'Đoàn phí đã đóng đến',
					m.duesPaidThrough ? `tháng ${formatMonth(m.duesPaidThrough)}` : ''
				),
				row(
					'Chuyển sinh hoạt',
					m.status === 'transferring' && m.transfer
						? `Đang chờ ${m.transfer.toUnitName} trả lời (đề nghị ngày ${formatDate(m.transfer.requestedOn)})`
						: ''
				)
			].filter((r) => r.value !== '—' || !STATE_ROWS.has(r.label))
		},
		{
			title: 'Học vấn, nghề nghiệp, Đảng',
			rows: [
				row('Giáo dục phổ thông', m.generalEducation),
				row('Chuyên môn', m.professionalQualification),
				row('Lý luận chính trị', m.politicalTheory ? politicalTheoryLabel(m.politicalTheory) : ''),
				row('Tin học', m.itSkill),
				row('Ngoại ngữ', m.foreignLanguage),
				row('Nghề nghiệp', m.occupation ? occupationLabel(m.occupation) : ''),
				row(
					'Đảng viên',
					m.partyMember
						? `Có${m.partyJoinedOn ? `, vào Đảng ${formatDate(m.partyJoinedOn)}` : ''}${m.partyOfficialOn ? `, chính thức ${formatDate(m.partyOfficialOn)}` : ''}`
						: m.partySympathizer
							? 'Không (cảm tình Đảng)'
							: 'Không'
				)
			]
		}
	];
}
