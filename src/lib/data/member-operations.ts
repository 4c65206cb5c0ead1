import {
	BRANCH_MOVE,
	COMING_OF_AGE,
	DEATH,
	DEFAULT_UNION_RULES,
	DISCIPLINE,
	DUES_PAYMENT,
	RATING,
	REMOVAL,
	REWARD,
	STAY_EXTENSION,
	TRAINING_REGISTRATION,
	TRAINING_SCORE,
	TRANSFER_REQUEST,
	planAdmission,
	planReversal,
	todayIso,
	upgradeMemberDoc,
	validateMemberInput,
	type AdmissionInput,
	type BranchMoveInput,
	type CitizenIdRegistryAnswer,
	type ComingOfAgeInput,
	type DeathInput,
	type DisciplineInput,
	type DuesPaymentInput,
	type HistoryDoc,
	type MemberDoc,
	type MemberFields,
	type OperationContext,
	type OperationEntry,
	type OperationErrors,
	type OperationFacts,
	type OperationResult,
	type RatingInput,
	type RemovalInput,
	type ReversalInput,
	type RewardInput,
	type StayExtensionInput,
	type TrainingRegistrationInput,
	type TrainingScoreInput,
	type TransferRequestInput,
	type UnionRules
} from '$lib/domain';
import { memberHistory } from '$lib/data/queries/history';
import type { Actor } from '$lib/data/commands/actor';
import { ulid, unitIdOfDb } from './ids';
import { writePlan } from '$lib/data/commands/plan-writer';
import { localDb } from '$lib/data/store/pouch';
import { membersWithNumber } from '$lib/data/read-model/search-index';
import { deviceDb } from '$lib/data/store/device-db';
import { checkCitizenIdRegistry } from '$lib/data/online/registry';

// The member operations on the device (docs/domain.md §3): each command loads the member from PouchDB,
// builds the operation's context (today, now, who acts in which unit, fresh ULIDs, the rules),
// lets the domain planner decide, and writes exactly what it planned (writePlan: the member's new
// state and its immutable history entries, each noted as waiting to upload). A refusal returns the
// planner's Vietnamese messages keyed by field and writes nothing. The same operations for many
// members at once: commands/bulk-operations.ts; the training year's submission:
// commands/training-year.ts.

export interface OperationCall {
	/** The unit database the member lives in. */
	db: string;
	actor: Actor;
	/** The device clock; tests pass a fixed one. */
	now?: Date;
	rules?: UnionRules;
}

export type OperationOutcome =
	| { ok: true; memberId: string; entryIds: string[]; warnings: string[] }
	| { ok: false; errors: OperationErrors };

const NOT_FOUND: OperationOutcome = {
	ok: false,
	errors: {
		form: 'Không tìm thấy hồ sơ đoàn viên này trên máy. Có thể đoàn viên đã chuyển đi hoặc dữ liệu chưa đồng bộ.'
	}
};

/** The world an operation runs in, on this device, now. */
export function operationContext(call: OperationCall): OperationContext {
	const now = call.now ?? new Date();
	return {
		today: todayIso(now),
		now: now.toISOString(),
		actor: { login: call.actor.login, unitId: unitIdOfDb(call.db) },
		newUlid: () => ulid(now.getTime()),
		rules: call.rules ?? DEFAULT_UNION_RULES
	};
}

/** The member as stored (the truth), or null. */
export async function loadMember(options: { db: string; id: string }): Promise<MemberDoc | null> {
	try {
		return upgradeMemberDoc(await localDb(options.db).get(options.id));
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

/** The ids of the unit's open branches: a member is only moved or placed into one of them. */
export async function branchIdsOf(db: string): Promise<string[]> {
	const rows = await deviceDb.branches.where('db').equals(db).toArray();
	return rows.filter((b) => !b.closed).map((b) => b.id);
}

async function write(options: {
	db: string;
	result: OperationResult;
	memberId: string;
}): Promise<OperationOutcome> {
	const { result } = options;
	if (!result.ok) return { ok: false, errors: result.errors };
	const written = await writePlan({ db: options.db, plan: result.plan });
	if (!written.ok) return { ok: false, errors: { form: written.message } };
	return {
		ok: true,
		memberId: result.plan.member?._id ?? options.memberId,
		entryIds: result.plan.entries.map((entry) => entry._id),
		warnings: result.plan.warnings
	};
}

type Planner = (options: {
	context: OperationContext;
	member: MemberDoc;
	history: HistoryDoc[];
}) => OperationResult | Promise<OperationResult>;

async function onMember(
	call: OperationCall & { memberId: string },
	plan: Planner
): Promise<OperationOutcome> {
	const member = await loadMember({ db: call.db, id: call.memberId });
	if (!member) return NOT_FOUND;
	const { entries } = await memberHistory({ db: call.db, memberId: member._id });
	const result = await plan({ context: operationContext(call), member, history: entries });
	return write({ db: call.db, result, memberId: member._id });
}

/** What a catalogue entry asks to know before planning (OperationFacts). */
export async function factsFor<I>(db: string, operation: OperationEntry<I>, input: I): Promise<OperationFacts> {
	const needs = operation.needs?.(input) ?? {};
	const facts: OperationFacts = {};
	if (needs.openBranchIds) facts.openBranchIds = await branchIdsOf(db);
	if (needs.trainingSubmittedYear !== undefined) {
		facts.trainingSubmitted = await trainingSubmitted({ db, year: needs.trainingSubmittedYear });
	}
	return facts;
}

// ---------------------------------------------------------------------------------------------
// One member

/** Runs one operation of the catalogue (src/lib/domain/operations/catalogue.ts) on one member. */
export function runOperation<I>(
	call: OperationCall & { memberId: string; operation: OperationEntry<I>; input: I }
): Promise<OperationOutcome> {
	return onMember(call, async ({ context, member, history }) =>
		call.operation.plan({
			...context,
			member,
			history,
			input: call.input,
			facts: await factsFor(call.db, call.operation, call.input)
		})
	);
}

type Call<I> = OperationCall & { memberId: string; input: I };

export const moveBranch = (call: Call<BranchMoveInput>) =>
	runOperation({ ...call, operation: BRANCH_MOVE });
export const requestTransfer = (call: Call<TransferRequestInput>) =>
	runOperation({ ...call, operation: TRANSFER_REQUEST });
export const recordComingOfAge = (call: Call<ComingOfAgeInput>) =>
	runOperation({ ...call, operation: COMING_OF_AGE });
export const extendStay = (call: Call<StayExtensionInput>) =>
	runOperation({ ...call, operation: STAY_EXTENSION });
export const removeMember = (call: Call<RemovalInput>) =>
	runOperation({ ...call, operation: REMOVAL });
export const recordDeath = (call: Call<DeathInput>) => runOperation({ ...call, operation: DEATH });
export const disciplineMember = (call: Call<DisciplineInput>) =>
	runOperation({ ...call, operation: DISCIPLINE });
export const rewardMember = (call: Call<RewardInput>) =>
	runOperation({ ...call, operation: REWARD });
export const rateMember = (call: Call<RatingInput>) => runOperation({ ...call, operation: RATING });
export const payDues = (call: Call<DuesPaymentInput>) =>
	runOperation({ ...call, operation: DUES_PAYMENT });
export const registerTraining = (call: Call<TrainingRegistrationInput>) =>
	runOperation({ ...call, operation: TRAINING_REGISTRATION });
export const scoreTraining = (call: Call<TrainingScoreInput>) =>
	runOperation({ ...call, operation: TRAINING_SCORE });

/** Undoes one entry with a "reversal" entry; the member gets back what the entry changed. */
export const reverseEntry = (
	call: OperationCall & { memberId: string; entryId: string; input: ReversalInput }
) =>
	onMember(call, ({ member, context, history }) => {
		const entry = history.find((e) => e._id === call.entryId);
		if (!entry) {
			return { ok: false, errors: { form: 'Không tìm thấy mục lịch sử này trên máy.' } };
		}
		return planReversal({ ...context, member, entry, history, input: call.input });
	});

// ---------------------------------------------------------------------------------------------
// Admission: a new member

/** A member on the rolls of a unit on this device with the same citizen id, if any. */
async function localCitizenIdHolder(citizenId: string): Promise<string | null> {
	const rows = await membersWithNumber({ citizenId, match: 'equals' });
	const holder = rows.find((row) => row.status === 'active' || row.status === 'transferring');
	return holder ? holder.fullName : null;
}

/** A stand-in person for checking the admission steps while the person's fields have errors. */
function standIn(today: string): MemberFields {
	return {
		familyName: 'A',
		middleName: '',
		givenName: 'A',
		gender: 'male',
		birthDate: `${Number(today.slice(0, 4)) - 20}-01-01`,
		ethnicCode: '01',
		religion: 'Không',
		nationality: 'Việt Nam',
		partyMember: false,
		status: 'active'
	};
}

export type AdmissionOutcome =
	| (Extract<OperationOutcome, { ok: true }> & { registry: CitizenIdRegistryAnswer['status'] })
	| Extract<OperationOutcome, { ok: false }>;

/**
 * Kết nạp: the person's profile (the member form) and the admission's steps and decision, checked
 * together so the secretary sees every problem at once. The citizen id is checked on the device
 * (a member already on its rolls) and, online, in the national registry; offline the admission is
 * recorded and the server checks at sync.
 */
export async function admitMember(
	call: OperationCall & {
		person: Readonly<Record<string, string | boolean | undefined>>;
		input: AdmissionInput;
		checkRegistry?: (citizenId: string) => Promise<CitizenIdRegistryAnswer>;
	}
): Promise<AdmissionOutcome> {
	const context = operationContext(call);
	const checked = validateMemberInput({
		input: { ...call.person, status: 'active' },
		today: context.today,
		newRecord: true
	});
	const errors: OperationErrors = checked.ok ? {} : { ...checked.errors };
	const person = checked.ok ? checked.value : standIn(context.today);
	let registry: CitizenIdRegistryAnswer = { status: 'unavailable' };
	if (checked.ok && person.citizenId) {
		const holder = await localCitizenIdHolder(person.citizenId);
		if (holder) {
			errors.citizenId = `Số CCCD: đã có đoàn viên ${holder} mang số này trên máy. Không kết nạp trùng một người.`;
		} else {
			registry = await (call.checkRegistry ?? ((citizenId) => checkCitizenIdRegistry({ citizenId })))(
				person.citizenId
			);
		}
	}
	const result = planAdmission({
		...context,
		person,
		registry,
		input: { ...call.input, branchId: call.input.branchId ?? person.branchId }
	});
	if (!result.ok || Object.keys(errors).length > 0) {
		return { ok: false, errors: { ...(result.ok ? {} : result.errors), ...errors } };
	}
	const written = await write({ db: call.db, result, memberId: result.plan.member?._id ?? '' });
	return written.ok ? { ...written, registry: registry.status } : written;
}

// ---------------------------------------------------------------------------------------------
// Training programme: whether the year's results went up (its scores are then locked)

function trainingDocId(year: number): `training:${number}` {
	return `training:${year}`;
}

/** The unit already sent the year's training results upwards: the scores are locked. */
export async function trainingSubmitted(options: { db: string; year: number }): Promise<boolean> {
	try {
		await localDb(options.db).get(trainingDocId(options.year));
		return true;
	} catch {
		return false;
	}
}
