import { Workbox } from 'workbox-window';

// The Workbox service worker precaches the app shell. A new deployment installs in the background and
// waits; the secretary chooses when to switch, so a half-filled form is never reloaded under her.

class AppUpdate {
	#available = $state(false);
	#dismissed = $state(false);
	#workbox: Workbox | null = null;
	#deferredAsked = false;

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
		// page is idle: on a first visit that is while she types her password.
		void navigator.serviceWorker.ready.then(() => this.fillDeferred());
		// Installed apps stay open for days: look for a new version when the app comes back to front.
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible' && navigator.onLine) void wb.update();
		});
	}

	/**
	 * The worker installs first only what opens the app offline; the optional screens' files come
	 * once it is active and the page idle (docs/decisions/0024-offline-ready-and-progress.md).
	 * Asked once per opening; the worker skips what it already holds.
	 */
	fillDeferred() {
		if (this.#deferredAsked || !this.#workbox) return;
		this.#deferredAsked = true;
		const ask = () => void this.#workbox?.messageSW({ type: 'FILL_DEFERRED' }).catch(() => {});
		if ('requestIdleCallback' in window) requestIdleCallback(ask, { timeout: 2000 });
		else setTimeout(ask, 500);
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
