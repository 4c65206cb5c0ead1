import { formatDate } from '$lib/domain/dates';
import { ethnicGroupName } from '$lib/domain/ethnic-groups';
import {
	GENDERS,
	GENDER_LABELS,
	OCCUPATIONS,
	OCCUPATION_LABELS,
	POLITICAL_THEORY_LABELS,
	POLITICAL_THEORY_LEVELS
} from '$lib/domain/labels';
import { MEMBER_FIELD_LABELS } from '$lib/domain/member-field-labels';
import type { DeclarationInput } from '$lib/domain/declarations/declaration-input';
import type { DeclaredFields } from '$lib/domain/declarations/declaration-schema';
import {
	DECLARED_FIELD_KEYS,
	type DeclaredFieldKey
} from '$lib/domain/declarations/declared-fields';

// The member's form, as she reads it: short sections in words she knows, the fields she must answer
// first (and marked), the rest folded away so the first screen is short. Same fields, labels and
// lists as the unit's member form (MEMBER_FIELD_LABELS, labels.ts); the rules are the domain's
// (validateDeclarationInput), run on the phone before anything is sent.

export type DeclarationFormValues = Record<DeclaredFieldKey, string | boolean>;

export type FieldKind = 'text' | 'date' | 'select' | 'ethnic' | 'check';

export interface FieldSpec {
	key: DeclaredFieldKey;
	kind: FieldKind;
	label: string;
	required?: boolean;
	/** Optional, yet shown with the required ones rather than folded: the tên đệm belongs between
	 * họ and tên, and most members have one. */
	shown?: boolean;
	hint?: string;
	inputmode?: 'numeric' | 'tel' | 'email' | 'text';
	autocomplete?: string;
	options?: { value: string; label: string }[];
	/** Shown only when this holds (the Party's dates only for a Party member…). */
	when?: (values: DeclarationFormValues) => boolean;
}

export interface SectionSpec {
	id: string;
	title: string;
	fields: FieldSpec[];
}

const DATE_HINT = 'Ngày/tháng/năm, ví dụ 05/01/2003';
const label = MEMBER_FIELD_LABELS;

const date = (key: DeclaredFieldKey, extra: Partial<FieldSpec> = {}): FieldSpec => ({
	key,
	kind: 'date',
	label: label[key],
	hint: DATE_HINT,
	inputmode: 'numeric',
	...extra
});
const text = (key: DeclaredFieldKey, extra: Partial<FieldSpec> = {}): FieldSpec => ({
	key,
	kind: 'text',
	label: label[key],
	...extra
});

export const DECLARATION_SECTIONS: readonly SectionSpec[] = [
	{
		id: 'ho-ten',
		title: 'Họ tên và ngày sinh',
		fields: [
			text('familyName', { required: true, autocomplete: 'family-name' }),
			text('middleName', { shown: true, autocomplete: 'additional-name' }),
			text('givenName', { required: true, autocomplete: 'given-name' }),
			{
				key: 'gender',
				kind: 'select',
				label: label.gender,
				required: true,
				options: GENDERS.map((g) => ({ value: g, label: GENDER_LABELS[g] }))
			},
			date('birthDate', { required: true, autocomplete: 'bday' }),
			text('otherName')
		]
	},
	{
		id: 'giay-to',
		title: 'Giấy tờ',
		fields: [
			text('citizenId', { label: 'Số CCCD', hint: '12 chữ số', inputmode: 'numeric' }),
			date('citizenIdIssuedOn'),
			text('citizenIdIssuedBy')
		]
	},
	{
		id: 'que-quan',
		title: 'Dân tộc, quê quán và nơi ở',
		fields: [
			{ key: 'ethnicCode', kind: 'ethnic', label: label.ethnicCode, required: true },
			text('religion', { required: true, hint: 'Ghi “Không” nếu không theo tôn giáo nào' }),
			text('nationality'),
			text('hometown', { hint: 'Ghi như trong giấy khai sinh' }),
			text('permanentAddress'),
			text('currentAddress')
		]
	},
	{
		id: 'lien-lac',
		title: 'Liên lạc',
		fields: [
			text('phone', { inputmode: 'tel', autocomplete: 'tel' }),
			text('email', { inputmode: 'email', autocomplete: 'email' })
		]
	},
	{
		id: 'doan',
		title: 'Thông tin Đoàn',
		fields: [date('joinedOn'), text('joinedPlace'), text('cardNumber'), text('unionPosition')]
	},
	{
		id: 'hoc-van',
		title: 'Học vấn, nghề nghiệp',
		fields: [
			text('generalEducation', { required: true, hint: 'Lớp đã học xong, ví dụ 9/12, 12/12' }),
			text('professionalQualification'),
			{
				key: 'politicalTheory',
				kind: 'select',
				label: label.politicalTheory,
				options: POLITICAL_THEORY_LEVELS.map((p) => ({
					value: p,
					label: POLITICAL_THEORY_LABELS[p]
				}))
			},
			text('itSkill'),
			text('foreignLanguage'),
			{
				key: 'occupation',
				kind: 'select',
				label: 'Nghề nghiệp / đối tượng',
				options: OCCUPATIONS.map((o) => ({ value: o, label: OCCUPATION_LABELS[o] }))
			}
		]
	},
	{
		id: 'dang',
		title: 'Đảng',
		fields: [
			{ key: 'partyMember', kind: 'check', label: 'Là đảng viên' },
			date('partyJoinedOn', { when: (v) => v.partyMember === true }),
			date('partyOfficialOn', { when: (v) => v.partyMember === true }),
			{
				key: 'partySympathizer',
				kind: 'check',
				label: 'Cảm tình Đảng',
				when: (v) => v.partyMember !== true
			}
		]
	}
];

const CHECKS = new Set<DeclaredFieldKey>(['partyMember', 'partySympathizer']);
const DATES = new Set<DeclaredFieldKey>([
	'birthDate',
	'citizenIdIssuedOn',
	'joinedOn',
	'partyJoinedOn',
	'partyOfficialOn'
]);

export function emptyDeclarationForm(): DeclarationFormValues {
	const values = {} as DeclarationFormValues;
	for (const key of DECLARED_FIELD_KEYS) values[key] = CHECKS.has(key) ? false : '';
	values.nationality = 'Việt Nam';
	return values;
}

/** A saved draft read back: only known keys, each of its kind (a draft is the phone's own text). */
export function restoreDeclarationForm(saved: unknown): DeclarationFormValues {
	const values = emptyDeclarationForm();
	if (!saved || typeof saved !== 'object') return values;
	for (const key of DECLARED_FIELD_KEYS) {
		const value = (saved as Record<string, unknown>)[key];
		if (typeof value === typeof values[key]) values[key] = value as string | boolean;
	}
	return values;
}

/** What the API carries: the fields as typed (the server parses them with the same rules). */
export function declarationInput(values: DeclarationFormValues): DeclarationInput {
	const input: Record<string, string | boolean> = {};
	for (const key of DECLARED_FIELD_KEYS) {
		const value = values[key];
		if (value === '' || value === false) continue;
		input[key] = value;
	}
	// The Party's dates only for a Party member, sympathy only for others (as the form shows them).
	if (values.partyMember !== true) {
		delete input.partyJoinedOn;
		delete input.partyOfficialOn;
	} else delete input.partySympathizer;
	return input as DeclarationInput;
}

/** A stored declaration back in the form, to correct it (dates typed dd/mm/yyyy again). */
export function declarationToForm(fields: Partial<DeclaredFields>): DeclarationFormValues {
	const values = emptyDeclarationForm();
	for (const key of DECLARED_FIELD_KEYS) {
		const value = (fields as Record<string, unknown>)[key];
		if (value === undefined || value === null) {
			if (!CHECKS.has(key)) values[key] = '';
			continue;
		}
		if (CHECKS.has(key)) values[key] = value === true;
		else if (DATES.has(key)) values[key] = formatDate(String(value));
		else values[key] = String(value);
	}
	if (typeof fields.ethnicCode === 'string') {
		values.ethnicCode = ethnicGroupName(fields.ethnicCode) ?? fields.ethnicCode;
	}
	return values;
}

/** The section a field is in (to open it when the field has an error). */
export function sectionOf(key: string): string | undefined {
	return DECLARATION_SECTIONS.find((s) => s.fields.some((f) => f.key === key))?.id;
}
