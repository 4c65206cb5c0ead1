import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';

// Half-filled forms survive the app being closed, a reload or a dead battery: kept on the device only.

const key = (name: string) => `draft:${name}`;

export function loadDraft<T>(name: string): Promise<T | undefined> {
	return getSetting<T>(key(name));
}

export function saveDraft(name: string, value: unknown): Promise<void> {
	return putSetting(key(name), value);
}

export async function clearDraft(name: string): Promise<void> {
	await deviceDb.settings.delete(key(name));
}
