/** Where a member stands on the rolls (docs/domain.md §2). */
export const MEMBER_STATUSES = [
	'active',
	'transferring',
	'transferred',
	'matured',
	'removed',
	'expelled',
	'deceased'
] as const;

export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const MEMBER_STATUS_LABELS: Readonly<Record<MemberStatus, string>> = {
	active: 'Đang sinh hoạt',
	transferring: 'Đang chuyển',
	transferred: 'Đã chuyển đi',
	matured: 'Trưởng thành',
	removed: 'Xóa tên',
	expelled: 'Khai trừ',
	deceased: 'Từ trần'
};

export function isMemberStatus(value: unknown): value is MemberStatus {
	return typeof value === 'string' && (MEMBER_STATUSES as readonly string[]).includes(value);
}

export function memberStatusLabel(status: string): string {
	return isMemberStatus(status) ? MEMBER_STATUS_LABELS[status] : status;
}

/**
 * Still counted by this unit: a member whose transfer is pending stays on the sending unit's rolls
 * until the receiver accepts, so they also block a second active record with the same citizen id.
 */
export function isOnRolls(status: MemberStatus): boolean {
	return status === 'active' || status === 'transferring';
}

/**
 * The status changes the operations make (docs/domain.md §3). Only an active member is transferred,
 * comes of age, is removed, expelled or recorded as deceased; a pending transfer ends either way.
 * Transferred, matured, removed, expelled and deceased are final: the only way back is a reversal
 * of the entry that made the change (a correction, recorded as such), never a new operation.
 */
export const MEMBER_STATUS_TRANSITIONS: Readonly<Record<MemberStatus, readonly MemberStatus[]>> = {
	active: ['transferring', 'matured', 'removed', 'expelled', 'deceased'],
	transferring: ['active', 'transferred'],
	transferred: [],
	matured: [],
	removed: [],
	expelled: [],
	deceased: []
};

export function canChangeStatus(options: { from: MemberStatus; to: MemberStatus }): boolean {
	return MEMBER_STATUS_TRANSITIONS[options.from].includes(options.to);
}
