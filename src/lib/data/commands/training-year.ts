import {
	planTrainingSubmission,
	upgradeHistoryDoc,
	upgradeMemberDoc,
	type HistoryDoc,
	type MemberDoc,
	type OperationErrors
} from '$lib/domain';
import { unitIdOfDb } from '$lib/data/ids';
import {
	operationContext,
	trainingSubmitted,
	type OperationCall
} from '$lib/data/member-operations';
import { recordOutbox } from '$lib/data/sync/outbox';
import { localDb } from '$lib/data/store/pouch';

// The training programme's year sent to the superior ("Chuyển cấp trên", docs/domain.md §3): the
// unit's summary written once every registered member is scored; from then on the year's scores
// are locked (member-operations.ts reads that through trainingSubmitted).

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
