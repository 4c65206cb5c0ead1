import { ApiError } from '$lib/data/online/api-client';
import { waitForJob, type Job } from '$lib/data/online/org-api';

// What every action on the unit page shares: one runs at a time (busy), it ends in a message or an
// error shown at the top of the page, an issued password is shown once, a merge or split shows its
// progress; and after each action the page reads the unit again.
export class UnitActions {
	busy = $state(false);
	message = $state<string | null>(null);
	error = $state<string | null>(null);
	secret = $state<{ label: string; value: string } | null>(null);
	job = $state.raw<Job | null>(null);
	readonly #reload: () => Promise<void>;

	constructor(reload: () => Promise<void>) {
		this.#reload = reload;
	}

	/** Another unit is opened: nothing of the previous one's actions stays on screen. */
	clear(): void {
		this.message = null;
		this.error = null;
		this.secret = null;
		this.job = null;
	}

	/** Runs `work` (online); its result, when any, is the message shown. */
	async run(work: () => Promise<string | void>): Promise<void> {
		this.busy = true;
		this.message = null;
		this.error = null;
		try {
			const done = await work();
			if (done) this.message = done;
			await this.#reload();
		} catch (e) {
			this.error = e instanceof ApiError ? e.message : 'Không thực hiện được. Vui lòng thử lại.';
		} finally {
			this.busy = false;
		}
	}

	/** A merge or split: the server answers with a job, followed to its end. */
	async runJob(start: () => Promise<Job>, doneMessage: string): Promise<void> {
		await this.run(async () => {
			const started = await start();
			this.job = started;
			const finished = await waitForJob({ id: started.id, onProgress: (j) => (this.job = j) });
			if (finished.state === 'failed') throw new ApiError(500, 'job_failed', finished.error ?? '');
			return doneMessage;
		});
	}
}
