import { incomingOffers } from '$lib/data/commands/transfer-offers';
import { comingOfAgeRows } from './unit-lists';
import { conflictedMembers } from '$lib/data/read-model/member-store';

// What is waiting in each unit-wide operation, for the operations screen's badges.

export interface WaitingWork {
	/** Members who come of age this year and are due to leave the Union. */
	due: number;
	/** Members to warn ahead of coming of age. */
	warned: number;
	/** Transfer offers into the unit not yet answered. */
	offers: number;
	/** Members with a conflict the secretary must choose, on every database of this device. */
	conflicts: number;
}

export async function waitingWork(options: {
	/** The account's own unit database. */
	db: string;
	/** Every unit database on this device. */
	dbs: readonly string[];
	/** Vietnam's today (ISO). */
	today: string;
}): Promise<WaitingWork> {
	const { db, dbs, today } = options;
	const [rows, offers, conflicts] = await Promise.all([
		comingOfAgeRows({ db, year: Number(today.slice(0, 4)), today }),
		incomingOffers(db),
		conflictedMembers()
	]);
	return {
		due: rows.filter((r) => r.due).length,
		warned: rows.filter((r) => r.warn).length,
		offers: offers.filter((o) => o.offer.state === 'pending').length,
		conflicts: conflicts.filter((m) => dbs.includes(m.db)).length
	};
}
