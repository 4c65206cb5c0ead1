import {
	ETHNIC_GROUPS,
	GENDERS,
	GENDER_LABELS,
	MEMBER_STATUSES,
	MEMBER_STATUS_LABELS,
	OCCUPATIONS,
	OCCUPATION_LABELS,
	POLITICAL_THEORY_LEVELS,
	POLITICAL_THEORY_LABELS,
	ethnicGroupName,
	memberStatusLabel
} from '$lib/domain';

// Choices for selects, built once from the domain's closed lists.

export interface Option {
	value: string;
	label: string;
}

export const genderOptions: Option[] = GENDERS.map((g) => ({ value: g, label: GENDER_LABELS[g] }));

export const statusOptions: Option[] = MEMBER_STATUSES.map((s) => ({
	value: s,
	label: MEMBER_STATUS_LABELS[s]
}));

export const occupationOptions: Option[] = OCCUPATIONS.map((o) => ({
	value: o,
	label: OCCUPATION_LABELS[o]
}));

export const politicalTheoryOptions: Option[] = POLITICAL_THEORY_LEVELS.map((p) => ({
	value: p,
	label: POLITICAL_THEORY_LABELS[p]
}));

// Kinh first (most members), then the others by code, as the official list orders them.
export const ethnicOptions: Option[] = ETHNIC_GROUPS.map((g) => ({
	value: g.code,
	label: `${g.name} (${g.code})`
}));

export const statusLabel = memberStatusLabel;

export function ethnicLabel(code: string): string {
	return ethnicGroupName(code) ?? code;
}

export { genderLabel, occupationLabel, politicalTheoryLabel } from '$lib/domain';
