import {
	derivedHistoryId,
	upgradeHistoryDoc,
	type HistoryDoc,
	type HistoryOf
} from '../../src/lib/domain/history-schema';
import { transferDocId } from '../../src/lib/domain/operations/transfer';
import type { AuditAction, AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import type { JobDoc, TransferJobData } from './job-service';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import type { CitizenRegistry } from '../registry/registry-service';
import type { DocCopier } from './doc-copier';
import { JobFailed, type JobContext } from './job-runner';
import { transferOf, SYSTEM_ACTOR } from './transfer-job';

// What every step of a transfer reads and writes (the units, the documents, the audit), with the
// dependencies the steps share.

export interface TransferDeps {
	couch: CouchClient;
	provision: ProvisionService;
	registry: CitizenRegistry;
	audit: AuditService;
	copier: DocCopier;
	/** A unit database was written to (db-updates.ts). */
	touch: (db: string) => void;
	now?: () => Date;
}

export type Raw = Record<string, unknown> & { _id: string; _rev?: string };

export class TransferStore {
	readonly couch: CouchClient;
	readonly provision: ProvisionService;
	readonly registry: CitizenRegistry;
	readonly audit: AuditService;
	readonly copier: DocCopier;
	/** A unit database was written to (db-updates.ts). */
	readonly touch: (db: string) => void;
	readonly now: () => Date;

	constructor(deps: TransferDeps) {
		this.couch = deps.couch;
		this.provision = deps.provision;
		this.registry = deps.registry;
		this.audit = deps.audit;
		this.copier = deps.copier;
		this.touch = deps.touch;
		this.now = deps.now ?? (() => new Date());
	}

	setTransfer(ctx: JobContext, patch: Partial<TransferJobData>) {
		return ctx.update((job) => ({
			...job,
			data: { ...job.data, transfer: { ...transferOf(job), ...patch } }
		}));
	}

	record(
		job: JobDoc,
		step: string,
		action: AuditAction,
		details: Record<string, unknown>,
		actor = SYSTEM_ACTOR
	) {
		return this.audit.record({
			actor,
			action,
			target: { type: 'transfer', id: transferOf(job).id },
			details: {
				memberId: transferOf(job).memberId,
				fromUnitId: job.sourceId,
				toUnitId: transferOf(job).deliveredTo ?? job.targetId,
				...details
			},
			seed: { time: Date.parse(job.createdAt), value: `${job._id}:${step}` }
		});
	}

	/** The unit holding a unit's records now: itself, or the unit it was merged into (and so on). */
	async holderOf(id: string): Promise<UnitRecord | undefined> {
		let unit = await this.provision.getUnit(id);
		for (
			let hops = 0;
			unit && unitStatus(unit) === 'merged' && unit.mergedInto && hops < 8;
			hops++
		) {
			unit = await this.provision.getUnit(unit.mergedInto);
		}
		return unit && unitStatus(unit) === 'active' ? unit : undefined;
	}

	async sourceOf(job: JobDoc): Promise<UnitRecord> {
		const unit =
			(await this.holderOf(job.sourceId)) ?? (await this.provision.getUnit(job.sourceId));
		if (!unit) throw new JobFailed('Không tìm thấy đơn vị chuyển đi của đề nghị chuyển sinh hoạt.');
		return unit;
	}

	async targetOf(job: JobDoc): Promise<UnitRecord> {
		const id = transferOf(job).deliveredTo ?? job.targetId;
		const unit = await this.provision.getUnit(id);
		if (!unit) throw new JobFailed('Không tìm thấy đơn vị nhận của đề nghị chuyển sinh hoạt.');
		return unit;
	}

	async getDoc(db: string, id: string, query?: Record<string, string>): Promise<Raw | undefined> {
		const doc = await this.couch.getDoc<Raw>({ db, id, query });
		return doc && !doc._deleted ? doc : undefined;
	}

	async requestOf(
		db: string,
		transfer: TransferJobData
	): Promise<HistoryOf<'transfer-requested'> | undefined> {
		const id = derivedHistoryId({
			memberId: transfer.memberId,
			sourceKey: transfer.id,
			step: 'requested'
		});
		const raw = await this.getDoc(db, id);
		if (!raw) return undefined;
		const entry: HistoryDoc = upgradeHistoryDoc(raw);
		if (entry.kind !== 'transfer-requested') {
			throw new Error('transfer: the request entry is of another kind');
		}
		return entry;
	}

	/** The answer the worker acts on: an accepted leaf of the offer before a rejected one. */
	async answerOf(
		db: string,
		transfer: TransferJobData
	): Promise<
		{ state: 'pending' } | { state: 'missing' } | { state: 'accepted' | 'rejected'; offer: Raw }
	> {
		const id = transferDocId(transfer.id);
		const winner = await this.getDoc(db, id, { conflicts: 'true' });
		if (!winner) return { state: 'missing' };
		const leaves: Raw[] = [winner];
		for (const rev of (winner._conflicts as string[] | undefined) ?? []) {
			const leaf = await this.getDoc(db, id, { rev });
			if (leaf) leaves.push(leaf);
		}
		const accepted = leaves.find((leaf) => leaf.state === 'accepted');
		if (accepted) return { state: 'accepted', offer: accepted };
		const rejected = leaves.find((leaf) => leaf.state === 'rejected');
		if (rejected) return { state: 'rejected', offer: rejected };
		return { state: 'pending' };
	}

	/** Ids of the member's history entries in a database (live ones). */
	async historyIds(db: string, memberId: string): Promise<string[]> {
		const prefix = `history:${memberId.slice('member:'.length)}:`;
		const rows = await this.couch.allDocs({ db, startkey: prefix, endkey: `${prefix}\ufff0` });
		return rows.map((row) => row.id);
	}

	async putNew(db: string, doc: object & { _id: string }): Promise<void> {
		const res = await this.couch.request({
			method: 'PUT',
			path: `${encodeURIComponent(db)}/${encodeURIComponent(doc._id)}`,
			body: doc
		});
		// 409: written by an earlier run of the step (deterministic id).
		if (res.status !== 201 && res.status !== 202 && res.status !== 409) {
			throw new Error(`transfer: writing a document answered ${res.status}`);
		}
		this.touch(db);
	}
}
