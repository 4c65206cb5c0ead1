import {
	ageBandRange,
	fold,
	foldWords,
	parseSearchQuery,
	rankMemberMatch,
	upgradeMemberDoc,
	type AgeBand,
	type MemberDoc,
	type MemberStatus
} from '$lib/domain';
import {
	dependOnMemberRows,
	memberSearchIndex,
	membersWithNumber,
	pageRows,
	type IndexPage
} from '$lib/data/read-model/search-index';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb, type BranchRow, type MemberRow } from '$lib/data/store/device-db';
import { countMembersOf, getMemberRow } from '$lib/data/read-model/member-store';

// The screens read the Dexie read model: instant over tens of thousands of members. Lists return
// pages, never unbounded arrays.

// The age bands are the domain's rule; the list screen and its tests still import them from here.
export { ageBandRange, type AgeBand };

export interface MemberFilters {
	status?: MemberStatus | '';
	branchId?: string;
	minority?: boolean;
	ageBand?: AgeBand;
}

export interface MemberListPage {
	rows: MemberRow[];
	total: number;
	offset: number;
}

type FilteredColumns = Pick<MemberRow, 'status' | 'branchId' | 'minority' | 'birthDate'>;

/** The screen's filters as a test of a row (or of the search index's copy of its columns). */
function filterTest(filters: MemberFilters, today: string): (row: FilteredColumns) => boolean {
	const range = filters.ageBand ? ageBandRange(filters.ageBand, today) : null;
	const minority = filters.minority === undefined ? undefined : filters.minority ? 1 : 0;
	return (row) => {
		if (filters.status && row.status !== filters.status) return false;
		if (filters.branchId && row.branchId !== filters.branchId) return false;
		if (minority !== undefined && row.minority !== minority) return false;
		if (range) {
			const [from, to] = range;
			if (row.birthDate <= from || row.birthDate > to) return false;
		}
		return true;
	};
}

const DIGITS = /^[+\d][\d\s.]*$/;

/**
 * A page of members of `dbs`: all of them in name order without a query; by citizen id, phone or
 * card number for digits; else those whose name words the query words start, ranked
 * (rankMemberMatch) then in name order. Names and numbers are searched in memory
 * (read-model/search-index.ts); only the page's rows are read from IndexedDB.
 */
export async function searchMembers(options: {
	dbs: string[];
	query?: string;
	filters?: MemberFilters;
	offset?: number;
	limit?: number;
	today: string;
}): Promise<MemberListPage> {
	const { dbs, filters = {}, offset = 0, limit = 50, today } = options;
	const query = (options.query ?? '').trim();
	const keep = filterTest(filters, today);
	// The index answers from memory: this makes a live query run this again after any write to the
	// member rows, as it did when it read them.
	const watched = dependOnMemberRows();
	const answer = async (page: IndexPage): Promise<MemberListPage> => {
		await watched;
		return { rows: await pageRows(page.ids), total: page.total, offset };
	};

	if (!query) {
		return answer((await memberSearchIndex()).list({ dbs, keep, offset, limit }));
	}

	const compact = query.replace(/[\s.]/g, '');
	if (DIGITS.test(query) && compact.length >= 3) {
		// Citizen id, phone or card number.
		const phone = compact.startsWith('+84') ? '0' + compact.slice(3) : compact;
		await watched;
		const found = await membersWithNumber({
			citizenId: compact,
			phone,
			cardNumber: compact,
			match: 'startsWith'
		});
		// In name order already (the index's order).
		const candidates = found.filter((row) => dbs.includes(row.db) && keep(row));
		return { rows: candidates.slice(offset, offset + limit), total: candidates.length, offset };
	}

	const words = foldWords(query);
	if (words.length === 0) return answer({ ids: [], total: 0 });
	const index = await memberSearchIndex();
	const folded = fold(query);
	const parsed = parseSearchQuery(folded);
	if (parsed.digits === null && parsed.cardNumber === null) {
		return answer(index.findByName({ dbs, words, keep, offset, limit }));
	}
	// rankMemberMatch also reads this query as a number ("091-234-5678", "ab123"): it ranks on the
	// member's numbers too, so the few name matches are ranked on their whole rows.
	await watched;
	const matches = await pageRows(index.allByName({ dbs, words, keep }).map((m) => m.id));
	const ranked = matches.map((row, order) => ({
		row,
		order,
		rank: rankMemberMatch({ member: row, query: folded }) ?? 3
	}));
	ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
	const rows = ranked.slice(offset, offset + limit).map((r) => r.row);
	return { rows, total: ranked.length, offset };
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

/** The branches of `dbs` by name; with `open`, only those that take members (not merged or closed). */
export function listBranches(dbs: string[], options: { open?: boolean } = {}): Promise<BranchRow[]> {
	return deviceDb.branches
		.where('db')
		.anyOf(dbs)
		.toArray()
		.then((rows) =>
			rows
				.filter((row) => !options.open || !row.closed)
				.sort((a, b) => a.name.localeCompare(b.name, 'vi'))
		);
}

export async function countMembers(dbs: string[]): Promise<number> {
	return countMembersOf(dbs);
}

/**
 * Everything the profile screen shows. Reading the member's read-model row first makes a
 * watchQuery re-run this whenever sync or another screen changes the member.
 */
export async function memberProfile(options: { id: string; fallbackDb: string }) {
	const row = await getMemberRow(options.id);
	const db = row?.db ?? options.fallbackDb;
	const member = await getMember({ db, id: options.id });
	const [branch, unit] = await Promise.all([
		member?.branchId ? deviceDb.branches.get(member.branchId) : undefined,
		deviceDb.units.get(db)
	]);
	return { member, db, branchName: branch?.name ?? '', unitName: unit?.name ?? '' };
}

/** The unit names of the databases on this device, for lists that span several units. */
export async function unitNames(dbs: string[]): Promise<Map<string, string>> {
	const rows = await deviceDb.units.bulkGet(dbs);
	return new Map(rows.filter((r) => !!r).map((r) => [r!.db, r!.name]));
}
