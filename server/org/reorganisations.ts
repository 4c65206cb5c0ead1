import { MERGE_STEPS } from '../workers/merge-worker';
import { SPLIT_STEPS } from '../workers/split-worker';
import * as v from 'valibot';
import { AppError } from '../http/app-error';
import type { AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import type { DirectoryIndex } from './directory-index';
import {
	jobView,
	mergeJobId,
	splitJobId,
	type JobDoc,
	type JobService,
	type JobView
} from '../workers/job-service';
import { forbidden, managesUnit, NOT_MANAGER, type Actor } from './org-access';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import { newUnitId } from '../couch/db-names';
import { parse } from '../http/validation';
import { busy, ReorganisationLocks } from './reorganisation-locks';
import { assertMayContain, notActive, requireUnit } from './unit-views';
import { BAD_BODY, UnitIdField, UnitKindField, UnitName } from './unit-fields';

// Merges and splits asked through the API (the workers carry them out, ADR 0007): the request takes
// the unit's lock and queues the job; the same request again finds the same job; a manager follows it
// and, once done, closes the forwarding of late changes.

const MergeSchema = v.object(
	{ intoId: UnitIdField('Vui lòng chọn đơn vị nhận hợp nhất.') },
	BAD_BODY
);

const SplitSchema = v.object(
	{
		name: UnitName,
		kind: UnitKindField,
		branchIds: v.pipe(
			v.optional(
				v.array(
					v.pipe(
						v.string('Mã chi đoàn không hợp lệ.'),
						v.regex(/^branch:[^\s]{1,100}$/, 'Mã chi đoàn không hợp lệ.')
					),
					'Vui lòng chọn các chi đoàn được tách.'
				),
				[]
			),
			v.minLength(1, 'Vui lòng chọn ít nhất một chi đoàn để tách.'),
			v.maxLength(500, 'Quá nhiều chi đoàn trong một lần tách.')
		)
	},
	BAD_BODY
);

export class Reorganisations {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #jobs: JobService;
	readonly #audit: AuditService;
	readonly #directory: DirectoryIndex;
	readonly #locks: ReorganisationLocks;
	readonly #onJobCreated: () => void;
	readonly #now: () => Date;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		jobs: JobService;
		audit: AuditService;
		directory: DirectoryIndex;
		locks: ReorganisationLocks;
		onJobCreated: () => void;
		now: () => Date;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#jobs = options.jobs;
		this.#audit = options.audit;
		this.#directory = options.directory;
		this.#locks = options.locks;
		this.#onJobCreated = options.onJobCreated;
		this.#now = options.now;
	}

	async requestMerge(actor: Actor, id: string, body: unknown): Promise<JobView> {
		const source = await requireUnit(this.#provision, id);
		if (!managesUnit(actor, source)) throw forbidden(NOT_MANAGER);
		const input = parse(MergeSchema, body, 'Vui lòng chọn đơn vị nhận hợp nhất.');
		if (input.intoId === source.id) {
			throw new AppError({
				status: 422,
				error: 'invalid',
				reason: 'Không thể hợp nhất một đơn vị vào chính nó.',
				field: 'intoId'
			});
		}
		const target = await this.#provision.getUnit(input.intoId);
		if (!target) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị nhận hợp nhất.',
				field: 'intoId'
			});
		}
		if (target.parentId !== source.parentId) {
			throw new AppError({
				status: 422,
				error: 'not_siblings',
				reason: 'Chỉ hợp nhất được các đơn vị có cùng đơn vị cấp trên trực tiếp.',
				field: 'intoId'
			});
		}
		const jobId = mergeJobId({ sourceId: source.id, targetId: target.id });
		const known = await this.#resume(actor, jobId, source);
		if (known) return known;
		if (unitStatus(source) !== 'active') throw notActive(source);
		if (unitStatus(target) !== 'active') throw notActive(target);
		await this.#locks.assertFree(source, jobId);
		if (target.lock && (await this.#locks.held(target.lock))) throw busy(target);
		return this.#startJob(actor, source, {
			_id: jobId,
			kind: 'merge',
			targetId: target.id,
			params: {},
			steps: [...MERGE_STEPS]
		});
	}

	async requestSplit(actor: Actor, id: string, body: unknown): Promise<JobView> {
		const source = await requireUnit(this.#provision, id);
		if (!managesUnit(actor, source) || !source.parentId) throw forbidden(NOT_MANAGER);
		const input = parse(SplitSchema, body, 'Thông tin chia tách không hợp lệ.');
		const parent = await requireUnit(this.#provision, source.parentId);
		assertMayContain({ parent: parent.kind, child: input.kind });
		const branchIds = [...new Set(input.branchIds)];
		const jobId = splitJobId({ sourceId: source.id, branchIds });
		const known = await this.#resume(actor, jobId, source);
		if (known) return known;
		if (unitStatus(source) !== 'active') throw notActive(source);
		await this.#locks.assertFree(source, jobId);
		const rows = await this.#couch.allDocs<{ type?: string }>({
			db: source.db,
			keys: branchIds,
			includeDocs: true
		});
		const missing = rows.filter(
			(row) => !row.doc || row.doc.type !== 'branch' || row.value?.deleted
		);
		if (missing.length > 0) {
			throw new AppError({
				status: 422,
				error: 'invalid',
				reason: `Không tìm thấy ${missing.length} chi đoàn đã chọn trong đơn vị này.`,
				field: 'branchIds'
			});
		}
		return this.#startJob(actor, source, {
			_id: jobId,
			kind: 'split',
			targetId: newUnitId(),
			params: { name: input.name, kind: input.kind, branchIds },
			steps: [...SPLIT_STEPS]
		});
	}

	async getJob(actor: Actor, id: string): Promise<JobView> {
		return jobView(await this.#jobFor(actor, id));
	}

	/** The job, if the actor may see it: who started it, and the managers of the unit it reorganises. */
	async #jobFor(actor: Actor, id: string): Promise<JobDoc> {
		const job = await this.#jobs.get(id);
		if (!job) {
			throw new AppError({
				status: 404,
				error: 'job_not_found',
				reason: 'Không tìm thấy thao tác.'
			});
		}
		if (job.createdBy !== actor.login && !managesUnit(actor, { parentId: job.parentId })) {
			throw forbidden('Bạn không theo dõi được thao tác này.');
		}
		return job;
	}

	/**
	 * Stops forwarding late changes after a merge or split, after one last pass. A merged unit's
	 * database then refuses every write: phones that still hold changes there must have synced.
	 */
	async closeForwarding(
		actor: Actor,
		id: string,
		forwardNow: (job: JobDoc) => Promise<number>
	): Promise<JobView> {
		let job = await this.#jobFor(actor, id);
		if (!managesUnit(actor, { parentId: job.parentId })) throw forbidden(NOT_MANAGER);
		if (job.state !== 'done' || job.forwarding !== 'open') {
			throw new AppError({
				status: 409,
				error: 'not_forwarding',
				reason: 'Thao tác này chưa xong hoặc đã đóng việc chuyển tiếp dữ liệu.'
			});
		}
		await forwardNow(job);
		const at = this.#now().toISOString();
		for (let attempt = 0; ; attempt++) {
			try {
				job = await this.#jobs.put({
					...job,
					forwarding: 'closed',
					forwardingClosedAt: at,
					forwardingClosedBy: actor.login
				});
				break;
			} catch (error) {
				const fresh = await this.#jobs.get(id);
				if (attempt >= 3 || !fresh) throw error;
				job = fresh;
			}
		}
		if (job.kind === 'merge') {
			const closed = await this.#provision.updateUnit(job.sourceId, (current) =>
				current.closedAt
					? undefined
					: { ...current, closedAt: at, updatedAt: at, updatedBy: actor.login }
			);
			await this.#provision.ensureUnitDatabase(closed);
		}
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.forwarding.close',
			target: { type: 'job', id: job._id },
			details: { sourceId: job.sourceId, targetId: job.targetId }
		});
		return jobView(job);
	}

	/** The same request again: the same job (a failed one starts again where it stopped). */
	async #resume(actor: Actor, jobId: string, source: UnitRecord): Promise<JobView | undefined> {
		const existing = await this.#jobs.get(jobId);
		if (!existing) return undefined;
		if (existing.state !== 'failed') return jobView(existing);
		// A job that failed before changing anything let the unit go: it takes it again.
		await this.#locks.assertFree(source, jobId);
		await this.#locks.take(source, jobId);
		const { error: _e, retryAt: _r, finishedAt: _f, lease: _l, ...rest } = existing;
		const requeued = await this.#jobs.put({ ...rest, state: 'queued', attempts: 0 });
		await this.#audit.record({
			actor: actor.login,
			action: requeued.kind === 'merge' ? 'unit.merge.request' : 'unit.split.request',
			target: { type: 'unit', id: requeued.sourceId },
			details: { job: requeued._id, resumed: true }
		});
		this.#onJobCreated();
		return jobView(requeued);
	}

	async #startJob(
		actor: Actor,
		source: UnitRecord,
		spec: Pick<JobDoc, '_id' | 'kind' | 'targetId' | 'params' | 'steps'>
	): Promise<JobView> {
		await this.#locks.take(source, spec._id);
		const at = this.#now().toISOString();
		const { job, created } = await this.#jobs.create({
			...spec,
			type: 'job',
			state: 'queued',
			sourceId: source.id,
			parentId: source.parentId ?? '',
			createdAt: at,
			createdBy: actor.login,
			updatedAt: at,
			step: 0,
			attempts: 0,
			data: {}
		});
		if (created) {
			await this.#audit.record({
				actor: actor.login,
				action: spec.kind === 'merge' ? 'unit.merge.request' : 'unit.split.request',
				target: { type: 'unit', id: source.id },
				details: {
					job: job._id,
					targetId: job.targetId,
					...(spec.kind === 'split'
						? {
								name: spec.params.name,
								kind: spec.params.kind,
								branches: spec.params.branchIds?.length
							}
						: {})
				}
			});
		}
		await this.#directory.refresh();
		this.#onJobCreated();
		return jobView(job);
	}
}
