import { watchQuery } from './watch';

// How a screen keeps a list fresh: a LiveQuery, built on watchQuery (watch.ts, the one mechanism:
// Dexie's liveQuery). Screens read `.current`; they never subscribe by hand.

export interface LiveQueryOptions<T, I> {
	/**
	 * What the query depends on, read reactively (props, session, filters): the query starts over
	 * when it changes. Null or undefined: nothing to watch yet, `.current` keeps its last value.
	 */
	input?: () => I | null | undefined;
	/** The read-model query; called again whenever the tables it read change. */
	query: (input: I) => Promise<T>;
	/** `.current` until the first answer. */
	initial: T;
}

/**
 * A read-model query's latest answer, as `.current`. Create it while a component initialises (it
 * lives and stops with the component); `.current` keeps the previous answer while a new input's
 * first answer is on its way, so a list does not flash empty as the secretary types.
 */
export class LiveQuery<T, I = true> {
	#current: T;
	#loaded: boolean;

	constructor(options: LiveQueryOptions<T, I>) {
		this.#current = $state.raw(options.initial);
		this.#loaded = $state(false);
		const input = options.input ?? (() => true as I);
		$effect(() => {
			const value = input();
			if (value === null || value === undefined) return;
			return watchQuery({
				query: () => options.query(value),
				next: (answer) => {
					this.#current = answer;
					this.#loaded = true;
				}
			});
		});
	}

	get current(): T {
		return this.#current;
	}

	/** True once a first answer has come (`.current` is no longer the initial value). */
	get loaded(): boolean {
		return this.#loaded;
	}
}
