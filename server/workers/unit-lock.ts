import type { ProvisionService } from '../couch/provision-service';
import type { JobDoc } from './job-service';

/**
 * After a merge or split failed for good: a job that changed nothing yet lets its unit go. One
 * that failed half-way keeps its lock, so that nothing else reorganises a half-done unit; asking
 * for the same reorganisation again resumes it.
 */
export async function releaseUntouchedUnit(options: {
	provision: ProvisionService;
	job: JobDoc;
	onDirectoryChange: () => void;
}): Promise<void> {
	const { job } = options;
	if (job.step > 0) return;
	await options.provision.updateUnit(job.sourceId, (current) => {
		if (current.lock !== job._id) return undefined;
		const { lock: _lock, ...rest } = current;
		return rest;
	});
	options.onDirectoryChange();
}
