import { deviceDb, type OutboxEntry, type SyncLogEntry } from '$lib/data/store/device-db';

// What the account screen shows about this device's data.

export async function deviceSummary(dbs: string[]): Promise<{
	members: number;
	refused: OutboxEntry[];
	log: SyncLogEntry[];
}> {
	const [members, refused, log] = await Promise.all([
		deviceDb.members.where('db').anyOf(dbs).count(),
		deviceDb.outbox.filter((e) => !!e.refused).toArray(),
		deviceDb.syncLog.orderBy('id').reverse().limit(10).toArray()
	]);
	return { members, refused, log };
}
