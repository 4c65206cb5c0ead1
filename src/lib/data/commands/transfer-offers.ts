import {
	planTransferAcceptance,
	planTransferRejection,
	TransferDocSchema,
	type TransferAcceptanceInput,
	type TransferDoc,
	type TransferRejectionInput,
	type TransferResult
} from '$lib/domain/operations/transfer';
import { fullName } from '$lib/domain/names';
import type { OperationErrors } from '$lib/domain/operations/shared';
import * as v from 'valibot';
import { branchIdsOf, operationContext, type OperationCall } from '$lib/data/member-operations';
import { writePlan } from './plan-writer';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb, type TransferRow } from '$lib/data/store/device-db';
import { getMemberRows, historyOfDb } from '$lib/data/read-model/member-store';

// Transfers between units (docs/architecture.md, "Transfers between units"). The sending unit's
// request is an ordinary operation (requestTransfer); a server worker then delivers the offer
// `transfer:<ulid>` into the receiving unit's database, where the secretary accepts it (the member
// is created here, active in the branch she chooses) or rejects it with a reason. The worker
// carries the answer back. Here: the receiving side, and what the sending side sees of its requests.

export interface IncomingOffer {
	id: string;
	offer: TransferDoc;
	name: string;
}

/** Offers delivered into a unit's database: waiting ones first, then the answered ones. */
export async function incomingOffers(db: string): Promise<IncomingOffer[]> {
	const rows: TransferRow[] = await deviceDb.transfers.where('db').equals(db).toArray();
	return rows
		.map((row) => ({ id: row.id, offer: row.offer, name: fullName(row.offer.member) }))
		.sort(
			(a, b) =>
				Number(a.offer.state !== 'pending') - Number(b.offer.state !== 'pending') ||
				b.offer.requestedOn.localeCompare(a.offer.requestedOn)
		);
}

export type OutgoingState = 'pending' | 'accepted' | 'rejected';

export interface OutgoingTransfer {
	transferId: string;
	memberId: string;
	/** Empty once the member has left with the record (only the "transfer-out" trace remains). */
	name: string;
	toUnitName: string;
	requestedOn?: string;
	state: OutgoingState;
	decidedOn?: string;
	reason?: string;
	/** The sending unit's trace once the member has left ("… chuyển sinh hoạt đến …"). */
	note?: string;
}

/** The sending unit's requests and where each stands, newest first. */
export async function outgoingTransfers(db: string): Promise<OutgoingTransfer[]> {
	const kinds = ['transfer-requested', 'transfer-out', 'transfer-rejected'];
	const rows = await historyOfDb({ db, kinds });
	const byTransfer = new Map<string, OutgoingTransfer>();
	for (const row of rows) {
		const entry = row.entry;
		if (
			entry.kind !== 'transfer-requested' &&
			entry.kind !== 'transfer-out' &&
			entry.kind !== 'transfer-rejected'
		) {
			continue;
		}
		const current = byTransfer.get(entry.data.transferId) ?? {
			transferId: entry.data.transferId,
			memberId: entry.memberId,
			name: '',
			toUnitName: entry.data.toUnitName,
			state: 'pending' as OutgoingState
		};
		if (entry.kind === 'transfer-requested') current.requestedOn = entry.at;
		if (entry.kind === 'transfer-out') {
			current.state = 'accepted';
			current.decidedOn = entry.at;
			if (entry.note) current.note = entry.note;
		}
		if (entry.kind === 'transfer-rejected') {
			current.state = 'rejected';
			current.decidedOn = entry.at;
			current.reason = entry.data.reason;
		}
		byTransfer.set(entry.data.transferId, current);
	}
	const members = await getMemberRows([...byTransfer.values()].map((t) => t.memberId));
	const names = new Map(members.filter((m) => !!m).map((m) => [m!.id, m!.fullName]));
	return [...byTransfer.values()]
		.map((t) => ({ ...t, name: names.get(t.memberId) ?? '' }))
		.sort((a, b) => (b.requestedOn ?? b.decidedOn ?? '').localeCompare(a.requestedOn ?? a.decidedOn ?? ''));
}

export type OfferOutcome = { ok: true; memberId?: string } | { ok: false; errors: OperationErrors };

async function loadOffer(db: string, id: string): Promise<TransferDoc | null> {
	try {
		const { _conflicts: _c, ...doc } = (await localDb(db).get(id)) as Record<string, unknown>;
		const parsed = v.safeParse(TransferDocSchema, doc);
		return parsed.success ? parsed.output : null;
	} catch {
		return null;
	}
}

async function answer(
	call: OperationCall & { offerId: string },
	plan: (offer: TransferDoc) => Promise<TransferResult> | TransferResult
): Promise<OfferOutcome> {
	const offer = await loadOffer(call.db, call.offerId);
	if (!offer) {
		return { ok: false, errors: { form: 'Không tìm thấy đề nghị chuyển sinh hoạt này trên máy.' } };
	}
	const result = await plan(offer);
	if (!result.ok) return { ok: false, errors: result.errors };
	// The answered offer is written in the same request as the member and its entry, on top of the
	// revision read just now: an answer given meanwhile on another device of the unit stays visible
	// as a conflicting revision of the offer after sync, never silently overwritten.
	const written = await writePlan({
		db: call.db,
		plan: result.plan,
		extra: [result.plan.offer as PouchDB.Core.PutDocument<object>]
	});
	if (!written.ok) return { ok: false, errors: { form: written.message } };
	return { ok: true, ...(result.plan.member ? { memberId: result.plan.member._id } : {}) };
}

/** Accepts an offer: the member is created here, active in the chosen branch. */
export function acceptTransfer(
	call: OperationCall & { offerId: string; input: TransferAcceptanceInput }
): Promise<OfferOutcome> {
	return answer(call, async (offer) =>
		planTransferAcceptance({
			...operationContext(call),
			offer,
			input: call.input,
			branchIds: await branchIdsOf(call.db)
		})
	);
}

/** Rejects an offer with a reason; the sending unit gets the member back as active. */
export function rejectTransfer(
	call: OperationCall & { offerId: string; input: TransferRejectionInput }
): Promise<OfferOutcome> {
	return answer(call, (offer) =>
		planTransferRejection({ ...operationContext(call), offer, input: call.input })
	);
}
