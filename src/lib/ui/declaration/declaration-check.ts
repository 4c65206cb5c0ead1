import * as v from 'valibot';
import { todayIso } from '$lib/domain/dates';
import { ConsentRecordSchema, type ConsentRecord } from '$lib/domain/declarations/consent';
import {
	validateDeclarationInput,
	type DeclarationInput
} from '$lib/domain/declarations/declaration-input';

// The phone's check of a declaration before it is queued: the unit's own rules
// (validateDeclarationInput, today in Vietnam) and the consent schema. Loaded by the editor just
// after the form is on screen (declaration-editor.svelte): the rules' code (the membership rules
// table, dates, citizen ids…) is not needed to start typing, and the 60 KB budget counts what
// comes before the form is usable.

export function checkDeclaration(options: {
	input: DeclarationInput;
	consent: ConsentRecord | null;
	consentVersion: string;
}): Record<string, string> {
	const result = validateDeclarationInput({ input: options.input, today: todayIso() });
	const errors: Record<string, string> = result.ok
		? {}
		: { ...(result.errors as Record<string, string>) };
	const consent = v.safeParse(
		ConsentRecordSchema,
		options.consent ?? {
			version: options.consentVersion,
			given: false,
			at: new Date().toISOString()
		}
	);
	if (!consent.success) errors.consent = consent.issues[0].message;
	return errors;
}
