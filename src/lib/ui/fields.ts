import type { Option } from './options';

// A form described as data: the operation pages list their fields and one component lays them out
// with labels, hints and the planner's messages. Values are kept as typed (dates dd/mm/yyyy); the
// domain planner reads and checks them.

export type FieldValues = Record<string, string | boolean>;

interface Base {
	name: string;
	label: string;
	hint?: string;
}

export type FieldSpec =
	| (Base & { kind: 'text' | 'number' | 'date' | 'month' | 'textarea'; placeholder?: string })
	| (Base & { kind: 'select'; options: Option[]; placeholder?: string })
	| (Base & { kind: 'checkbox' })
	/** One checkbox per option, stored as `<name>:<value>` = true. */
	| (Base & { kind: 'checkboxes'; options: Option[] });

/** The values checked in a `checkboxes` field. */
export function checkedValues(values: FieldValues, name: string): string[] {
	const prefix = `${name}:`;
	return Object.entries(values)
		.filter(([key, value]) => key.startsWith(prefix) && value === true)
		.map(([key]) => key.slice(prefix.length));
}

/** The values of the fields whose names start with `<prefix>.`, keyed by the rest. */
export function groupedValues(values: FieldValues, prefix: string): Record<string, string> {
	const start = `${prefix}.`;
	return Object.fromEntries(
		Object.entries(values)
			.filter(([key]) => key.startsWith(start))
			.map(([key, value]) => [key.slice(start.length), String(value)])
	);
}

export interface DecisionValues {
	number: string;
	date: string;
	signer: string;
	signerTitle: string;
	issuer: string;
}

export function emptyDecision(issuer = ''): DecisionValues {
	return { number: '', date: '', signer: '', signerTitle: 'Bí thư', issuer };
}

/** A decision left entirely empty is no decision (optional ones); the title alone does not count. */
export function decisionInput(values: DecisionValues): DecisionValues | undefined {
	const filled = [values.number, values.date, values.signer].some((v) => v.trim() !== '');
	return filled ? values : undefined;
}
