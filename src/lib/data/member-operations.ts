import {
	DEFAULT_UNION_RULES,
	planAdmission,
	planBranchMove,
	planBulk,
	planBulkUndo,
	planComingOfAge,
	planDeath,
	planDiscipline,
	planDuesPayment,
	planRating,
	planRemoval,
	planReversal,
	planReward,
	planStayExtension,
	planTrainingRegistration,
	planTrainingScore,
	planTrainingSubmission,
	planTransferRequest,
	todayIso,
	upgradeHistoryDoc,
	upgradeMemberDoc,
	validateMemberInput,
	type AdmissionInput,
	type BranchMoveInput,
	type BulkPlan,
	type CitizenIdRegistryAnswer,
	type ComingOfAgeInput,
	type DeathInput,
	type DisciplineInput,
	type DuesPaymentInput,
	type HistoryDoc,
	type MemberDoc,
	type MemberFields,
	type OperationContext,
	type OperationErrors,
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
import { recordOutbox } from '$lib/data/sync/outbox';
import { writePlan } from '$lib/data/commands/plan-writer';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb } from '$lib/data/store/device-db';
import { checkCitizenIdRegistry } from '$lib/data/online/registry';

// The member operations on the device (docs/domain.md §3): each command loads the member from PouchDB,
// builds the operation's context (today, now, who acts in which unit, fresh ULIDs, the rules),
// lets the domain planner decide, and writes exactly what it planned (writePlan: the member's new
// state and its immutable history entries, each noted as waiting to upload). A refusal returns the
// planner's Vietnamese messages keyed by field and writes nothing.

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

// ---------------------------------------------------------------------------------------------
// One member

export const moveBranch = (call: OperationCall & { memberId: string; input: BranchMoveInput }) =>
	onMember(call, async ({ context, member }) =>
		planBranchMove({ ...context, member, input: call.input, branchIds: await branchIdsOf(call.db) })
	);

export const requestTransfer = (
	call: OperationCall & { memberId: string; input: TransferRequestInput }
) => onMember(call, ({ context, member }) => planTransferRequest({ ...context, member, input: call.input }));

export const recordComingOfAge = (
	call: OperationCall & { memberId: string; input: ComingOfAgeInput }
) => onMember(call, ({ context, member }) => planComingOfAge({ ...context, member, input: call.input }));

export const extendStay = (call: OperationCall & { memberId: string; input: StayExtensionInput }) =>
	onMember(call, ({ context, member }) => planStayExtension({ ...context, member, input: call.input }));

export const removeMember = (call: OperationCall & { memberId: string; input: RemovalInput }) =>
	onMember(call, ({ context, member }) => planRemoval({ ...context, member, input: call.input }));

export const recordDeath = (call: OperationCall & { memberId: string; input: DeathInput }) =>
	onMember(call, ({ context, member }) => planDeath({ ...context, member, input: call.input }));

export const disciplineMember = (
	call: OperationCall & { memberId: string; input: DisciplineInput }
) => onMember(call, ({ context, member }) => planDiscipline({ ...context, member, input: call.input }));

export const rewardMember = (call: OperationCall & { memberId: string; input: RewardInput }) =>
	onMember(call, ({ context, member }) => planReward({ ...context, member, input: call.input }));

export const rateMember = (call: OperationCall & { memberId: string; input: RatingInput }) =>
	onMember(call, ({ context, member, history }) =>
		planRating({ ...context, member, history, input: call.input })
	);

export const payDues = (call: OperationCall & { memberId: string; input: DuesPaymentInput }) =>
	onMember(call, ({ context, member }) => planDuesPayment({ ...context, member, input: call.input }));

export const registerTraining = (
	call: OperationCall & { memberId: string; input: TrainingRegistrationInput }
) =>
	onMember(call, ({ context, member, history }) =>
		planTrainingRegistration({ ...context, member, history, input: call.input })
	);

export const scoreTraining = (
	call: OperationCall & { memberId: string; input: TrainingScoreInput }
) =>
	onMember(call, async ({ context, member, history }) => {
		const year = Number(call.input.year);
		const submitted = Number.isInteger(year)
			? await trainingSubmitted({ db: call.db, year })
			: false;
		return planTrainingScore({ ...context, member, history, submitted, input: call.input });
	});

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
	const rows = await deviceDb.members.where('citizenId').equals(citizenId).toArray();
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
// Bulk acts: prepared (every member's outcome and the confirmation sentence), then committed.

export interface PreparedBulk {
	db: string;
	plan: BulkPlan;
	/**
	 * When nobody can be done because the common input is wrong (no ceremony date…): the errors of
	 * the input's fields, to show next to them.
	 */
	fieldErrors: OperationErrors;
}

export interface BulkCommit {
	bulkId: string;
	written: number;
	failed: { memberId: string; name: string; message: string }[];
}

async function loadMembers(db: string, ids: readonly string[]): Promise<MemberDoc[]> {
	const res = await localDb(db).allDocs({ keys: [...ids], include_docs: true });
	const members: MemberDoc[] = [];
	for (const row of res.rows) {
		if (!('doc' in row) || !row.doc) continue;
		try {
			members.push(upgradeMemberDoc(row.doc));
		} catch {
			// Unreadable here (written by a newer app): left out, as in the lists.
		}
	}
	return members;
}

async function historiesOf(db: string, members: readonly MemberDoc[]): Promise<HistoryDoc[]> {
	const lists = await Promise.all(
		members.map((member) => memberHistory({ db, memberId: member._id }))
	);
	return lists.flatMap((list) => list.entries);
}

function prepared(db: string, plan: BulkPlan): PreparedBulk {
	const fieldErrors: OperationErrors = {};
	if (plan.summary.done === 0) {
		const first = plan.outcomes.find((outcome) => !outcome.ok);
		if (first && !first.ok) {
			for (const [key, message] of Object.entries(first.errors)) {
				if (key !== 'form' && message) fieldErrors[key] = message;
			}
		}
	}
	return { db, plan, fieldErrors };
}

/** A coming-of-age ceremony for the chosen members (one date, one optional decision). */
export async function prepareComingOfAgeCeremony(
	call: OperationCall & { memberIds: readonly string[]; input: ComingOfAgeInput }
): Promise<PreparedBulk> {
	const members = await loadMembers(call.db, call.memberIds);
	const plan = planBulk({
		context: operationContext(call),
		members,
		action: 'trưởng thành Đoàn',
		plan: (member, context) => planComingOfAge({ ...context, member, input: call.input })
	});
	return prepared(call.db, plan);
}

/** The same rating (year, stage, grade) for the chosen members. */
export async function prepareBulkRating(
	call: OperationCall & { memberIds: readonly string[]; input: RatingInput }
): Promise<PreparedBulk> {
	const members = await loadMembers(call.db, call.memberIds);
	const history = await historiesOf(call.db, members);
	const plan = planBulk({
		context: operationContext(call),
		members,
		action: 'đánh giá, xếp loại',
		plan: (member, context) =>
			planRating({
				...context,
				member,
				history: history.filter((entry) => entry.memberId === member._id),
				input: call.input
			})
	});
	return prepared(call.db, plan);
}

/** Registration of the chosen members for the year's training contents. */
export async function prepareBulkTrainingRegistration(
	call: OperationCall & { memberIds: readonly string[]; input: TrainingRegistrationInput }
): Promise<PreparedBulk> {
	const members = await loadMembers(call.db, call.memberIds);
	const history = await historiesOf(call.db, members);
	const plan = planBulk({
		context: operationContext(call),
		members,
		action: 'đăng ký chương trình rèn luyện',
		plan: (member, context) =>
			planTrainingRegistration({
				...context,
				member,
				history: history.filter((entry) => entry.memberId === member._id),
				input: call.input
			})
	});
	return prepared(call.db, plan);
}

/** Undoing a whole bulk act: each of its entries still in force is reversed. */
export async function prepareBulkUndo(
	call: OperationCall & { bulkId: string; reason: string; action: string }
): Promise<PreparedBulk> {
	const rows = await deviceDb.history.where('bulkId').equals(call.bulkId).toArray();
	const memberIds = [...new Set(rows.filter((r) => r.db === call.db).map((r) => r.memberId))];
	const members = await loadMembers(call.db, memberIds);
	const history = await historiesOf(call.db, members);
	const plan = planBulkUndo({
		context: operationContext(call),
		bulkId: call.bulkId,
		members,
		history,
		reason: call.reason,
		action: call.action
	});
	return prepared(call.db, plan);
}

/**
 * Writes a prepared bulk act, member by member (each member's document and entries together), so
 * that a member changed meanwhile on another device is reported and the others are written.
 */
export async function commitBulk(prepared: PreparedBulk): Promise<BulkCommit> {
	const failed: BulkCommit['failed'] = [];
	let written = 0;
	for (const outcome of prepared.plan.outcomes) {
		if (!outcome.ok) continue;
		const result = await writePlan({ db: prepared.db, plan: outcome.plan });
		if (result.ok) written++;
		else failed.push({ memberId: outcome.memberId, name: outcome.name, message: result.message });
	}
	return { bulkId: prepared.plan.bulkId, written, failed };
}

// ---------------------------------------------------------------------------------------------
// Training programme: the year's submission to the superior

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

async function allOfPrefix(db: string, prefix: string): Promise<unknown[]> {
	const res = await localDb(db).allDocs({
		startkey: prefix,
		endkey: `${prefix}\ufff0`,
		include_docs: true
	});
	return res.rows.map((row) => row.doc).filter((doc) => !!doc);
}

export type SubmissionOutcome =
	| { ok: true; id: string }
	| { ok: false; errors: OperationErrors; missing: string[] };

/**
 * "Chuyển cấp trên": once every registered member on the rolls is scored, the year's summary is
 * written into the unit's database (`training:<year>`) and the year's scores are locked.
 */
export async function submitTrainingYear(
	call: OperationCall & { year: number }
): Promise<SubmissionOutcome> {
	const context = operationContext(call);
	if (await trainingSubmitted({ db: call.db, year: call.year })) {
		return {
			ok: false,
			errors: { form: `Kết quả rèn luyện năm ${call.year} đã chuyển cấp trên.` },
			missing: []
		};
	}
	const members: MemberDoc[] = [];
	for (const doc of await allOfPrefix(call.db, 'member:')) {
		try {
			members.push(upgradeMemberDoc(doc));
		} catch {
			// Left out, as in the lists.
		}
	}
	const history: HistoryDoc[] = [];
	for (const doc of await allOfPrefix(call.db, 'history:')) {
		try {
			history.push(upgradeHistoryDoc(doc));
		} catch {
			// Left out.
		}
	}
	const planned = planTrainingSubmission({
		unitId: unitIdOfDb(call.db),
		year: call.year,
		members,
		history,
		now: context.now,
		by: context.actor.login,
		rules: context.rules
	});
	if (!planned.ok) {
		return {
			ok: false,
			errors: planned.errors,
			missing: planned.missing.map((m) => `${m.familyName} ${m.middleName} ${m.givenName}`)
		};
	}
	// The bookkeeping every document of a unit database carries (docs/architecture.md).
	const doc = {
		...planned.submission,
		createdAt: context.now,
		createdBy: context.actor.login,
		updatedAt: context.now,
		updatedBy: context.actor.login
	};
	const res = await localDb(call.db).put(doc);
	await recordOutbox({ db: call.db, docId: res.id, rev: res.rev });
	return { ok: true, id: res.id };
}
