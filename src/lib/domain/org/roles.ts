// The roles an account holds in its unit (docs/domain.md §1), with the labels users see. The server
// stores and checks them; the screens label them and hide what a role may not do.

export const ACCOUNT_ROLES = ['secretary', 'deputy', 'viewer', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const ROLE_LABELS: Readonly<Record<AccountRole, string>> = {
	secretary: 'Bí thư',
	deputy: 'Phó Bí thư',
	viewer: 'Chỉ xem',
	admin: 'Quản trị'
};

/** Roles a manager may give: the top unit's `admin` is made by the first-run setup only. */
export const ISSUABLE_ROLES = ['secretary', 'deputy', 'viewer'] as const;
export type IssuableRole = (typeof ISSUABLE_ROLES)[number];

export function isAccountRole(value: unknown): value is AccountRole {
	return typeof value === 'string' && (ACCOUNT_ROLES as readonly string[]).includes(value);
}

/** What users see for a role; an unknown one (an older server) is shown as stored. */
export function roleLabel(role: string): string {
	return isAccountRole(role) ? ROLE_LABELS[role] : role;
}

/**
 * Roles that write their unit's data (members, branches, operations); a viewer only reads. The
 * unit databases' validate_doc_update refuses a viewer's write whatever the screen shows.
 */
export function writesUnitData(role: string): boolean {
	return isAccountRole(role) && role !== 'viewer';
}

/** Roles that manage (docs/domain.md §1: the unit's leadership); deputies and viewers do not. */
export function isManagerRole(role: string): boolean {
	return role === 'admin' || role === 'secretary';
}
