import { AppError } from '../http/app-error';
import type { JobService } from '../workers/job-service';
import type { ProvisionService, UnitRecord } from '../couch/provision-service';

// A merge or a split holds its unit (the `lock` of its directory record, naming the job) from the
// request until the job ends: no other reorganisation, and no dissolution, may start on it meanwhile.

export function busy(unit: UnitRecord): AppError {
	return new AppError({
		status: 409,
		error: 'unit_busy',
		reason: `"${unit.name}" đang được hợp nhất hoặc chia tách; vui lòng chờ thao tác đó xong.`
	});
}

export class ReorganisationLocks {
	readonly #provision: ProvisionService;
	readonly #jobs: JobService;

	constructor(options: { provision: ProvisionService; jobs: JobService }) {
		this.#provision = options.provision;
		this.#jobs = options.jobs;
	}

	/** Whether a lock still stands: its job exists and has not ended. */
	async held(jobId: string): Promise<boolean> {
		const job = await this.#jobs.get(jobId);
		return Boolean(job && (job.state === 'queued' || job.state === 'running' || job.step > 0));
	}

	/** No merge or split holds the unit, and none is bringing another unit into it. */
	async assertFree(unit: UnitRecord, ownJob?: string): Promise<void> {
		if (unit.lock && unit.lock !== ownJob && (await this.held(unit.lock))) throw busy(unit);
		const incoming = (await this.#jobs.listOpen()).filter(
			(job) => job.kind === 'merge' && job.targetId === unit.id
		);
		if (incoming.length > 0) throw busy(unit);
	}

	/**
	 * Of two different reorganisations asked at once, one gets the unit, the other a 409. A lock seen
	 * stale by assertFree (its job never got written, or ended) is taken over.
	 */
	async take(source: UnitRecord, jobId: string): Promise<void> {
		const staleLock = source.lock;
		await this.#provision.updateUnit(source.id, (current) => {
			if (current.lock === jobId) return undefined;
			if (current.lock && current.lock !== staleLock) throw busy(current);
			return { ...current, lock: jobId };
		});
	}
}
