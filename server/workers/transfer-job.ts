import {
	transferJobId,
	TRANSFER_JOB_ID_PATTERN,
	type JobDoc,
	type TransferJobData
} from './job-service';
import { JobFailed } from './job-runner';

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
