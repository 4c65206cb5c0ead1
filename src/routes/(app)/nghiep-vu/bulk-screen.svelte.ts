import type { OperationEntry } from '$lib/domain';
import { session } from '$lib/data/session/session.svelte';
import { LiveQuery } from '$lib/data/read-model/live-query.svelte';
import { unitNames } from '$lib/data/queries/members';
import type { BulkAct } from '$lib/data/queries/history';
import { prepareBulkOperation, prepareBulkUndo } from '$lib/data/commands/bulk-operations';
import { BulkFlow } from '$lib/data/commands/bulk-flow.svelte';

// What the bulk screens (trưởng thành, xếp loại, rèn luyện) share around their own lists: the unit
// chosen among the account's units, the members ticked, the act prepared from the operation's
// catalogue entry then confirmed, and the undo of a whole act with its reason. Created while a
// screen initialises (it watches the units' names for the unit choice).

export class BulkScreen<I> {
	#chosenDb = $state('');
	readonly db = $derived(this.#chosenDb || session.info?.unit.db || '');
	readonly #units = new LiveQuery({
		input: () => session.dbs,
		query: (dbs: readonly string[]) => unitNames([...dbs]),
		// Replaced whole by each answer of the query, never changed in place.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		initial: new Map() as ReadonlyMap<string, string>
	});
	selected = $state<Record<string, boolean>>({});
	readonly flow = new BulkFlow();
	readonly undoFlow = new BulkFlow();
	/** The act whose undo is being asked for. */
	undoing = $state<BulkAct | null>(null);
	undoError = $state<string | undefined>(undefined);

	constructor(readonly operation: OperationEntry<I>) {}

	/** The names of the account's units on this device, for the unit choice. */
	get units(): ReadonlyMap<string, string> {
		return this.#units.current;
	}

	chooseDb(db: string) {
		this.#chosenDb = db;
	}

	/** Ticks (or unticks) every listed member. */
	select(memberIds: readonly string[], value: boolean) {
		for (const id of memberIds) this.selected[id] = value;
	}

	/** Plans the act for the chosen members: the confirmation dialog, or the input's errors. */
	async prepare(memberIds: readonly string[], input: I) {
		const info = session.info;
		if (!info) return;
		await this.flow.prepare(() =>
			prepareBulkOperation({
				db: this.db,
				actor: { login: info.user.login },
				memberIds,
				operation: this.operation,
				input
			})
		);
	}

	async confirm() {
		if (await this.flow.confirm()) this.selected = {};
	}

	askUndo(act: BulkAct) {
		this.undoError = undefined;
		this.undoing = act;
	}

	async undo(reason: string) {
		const info = session.info;
		const act = this.undoing;
		if (!info || !act) return;
		await this.undoFlow.prepare(() =>
			prepareBulkUndo({
				db: this.db,
				actor: { login: info.user.login },
				bulkId: act.bulkId,
				reason,
				action: this.operation.bulk?.action ?? this.operation.title
			})
		);
		this.undoError = this.undoFlow.fieldErrors.reason;
		if (this.undoFlow.prepared) {
			await this.undoFlow.confirm();
			this.undoing = null;
		}
	}
}
