import { deviceDb, type OutboxEntry, type SyncLogEntry } from '$lib/data/store/device-db';
import { isUserChange } from '$lib/data/sync/outbox';
import { countMembersOf } from '$lib/data/read-model/member-store';

// What the account screen shows about this device's data.

export interface DeviceSummary {
	/** Member rows of this device's databases in the read model. */
	members: number;
	/** What the server refused, to show the secretary. */
	refused: OutboxEntry[];
	/** The last ten syncs. */
	log: SyncLogEntry[];
}

export const EMPTY_DEVICE_SUMMARY: DeviceSummary = { members: 0, refused: [], log: [] };

export async function deviceSummary(dbs: string[]): Promise<DeviceSummary> {
	const [members, refused, log] = await Promise.all([
		countMembersOf(dbs),
		deviceDb.outbox.filter((e) => !!e.refused && isUserChange(e)).toArray(),
		deviceDb.syncLog.orderBy('id').reverse().limit(10).toArray()
	]);
	return { members, refused, log };
}
