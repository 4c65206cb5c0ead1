import type { MemberDoc } from '$lib/domain/member-schema';
import { memberConflict } from '$lib/data/sync/conflict-resolution';
import {
	buildTimeline,
	memberHistory,
	refusedForMember,
	type TimelineItem
} from './history';
import { getMember, listBranches } from './members';
import { deviceDb, type OutboxEntry } from '$lib/data/store/device-db';
import { getMemberRow, historyOfMember } from '$lib/data/read-model/member-store';

// Everything the member's profile shows, for a watchQuery. Dexie's liveQuery only notices the
// read-model reads made before the querier first awaits something else (PouchDB here), so every
// read-model read comes first: the member's row, its history rows, its refused documents, the
// branches. Then the truth is read from PouchDB. The profile is thus read again whenever sync or
// another screen changes the member, adds an entry (also one that leaves the member unchanged: a
// rating, its reversal), or the server refuses one of its documents.

export interface MemberProfile {
	db: string;
	member: (MemberDoc & { _conflicts?: string[] }) | null;
	unitName: string;
	branches: Map<string, string>;
	timeline: TimelineItem[];
	unreadable: string[];
	refused: OutboxEntry[];
	/** While two devices' edits wait to be merged: the merge so far and the fields to choose. */
	conflict: { merged: MemberDoc; fields: string[] } | null;
}

export async function memberProfile(options: {
	id: string;
	fallbackDb: string;
	login: string;
}): Promise<MemberProfile> {
	const { id } = options;
	const row = await getMemberRow(id);
	const db = row?.db ?? options.fallbackDb;
	const [, refused, branchRows, unit] = await Promise.all([
		// Read so that a new entry of this member runs the watched profile again (ids: history:<ulid>:…).
		historyOfMember(id),
		refusedForMember(id),
		listBranches([db]),
		deviceDb.units.get(db)
	]);
	const member = await getMember({ db, id });
	const history = member
		? await memberHistory({ db, memberId: id })
		: { entries: [], unreadable: [] };
	const merge = member?._conflicts?.length
		? await memberConflict({ db, id, login: options.login })
		: null;
	return {
		db,
		member,
		unitName: unit?.name ?? '',
		branches: new Map(branchRows.map((b) => [b.id, b.name])),
		timeline: member ? buildTimeline({ member, entries: history.entries }) : [],
		unreadable: history.unreadable,
		refused,
		conflict: merge
			? { merged: merge.merged, fields: merge.conflicts.map((c) => c.label) }
			: null
	};
}
