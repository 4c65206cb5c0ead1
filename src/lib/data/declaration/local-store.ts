// localStorage, read and written as JSON, that never throws: a phone in private mode or with a full
// storage still lets the member declare (what could not be kept lives in memory for this visit).

const memory = new Map<string, string>();

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}

export function readJson<T>(key: string): T | null {
	let text: string | null = null;
	try {
		text = storage()?.getItem(key) ?? null;
	} catch {
		text = null;
	}
	text ??= memory.get(key) ?? null;
	if (text === null) return null;
	try {
		return JSON.parse(text) as T;
	} catch {
		return null;
	}
}

/** Writes `value`; false when only memory holds it (it will not survive closing the tab). */
export function writeJson(key: string, value: unknown): boolean {
	const text = JSON.stringify(value);
	memory.set(key, text);
	try {
		const store = storage();
		if (!store) return false;
		store.setItem(key, text);
		return true;
	} catch {
		return false;
	}
}

export function removeKey(key: string): void {
	memory.delete(key);
	try {
		storage()?.removeItem(key);
	} catch {
		// Nothing kept there to remove.
	}
}

/** Every key starting with `prefix`, in storage and in memory. */
export function keysWithPrefix(prefix: string): string[] {
	const keys = new Set<string>();
	try {
		const store = storage();
		if (store) {
			for (let i = 0; i < store.length; i++) {
				const key = store.key(i);
				if (key?.startsWith(prefix)) keys.add(key);
			}
		}
	} catch {
		// Storage unreadable: memory only.
	}
	for (const key of memory.keys()) if (key.startsWith(prefix)) keys.add(key);
	return [...keys];
}
