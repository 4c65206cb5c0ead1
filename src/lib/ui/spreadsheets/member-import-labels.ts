import type { MemberFieldKey } from '$lib/domain/member-schema';
import { MEMBER_FIELD_LABELS } from '$lib/domain/member-field-labels';
import type {
	ImportRowClass,
	ImportRowPreview,
	ImportTarget
} from '$lib/domain/spreadsheets/member-import-types';

// The import screens' words: the classes of rows and the targets a column can feed.

export const IMPORT_CLASS_LABELS: Readonly<Record<ImportRowClass, string>> = {
	new: 'Mới',
	update: 'Cập nhật',
	duplicate: 'Trùng trong tệp',
	clash: 'Đang sinh hoạt nơi khác',
	invalid: 'Lỗi'
};

export const FULL_NAME_LABEL = 'Họ và tên (tách thành họ, tên đệm, tên)';

export const SPLIT_BIRTH_LABELS = {
	birthDateMale: 'Ngày sinh, cột Nam (giới tính Nam)',
	birthDateFemale: 'Ngày sinh, cột Nữ (giới tính Nữ)'
} as const;

export function targetLabel(target: ImportTarget): string {
	if (target === null) return 'Không nhập cột này';
	if (target === 'fullName') return FULL_NAME_LABEL;
	if (target === 'birthDateMale' || target === 'birthDateFemale') return SPLIT_BIRTH_LABELS[target];
	return MEMBER_FIELD_LABELS[target];
}

/** The choices of a column's select: nothing, a whole name, the split birth date, every field. */
export const TARGET_OPTIONS: readonly { value: string; label: string }[] = [
	{ value: '', label: targetLabel(null) },
	{ value: 'fullName', label: FULL_NAME_LABEL },
	{ value: 'birthDateMale', label: SPLIT_BIRTH_LABELS.birthDateMale },
	{ value: 'birthDateFemale', label: SPLIT_BIRTH_LABELS.birthDateFemale },
	...(Object.keys(MEMBER_FIELD_LABELS) as MemberFieldKey[]).map((key) => ({
		value: key,
		label: MEMBER_FIELD_LABELS[key]
	}))
];

/** The row's person as the sheet names her ("(chưa có tên)" when it does not). */
export function rowName(row: ImportRowPreview): string {
	const part = (key: 'familyName' | 'middleName' | 'givenName') =>
		row.fields[key] ?? row.input[key] ?? '';
	const name = [part('familyName'), part('middleName'), part('givenName')]
		.filter(Boolean)
		.join(' ');
	return name || '(chưa có tên)';
}

/** Why a row that is not written is left out, in Vietnamese. */
export function rowReason(row: ImportRowPreview): string {
	switch (row.class) {
		case 'duplicate':
			return row.duplicateOf
				? `Trùng với dòng ${row.duplicateOf.rowNumber} (${row.duplicateOf.by === 'citizen-id' ? 'cùng số CCCD' : 'cùng họ tên và ngày sinh'}).`
				: 'Trùng với một dòng khác trong tệp.';
		case 'clash':
			return `Số CCCD đang sinh hoạt tại ${row.clashWith?.unitName ?? 'đơn vị khác'}.`;
		case 'invalid':
			return row.errors.map((e) => e.message).join(' ');
		default:
			return '';
	}
}
