import { Workbox } from 'workbox-window';

// The Workbox service worker precaches the app shell. A new deployment installs in the background and
// waits; the secretary chooses when to switch, so a half-filled form is never reloaded under her.

class AppUpdate {
	#available = $state(false);
	#dismissed = $state(false);
	#workbox: Workbox | null = null;
	/** The worker is active (its critical set is in). */
	#ready = false;
	#busy = false;
	/** An idle callback is already waiting to ask for the deferred files. */
	#asking = false;

	get available() {
		return this.#available && !this.#dismissed;
	}

	register() {
		if (this.#workbox || import.meta.env.DEV || !('serviceWorker' in navigator)) return;
		const wb = new Workbox('/sw.js');
		wb.addEventListener('waiting', () => (this.#available = true));
		void wb.register();
		this.#workbox = wb;
		// Once the worker is active (the screens used offline are in), the rest follows when the
		// page is idle and no sync is catching up: on a first visit, while she types her password.
		void navigator.serviceWorker.ready.then(() => {
			this.#ready = true;
			this.#askDeferred();
		});
		window.addEventListener('online', () => this.#askDeferred());
		// Installed apps stay open for days: look for a new version when the app comes back to front.
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible' && navigator.onLine) void wb.update();
		});
	}

	/**
	 * Whether the link is busy with a sync catching up (a first sync above all): the optional
	 * screens' files must not share 3G with it (docs/decisions/0024-offline-ready-and-progress.md).
	 * Busy pauses the worker's deferred download; free resumes it once the page is idle. Called by
	 * the app's layout as the sync engine's state changes.
	 */
	setLinkBusy(busy: boolean) {
		if (busy === this.#busy) return;
		this.#busy = busy;
		if (busy) void this.#post({ type: 'HOLD_DEFERRED' });
		else this.#askDeferred();
	}

	/**
	 * The worker installs first only what opens the app offline; the optional screens' files come
	 * when asked. Asked at every turn from busy to free (the worker skips what it already holds).
	 */
	#askDeferred() {
		if (!this.#ready || this.#busy || this.#asking) return;
		this.#asking = true;
		const ask = () => {
			this.#asking = false;
			if (!this.#busy) void this.#post({ type: 'FILL_DEFERRED' });
		};
		if ('requestIdleCallback' in window) requestIdleCallback(ask, { timeout: 2000 });
		else setTimeout(ask, 500);
	}

	/**
	 * To the active worker directly: on a first visit it may have been registered (and be
	 * installing) before Workbox was, and then Workbox's own `messageSW` never finds it.
	 */
	async #post(message: { type: string }) {
		const registration = await navigator.serviceWorker?.getRegistration();
		registration?.active?.postMessage(message);
	}

	apply() {
		const wb = this.#workbox;
		if (!wb) return;
		wb.addEventListener('controlling', () => window.location.reload());
		wb.messageSkipWaiting();
	}

	dismiss() {
		this.#dismissed = true;
	}
}

export const appUpdate = new AppUpdate();
