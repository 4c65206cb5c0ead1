import { LiveQuery } from '$lib/data/read-model/live-query.svelte';
import { unitNames } from '$lib/data/queries/members';
import { session } from './session.svelte';

/**
 * Which of the device's units a screen works on: the account's own until the secretary picks a
 * pinned one, with every unit's name for the picker. Create it while a component initialises.
 */
export class UnitChoice {
	#chosen = $state('');
	readonly #names = new LiveQuery({
		input: () => session.dbs,
		query: unitNames,
		// Each query run answers a whole new map; nothing mutates one in place.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		initial: new Map<string, string>() as ReadonlyMap<string, string>
	});

	/** The chosen unit's database, or the account's own ('' before sign-in). */
	get db(): string {
		return this.#chosen || session.info?.unit.db || '';
	}
	set db(db: string) {
		this.#chosen = db;
	}

	/** Every unit database on the device with its unit's name, for a picker. */
	get options(): { value: string; label: string }[] {
		const names = this.#names.current;
		return session.dbs.map((db) => ({ value: db, label: names.get(db) ?? db }));
	}
}
