import type { DecisionSubject, IssuingUnit } from '$lib/domain/decision-format';
import { upgradeHistoryDoc, type HistoryDoc } from '$lib/domain/history-schema';
import { upgradeMemberDoc, type MemberDoc } from '$lib/domain/member-schema';
import { compareMemberNames } from '$lib/domain/names';
import { entriesOfBulk } from './history';
import { unitIdOfDb } from '$lib/data/ids';
import { getUnit } from '$lib/data/online/org-api';
import { localDb } from '$lib/data/store/pouch';
import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';
import { historyOfBulk, historyOfDb } from '$lib/data/read-model/member-store';

// What the print pages need: the issuing unit as the national header names it (the unit, its
// direct superior, the place documents are dated in), and the members and entries a decision is
// about. The superior and the place come from the organisation API when online and are kept on the
// device, so printing works offline afterwards; the secretary can correct them on the page.

const headerKey = (db: string) => `print-header:${db}`;

interface StoredHeader {
	superiorName: string;
	place: string;
}

/** "Tỉnh đoàn Phú Thọ" → "Phú Thọ": the place a province's units date their documents in. */
export function placeOf(unitName: string): string {
	return unitName
		.replace(/^(tỉnh đoàn|thành đoàn)\s+/iu, '')
		.trim();
}

export async function issuingUnit(options: { db: string; name?: string }): Promise<IssuingUnit> {
	const unit = await deviceDb.units.get(options.db);
	const name = unit?.name || options.name || '';
	const stored = await getSetting<StoredHeader>(headerKey(options.db));
	if (stored) return { name, ...stored };
	try {
		const detail = await getUnit(unitIdOfDb(options.db));
		const superior = detail.ancestors.at(-1);
		// Documents are dated in the province; a unit outside any province leaves it to the user.
		const province = [...detail.ancestors, detail.unit].find((a) => a.kind === 'tinh-doan');
		const header = {
			superiorName: superior?.name ?? '',
			place: province ? placeOf(province.name) : ''
		};
		await putSetting(headerKey(options.db), header);
		return { name: detail.unit.name || name, ...header };
	} catch {
		return { name, superiorName: '', place: '' };
	}
}

export async function saveIssuingUnit(options: {
	db: string;
	superiorName: string;
	place: string;
}): Promise<void> {
	await putSetting(headerKey(options.db), {
		superiorName: options.superiorName.trim(),
		place: options.place.trim()
	});
}

async function branchName(id: string | undefined): Promise<string | undefined> {
	if (!id) return undefined;
	return (await deviceDb.branches.get(id))?.name;
}

async function member(db: string, id: string): Promise<MemberDoc | null> {
	try {
		return upgradeMemberDoc(await localDb(db).get(id));
	} catch {
		return null;
	}
}

/** One member's entry, for its decision or certificate. */
export async function printSubject(options: {
	db: string;
	memberId: string;
	entryId: string;
}): Promise<(DecisionSubject & { member: MemberDoc }) | null> {
	const [found, entryDoc] = await Promise.all([
		member(options.db, options.memberId),
		localDb(options.db)
			.get(options.entryId)
			.catch(() => null)
	]);
	if (!found || !entryDoc) return null;
	let entry: HistoryDoc;
	try {
		entry = upgradeHistoryDoc(entryDoc);
	} catch {
		return null;
	}
	return { member: found, entry, branchName: await branchName(found.branchId) };
}

/** Every member of a bulk act still in force, in list order, for one decision or many. */
export async function bulkSubjects(options: {
	db: string;
	bulkId: string;
}): Promise<(DecisionSubject & { member: MemberDoc })[]> {
	const rows = await entriesOfBulk(options);
	const reversed = new Set(
		(await historyOfDb({ db: options.db, kinds: ['reversal'] })).map(
			(row) => row.reverses
		)
	);
	const subjects: (DecisionSubject & { member: MemberDoc })[] = [];
	for (const row of rows) {
		if (reversed.has(row.id)) continue;
		const found = await member(options.db, row.memberId);
		if (!found) continue;
		subjects.push({ member: found, entry: row.entry, branchName: await branchName(found.branchId) });
	}
	return subjects.sort((a, b) => compareMemberNames(a.member, b.member));
}

/** The unit database a bulk act was recorded in. */
export async function dbOfBulk(bulkId: string): Promise<string | null> {
	return (await historyOfBulk(bulkId))[0]?.db ?? null;
}
