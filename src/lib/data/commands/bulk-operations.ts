import {
	COMING_OF_AGE,
	RATING,
	TRAINING_REGISTRATION,
	planBulk,
	planBulkUndo,
	upgradeMemberDoc,
	type BulkPlan,
	type ComingOfAgeInput,
	type HistoryDoc,
	type MemberDoc,
	type OperationEntry,
	type OperationErrors,
	type RatingInput,
	type TrainingRegistrationInput
} from '$lib/domain';
import { memberHistory } from '$lib/data/queries/history';
import { writePlan } from '$lib/data/commands/plan-writer';
import { factsFor, operationContext, type OperationCall } from '$lib/data/member-operations';
import { localDb } from '$lib/data/store/pouch';
import { historyOfBulk } from '$lib/data/read-model/member-store';

// Bulk acts on the device (docs/domain.md §3): one operation of the catalogue for many members,
// prepared first (every member's outcome and the confirmation sentence), then committed member by
// member through the one writer. One member at a time: member-operations.ts.

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

/**
 * One operation of the catalogue (one with `bulk`) for the chosen members, with the same input:
 * the coming-of-age ceremony, the year's rating, the training registration.
 */
export async function prepareBulkOperation<I>(
	call: OperationCall & { memberIds: readonly string[]; operation: OperationEntry<I>; input: I }
): Promise<PreparedBulk> {
	const { operation, input } = call;
	const members = await loadMembers(call.db, call.memberIds);
	const history = operation.readsHistory ? await historiesOf(call.db, members) : [];
	const facts = await factsFor(call.db, operation, input);
	const plan = planBulk({
		context: operationContext(call),
		members,
		action: operation.bulk?.action ?? operation.title.toLocaleLowerCase('vi'),
		plan: (member, context) =>
			operation.plan({
				...context,
				member,
				history: history.filter((entry) => entry.memberId === member._id),
				input,
				facts
			})
	});
	return prepared(call.db, plan);
}

type BulkCall<I> = OperationCall & { memberIds: readonly string[]; input: I };

/** A coming-of-age ceremony for the chosen members (one date, one optional decision). */
export const prepareComingOfAgeCeremony = (call: BulkCall<ComingOfAgeInput>) =>
	prepareBulkOperation({ ...call, operation: COMING_OF_AGE });

/** The same rating (year, stage, grade) for the chosen members. */
export const prepareBulkRating = (call: BulkCall<RatingInput>) =>
	prepareBulkOperation({ ...call, operation: RATING });

/** Registration of the chosen members for the year's training contents. */
export const prepareBulkTrainingRegistration = (call: BulkCall<TrainingRegistrationInput>) =>
	prepareBulkOperation({ ...call, operation: TRAINING_REGISTRATION });

/** Undoing a whole bulk act: each of its entries still in force is reversed. */
export async function prepareBulkUndo(
	call: OperationCall & { bulkId: string; reason: string; action: string }
): Promise<PreparedBulk> {
	const rows = await historyOfBulk(call.bulkId);
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
