import { comingOfAgeList, type ComingOfAgeRow } from '$lib/domain/operations/coming-of-age';
import type { HistoryOf } from '$lib/domain/history-schema';
import type { MemberStatus } from '$lib/domain/member-statuses';
import type { UnionRules } from '$lib/domain/rules/table';
import { historyOfKind, reversedInDb } from './history';
import type { MemberRow } from '$lib/data/store/device-db';
import { membersOfDb } from '$lib/data/read-model/member-store';

// The unit-wide lists of the member operations, read from the read model so that they stay instant
// for a unit of thousands: who comes of age this year, who is on the rolls for a bulk act, the
// ratings and training results of a year.

/** A member row as the coming-of-age rules read it. */
export type AgeMember = MemberRow & {
	status: MemberStatus;
	unionPosition?: string;
	fullTimeUnionStaff?: boolean;
	staysUntil?: string;
};

/** The members on the rolls (active or transferring) of a unit database, in list order. */
export async function membersOnRolls(db: string): Promise<MemberRow[]> {
	const rows = await membersOfDb(db);
	return rows
		.filter((row) => row.status === 'active' || row.status === 'transferring')
		.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
}

/**
 * The coming-of-age list of a year (docs/domain.md §3): who turns 30 in it, who was already over before
 * it began, each with the exemption in force and whether to warn ahead of the birthday.
 */
export async function comingOfAgeRows(options: {
	db: string;
	year: number;
	today: string;
	rules?: UnionRules;
}): Promise<ComingOfAgeRow<AgeMember>[]> {
	const active = (await membersOfDb(options.db)).filter(
		(row) => row.status === 'active'
	) as AgeMember[];
	return comingOfAgeList({
		members: active,
		year: options.year,
		today: options.today,
		rules: options.rules
	});
}

/** Entries of a kind in force in a year, by member (the latest one when a member has several). */
async function inForceByMember<K extends 'rating' | 'training-registration' | 'training-score'>(
	db: string,
	kind: K,
	year: number
): Promise<Map<string, HistoryOf<K>[]>> {
	const [rows, reversed] = await Promise.all([
		historyOfKind({ db, kind, year }),
		reversedInDb(db)
	]);
	const byMember = new Map<string, HistoryOf<K>[]>();
	for (const row of rows) {
		if (reversed.has(row.id)) continue;
		const list = byMember.get(row.memberId) ?? [];
		list.push(row.entry as HistoryOf<K>);
		byMember.set(row.memberId, list);
	}
	return byMember;
}

/** The ratings in force of a year, by member. */
export function ratingsOfYear(options: { db: string; year: number }) {
	return inForceByMember(options.db, 'rating', options.year);
}

/** The training registrations and scores in force of a year, by member. */
export async function trainingOfYear(options: { db: string; year: number }) {
	const [registrations, scores] = await Promise.all([
		inForceByMember(options.db, 'training-registration', options.year),
		inForceByMember(options.db, 'training-score', options.year)
	]);
	return { registrations, scores };
}
