import { formatDate } from '../dates';
import { ethnicGroupName } from '../ethnic-groups';
import { genderLabel, occupationLabel, politicalTheoryLabel } from '../labels';
import { MEMBER_FIELD_LABELS } from '../member-field-labels';
import type { MemberFieldKey, MemberFields } from '../member-schema';
import { memberStatusLabel } from '../member-statuses';

// The roster as a sheet (docs/spreadsheets.md): one column per member field, in this order, headed by
// the label users see everywhere else. The export writes these cells, the import reads them back —
// an export imported again changes nothing — and the import's template uses the same headers.
// Every cell is text in the forms a secretary types: dates dd/mm/yyyy, citizen ids with their
// leading zeros, genders, ethnic groups, statuses and levels by their Vietnamese names.

/** How a column's value is written and read. */
export type MemberCellKind =
	| 'text'
	| 'date'
	| 'citizen-id'
	| 'gender'
	| 'ethnic'
	| 'branch'
	| 'yes-no'
	| 'status'
	| 'political-theory'
	| 'occupation'
	| 'general-education';

export interface MemberSheetColumn {
	key: MemberFieldKey;
	header: string;
	kind: MemberCellKind;
	/** Column width in characters, for the template and exports. */
	width: number;
}

const KINDS: Partial<Record<MemberFieldKey, MemberCellKind>> = {
	gender: 'gender',
	birthDate: 'date',
	citizenId: 'citizen-id',
	citizenIdIssuedOn: 'date',
	ethnicCode: 'ethnic',
	joinedOn: 'date',
	branchId: 'branch',
	generalEducation: 'general-education',
	politicalTheory: 'political-theory',
	partyMember: 'yes-no',
	partyJoinedOn: 'date',
	partyOfficialOn: 'date',
	partySympathizer: 'yes-no',
	occupation: 'occupation',
	status: 'status'
};

const WIDTHS: Partial<Record<MemberCellKind, number>> = {
	date: 12,
	'citizen-id': 14,
	gender: 9,
	'yes-no': 9,
	'general-education': 9
};

const LONG_TEXT: ReadonlySet<MemberFieldKey> = new Set([
	'hometown',
	'permanentAddress',
	'currentAddress',
	'citizenIdIssuedBy',
	'joinedPlace'
]);

export const MEMBER_SHEET_COLUMNS: readonly MemberSheetColumn[] = (
	Object.keys(MEMBER_FIELD_LABELS) as MemberFieldKey[]
).map((key) => {
	const kind = KINDS[key] ?? 'text';
	return {
		key,
		header: MEMBER_FIELD_LABELS[key],
		kind,
		width: WIDTHS[kind] ?? (LONG_TEXT.has(key) ? 30 : 16)
	};
});

/** The text a member's field is written as in a sheet ('' for a field left empty). */
export function memberCellText(options: {
	member: Partial<MemberFields>;
	column: MemberSheetColumn;
	/** The branch's name for its id (the sheet names chi đoàn, never ids). */
	branchName: (branchId: string) => string;
}): string {
	const value = options.member[options.column.key];
	if (value === undefined || value === null || value === '') return '';
	switch (options.column.kind) {
		case 'date':
			return formatDate(String(value));
		case 'gender':
			return genderLabel(String(value));
		case 'ethnic':
			return ethnicGroupName(String(value)) ?? String(value);
		case 'branch':
			return options.branchName(String(value));
		case 'yes-no':
			return value === true ? 'Có' : value === false ? 'Không' : '';
		case 'status':
			return memberStatusLabel(String(value));
		case 'political-theory':
			return politicalTheoryLabel(String(value));
		case 'occupation':
			return occupationLabel(String(value));
		default:
			return String(value);
	}
}
