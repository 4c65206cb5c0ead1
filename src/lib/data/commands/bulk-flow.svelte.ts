import type { OperationErrors } from '$lib/domain/operations/shared';
import { commitBulk, type BulkCommit, type PreparedBulk } from '$lib/data/commands/bulk-operations';

// The steps of a bulk act on a screen: prepare (every member's outcome and the confirmation
// sentence, nothing written), confirm or cancel, then the result — including who could not be done
// and why. The same for an undo of a whole act.

export class BulkFlow {
	#prepared = $state.raw<PreparedBulk | null>(null);
	#result = $state.raw<BulkCommit | null>(null);
	#busy = $state(false);
	#fieldErrors = $state.raw<OperationErrors>({});

	get prepared() {
		return this.#prepared;
	}
	get result() {
		return this.#result;
	}
	get busy() {
		return this.#busy;
	}
	get fieldErrors() {
		return this.#fieldErrors;
	}

	/** Plans the act; when the common input is wrong, its field errors instead of a dialog. */
	async prepare(make: () => Promise<PreparedBulk>): Promise<void> {
		this.#busy = true;
		this.#result = null;
		try {
			const prepared = await make();
			this.#fieldErrors = prepared.fieldErrors;
			this.#prepared = Object.keys(prepared.fieldErrors).length > 0 ? null : prepared;
		} finally {
			this.#busy = false;
		}
	}

	async confirm(): Promise<BulkCommit | null> {
		const prepared = this.#prepared;
		if (!prepared) return null;
		this.#busy = true;
		try {
			this.#result = await commitBulk(prepared);
			this.#prepared = null;
			return this.#result;
		} finally {
			this.#busy = false;
		}
	}

	cancel() {
		this.#prepared = null;
	}

	dismiss() {
		this.#result = null;
	}
}
