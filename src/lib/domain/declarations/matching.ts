import { MEMBER_FIELD_LABELS } from '../member-input';
import type { MemberFieldKey } from '../member-schema';
import { isOnRolls, isMemberStatus } from '../member-statuses';
import { fold, toNfc } from '../text';

// Which record of the unit a member's own declaration is about, and what it would change (issue
// #14, the unit's review queue): matched by citizen id, else by name and birth date (folded, so
// "Hoà" and "Hòa" match); then, field by field, what the declaration says that the record does not.
// The unit decides each difference: a declaration never silently overwrites what the unit typed.

/** What matching reads of a member record. */
export interface MatchableMember {
	_id: string;
	status: string;
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	citizenId?: string;
}

/** What matching reads of a declaration. */
export interface MatchableDeclaration {
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	citizenId?: string;
}

export type DeclarationMatch<M extends MatchableMember> =
	/** The same citizen id: this record, whatever its name says. */
	| { kind: 'citizen-id'; member: M }
	/** No citizen id in common; the same name and birth date — one record, or several to choose. */
	| { kind: 'name-and-birth'; members: M[] }
	/** Nobody like her: approving creates a record. */
	| { kind: 'none' };

/** The folded full name matching compares (candidates can be looked up by it and the birth date). */
export function nameKey(person: MatchableDeclaration | MatchableMember): string {
	return [person.familyName, person.middleName, person.givenName].map(fold).join(' ');
}

/**
 * The unit's record a declaration is about. A record whose citizen id differs from the declared one
 * is never matched by name (two people may share a name and a birthday; one citizen id is one
 * person). Records on the rolls come before the others (a member who left and comes back).
 */
export function matchDeclaration<M extends MatchableMember>(options: {
	declaration: MatchableDeclaration;
	members: readonly M[];
}): DeclarationMatch<M> {
	const { declaration } = options;
	const onRollsFirst = [...options.members].sort(
		(a, b) => rollsRank(a.status) - rollsRank(b.status)
	);
	if (declaration.citizenId) {
		const same = onRollsFirst.find((member) => member.citizenId === declaration.citizenId);
		if (same) return { kind: 'citizen-id', member: same };
	}
	const key = nameKey(declaration);
	const members = onRollsFirst.filter(
		(member) =>
			member.birthDate === declaration.birthDate &&
			nameKey(member) === key &&
			!(member.citizenId && declaration.citizenId && member.citizenId !== declaration.citizenId)
	);
	return members.length > 0 ? { kind: 'name-and-birth', members } : { kind: 'none' };
}

function rollsRank(status: string): number {
	return isMemberStatus(status) && isOnRolls(status) ? 0 : 1;
}

export interface FieldDifference {
	field: MemberFieldKey;
	/** The field's name as users see it. */
	label: string;
	/** What the declaration says, and what the record holds (undefined: nothing). */
	declared: unknown;
	recorded: unknown;
	/** The record holds nothing there: taking the declared value overwrites nothing. */
	fillsGap: boolean;
}

function comparable(value: unknown): unknown {
	if (typeof value === 'string') {
		const text = toNfc(value).trim();
		return text === '' ? undefined : text;
	}
	return value;
}

/**
 * The fields where the declaration says something the record does not, in the form's order. A
 * field the declaration leaves empty is no difference (she may not know her card number); text is
 * compared in one Unicode form, spaces trimmed.
 */
export function declarationDifferences(options: {
	declared: Readonly<Partial<Record<MemberFieldKey, unknown>>>;
	recorded: Readonly<Partial<Record<MemberFieldKey, unknown>>>;
}): FieldDifference[] {
	const differences: FieldDifference[] = [];
	for (const field of Object.keys(MEMBER_FIELD_LABELS) as MemberFieldKey[]) {
		const declared = comparable(options.declared[field]);
		if (declared === undefined) continue;
		const recorded = comparable(options.recorded[field]);
		if (declared === recorded) continue;
		differences.push({
			field,
			label: MEMBER_FIELD_LABELS[field],
			declared,
			recorded,
			fillsGap: recorded === undefined
		});
	}
	return differences;
}
