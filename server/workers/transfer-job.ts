import type { AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import {
	transferJobId,
	TRANSFER_JOB_ID_PATTERN,
	type JobDoc,
	type TransferJobData
} from './job-service';
import type { ProvisionService } from '../couch/provision-service';
import type { CitizenRegistry } from '../registry/registry-service';
import type { DocCopier } from './doc-copier';
import { JobFailed, type JobWorker } from './job-runner';

// A transfer's job: its steps, the job the unit watcher makes of a request, and its data.

export const TRANSFER_STEPS = [
	'offer',
	'answer',
	'registry',
	'outcome',
	'history',
	'remove',
	'finish'
] as const;

/** Who the worker's writes name as their author. */
export const SYSTEM_ACTOR = 'system';

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

export interface TransferWorker extends JobWorker {
	/**
	 * After an accepted transfer, deletes again what the sending unit still (or again) holds of the
	 * member — a phone that edited the record offline pushed it back — and copies history entries
	 * that arrived meanwhile. Returns how many documents it deleted.
	 */
	sweepSource(job: JobDoc): Promise<number>;
}

interface RequestedMember {
	_id: string;
	updatedBy?: unknown;
	transfer?: { id?: unknown; toUnitId?: unknown };
}

/** The job of a request seen in a unit database: undefined when the document is not one. */
export function transferJobFor(options: {
	member: RequestedMember;
	unitId: string;
	now: Date;
}): JobDoc | undefined {
	const { member } = options;
	const id = member.transfer?.id;
	if (typeof id !== 'string' || !TRANSFER_JOB_ID_PATTERN.test(transferJobId(id))) return undefined;
	const at = options.now.toISOString();
	const toUnitId = typeof member.transfer?.toUnitId === 'string' ? member.transfer.toUnitId : '';
	return {
		_id: transferJobId(id),
		type: 'job',
		kind: 'transfer',
		state: 'queued',
		sourceId: options.unitId,
		targetId: toUnitId,
		parentId: '',
		params: {},
		createdAt: at,
		createdBy: typeof member.updatedBy === 'string' ? member.updatedBy : SYSTEM_ACTOR,
		updatedAt: at,
		steps: [...TRANSFER_STEPS],
		step: 0,
		attempts: 0,
		data: { transfer: { id, memberId: member._id } }
	};
}

/** The transfer's part of the job's data. */
export function transferOf(job: JobDoc): TransferJobData {
	const data = job.data.transfer;
	if (!data) throw new JobFailed('Thao tác chuyển sinh hoạt thiếu dữ liệu.');
	return data;
}
