import {
	isMemberStatus,
	isOnRolls,
	upgradeBranchDoc,
	type BranchDoc,
	type MemberStatus
} from '$lib/domain';
import { localDb } from '$lib/data/store/pouch';
import { deviceDb, type BranchRow, type MemberRow } from '$lib/data/store/device-db';
import { membersOfBranch, membersOfDb, membersOfDbs } from '$lib/data/read-model/member-store';

// What the branch screens read. The branch documents themselves come from PouchDB (the truth: a
// unit has a few dozen at most, and the read model keeps only their names); member counts come from
// the read model's member rows. Each query first reads the read model's branch table, so a
// watchQuery runs it again whenever sync or this device changes a branch or a member.

/** Every branch of `db` as stored, current shape; unreadable documents are skipped. */
export async function loadBranches(db: string): Promise<BranchDoc[]> {
	const res = await localDb(db).allDocs({
		startkey: 'branch:',
		endkey: 'branch:\ufff0',
		include_docs: true
	});
	const branches: BranchDoc[] = [];
	for (const row of res.rows) {
		if (!row.doc) continue;
		try {
			branches.push(upgradeBranchDoc(row.doc));
		} catch (error) {
			console.warn('Bỏ qua chi đoàn không đọc được', row.id, error);
		}
	}
	return branches;
}

/** One branch as stored, or null. */
export async function loadBranch(options: { db: string; id: string }): Promise<BranchDoc | null> {
	try {
		return upgradeBranchDoc(await localDb(options.db).get(options.id));
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

export interface BranchSummary {
	branch: BranchDoc;
	/** Members on the rolls (active, or with a transfer pending). */
	onRolls: number;
	/** The name of the branch it merged into, when it did. */
	mergedIntoName?: string;
}

function byName(a: { name: string }, b: { name: string }): number {
	return a.name.localeCompare(b.name, 'vi', { numeric: true });
}

async function membersOf(db: string): Promise<Pick<MemberRow, 'branchId' | 'status'>[]> {
	const rows: Pick<MemberRow, 'branchId' | 'status'>[] = [];
	for (const row of await membersOfDb(db)) rows.push({ branchId: row.branchId, status: row.status });
	return rows;
}

/** The unit's branches with how many members each has on the rolls: open ones first, by name. */
export async function branchSummaries(db: string): Promise<BranchSummary[]> {
	await deviceDb.branches.where('db').equals(db).count();
	const [branches, members] = await Promise.all([loadBranches(db), membersOf(db)]);
	const counts = new Map<string, number>();
	for (const row of members) {
		if (isMemberStatus(row.status) && isOnRolls(row.status)) {
			counts.set(row.branchId, (counts.get(row.branchId) ?? 0) + 1);
		}
	}
	const names = new Map(branches.map((b) => [b._id, b.name]));
	return branches
		.map((branch) => ({
			branch,
			onRolls: counts.get(branch._id) ?? 0,
			...(branch.mergedInto ? { mergedIntoName: names.get(branch.mergedInto) ?? '' } : {})
		}))
		.sort(
			(a, b) =>
				Number(a.branch.status !== 'active') - Number(b.branch.status !== 'active') ||
				byName(a.branch, b.branch)
		);
}

/** Members of the unit on the rolls without a branch ("Chưa xếp chi đoàn"). */
export async function unplacedCount(db: string): Promise<number> {
	const members = await membersOf(db);
	return members.filter(
		(row) => !row.branchId && isMemberStatus(row.status) && isOnRolls(row.status)
	).length;
}

export interface BranchDetail {
	summary: BranchSummary;
	/** Its members on the rolls, in list order. */
	members: MemberRow[];
	/** The unit's other open branches: where it may merge. */
	others: BranchDoc[];
}

/**
 * A branch with its members and the branches it may merge into; null when unknown here. Its
 * database is the read model's (a pinned unit's branch opens too), else `fallbackDb`.
 */
export async function branchDetail(options: {
	id: string;
	fallbackDb: string;
}): Promise<(BranchDetail & { db: string }) | null> {
	const row = await deviceDb.branches.get(options.id);
	const db = row?.db ?? options.fallbackDb;
	const detail = await detailIn({ db, id: options.id });
	return detail && { ...detail, db };
}

async function detailIn(options: { db: string; id: string }): Promise<BranchDetail | null> {
	const summaries = await branchSummaries(options.db);
	const summary = summaries.find((s) => s.branch._id === options.id);
	if (!summary) return null;
	const rows = await membersOfBranch(options.id);
	const members = rows
		.filter((row) => row.db === options.db && isMemberStatus(row.status) && isOnRolls(row.status))
		.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
	const others = summaries
		.map((s) => s.branch)
		.filter((b) => b._id !== options.id && b.status === 'active');
	return { summary, members, others };
}

export interface BranchFilterOption extends BranchRow {
	/** Members matching the roster's status filter ('' = any status). */
	count: number;
}

/**
 * The roster's branch filter: each branch with how many members match the chosen status. A branch
 * that merged or closed is listed only while some members (former ones, usually) still name it.
 */
export async function branchFilterOptions(options: {
	dbs: string[];
	status: MemberStatus | '';
}): Promise<BranchFilterOption[]> {
	const branches = await deviceDb.branches.where('db').anyOf(options.dbs).toArray();
	const counts = new Map<string, number>();
	for (const row of await membersOfDbs(options.dbs)) {
		if (options.status && row.status !== options.status) continue;
		counts.set(row.branchId, (counts.get(row.branchId) ?? 0) + 1);
	}
	return branches
		.map((row) => ({ ...row, count: counts.get(row.id) ?? 0 }))
		.filter((row) => !row.closed || row.count > 0)
		.sort(byName);
}
