import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	MEMBER_OPERATIONS,
	OPERATIONS,
	anniversary,
	createCatalogue,
	createInputReader,
	defineOperation,
	emptyDecision,
	formInput,
	hasErrors,
	planMemberChange,
	readDecision,
	type DecisionInput,
	type InputValue,
	type MemberDoc,
	type OperationContext,
	type OperationEntry,
	type OperationResult
} from '$lib/domain';
import { TODAY, context, errorsOf, member, planOf } from './operation-fixtures';

// The operation catalogue is what the single-member screen runs on: what a profile offers, the
// form's fields and defaults, the planner's input from the form, the plan. A new operation is a
// catalogue entry and a planner (docs/operations.md): this file adds one that exists only here,
// "Vào Đảng" (the member is admitted to the Party), and drives it through those same pure steps.

// ---------------------------------------------------------------------------------------------
// The test-only operation: its planner and its entry, all it takes.

interface PartyAdmissionInput {
	on?: InputValue;
	decision?: DecisionInput;
	note?: InputValue;
}

function planPartyAdmission(
	options: OperationContext & { member: MemberDoc; input: PartyAdmissionInput }
): OperationResult {
	const { member, input } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	if (member.partyMember) errors.form = 'Đoàn viên đã là đảng viên.';
	const on = reader.date('on', input.on, 'Ngày vào Đảng', { required: true });
	const decision = readDecision({ reader, input: input.decision, required: false });
	if (hasErrors(errors) || !on) return { ok: false, errors };
	return planMemberChange({
		context: options,
		member,
		kind: 'profile-edit',
		at: on,
		data: { fields: ['partyMember'] },
		patch: { partyMember: true },
		decision,
		note: reader.text('note', input.note, 'Ghi chú')
	});
}

// The usual parts (who may, today's date in `on`, the values with the decision as input) are
// filled in by defineOperation.
const PARTY_ADMISSION = defineOperation<PartyAdmissionInput>({
	slug: 'vao-dang',
	title: 'Vào Đảng',
	availability: {
		whileTransferring: false,
		// From the 18th birthday (the Party's youngest age).
		when: ({ member, today }) => today >= anniversary({ birthDate: member.birthDate, years: 18 })
	},
	decision: { use: 'optional', kind: 'profile-edit' },
	fields: () => [
		{ kind: 'date', name: 'on', label: 'Ngày vào Đảng' },
		{ kind: 'textarea', name: 'note', label: 'Ghi chú' }
	],
	plan: (options) => planPartyAdmission(options)
});

const catalogue = createCatalogue([...MEMBER_OPERATIONS, PARTY_ADMISSION] as OperationEntry[]);

const form = (m: MemberDoc, values = {}) => ({
	member: m,
	values,
	rules: DEFAULT_UNION_RULES,
	branches: []
});

describe('adding an operation: entry and planner only', () => {
	it('is offered to an active member of age, after the operations already there', () => {
		const offered = catalogue.offeredFor(member({ birthDate: '2004-03-08' }), TODAY);
		expect(offered.at(-1)).toBe('vao-dang');
		expect(offered.slice(0, -1)).toEqual(OPERATIONS.offeredFor(member(), TODAY));
	});

	it('is not offered before the 18th birthday, while transferring, or off the rolls', () => {
		expect(catalogue.offeredFor(member({ birthDate: '2007-11-29' }), TODAY)).not.toContain(
			'vao-dang'
		);
		expect(catalogue.offeredFor(member({ birthDate: '2007-11-28' }), TODAY)).toContain('vao-dang');
		expect(catalogue.offeredFor(member({ status: 'transferring' }), TODAY)).not.toContain(
			'vao-dang'
		);
		expect(catalogue.offeredFor(member({ status: 'removed' }), TODAY)).toEqual([]);
	});

	it('lays out its fields with their defaults', () => {
		const entry = catalogue.find('vao-dang');
		expect(entry?.title).toBe('Vào Đảng');
		expect(entry?.mayDo).toBe('unit-writer');
		const m = member();
		expect(entry?.fields(form(m)).map((f) => [f.name, f.label])).toEqual([
			['on', 'Ngày vào Đảng'],
			['note', 'Ghi chú']
		]);
		expect(entry?.defaults({ member: m, today: TODAY })).toEqual({ on: '28/11/2025' });
	});

	it('plans from the filled form: the member becomes a party member, with the decision', () => {
		const entry = catalogue.find('vao-dang') as typeof PARTY_ADMISSION;
		const m = member();
		const decision = {
			...emptyDecision('Ban Chấp hành Đoàn xã Thanh Sơn'),
			number: '12-QĐ/ĐTN',
			date: '20/11/2025',
			signer: 'Nguyễn Văn An'
		};
		const input = formInput(entry, {
			values: { on: '20/11/2025', note: '' },
			decision,
			unit: null
		});
		const plan = planOf(entry.plan({ ...context(), member: m, history: [], input, facts: {} }));
		expect(plan.member?.partyMember).toBe(true);
		expect(plan.entries).toHaveLength(1);
		expect(plan.entries[0]).toMatchObject({
			kind: 'profile-edit',
			at: '2025-11-20',
			data: { fields: ['partyMember'] },
			decision: { number: '12-QĐ/ĐTN', date: '2025-11-20' }
		});
	});

	it('reads an optional decision left empty as none, and refuses what its planner refuses', () => {
		const entry = catalogue.find('vao-dang') as typeof PARTY_ADMISSION;
		const input = formInput(entry, {
			values: { on: '20/11/2025' },
			decision: emptyDecision('Ban Chấp hành Đoàn xã Thanh Sơn'),
			unit: null
		});
		expect(input.decision).toBeUndefined();
		const plan = planOf(
			entry.plan({ ...context(), member: member(), history: [], input, facts: {} })
		);
		expect(plan.entries[0]?.decision).toBeUndefined();
		const refused = entry.plan({
			...context(),
			member: member({ partyMember: true }),
			history: [],
			input,
			facts: {}
		});
		expect(errorsOf(refused).form).toBe('Đoàn viên đã là đảng viên.');
	});

	it('refuses a second operation with the same slug', () => {
		expect(() => createCatalogue([PARTY_ADMISSION, PARTY_ADMISSION] as OperationEntry[])).toThrow(
			/trùng/
		);
	});
});

// ---------------------------------------------------------------------------------------------
// The app's own catalogue: what a profile offers, by status and age (formerly ui/operation-kinds).

describe('the operations a profile offers', () => {
	const ALL = [
		'chuyen-chi-doan',
		'chuyen-sinh-hoat',
		'danh-gia',
		'doan-phi',
		'khen-thuong',
		'dang-ky-ren-luyen',
		'cham-diem-ren-luyen',
		'truong-thanh',
		'tiep-tuc-sinh-hoat',
		'ky-luat',
		'xoa-ten',
		'tu-tran'
	];
	const without = (...slugs: string[]) => ALL.filter((slug) => !slugs.includes(slug));

	it('lists the twelve operations in the profile order', () => {
		expect(OPERATIONS.entries.map((entry) => entry.slug)).toEqual(ALL);
	});

	it('offers a young active member everything but coming of age and staying on', () => {
		expect(OPERATIONS.offeredFor(member({ birthDate: '2004-03-08' }), TODAY)).toEqual(
			without('truong-thanh', 'tiep-tuc-sinh-hoat')
		);
	});

	it('offers a stay from a year before the 30th birthday, coming of age after it', () => {
		// 30 on 2026-11-28: the window opens on 2025-11-28.
		expect(OPERATIONS.offeredFor(member({ birthDate: '1996-11-29' }), TODAY)).toEqual(
			without('truong-thanh', 'tiep-tuc-sinh-hoat')
		);
		expect(OPERATIONS.offeredFor(member({ birthDate: '1996-11-28' }), TODAY)).toEqual(
			without('truong-thanh')
		);
		// 30 on 2025-11-27: past it, both; until the 35th birthday for the stay.
		expect(OPERATIONS.offeredFor(member({ birthDate: '1995-11-27' }), TODAY)).toEqual(ALL);
		expect(OPERATIONS.offeredFor(member({ birthDate: '1990-11-28' }), TODAY)).toEqual(ALL);
		expect(OPERATIONS.offeredFor(member({ birthDate: '1990-11-27' }), TODAY)).toEqual(
			without('tiep-tuc-sinh-hoat')
		);
	});

	it('offers a member being transferred only what does not change the rolls', () => {
		expect(OPERATIONS.offeredFor(member({ status: 'transferring' }), TODAY)).toEqual([
			'danh-gia',
			'doan-phi',
			'khen-thuong',
			'dang-ky-ren-luyen',
			'cham-diem-ren-luyen'
		]);
	});

	it('offers nothing to a member off the rolls', () => {
		for (const status of ['transferred', 'matured', 'removed', 'expelled', 'deceased'] as const) {
			expect(OPERATIONS.offeredFor(member({ status }), TODAY)).toEqual([]);
		}
	});

	it('gives each decision the history kind its numbers are checked against', () => {
		const kinds = Object.fromEntries(
			OPERATIONS.entries
				.filter((entry) => entry.decision.use !== 'none')
				.map((entry) => [entry.slug, [entry.decision.use, entry.decision.kind]])
		);
		expect(kinds).toEqual({
			'chuyen-chi-doan': ['optional', 'branch-move'],
			'chuyen-sinh-hoat': ['optional', 'transfer-requested'],
			'khen-thuong': ['required', 'reward'],
			'truong-thanh': ['optional', 'coming-of-age'],
			'tiep-tuc-sinh-hoat': ['optional', 'stay-extended'],
			'ky-luat': ['required', 'discipline'],
			'xoa-ten': ['required', 'removal']
		});
		expect(OPERATIONS.certificateKinds()).toEqual(['coming-of-age']);
	});
});
