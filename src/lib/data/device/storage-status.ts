// The phone's storage for this app: whether the browser keeps it for good (persistent) or may
// clear it when the phone runs short of space, and how much is used and left. The numbers come
// from `navigator.storage.estimate()`, the browser's own estimate (it counts IndexedDB and the app's
// cached files together, and rounds).

export interface StorageStatus {
	/** null when this browser cannot say. */
	persisted: boolean | null;
	/** null when this browser gives no estimate. */
	usage: number | null;
	quota: number | null;
	/** Whether this browser can be asked to keep the data (`navigator.storage.persist`). */
	canPersist: boolean;
}

function storageManager(): StorageManager | undefined {
	return globalThis.navigator?.storage;
}

export async function readStorageStatus(): Promise<StorageStatus> {
	const storage = storageManager();
	const persisted = storage?.persisted ? await storage.persisted().catch(() => null) : null;
	const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
	return {
		persisted,
		usage: estimate?.usage ?? null,
		quota: estimate?.quota ?? null,
		canPersist: typeof storage?.persist === 'function'
	};
}

/**
 * Asks the browser to keep this app's data even when the phone runs short of space. Chrome on
 * Android answers by itself, without a prompt (yes for an installed app, a bookmarked or much-used
 * site); Firefox asks the user. Returns whether the data is now persistent.
 */
export async function askPersistentStorage(): Promise<boolean> {
	const storage = storageManager();
	if (!storage?.persist) return false;
	try {
		if (await storage.persisted()) return true;
		return await storage.persist();
	} catch {
		return false;
	}
}

/** Whether the app runs installed (from the home screen), not in a browser tab. */
export function runsInstalled(): boolean {
	const media = globalThis.matchMedia;
	return (
		(typeof media === 'function' && media('(display-mode: standalone)').matches) ||
		// iOS Safari's own flag for a home-screen app.
		(globalThis.navigator as { standalone?: boolean } | undefined)?.standalone === true
	);
}

let asked = false;

/**
 * Asks once per app start, and only when the app is installed (docs/data-layer.md, "Storage"): an
 * installed app is what Chrome grants without asking, and a prompt in a browser tab (Firefox) would
 * come before the secretary has decided to keep the app. In a tab the account screen offers the
 * request as a button instead.
 */
export async function askPersistentStorageIfInstalled(): Promise<void> {
	if (asked || !runsInstalled()) return;
	asked = true;
	await askPersistentStorage();
}
