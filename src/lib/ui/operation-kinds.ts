import {
	comingOfAgeDate,
	isOnRolls,
	maxStayDate,
	type MemberDoc,
	type MemberStatus
} from '$lib/domain';

// The operations a member's profile offers, by the slug of their page
// (/doan-vien/<id>/nghiep-vu/<slug>), and which a member's status allows. The planners refuse
// anything else anyway; this only keeps the list short and relevant.

export const OPERATION_SLUGS = [
	'chuyen-chi-doan',
	'chuyen-sinh-hoat',
	'danh-gia',
	'doan-phi',
	'khen-thuong',
	'dang-ky-ren-luyen',
	'cham-diem-ren-luyen',
	'truong-thanh',
	'tiep-tuc-sinh-hoat',
	'ky-luat',
	'xoa-ten',
	'tu-tran'
] as const;

export type OperationSlug = (typeof OPERATION_SLUGS)[number];

export const OPERATION_TITLES: Readonly<Record<OperationSlug, string>> = {
	'chuyen-chi-doan': 'Chuyển chi đoàn',
	'chuyen-sinh-hoat': 'Chuyển sinh hoạt đến đơn vị khác',
	'danh-gia': 'Đánh giá, xếp loại',
	'doan-phi': 'Đóng đoàn phí',
	'khen-thuong': 'Khen thưởng',
	'dang-ky-ren-luyen': 'Đăng ký chương trình rèn luyện',
	'cham-diem-ren-luyen': 'Chấm điểm rèn luyện',
	'truong-thanh': 'Trưởng thành Đoàn',
	'tiep-tuc-sinh-hoat': 'Cho tiếp tục sinh hoạt Đoàn',
	'ky-luat': 'Kỷ luật',
	'xoa-ten': 'Xóa tên',
	'tu-tran': 'Ghi từ trần'
};

export function isOperationSlug(value: string): value is OperationSlug {
	return (OPERATION_SLUGS as readonly string[]).includes(value);
}

const ON_ROLLS_ONLY: readonly OperationSlug[] = [
	'danh-gia',
	'doan-phi',
	'khen-thuong',
	'dang-ky-ren-luyen',
	'cham-diem-ren-luyen'
];

/** The operations offered for a member today. */
export function operationsFor(
	member: Pick<MemberDoc, 'status' | 'birthDate'>,
	today: string
): OperationSlug[] {
	const status = member.status as MemberStatus;
	if (!isOnRolls(status)) return [];
	if (status === 'transferring') return [...ON_ROLLS_ONLY];
	const birthday = comingOfAgeDate({ birthDate: member.birthDate });
	// Stays are decided ahead of the birthday (up to a year) and until the last allowed day.
	const nearThirty =
		today >= `${Number(birthday.slice(0, 4)) - 1}${birthday.slice(4)}` &&
		today <= maxStayDate({ birthDate: member.birthDate });
	return OPERATION_SLUGS.filter((slug) => {
		if (slug === 'truong-thanh') return today > birthday;
		if (slug === 'tiep-tuc-sinh-hoat') return nearThirty;
		return true;
	});
}
