import Dexie from 'dexie';
import {
	fold,
	foldWords,
	rankMemberMatch,
	upgradeMemberDoc,
	type MemberDoc,
	type MemberStatus
} from '$lib/domain';
import { localDb } from './pouch';
import { readModel, type BranchRow, type MemberRow } from './read-model';

// The screens read the Dexie read model: instant over tens of thousands of members. Lists return
// pages, never unbounded arrays.

export type AgeBand = '' | 'under-18' | '18-24' | '25-30' | 'over-30';

export interface MemberFilters {
	status?: MemberStatus | '';
	branchId?: string;
	minority?: boolean;
	ageBand?: AgeBand;
}

export interface MemberPage {
	rows: MemberRow[];
	total: number;
	offset: number;
}

function isoYearsBefore(today: string, years: number): string {
	const [y, m, d] = today.split('-');
	return `${Number(y) - years}-${m}-${d}`;
}

/** Birth-date bounds (ISO, inclusive lower / exclusive upper) for an age band on `today`. */
export function ageBandRange(band: AgeBand, today: string): [string, string] | null {
	switch (band) {
		case 'under-18':
			return [isoYearsBefore(today, 18), '9999-12-31'];
		case '18-24':
			return [isoYearsBefore(today, 25), isoYearsBefore(today, 18)];
		case '25-30':
			return [isoYearsBefore(today, 31), isoYearsBefore(today, 25)];
		case 'over-30':
			return ['0000-01-01', isoYearsBefore(today, 31)];
		default:
			return null;
	}
}

function matchesFilters(row: MemberRow, filters: MemberFilters, today: string): boolean {
	if (filters.status && row.status !== filters.status) return false;
	if (filters.branchId && row.branchId !== filters.branchId) return false;
	if (filters.minority !== undefined && row.minority !== (filters.minority ? 1 : 0)) return false;
	const range = filters.ageBand ? ageBandRange(filters.ageBand, today) : null;
	if (range) {
		const [from, to] = range;
		if (row.birthDate <= from || row.birthDate > to) return false;
	}
	return true;
}

const DIGITS = /^[+\d][\d\s.]*$/;

export async function searchMembers(options: {
	dbs: string[];
	query?: string;
	filters?: MemberFilters;
	offset?: number;
	limit?: number;
	today: string;
}): Promise<MemberPage> {
	const { dbs, filters = {}, offset = 0, limit = 50, today } = options;
	const query = (options.query ?? '').trim();
	const inScope = (row: MemberRow) =>
		dbs.includes(row.db) && matchesFilters(row, filters, today);

	if (!query) {
		// Walk the [db+sortKey] index: already in Vietnamese name order, no sort in memory.
		const collections = dbs.map((db) =>
			readModel.members
				.where('[db+sortKey]')
				.between([db, Dexie.minKey], [db, Dexie.maxKey])
				.filter(inScope)
		);
		if (collections.length === 1) {
			const only = collections[0]!;
			const [total, rows] = await Promise.all([
				only.clone().count(),
				only.offset(offset).limit(limit).toArray()
			]);
			return { rows, total, offset };
		}
		const all = (await Promise.all(collections.map((c) => c.toArray())))
			.flat()
			.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
		return { rows: all.slice(offset, offset + limit), total: all.length, offset };
	}

	let candidates: MemberRow[];
	const compact = query.replace(/[\s.]/g, '');
	if (DIGITS.test(query) && compact.length >= 3) {
		// Citizen id, phone or card number.
		const phone = compact.startsWith('+84') ? '0' + compact.slice(3) : compact;
		const [byId, byPhone, byCard] = await Promise.all([
			readModel.members.where('citizenId').startsWith(compact).toArray(),
			readModel.members.where('phone').startsWith(phone).toArray(),
			readModel.members.where('cardNumber').startsWith(compact).toArray()
		]);
		const seen = new Map<string, MemberRow>();
		for (const row of [...byId, ...byPhone, ...byCard]) seen.set(row.id, row);
		candidates = [...seen.values()].filter(inScope);
		candidates.sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
	} else {
		const words = foldWords(query);
		if (words.length === 0) return { rows: [], total: 0, offset };
		// The longest word narrows the index lookup most; the others are checked on the rows.
		const pivot = [...words].sort((a, b) => b.length - a.length)[0]!;
		const rows = await readModel.members.where('nameWords').startsWith(pivot).distinct().toArray();
		const ranked: { row: MemberRow; rank: number }[] = [];
		const folded = fold(query);
		for (const row of rows) {
			if (!inScope(row)) continue;
			if (!words.every((w) => row.nameWords.some((nw) => nw.startsWith(w)))) continue;
			const rank = rankMemberMatch({ member: row, query: folded });
			ranked.push({ row, rank: rank ?? 3 });
		}
		ranked.sort((a, b) => a.rank - b.rank || (a.row.sortKey < b.row.sortKey ? -1 : 1));
		candidates = ranked.map((r) => r.row);
	}
	return { rows: candidates.slice(offset, offset + limit), total: candidates.length, offset };
}

/** The full record, from PouchDB (the read model holds only what lists need). */
export async function getMember(options: {
	db: string;
	id: string;
}): Promise<(MemberDoc & { _conflicts?: string[] }) | null> {
	try {
		const doc = await localDb(options.db).get(options.id, { conflicts: true });
		const member = upgradeMemberDoc(doc) as MemberDoc & { _conflicts?: string[] };
		member._conflicts = (doc as { _conflicts?: string[] })._conflicts;
		return member;
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

export function listBranches(dbs: string[]): Promise<BranchRow[]> {
	return readModel.branches
		.where('db')
		.anyOf(dbs)
		.toArray()
		.then((rows) => rows.sort((a, b) => a.name.localeCompare(b.name, 'vi')));
}

export async function countMembers(dbs: string[]): Promise<number> {
	return readModel.members.where('db').anyOf(dbs).count();
}

/**
 * Everything the profile screen shows. Reading the member's read-model row first makes a
 * watchQuery re-run this whenever sync or another screen changes the member.
 */
export async function memberProfile(options: { id: string; fallbackDb: string }) {
	const row = await readModel.members.get(options.id);
	const db = row?.db ?? options.fallbackDb;
	const member = await getMember({ db, id: options.id });
	const [branch, unit] = await Promise.all([
		member?.branchId ? readModel.branches.get(member.branchId) : undefined,
		readModel.units.get(db)
	]);
	return { member, db, branchName: branch?.name ?? '', unitName: unit?.name ?? '' };
}

/** The unit names of the databases on this device, for lists that span several units. */
export async function unitNames(dbs: string[]): Promise<Map<string, string>> {
	const rows = await readModel.units.bulkGet(dbs);
	return new Map(rows.filter((r) => !!r).map((r) => [r!.db, r!.name]));
}
