import { isEthnicMinority } from '$lib/domain/ethnic-groups';
import {
	HISTORY_SCHEMA_VERSION,
	upgradeHistoryDoc,
	type HistoryDoc
} from '$lib/domain/history-schema';
import { HISTORY_KINDS } from '$lib/domain/labels';
import { MEMBER_SCHEMA_VERSION, upgradeMemberDoc, type MemberDoc } from '$lib/domain/member-schema';
import { memberNameWords } from '$lib/domain/member-search';
import { fullName, memberSortKey } from '$lib/domain/names';
import type { HistoryRow, HistoryRowEntry, MemberRow } from '$lib/data/store/device-db';

// Documents shaped into read-model rows. Only the indexer folds documents in, so this sits apart
// from store/device-db.ts, which the session opens at boot: the sign-in page needs none of it.

const LIST_TEXT_FIELDS = [
	'unitId',
	'status',
	'familyName',
	'middleName',
	'givenName',
	'gender',
	'birthDate',
	'ethnicCode',
	'updatedAt'
] as const;
const OPTIONAL_TEXT_FIELDS = ['branchId', 'otherName', 'citizenId', 'phone', 'cardNumber'] as const;

/**
 * A member document as the list row needs it. Checking a document against the whole member schema
 * (valibot) costs more than everything else its row needs, and the documents on the device passed
 * that schema already: on the phone that wrote them (the plan writer) and at the server
 * (validate_doc_update). So a document of the current version whose list fields have their types
 * is taken as it is; any other (an older version to upgrade, or one that looks wrong) goes through
 * upgradeMemberDoc, which throws for what it cannot read. The profile reads the full document
 * through upgradeMemberDoc in any case (queries/members.ts getMember).
 */
export function memberForRow(doc: Record<string, unknown>): MemberDoc {
	const current =
		doc.type === 'member' &&
		doc.v === MEMBER_SCHEMA_VERSION &&
		typeof doc._id === 'string' &&
		doc._id.startsWith('member:') &&
		LIST_TEXT_FIELDS.every((field) => typeof doc[field] === 'string') &&
		OPTIONAL_TEXT_FIELDS.every((field) => doc[field] === undefined || typeof doc[field] === 'string');
	return current ? (doc as unknown as MemberDoc) : upgradeMemberDoc(doc);
}

const HISTORY_KIND_SET: ReadonlySet<string> = new Set(HISTORY_KINDS);
const HISTORY_ROW_TEXT = ['_id', 'memberId', 'kind', 'at', 'createdAt', 'createdBy'] as const;

/**
 * A history document as its row needs it, on the same terms as memberForRow: one of the current
 * version whose row fields have their types is taken as it is (the whole schema's check cost more
 * than the rest of its ingest); any other goes through upgradeHistoryDoc, which throws for what it
 * cannot read. The profile's timeline reads entries through upgradeHistoryDoc in any case.
 */
export function historyForRow(doc: Record<string, unknown>): HistoryDoc {
	const current =
		doc.type === 'history' &&
		doc.v === HISTORY_SCHEMA_VERSION &&
		HISTORY_ROW_TEXT.every((field) => typeof doc[field] === 'string') &&
		(doc._id as string).startsWith('history:') &&
		HISTORY_KIND_SET.has(doc.kind as string) &&
		typeof doc.data === 'object' &&
		doc.data !== null &&
		(doc.bulkId === undefined || typeof doc.bulkId === 'string') &&
		(doc.reverses === undefined || typeof doc.reverses === 'string');
	return current ? (doc as unknown as HistoryDoc) : upgradeHistoryDoc(doc);
}

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

export function toHistoryRow(doc: HistoryDoc, db: string): HistoryRow {
	// Slim: an entry's effect is most of its size (an admission's is the whole record), and every
	// byte of a row is copied and written at ingest; no unit-wide list reads it.
	const { effect: _effect, _rev: _r, ...kept } = doc as HistoryDoc & { _rev?: string };
	const entry = kept as HistoryRowEntry;
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
