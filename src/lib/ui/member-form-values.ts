import { formatDate, type MemberDoc } from '$lib/domain';

// What the member form edits: every field as the inputs hold it (dates typed dd/mm/yyyy).

export interface MemberFormValues {
	familyName: string;
	middleName: string;
	givenName: string;
	otherName: string;
	gender: string;
	birthDate: string;
	citizenId: string;
	citizenIdIssuedOn: string;
	citizenIdIssuedBy: string;
	ethnicCode: string;
	religion: string;
	nationality: string;
	hometown: string;
	permanentAddress: string;
	currentAddress: string;
	phone: string;
	email: string;
	joinedOn: string;
	joinedPlace: string;
	cardNumber: string;
	branchId: string;
	unionPosition: string;
	generalEducation: string;
	professionalQualification: string;
	politicalTheory: string;
	itSkill: string;
	foreignLanguage: string;
	partyMember: boolean;
	partyJoinedOn: string;
	partyOfficialOn: string;
	partySympathizer: boolean;
	occupation: string;
	status: string;
}

export function emptyMemberForm(): MemberFormValues {
	return {
		familyName: '',
		middleName: '',
		givenName: '',
		otherName: '',
		gender: '',
		birthDate: '',
		citizenId: '',
		citizenIdIssuedOn: '',
		citizenIdIssuedBy: '',
		// No default for ethnicity, religion or education: each is a required answer on a new record.
		ethnicCode: '',
		religion: '',
		nationality: 'Việt Nam',
		hometown: '',
		permanentAddress: '',
		currentAddress: '',
		phone: '',
		email: '',
		joinedOn: '',
		joinedPlace: '',
		cardNumber: '',
		branchId: '',
		unionPosition: '',
		generalEducation: '',
		professionalQualification: '',
		politicalTheory: '',
		itSkill: '',
		foreignLanguage: '',
		partyMember: false,
		partyJoinedOn: '',
		partyOfficialOn: '',
		partySympathizer: false,
		occupation: '',
		status: 'active'
	};
}

const DATE_FIELDS = [
	'birthDate',
	'citizenIdIssuedOn',
	'joinedOn',
	'partyJoinedOn',
	'partyOfficialOn'
] as const;

export function memberToForm(member: MemberDoc): MemberFormValues {
	const values = emptyMemberForm();
	for (const key of Object.keys(values) as (keyof MemberFormValues)[]) {
		const v = (member as unknown as Record<string, unknown>)[key];
		if (v === undefined || v === null) {
			if (typeof values[key] === 'string') (values as unknown as Record<string, unknown>)[key] = '';
			continue;
		}
		(values as unknown as Record<string, unknown>)[key] = v;
	}
	for (const key of DATE_FIELDS) values[key] = member[key] ? formatDate(member[key]!) : '';
	return values;
}
