import {
	HistoryDocError,
	reversedIds,
	sortHistory,
	upgradeHistoryDoc,
	type HistoryDoc
} from '$lib/domain/history-schema';
import { DECISION_KINDS } from '$lib/domain/decision-format';
import type { MemberDoc } from '$lib/domain/member-schema';
import { reversalRefusal } from '$lib/domain/operations/reversal';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb, type HistoryRow, type OutboxEntry } from '$lib/data/store/device-db';
import { historyOfBulk, historyOfDb } from '$lib/data/read-model/member-store';

// A member's history (docs/design.md §2: every operation is its own immutable document) as the screens
// read it. A member's own timeline comes from PouchDB, the truth, by `_id` range; unit-wide lists
// (ratings of a year, bulk acts, transfers) come from the read model.

function memberUlid(memberId: string): string {
	return memberId.startsWith('member:') ? memberId.slice('member:'.length) : memberId;
}

/** The `_id` range of one member's history entries. */
export function historyRange(memberId: string): { startkey: string; endkey: string } {
	const prefix = `history:${memberUlid(memberId)}:`;
	return { startkey: prefix, endkey: `${prefix}\ufff0` };
}

export interface MemberHistory {
	/** In timeline order: by effective date, then by creation. */
	entries: HistoryDoc[];
	/** Entries this version of the app cannot read (written by a newer one): named, not hidden. */
	unreadable: string[];
}

export async function memberHistory(options: {
	db: string;
	memberId: string;
}): Promise<MemberHistory> {
	const res = await localDb(options.db).allDocs({
		...historyRange(options.memberId),
		include_docs: true
	});
	const entries: HistoryDoc[] = [];
	const unreadable: string[] = [];
	for (const row of res.rows) {
		if (!row.doc) continue;
		try {
			entries.push(upgradeHistoryDoc(row.doc));
		} catch (error) {
			unreadable.push(error instanceof HistoryDocError ? error.message : row.id);
		}
	}
	return { entries: sortHistory(entries), unreadable };
}

/** One line of the profile's timeline. */
export interface TimelineItem {
	entry: HistoryDoc;
	/** A later reversal undid this entry. */
	reversedBy: HistoryDoc | null;
	/** Why it cannot be reversed now; null when "Hoàn tác" is offered. */
	reversalRefusal: string | null;
	/** The entry has a decision this app can print. */
	printable: boolean;
}

/** The timeline newest first, each entry with what the screen offers for it. */
export function buildTimeline(options: {
	member: MemberDoc;
	entries: readonly HistoryDoc[];
}): TimelineItem[] {
	const { member, entries } = options;
	const reversals = new Map<string, HistoryDoc>();
	for (const entry of entries) if (entry.reverses) reversals.set(entry.reverses, entry);
	const done = reversedIds(entries);
	return [...entries].reverse().map((entry) => ({
		entry,
		reversedBy: reversals.get(entry._id) ?? null,
		reversalRefusal: done.has(entry._id)
			? 'Nghiệp vụ này đã được hủy.'
			: reversalRefusal({ member, entry, history: entries }),
		printable: entry.decision !== undefined && DECISION_KINDS.includes(entry.kind)
	}));
}

/** Entries of one kind in a unit database (read model), optionally of one year. */
export async function historyOfKind(options: {
	db: string;
	kind: HistoryDoc['kind'];
	year?: number;
}): Promise<HistoryRow[]> {
	const rows = await historyOfDb({ db: options.db, kinds: [options.kind] });
	return options.year === undefined ? rows : rows.filter((row) => row.year === options.year);
}

/** Ids of the entries of a unit database that a reversal has undone. */
export async function reversedInDb(db: string): Promise<Set<string>> {
	const rows = await historyOfDb({ db, kinds: ['reversal'] });
	return new Set(rows.map((row) => row.reverses).filter((id): id is string => !!id));
}

/** A bulk act (coming-of-age ceremony, ratings, training registration) as recorded. */
export interface BulkAct {
	bulkId: string;
	kind: HistoryDoc['kind'];
	at: string;
	createdAt: string;
	createdBy: string;
	/** Entries the act wrote. */
	count: number;
	/** Of those, the ones not reversed since. */
	inForce: number;
	decision?: HistoryDoc['decision'];
}

/** Entries by bulk act, then id: an act's first entry (what describes it) as before packing. */
function byBulkId(a: HistoryRow, b: HistoryRow): number {
	const byAct = (a.bulkId ?? '').localeCompare(b.bulkId ?? '');
	return byAct || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The bulk acts recorded in a unit database, newest first (undo acts excluded). */
export async function bulkActs(options: {
	db: string;
	kind?: HistoryDoc['kind'];
}): Promise<BulkAct[]> {
	const [rows, reversed] = await Promise.all([
		historyOfDb({ db: options.db }).then((all) =>
			all.filter((row) => row.kind !== 'reversal' && row.bulkId).sort(byBulkId)
		),
		reversedInDb(options.db)
	]);
	const acts = new Map<string, BulkAct>();
	for (const row of rows) {
		if (!row.bulkId || (options.kind && row.kind !== options.kind)) continue;
		let act = acts.get(row.bulkId);
		if (!act) {
			act = {
				bulkId: row.bulkId,
				kind: row.entry.kind,
				at: row.at,
				createdAt: row.entry.createdAt,
				createdBy: row.entry.createdBy,
				count: 0,
				inForce: 0,
				...(row.entry.decision ? { decision: row.entry.decision } : {})
			};
			acts.set(row.bulkId, act);
		}
		act.count++;
		if (!reversed.has(row.id)) act.inForce++;
	}
	return [...acts.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The entries of one bulk act (read model). */
export async function entriesOfBulk(options: { db: string; bulkId: string }): Promise<HistoryRow[]> {
	const rows = await historyOfBulk(options.bulkId);
	return rows.filter((row) => row.db === options.db && row.kind !== 'reversal');
}

/**
 * What the server refused of this member's documents at sync (the member itself or its history
 * entries), with the server's reason: shown on the profile so nothing is lost without a word.
 */
export async function refusedForMember(memberId: string): Promise<OutboxEntry[]> {
	const [own, entries] = await Promise.all([
		deviceDb.outbox.get(memberId),
		deviceDb.outbox.where('docId').startsWith(historyRange(memberId).startkey).toArray()
	]);
	return [...(own ? [own] : []), ...entries].filter((entry) => !!entry.refused);
}
