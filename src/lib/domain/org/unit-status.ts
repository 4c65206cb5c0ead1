// A unit's life in the tree: active, merged into another, or dissolved (docs/domain.md §1). A
// merged or dissolved unit keeps its records for look-up.

export const UNIT_STATUSES = ['active', 'merged', 'dissolved'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const UNIT_STATUS_LABELS: Readonly<Record<UnitStatus, string>> = {
	active: 'Đang hoạt động',
	merged: 'Đã sáp nhập',
	dissolved: 'Đã giải thể'
};

export function unitStatusLabel(status: string): string {
	return (UNIT_STATUSES as readonly string[]).includes(status)
		? UNIT_STATUS_LABELS[status as UnitStatus]
		: status;
}
