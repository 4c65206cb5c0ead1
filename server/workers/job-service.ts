import { createHash } from 'node:crypto';
import type { UnitKindId } from '../../src/lib/domain/unit-kinds';
import { CouchError, type CouchClient, type CouchDoc } from '../couch/couch-client';
import type { DbNames } from '../couch/db-names';

// Jobs (docs/architecture.md, "Merge (and split), carried by a worker"): a document per
// reorganisation in the directory database, with a deterministic id (asking twice returns the same
// job) and a lease that a worker takes and renews with revision-checked writes. Any server process
// can pick up a job whose lease ran out: the workers share nothing but these documents.

export type JobKind = 'merge' | 'split' | 'transfer';
/** `waiting`: parked until something outside the server happens (a receiving unit's answer). */
export type JobState = 'queued' | 'running' | 'waiting' | 'done' | 'failed';
type Seq = string | number;

/** A transfer between units (workers/transfer-worker.ts), as its steps decided it. */
export interface TransferJobData {
	/** The ULID of the request: `transfer:<id>`, `history:<member>:<id>-…` derive from it. */
	id: string;
	memberId: string;
	/** Where the offer went: the unit asked for, or the unit it was merged into since. */
	deliveredTo?: string;
	/** `withdrawn`: the member no longer waited on this transfer when the worker came to it. */
	outcome?: 'accepted' | 'rejected' | 'withdrawn';
	/** The answered revision of the offer the worker acted on (of two answers given offline). */
	decidedRev?: string;
	/** The worker answered for the receiver (it no longer exists…): the reason, the day. */
	autoReject?: { reason: string; on: string };
}

export interface JobLease {
	owner: string;
	until: string;
}

export interface JobDoc extends CouchDoc {
	type: 'job';
	kind: JobKind;
	state: JobState;
	/** The unit reorganised: merged away, or split. */
	sourceId: string;
	/** Merge: the surviving unit. Split: the new unit (its id chosen when the job was created). */
	targetId: string;
	/** Their common superior, whose managers may follow and close the job. */
	parentId: string;
	params: { name?: string; kind?: UnitKindId; branchIds?: string[] };
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	/** Names of the steps, in order; `step` counts those completed. */
	steps: string[];
	step: number;
	lease?: JobLease;
	attempts: number;
	/** After a failed attempt, no worker takes the job again before this time. */
	retryAt?: string;
	error?: string;
	/** What earlier steps decided, so a retried step repeats the same work. */
	data: {
		since?: Seq;
		movedIds?: string[];
		/** A split: the moved chi đoàn's join links, left in the old unit (split-plan.ts). */
		joinLinksLeft?: string[];
		copied?: number;
		transfer?: TransferJobData;
	};
	/** Times a step found what it needs not there yet (NotYet): spaces the next looks. */
	deferrals?: number;
	/** After the job: late changes in the source database are forwarded until a manager closes it. */
	forwarding?: 'open' | 'closed';
	forwardingClosedAt?: string;
	forwardingClosedBy?: string;
	finishedAt?: string;
}

/** What the API shows of a job. */
export interface JobView {
	id: string;
	kind: JobKind;
	state: JobState;
	progress: { done: number; total: number };
	error?: string;
	sourceId: string;
	targetId: string;
	createdAt: string;
	createdBy: string;
	finishedAt?: string;
	forwarding?: 'open' | 'closed';
	/** A split: the moved chi đoàn's join links, which stopped working (ADR 0028). */
	joinLinksLeft?: string[];
}

export function jobView(job: JobDoc): JobView {
	return {
		id: job._id,
		kind: job.kind,
		state: job.state,
		progress: { done: job.step, total: job.steps.length },
		...(job.error ? { error: job.error } : {}),
		sourceId: job.sourceId,
		targetId: job.targetId,
		createdAt: job.createdAt,
		createdBy: job.createdBy,
		...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
		...(job.forwarding ? { forwarding: job.forwarding } : {}),
		...(job.data.joinLinksLeft?.length ? { joinLinksLeft: job.data.joinLinksLeft } : {})
	};
}

export function mergeJobId(options: { sourceId: string; targetId: string }): string {
	return `job:merge:${options.sourceId}:${options.targetId}`;
}

/** The same branches of the same unit give the same job, in whatever order they were listed. */
export function splitJobId(options: { sourceId: string; branchIds: string[] }): string {
	const digest = createHash('sha256')
		.update([...options.branchIds].sort().join('\n'))
		.digest('hex')
		.slice(0, 16);
	return `job:split:${options.sourceId}:${digest}`;
}

export const JOB_ID_PATTERN = /^job:(merge|split):[a-z0-9]{4,24}:[a-z0-9]{4,24}$/;

/** One job per transfer between units, named by the request's ULID: finding it twice finds one. */
export function transferJobId(transferId: string): string {
	return `job:transfer:${transferId}`;
}

export const TRANSFER_JOB_ID_PATTERN = /^job:transfer:[0-9A-HJKMNP-TV-Z]{26}$/;

const JOBS_DESIGN_ID = '_design/jobs';

export class JobService {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #now: () => Date;

	constructor(options: { couch: CouchClient; names: DbNames; now?: () => Date }) {
		this.#couch = options.couch;
		this.#db = options.names.directory;
		this.#now = options.now ?? (() => new Date());
	}

	get db(): string {
		return this.#db;
	}

	async ensureIndexes(): Promise<void> {
		await this.#couch.putDesignDoc({
			db: this.#db,
			doc: {
				_id: JOBS_DESIGN_ID,
				language: 'javascript',
				views: {
					open: {
						map: "function (doc) { if (doc.type === 'job' && (doc.state === 'queued' || doc.state === 'running')) emit(doc.createdAt, null); }"
					},
					parked: {
						map: "function (doc) { if (doc.type === 'job' && (doc.state === 'waiting' || (doc.kind === 'transfer' && doc.state === 'failed'))) emit(doc.updatedAt, null); }"
					},
					forwarding: {
						map: "function (doc) { if (doc.type === 'job' && doc.forwarding === 'open') emit(doc.sourceId, null); }"
					}
				}
			}
		});
	}

	async get(id: string): Promise<JobDoc | undefined> {
		if (!JOB_ID_PATTERN.test(id) && !TRANSFER_JOB_ID_PATTERN.test(id)) return undefined;
		return this.#couch.getDoc<JobDoc>({ db: this.#db, id });
	}

	/** Creates the job, or returns the one that already has this id. */
	async create(job: JobDoc): Promise<{ job: JobDoc; created: boolean }> {
		try {
			const { rev } = await this.#couch.putDoc({ db: this.#db, doc: job });
			return { job: { ...job, _rev: rev }, created: true };
		} catch (error) {
			if (!(error instanceof CouchError) || error.status !== 409) throw error;
			const existing = await this.get(job._id);
			if (!existing) throw error;
			return { job: existing, created: false };
		}
	}

	/** Writes the job if nobody changed it since it was read (409 throws CouchError). */
	async put(job: JobDoc): Promise<JobDoc> {
		const next = { ...job, updatedAt: this.#now().toISOString() };
		const { rev } = await this.#couch.putDoc({ db: this.#db, doc: next });
		return { ...next, _rev: rev };
	}

	async listOpen(): Promise<JobDoc[]> {
		return this.#view('open');
	}

	/**
	 * Jobs parked until an answer comes (transfers waiting for the receiving unit), and transfers that
	 * failed: a member must not stay "transferring" for ever because CouchDB was down for a while.
	 */
	async listParked(): Promise<JobDoc[]> {
		return this.#view('parked');
	}

	async listForwarding(): Promise<JobDoc[]> {
		return this.#view('forwarding');
	}

	/**
	 * Takes the job for `owner` until now + leaseMs, if nobody else holds a live lease. The write is
	 * checked against the revision just read: of two workers racing, exactly one wins.
	 */
	async claim(options: {
		job: JobDoc;
		owner: string;
		leaseMs: number;
	}): Promise<JobDoc | undefined> {
		const { job, owner } = options;
		const now = this.#now();
		if (job.state !== 'queued' && job.state !== 'running') return undefined;
		if (job.lease && job.lease.owner !== owner && Date.parse(job.lease.until) > now.getTime()) {
			return undefined;
		}
		if (job.retryAt && Date.parse(job.retryAt) > now.getTime()) return undefined;
		try {
			return await this.put({
				...job,
				state: 'running',
				lease: { owner, until: new Date(now.getTime() + options.leaseMs).toISOString() }
			});
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) return undefined;
			throw error;
		}
	}

	async #view(view: string): Promise<JobDoc[]> {
		const result = await this.#couch.json<{ rows: { doc?: JobDoc }[] }>({
			path: `${encodeURIComponent(this.#db)}/${JOBS_DESIGN_ID}/_view/${view}`,
			query: { include_docs: true }
		});
		return result.rows.flatMap((row) => (row.doc ? [row.doc] : []));
	}
}
