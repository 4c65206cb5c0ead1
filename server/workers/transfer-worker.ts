import type { JobDoc } from './job-service';
import type { JobContext, JobWorker } from './job-runner';
import { transferOf, TRANSFER_STEPS } from './transfer-job';
import { TransferStore, type TransferDeps } from './transfer-store';
import { answer, moveClaim, offer } from './transfer-offer';
import { finish, outcome } from './transfer-outcome';
import { history, remove, sweepSource } from './transfer-removal';

// Transfers between units (docs/architecture.md, "Transfers between units"; docs/decisions/
// 0009-transfers-and-registry.md), carried by a job per transfer (`job:transfer:<transfer ULID>`,
// created by the unit watcher when it sees the request) on the job machinery of ADR 0007: a lease,
// steps recorded in the job, each step idempotent with deterministic ids, so a server killed between
// any two steps leaves a job that the next server finishes.
//
//   offer     builds the offer from the member and the request entry (buildTransferOffer) and writes
//             it as `transfer:<id>` into the receiving unit's database (or the unit it was merged
//             into); a receiver that no longer exists is answered for, with a rejection;
//   answer    waits (the job is parked, not polled) until the receiving unit answers; the watcher
//             wakes it. On acceptance it also waits for the member the device created there;
//   registry  on acceptance the citizen id's claim moves to the receiving unit;
//   outcome   the answer in the sending unit (planTransferOutcome): `transferred` and a transfer-out
//             entry, or `active` again and a transfer-rejected entry;
//   history   on acceptance the member's history is copied to the receiving unit (same ids, same
//             revisions: a repeated copy writes nothing);
//   remove    on acceptance the member document and its history are deleted in the sending unit
//             (admin deletions with `type`, `updatedBy: 'system'`, `transferredTo`), all but the
//             transfer-out entry, which names the member and the receiving unit and nothing else;
//   finish    a second answer given offline on another device of the receiving unit (a conflict
//             of the offer) is resolved to the one acted on; the audit records the end.
//
// Every step writes one audit entry (derived id: recorded once however often the step runs). The
// steps live by stage: transfer-offer.ts (offer, answer, registry), transfer-outcome.ts (outcome,
// finish), transfer-removal.ts (history, remove); transfer-store.ts holds what they read and write.

export { SYSTEM_ACTOR, TRANSFER_STEPS, transferJobFor } from './transfer-job';
export type { TransferDeps } from './transfer-store';

export interface TransferWorker extends JobWorker {
	/**
	 * After an accepted transfer, deletes again what the sending unit still (or again) holds of the
	 * member — a phone that edited the record offline pushed it back — and copies history entries
	 * that arrived meanwhile. Returns how many documents it deleted.
	 */
	sweepSource(job: JobDoc): Promise<number>;
}

export function createTransferWorker(deps: TransferDeps): TransferWorker {
	return new TransferSteps(new TransferStore(deps));
}

/** The transfer job's steps, each in the file of its stage (transfer-offer, -outcome, -removal). */
class TransferSteps implements TransferWorker {
	readonly steps = TRANSFER_STEPS;
	readonly #store: TransferStore;

	constructor(store: TransferStore) {
		this.#store = store;
	}

	async run(step: string, ctx: JobContext): Promise<void> {
		const t = this.#store;
		if (step === 'offer') return offer(t, ctx);
		if (step === 'answer') return answer(t, ctx);
		if (step === 'registry') return moveClaim(t, ctx);
		if (step === 'outcome') return outcome(t, ctx);
		if (step === 'history') return history(t, ctx);
		if (step === 'remove') return remove(t, ctx);
		if (step === 'finish') return finish(t, ctx);
		throw new Error(`transfer: unknown step ${step}`);
	}

	async stillWaiting(job: JobDoc): Promise<boolean> {
		const transfer = transferOf(job);
		if (transfer.outcome) return false;
		const target = await this.#store.targetOf(job);
		return (await this.#store.answerOf(target.db, transfer)).state === 'pending';
	}

	sweepSource(job: JobDoc): Promise<number> {
		return sweepSource(this.#store, job);
	}
}
