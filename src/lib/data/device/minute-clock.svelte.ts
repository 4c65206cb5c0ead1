import { createSubscriber, SvelteDate } from 'svelte/reactivity';

// The time as screens show it when it moves ("còn 40 phút"): `current` is read reactively and
// changes once a minute while something on screen reads it; nothing ticks when nothing does.

export class MinuteClock {
	readonly #now = new SvelteDate();
	readonly #subscribe: () => void;

	constructor(stepMs = 60_000) {
		this.#subscribe = createSubscriber(() => {
			const timer = setInterval(() => this.#now.setTime(Date.now()), stepMs);
			return () => clearInterval(timer);
		});
	}

	/** Now, as of the last tick: read-only for callers (the screens' one clock). */
	get current(): Readonly<Date> {
		this.#subscribe();
		return this.#now;
	}
}
