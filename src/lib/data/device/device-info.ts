import { readModel, type OutboxEntry, type SyncLogEntry } from './read-model';

// What the account screen shows about this device's data.

export async function deviceSummary(dbs: string[]): Promise<{
	members: number;
	refused: OutboxEntry[];
	log: SyncLogEntry[];
}> {
	const [members, refused, log] = await Promise.all([
		readModel.members.where('db').anyOf(dbs).count(),
		readModel.outbox.filter((e) => !!e.refused).toArray(),
		readModel.syncLog.orderBy('id').reverse().limit(10).toArray()
	]);
	return { members, refused, log };
}
