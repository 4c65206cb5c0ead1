import { formatDate } from '../dates';
import type { HistoryDoc } from '../history-schema';
import type { HistoryKind } from '../labels';
import type { MemberDoc } from '../member-schema';
import { isOnRolls, type MemberStatus } from '../member-statuses';
import type { UnionRules } from '../rules/table';
import { decisionInput, type DecisionValues, type FormValues, type OperationField } from './form';
import type { OperationContext, OperationResult } from './shared';

// One member operation as the app knows it: a catalogue entry (docs/operations.md). The
// single-member screen, the bulk screens and the print pages read it; the data layer runs its
// planner. Everything here is plain data and pure functions, like the planners themselves.

/** The member as the catalogue sees it when deciding what to offer. */
export type OfferedMember = Pick<MemberDoc, 'status' | 'birthDate'>;

/** What a form needs to lay out its fields: the member, what is typed so far, the unit. */
export interface OperationFormState {
	member: MemberDoc;
	values: FormValues;
	rules: UnionRules;
	/** The open branches of the member's unit. */
	branches: readonly { id: string; name: string }[];
}

/** A unit picked in the directory (the target of a transfer). */
export interface PickedUnit {
	id: string;
	name: string;
}

/**
 * Facts the data layer looks up before planning, because the planner cannot read the database:
 * only those the entry asks for (`needs`).
 */
export interface OperationFacts {
	/** The ids of the unit's open branches. */
	openBranchIds?: readonly string[];
	/** The year's training results were already sent to the superior. */
	trainingSubmitted?: boolean;
}

export interface OperationNeeds {
	openBranchIds?: boolean;
	/** The year whose training submission the planner must know about. */
	trainingSubmittedYear?: number;
}

export interface OperationEntry<Input = unknown> {
	/** The page of the operation: /doan-vien/<key>/nghiep-vu/<slug>. */
	slug: string;
	title: string;
	/**
	 * Who may: every account that writes in the member's unit (secretaries and officers of the
	 * unit or of a superior managing it; a read-only account sees the form refused). The server
	 * enforces the same on every document written.
	 */
	mayDo: 'unit-writer';
	/** When it is offered on a member's profile; the planner refuses anything else anyway. */
	availability: {
		/** Offered while the member is being transferred to another unit. */
		whileTransferring: boolean;
		/** A further condition on an active member (dates of birth, today). */
		when?: (options: { member: OfferedMember; today: string }) => boolean;
	};
	/**
	 * Its decision: required, optional or none, and the history kind the decision decides (the
	 * numbering checks a number against the recorded decisions of that kind: docs/operations.md).
	 */
	decision: { use: 'required' | 'optional' | 'none'; kind: HistoryKind };
	/** The form's fields, in order. */
	fields: (form: OperationFormState) => OperationField[];
	/** The form's starting values. */
	defaults: (options: { member: MemberDoc; today: string }) => FormValues;
	/** Asks for a unit from the directory, besides its fields (the transfer's target). */
	picksUnit?: boolean;
	/** Planner messages keyed by something that is no field of the form, shown above the fields. */
	errorsAboveFields?: readonly string[];
	/** The form (values, decision when it has one, picked unit) as the planner's input. */
	input: (form: {
		values: FormValues;
		decision: DecisionValues | undefined;
		unit: PickedUnit | null;
	}) => Input;
	/** What the data layer must look up first (see OperationFacts). */
	needs?: (input: Input) => OperationNeeds;
	/** The member's history is read by the planner (the bulk screens load it only then). */
	readsHistory?: boolean;
	/** The planner, pure. */
	plan: (
		options: OperationContext & {
			member: MemberDoc;
			history: readonly HistoryDoc[];
			input: Input;
			facts: OperationFacts;
		}
	) => OperationResult;
	/** Done for several members in one act (a bulk screen): how the confirmation names it. */
	bulk?: { action: string };
	/** What the print pages offer for its entries: a certificate (giấy chứng nhận). */
	print?: { certificate: boolean };
}

/** The form's values with its decision, the input of most planners. */
export function valuesWithDecision(form: {
	values: FormValues;
	decision: DecisionValues | undefined;
}): { [field: string]: string | boolean | DecisionValues | undefined } {
	return { ...form.values, decision: form.decision };
}

/** An entry as written beside its planner: what most operations share may be left out. */
export type OperationSpec<Input> = Omit<OperationEntry<Input>, 'mayDo' | 'defaults' | 'input'> &
	Partial<Pick<OperationEntry<Input>, 'mayDo' | 'defaults' | 'input'>>;

/**
 * The entry with the usual parts filled in: any account writing in the unit may do it, the form
 * starts with today's date in `on`, and the planner's input is the form's values (with the
 * decision, when the operation has one).
 */
export function defineOperation<Input>(spec: OperationSpec<Input>): OperationEntry<Input> {
	return {
		mayDo: 'unit-writer',
		defaults: ({ today }) => ({ on: formatDate(today) }),
		// The planners read their inputs field by field and name every faulty one.
		input: (form) =>
			(spec.decision.use === 'none' ? form.values : valuesWithDecision(form)) as Input,
		...spec
	};
}

/** A set of entries, by slug, in the order offered. */
export interface OperationCatalogue {
	readonly entries: readonly OperationEntry[];
	find(slug: string): OperationEntry | undefined;
	/** The slugs offered for a member today, in catalogue order. */
	offeredFor(member: OfferedMember, today: string): string[];
	/** The history kinds whose entries print a certificate. */
	certificateKinds(): HistoryKind[];
}

export function createCatalogue(entries: readonly OperationEntry[]): OperationCatalogue {
	const bySlug = new Map(entries.map((entry) => [entry.slug, entry]));
	if (bySlug.size !== entries.length) throw new Error('Hai nghiệp vụ trùng đường dẫn (slug).');
	return {
		entries,
		find: (slug) => bySlug.get(slug),
		offeredFor(member, today) {
			const status = member.status as MemberStatus;
			if (!isOnRolls(status)) return [];
			return entries
				.filter((entry) =>
					status === 'transferring'
						? entry.availability.whileTransferring
						: (entry.availability.when?.({ member, today }) ?? true)
				)
				.map((entry) => entry.slug);
		},
		certificateKinds: () =>
			entries.filter((entry) => entry.print?.certificate).map((entry) => entry.decision.kind)
	};
}

/** The planner's input from a filled form, the decision read as the entry uses it. */
export function formInput<Input>(
	entry: OperationEntry<Input>,
	form: { values: FormValues; decision: DecisionValues; unit: PickedUnit | null }
): Input {
	// A required decision is always read, so that every missing part is named; an optional one
	// left empty is no decision.
	const decision =
		entry.decision.use === 'none'
			? undefined
			: entry.decision.use === 'required'
				? form.decision
				: decisionInput(form.decision);
	return entry.input({ values: form.values, decision, unit: form.unit });
}
