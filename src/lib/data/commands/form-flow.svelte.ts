import { clearDraft, loadDraft, saveDraft } from './drafts';
import { isStorageFullError, STORAGE_FULL_MESSAGE } from '$lib/data/store/storage-full';

// The steps of one form on a screen, as BulkFlow is for the bulk screens: its draft kept on the
// device while it is typed (optional: half-filled forms survive a reload or a dead battery), busy
// while it is submitted (a second tap does nothing), the field errors it came back with (the page
// scrolls up to the summary), and on success the draft dropped before the screen moves on.

export type FormErrors = Record<string, string | undefined>;

/** What a submission came back with: saved, or the fields to correct. */
export type FormAttempt = { ok: true } | { ok: false; errors: FormErrors };

/** Milliseconds after the last keystroke before the draft is written. */
const DRAFT_DELAY_MS = 300;

export class FormFlow<D = unknown> {
	#busy = $state(false);
	#errors = $state.raw<FormErrors>({});
	#restored = $state(false);
	readonly #draft: (() => string) | undefined;
	/** Drafts are written only between `restore` and the end of the form (saved or abandoned). */
	#keeping = false;
	/** The draft write waiting for the typing to pause, and the one under way: the end of the form
	 * cancels the first and waits for the second, so no late write brings a dropped draft back. */
	#waiting: ReturnType<typeof setTimeout> | undefined;
	#writing: Promise<void> = Promise.resolve();

	/** `draft`: the draft's name on this device (a function when it depends on the page). */
	constructor(options: { draft?: string | (() => string) } = {}) {
		const { draft } = options;
		this.#draft = typeof draft === 'string' ? () => draft : draft;
	}

	get busy(): boolean {
		return this.#busy;
	}
	get errors(): FormErrors {
		return this.#errors;
	}
	/** True when the form was filled from a draft left the last time. */
	get restored(): boolean {
		return this.#restored;
	}

	/** The draft left the last time, if any (and `accept` takes it); from now on changes are kept. */
	async restore(accept: (draft: D) => boolean = () => true): Promise<D | undefined> {
		const name = this.#draft?.();
		const draft = name ? await loadDraft<D>(name) : undefined;
		const taken = draft !== undefined && accept(draft) ? draft : undefined;
		this.#restored = taken !== undefined;
		this.#keeping = true;
		return taken;
	}

	/**
	 * Keeps `snapshot` as the draft shortly after the last change. Call it from an `$effect` with
	 * `$state.snapshot(values)` and return what it returns (it cancels a write still waiting).
	 */
	keep(snapshot: D): (() => void) | undefined {
		const name = this.#draft?.();
		if (!name || !this.#keeping) return undefined;
		clearTimeout(this.#waiting);
		const timer = setTimeout(() => {
			if (!this.#keeping) return;
			this.#writing = this.#writing.then(() => saveDraft(name, snapshot)).catch(() => undefined);
		}, DRAFT_DELAY_MS);
		this.#waiting = timer;
		return () => clearTimeout(timer);
	}

	/** Shows errors found before submitting (a clash seen on the device, say). */
	refuse(errors: FormErrors): void {
		this.#errors = errors;
		if (typeof window !== 'undefined') window.scrollTo({ top: 0, behavior: 'smooth' });
	}

	/**
	 * Runs `attempt` unless one is already running; on errors shows them and returns false; on
	 * success clears them, drops the draft, runs `then` (move on) and returns true. A write refused
	 * because the phone is full is one more error to show (the form and its draft stay as they are,
	 * so "Lưu" works again once space is freed).
	 */
	async submit(attempt: () => Promise<FormAttempt>, then?: () => Promise<unknown>): Promise<boolean> {
		if (this.#busy) return false;
		this.#busy = true;
		try {
			let result: FormAttempt;
			try {
				result = await attempt();
			} catch (error) {
				if (!isStorageFullError(error)) throw error;
				result = { ok: false, errors: { form: STORAGE_FULL_MESSAGE } };
			}
			if (!result.ok) {
				this.refuse(result.errors);
				return false;
			}
			this.#errors = {};
			await this.discard();
			await then?.();
			return true;
		} finally {
			this.#busy = false;
		}
	}

	/** Ends the form without saving it: the draft goes. */
	async discard(): Promise<void> {
		this.#keeping = false;
		clearTimeout(this.#waiting);
		await this.#writing;
		const name = this.#draft?.();
		if (name) await clearDraft(name);
	}
}
