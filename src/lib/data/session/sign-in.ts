import { apiRequest } from '$lib/data/online/api-client';
import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';
import { loadEngineChunk } from '$lib/data/sync/load-engine-chunk';
import { listPinned } from '$lib/data/device/pinned-units';
import { forgetAttachments } from '$lib/data/attachments/attachment-cache';

// Who is signed in on this device. The last SessionInfo is kept in Dexie so the app opens offline
// for weeks after one sign-in (docs/design.md §3); the server's device cookie lets sync resume without the
// password (docs/decisions/0005-sessions-and-devices.md).

export interface SessionInfo {
	user: { login: string; fullName: string; role: string; unitId: string };
	unit: { id: string; name: string; kind: string; db: string };
	device: { id: string };
	dbs: string[];
	mustChangePassword?: boolean;
}

const KEY = 'session';

export function cachedSession(): Promise<SessionInfo | undefined> {
	return getSetting<SessionInfo>(KEY);
}

async function remember(info: SessionInfo): Promise<SessionInfo> {
	const previous = await cachedSession();
	// Another account on this phone must not see the previous one's members.
	if (previous && previous.user.login !== info.user.login) await wipeDevice(previous.dbs);
	await putSetting(KEY, info);
	return info;
}

export async function signIn(options: { login: string; password: string }): Promise<SessionInfo> {
	const info = await apiRequest<SessionInfo>({
		method: 'POST',
		path: '/session',
		body: { login: options.login.trim().toLowerCase(), password: options.password }
	});
	return remember(info);
}

export async function setupFirstUnit(input: {
	unitName: string;
	unitKind: string;
	login: string;
	fullName: string;
	password: string;
}): Promise<SessionInfo> {
	const info = await apiRequest<SessionInfo>({ method: 'POST', path: '/setup', body: input });
	return remember(info);
}

export function needsSetup(): Promise<{ needsSetup: boolean }> {
	return apiRequest({ path: '/setup' });
}

/** Asks the server who we are; refreshes the cached session. Throws ApiError (status 0 offline). */
export async function refreshSession(): Promise<SessionInfo> {
	return remember(await apiRequest<SessionInfo>({ path: '/session' }));
}

export async function changePassword(options: {
	oldPassword: string;
	newPassword: string;
}): Promise<void> {
	await apiRequest({ method: 'POST', path: '/session/password', body: options });
	const cached = await cachedSession();
	if (cached) await putSetting(KEY, { ...cached, mustChangePassword: false });
}

/**
 * Removes every trace of the unit data from this device: PouchDB databases, the read model and the
 * kept mail attachments.
 */
export async function wipeDevice(dbs: string[]): Promise<void> {
	const pinned = (await listPinned()).map((p) => p.db);
	const { destroyLocalDbs } = await loadEngineChunk();
	await destroyLocalDbs([...new Set([...dbs, ...pinned])]);
	await Promise.all(deviceDb.tables.map((table) => table.clear()));
	// Mail attachments kept for offline opening go with the unit's data.
	await forgetAttachments().catch(() => undefined);
}

export async function signOut(): Promise<void> {
	const cached = await cachedSession();
	try {
		await apiRequest({ method: 'DELETE', path: '/session' });
	} catch {
		// Offline: the device cookie stays on the server until revoked, but this device forgets all.
	}
	await wipeDevice(cached?.dbs ?? []);
}
