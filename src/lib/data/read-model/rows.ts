import { isEthnicMinority } from '$lib/domain/ethnic-groups';
import type { HistoryDoc } from '$lib/domain/history-schema';
import type { MemberDoc } from '$lib/domain/member-schema';
import { memberNameWords } from '$lib/domain/member-search';
import { fullName, memberSortKey } from '$lib/domain/names';
import type { HistoryRow, MemberRow } from '$lib/data/store/device-db';

// Documents shaped into read-model rows. Only the indexer folds documents in, so this sits apart
// from store/device-db.ts, which the session opens at boot: the sign-in page needs none of it.

export function toMemberRow(doc: MemberDoc & { _conflicts?: string[] }, db: string): MemberRow {
	return {
		id: doc._id,
		db,
		unitId: doc.unitId,
		branchId: doc.branchId ?? '',
		status: doc.status,
		fullName: fullName(doc),
		familyName: doc.familyName,
		middleName: doc.middleName,
		givenName: doc.givenName,
		otherName: doc.otherName ?? '',
		nameWords: memberNameWords(doc),
		sortKey: memberSortKey(doc),
		gender: doc.gender,
		birthDate: doc.birthDate,
		ethnicCode: doc.ethnicCode,
		minority: isEthnicMinority(doc.ethnicCode) ? 1 : 0,
		citizenId: doc.citizenId ?? '',
		phone: doc.phone ?? '',
		cardNumber: doc.cardNumber ?? '',
		hasConflict: doc._conflicts && doc._conflicts.length > 0 ? 1 : 0,
		updatedAt: doc.updatedAt,
		joinedOn: doc.joinedOn,
		statusSince: doc.statusSince,
		unionPosition: doc.unionPosition,
		fullTimeUnionStaff: doc.fullTimeUnionStaff,
		staysUntil: doc.staysUntil,
		duesPaidThrough: doc.duesPaidThrough,
		duesCategory: doc.duesCategory,
		transferTo: doc.transfer?.toUnitName,
		selfDeclared: doc.provenance?.source === 'self' ? 1 : 0
	};
}

export function toHistoryRow(entry: HistoryDoc, db: string): HistoryRow {
	const data = entry.data as { year?: unknown };
	const year = typeof data.year === 'number' ? data.year : Number(entry.at.slice(0, 4));
	return {
		id: entry._id,
		db,
		memberId: entry.memberId,
		kind: entry.kind,
		at: entry.at,
		year,
		...(entry.bulkId ? { bulkId: entry.bulkId } : {}),
		...(entry.reverses ? { reverses: entry.reverses } : {}),
		entry
	};
}
