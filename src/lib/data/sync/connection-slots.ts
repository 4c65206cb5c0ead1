/**
 * A fixed number of turns shared by every unit database this device syncs. A browser keeps six
 * connections per server: a longpoll holds one for as long as nothing happens and a snapshot holds
 * one for the whole first sync, so a superior with forty pinned units must not let them take all
 * six (the others' requests would wait forever).
 */
export class Slots {
	#free: number;
	readonly #waiting: (() => void)[] = [];

	constructor(count: number) {
		this.#free = count;
	}

	tryAcquire(): boolean {
		if (this.#free === 0) return false;
		this.#free--;
		return true;
	}

	async acquire(signal: AbortSignal): Promise<void> {
		if (this.tryAcquire()) return;
		await new Promise<void>((resolve, reject) => {
			const grant = () => {
				signal.removeEventListener('abort', abort);
				resolve();
			};
			const abort = () => {
				const at = this.#waiting.indexOf(grant);
				if (at >= 0) this.#waiting.splice(at, 1);
				reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
			};
			signal.addEventListener('abort', abort, { once: true });
			this.#waiting.push(grant);
		});
	}

	release(): void {
		const next = this.#waiting.shift();
		if (next) next();
		else this.#free++;
	}
}

/** First-sync streams at once: enough to keep the link busy while one waits for the server. */
export const snapshotSlots = new Slots(3);
/** Units waiting on a longpoll at once; the others poll every POLL_MS. */
export const longpollSlots = new Slots(2);
export const POLL_MS = 30_000;

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', abort);
			resolve();
		}, ms);
		const abort = () => {
			clearTimeout(timer);
			reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
		};
		signal.addEventListener('abort', abort, { once: true });
	});
}
