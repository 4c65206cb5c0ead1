import {
	ethnicGroupName,
	formatDate,
	formatMonth,
	genderLabel,
	isIsoDate,
	isIsoMonth,
	memberStatusLabel,
	occupationLabel,
	politicalTheoryLabel
} from '$lib/domain';

// A member field's value as people read it: the two sides of a conflict are shown this way.

export function fieldValueText(
	field: string,
	value: unknown,
	branchName: (id: string) => string = (id) => id
): string {
	if (value === null || value === undefined || value === '') return '(để trống)';
	if (typeof value === 'boolean') return value ? 'Có' : 'Không';
	if (typeof value === 'string') {
		switch (field) {
			case 'gender':
				return genderLabel(value);
			case 'status':
				return memberStatusLabel(value);
			case 'ethnicCode':
				return ethnicGroupName(value) ?? value;
			case 'occupation':
				return occupationLabel(value);
			case 'politicalTheory':
				return politicalTheoryLabel(value);
			case 'branchId':
				return branchName(value);
		}
		if (isIsoDate(value)) return formatDate(value);
		if (isIsoMonth(value)) return `tháng ${formatMonth(value)}`;
		return value;
	}
	if (field === 'transfer' && typeof value === 'object') {
		const t = value as { toUnitName?: string; requestedOn?: string };
		return `Đến ${t.toUnitName ?? '?'}${t.requestedOn ? ` (đề nghị ${formatDate(t.requestedOn)})` : ''}`;
	}
	return JSON.stringify(value);
}
