import { OPERATIONS, type OfferedMember } from '$lib/domain';

// The profile's view of the operation catalogue (src/lib/domain/operations/catalogue.ts): which
// operations a member's status and age allow today, and their titles. The planners refuse
// anything else anyway; this only keeps the list short and relevant.

export function isOperationSlug(value: string): boolean {
	return OPERATIONS.find(value) !== undefined;
}

export const OPERATION_TITLES: Readonly<Record<string, string>> = Object.fromEntries(
	OPERATIONS.entries.map((entry) => [entry.slug, entry.title])
);

/** The operations offered for a member today. */
export function operationsFor(member: OfferedMember, today: string): string[] {
	return OPERATIONS.offeredFor(member, today);
}
