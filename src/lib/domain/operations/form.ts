// An operation's form described as data: the catalogue entry lists its fields and one component
// lays them out with labels, hints and the planner's messages. Values are kept as typed (dates
// dd/mm/yyyy); the planner reads and checks them.

export type FormValues = Record<string, string | boolean>;

export interface FormOption {
	value: string;
	label: string;
}

interface FieldBase {
	name: string;
	label: string;
	hint?: string;
}

export type OperationField =
	| (FieldBase & { kind: 'text' | 'number' | 'date' | 'month' | 'textarea'; placeholder?: string })
	| (FieldBase & { kind: 'select'; options: FormOption[]; placeholder?: string })
	| (FieldBase & { kind: 'checkbox' })
	/** One checkbox per option, stored as `<name>:<value>` = true. */
	| (FieldBase & { kind: 'checkboxes'; options: FormOption[] });

/** The values checked in a `checkboxes` field. */
export function checkedValues(values: FormValues, name: string): string[] {
	const prefix = `${name}:`;
	return Object.entries(values)
		.filter(([key, value]) => key.startsWith(prefix) && value === true)
		.map(([key]) => key.slice(prefix.length));
}

/** The values of the fields whose names start with `<prefix>.`, keyed by the rest. */
export function groupedValues(values: FormValues, prefix: string): Record<string, string> {
	const start = `${prefix}.`;
	return Object.fromEntries(
		Object.entries(values)
			.filter(([key]) => key.startsWith(start))
			.map(([key, value]) => [key.slice(start.length), String(value)])
	);
}

/** The decision part of a form as typed. */
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

/** Items of a rules list still offered, as choices. */
export function offeredOptions<T extends { id: string; label: string; offered?: boolean }>(
	list: readonly T[]
): FormOption[] {
	return list
		.filter((item) => item.offered !== false)
		.map((item) => ({ value: item.id, label: item.label }));
}
