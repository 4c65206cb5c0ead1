import type { MemberFieldKey } from '../member-schema';

// Which of the member record's fields a member declares herself (ADR 0019), apart from the
// schemas (declaration-schema.ts): the public page needs the list, not the member schema's code.

/**
 * The member record's fields a member declares herself: all of them but the status (a declaration
 * is of a member on the rolls; the unit decides anything else) and the chi đoàn (the link says it).
 */
export const DECLARED_FIELD_KEYS = [
	'familyName',
	'middleName',
	'givenName',
	'otherName',
	'gender',
	'birthDate',
	'citizenId',
	'citizenIdIssuedOn',
	'citizenIdIssuedBy',
	'ethnicCode',
	'religion',
	'nationality',
	'hometown',
	'permanentAddress',
	'currentAddress',
	'phone',
	'email',
	'joinedOn',
	'joinedPlace',
	'cardNumber',
	'unionPosition',
	'generalEducation',
	'professionalQualification',
	'politicalTheory',
	'itSkill',
	'foreignLanguage',
	'partyMember',
	'partyJoinedOn',
	'partyOfficialOn',
	'partySympathizer',
	'occupation'
] as const satisfies readonly MemberFieldKey[];

export type DeclaredFieldKey = (typeof DECLARED_FIELD_KEYS)[number];
