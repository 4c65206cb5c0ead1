import { describe, expect, it } from 'vitest';
import {
	DECLARED_FIELD_KEYS,
	validateDeclarationInput
} from '../../../src/lib/domain/declarations';
import {
	DECLARATION_SECTIONS,
	declarationInput,
	declarationToForm,
	emptyDeclarationForm,
	restoreDeclarationForm
} from '../../../src/lib/ui/declaration/declaration-fields';

// The member's form (src/lib/ui/declaration/declaration-fields.ts): every declared field in exactly
// one section, the required ones being the domain's, and the round trips the page relies on — a
// draft read back, a stored declaration put back in the form to correct it.

const TODAY = '2026-12-07';

describe('the declaration form', () => {
	it('shows every declared field once, and marks exactly what the rules require', () => {
		const keys = DECLARATION_SECTIONS.flatMap((s) => s.fields.map((f) => f.key));
		expect([...keys].sort()).toEqual([...DECLARED_FIELD_KEYS].sort());
		const marked = DECLARATION_SECTIONS.flatMap((s) => s.fields.filter((f) => f.required)).map(
			(f) => f.key
		);
		const empty = validateDeclarationInput({
			input: { ...declarationInput(emptyDeclarationForm()) },
			today: TODAY
		});
		expect(empty.ok).toBe(false);
		const required = Object.keys(empty.ok ? {} : empty.errors).sort();
		expect([...marked].sort()).toEqual(required);
	});

	it('sends what she typed, and the Party’s dates only for a Party member', () => {
		const values = emptyDeclarationForm();
		values.familyName = 'Lò';
		values.partyJoinedOn = '01/02/2020';
		values.partySympathizer = true;
		const input = declarationInput(values);
		expect(input).toEqual({ familyName: 'Lò', nationality: 'Việt Nam', partySympathizer: true });
		values.partyMember = true;
		expect(declarationInput(values)).toEqual({
			familyName: 'Lò',
			nationality: 'Việt Nam',
			partyMember: true,
			partyJoinedOn: '01/02/2020'
		});
	});

	it('puts a stored declaration back as she typed it, and reads a draft back safely', () => {
		const values = declarationToForm({
			familyName: 'Lò',
			middleName: 'Thị',
			givenName: 'Hoa',
			gender: 'female',
			birthDate: '2003-01-05',
			ethnicCode: '03',
			religion: 'Không',
			generalEducation: '12/12',
			partyMember: false
		} as never);
		expect(values.birthDate).toBe('05/01/2003');
		expect(values.ethnicCode).toBe('Thái');
		expect(values.partyMember).toBe(false);
		const again = validateDeclarationInput({ input: declarationInput(values), today: TODAY });
		expect(again.ok).toBe(true);

		const restored = restoreDeclarationForm({ familyName: 'Lò', partyMember: 'yes', evil: 1 });
		expect(restored.familyName).toBe('Lò');
		expect(restored.partyMember).toBe(false);
		expect('evil' in restored).toBe(false);
		expect(restoreDeclarationForm('not json')).toEqual(emptyDeclarationForm());
	});
});
