import {
	declarationDifferences,
	declarationStatus,
	defaultAcceptedFields,
	matchDeclaration,
	type DeclarationDoc,
	type DeclarationMatch,
	type DeclarationReviewDoc,
	type DeclarationState,
	type DeclarationStatus,
	type FieldDifference,
	type MatchableMember
} from '$lib/domain/declarations';
import { fullName } from '$lib/domain/names';
import type { MemberDoc } from '$lib/domain/member-schema';
import { dependOnMemberRows, membersWithNumber } from '$lib/data/read-model/search-index';
import { deviceDb, type MemberRow, type RecordRow } from '$lib/data/store/device-db';
import { getMember } from './members';
import { membersBornOn } from '$lib/data/read-model/member-store';

// What the review queue (/ban-khai) reads, all from the read model so it works offline
// (docs/decisions/0019-self-declarations.md, "The unit's review"): the unit's declarations and
// reviews (kept whole in `records`), its member rows for the match, and — for one declaration — the
// matched records themselves from PouchDB for the differences. Read-model reads come first, before
// anything awaits PouchDB, so a watchQuery sees every table it depends on.

async function docsOf<T>(db: string, type: string): Promise<T[]> {
	const rows: RecordRow[] = await deviceDb.records.where('[db+type]').equals([db, type]).toArray();
	return rows.map((row) => row.doc as unknown as T);
}

/** A member row as matching reads it. */
export type MatchedRow = MatchableMember & { fullName: string; branchId: string };

function matchable(row: MemberRow): MatchedRow {
	return {
		_id: row.id,
		status: row.status,
		familyName: row.familyName,
		middleName: row.middleName,
		givenName: row.givenName,
		birthDate: row.birthDate,
		...(row.citizenId ? { citizenId: row.citizenId } : {}),
		fullName: row.fullName,
		branchId: row.branchId
	};
}

/** The unit's records a declaration may be about: same citizen id or same birth date (matching.ts
 * decides among them), read by index rather than over the whole roster. */
export async function declarationCandidates(db: string, declaration: DeclarationDoc): Promise<MatchedRow[]> {
	const { citizenId, birthDate } = declaration.fields;
	const [byId, byBirth] = await Promise.all([
		// Citizen ids are looked up in memory: a live query still runs again after member writes.
		dependOnMemberRows().then(() =>
			citizenId ? membersWithNumber({ citizenId, match: 'equals' }) : []
		),
		membersBornOn(birthDate)
	]);
	const rows = new Map<string, MemberRow>();
	for (const row of [...byId, ...byBirth]) if (row.db === db) rows.set(row.id, row);
	return [...rows.values()].map(matchable);
}

export interface DeclarationRow {
	/** The declaration's ULID (the route's id). */
	id: string;
	name: string;
	birthDate: string;
	branchId?: string;
	branchName?: string;
	submittedAt: string;
	status: DeclarationStatus;
	revision: number;
	match: DeclarationMatch<MatchableMember>['kind'];
	/** This device's decision not yet accepted by the server. */
	waiting: boolean;
	/** The server refused this device's decision: why. */
	refused?: string;
}

const STATE_ORDER: readonly DeclarationState[] = [
	'pending',
	'correction-requested',
	'approved',
	'rejected',
	'withdrawn'
];

/** A declaration's ULID from its document id. */
export function declarationUlid(docId: string): string {
	return docId.slice('declaration:'.length);
}

/** The declarations of the unit database `db`: pending first, then oldest first within a state. */
export async function declarationQueue(db: string): Promise<DeclarationRow[]> {
	const [declarations, reviews, branches, outbox] = await Promise.all([
		docsOf<DeclarationDoc>(db, 'declaration'),
		docsOf<DeclarationReviewDoc>(db, 'declaration-review'),
		deviceDb.branches.where('db').equals(db).toArray(),
		deviceDb.outbox.where('db').equals(db).toArray()
	]);
	const reviewOf = new Map(reviews.map((r) => [r.declarationId, r]));
	const branchNames = new Map(branches.map((b) => [b.id, b.name]));
	const waiting = new Map(outbox.map((entry) => [entry.docId, entry]));
	const rows = await Promise.all(
		declarations.map(async (declaration): Promise<DeclarationRow> => {
			const review = reviewOf.get(declaration._id);
			const status = declarationStatus(declaration, review);
			const match = matchDeclaration({
				declaration: declaration.fields,
				members: await declarationCandidates(db, declaration)
			});
			const outboxEntry = review ? waiting.get(review._id) : undefined;
			return {
				id: declarationUlid(declaration._id),
				name: fullName(declaration.fields),
				birthDate: declaration.fields.birthDate,
				...(declaration.branchId
					? {
							branchId: declaration.branchId,
							branchName: branchNames.get(declaration.branchId) ?? declaration.branchId
						}
					: {}),
				submittedAt: declaration.submittedAt,
				status,
				revision: declaration.revision,
				match: match.kind,
				waiting: !!outboxEntry && !outboxEntry.refused,
				...(outboxEntry?.refused ? { refused: outboxEntry.refused } : {})
			};
		})
	);
	return rows.sort(
		(a, b) =>
			STATE_ORDER.indexOf(a.status.state) - STATE_ORDER.indexOf(b.status.state) ||
			a.submittedAt.localeCompare(b.submittedAt) ||
			a.id.localeCompare(b.id)
	);
}

export type DeclarationCounts = Record<DeclarationState, number>;

/** How many declarations of `db` are in each state (the badge counts `pending`). */
export async function declarationCounts(db: string): Promise<DeclarationCounts> {
	const [declarations, reviews] = await Promise.all([
		docsOf<DeclarationDoc>(db, 'declaration'),
		docsOf<DeclarationReviewDoc>(db, 'declaration-review')
	]);
	const reviewOf = new Map(reviews.map((r) => [r.declarationId, r]));
	const counts: DeclarationCounts = {
		pending: 0,
		'correction-requested': 0,
		approved: 0,
		rejected: 0,
		withdrawn: 0
	};
	for (const declaration of declarations) {
		counts[declarationStatus(declaration, reviewOf.get(declaration._id)).state] += 1;
	}
	return counts;
}

/** A record the declaration may be about, with what the declaration would change on it. */
export interface MatchedRecord {
	member: MemberDoc;
	differences: FieldDifference[];
	/** Ticked before the secretary looks: the gaps only. */
	preTicked: string[];
}

export interface DeclarationDetail {
	db: string;
	declaration: DeclarationDoc;
	review: DeclarationReviewDoc | null;
	status: DeclarationStatus;
	branchName?: string;
	match: DeclarationMatch<MatchedRow>['kind'];
	/** The matched records (one for a citizen id, one or more for a name and birth date). */
	records: MatchedRecord[];
	/** The member an approval created or updated. */
	approvedMemberId?: string;
	/** That member, with what a revision sent after the approval would change on it. */
	approvedRecord?: MatchedRecord;
	waiting: boolean;
	refused?: string;
}

/** One declaration of `db` with its review, its match and the differences from each match. */
export async function declarationDetail(options: {
	db: string;
	id: string;
}): Promise<DeclarationDetail | null> {
	const { db, id } = options;
	const docId = `declaration:${id}`;
	const [row, reviewRow, branches, outbox] = await Promise.all([
		deviceDb.records.get(`${db}|${docId}`),
		deviceDb.records.get(`${db}|declaration-review:${id}`),
		deviceDb.branches.where('db').equals(db).toArray(),
		deviceDb.outbox.where('db').equals(db).toArray()
	]);
	if (!row) return null;
	const declaration = row.doc as unknown as DeclarationDoc;
	const review = (reviewRow?.doc as unknown as DeclarationReviewDoc | undefined) ?? null;
	const match = matchDeclaration({
		declaration: declaration.fields,
		members: await declarationCandidates(db, declaration)
	});
	const matched =
		match.kind === 'citizen-id' ? [match.member] : match.kind === 'name-and-birth' ? match.members : [];
	const outboxEntry = outbox.find((entry) => entry.docId === `declaration-review:${id}`);
	const records: MatchedRecord[] = [];
	for (const candidate of matched) {
		const member = await getMember({ db, id: candidate._id });
		if (!member) continue;
		const differences = declarationDifferences({ declared: declaration.fields, recorded: member });
		records.push({ member, differences, preTicked: defaultAcceptedFields(differences) });
	}
	const approvedMember =
		review?.decision === 'approved' && review.memberId
			? await getMember({ db, id: review.memberId })
			: null;
	const approvedDifferences = approvedMember
		? declarationDifferences({ declared: declaration.fields, recorded: approvedMember })
		: [];
	const branchName = declaration.branchId
		? (branches.find((b) => b.id === declaration.branchId)?.name ?? declaration.branchId)
		: undefined;
	return {
		db,
		declaration,
		review,
		status: declarationStatus(declaration, review),
		...(branchName ? { branchName } : {}),
		match: match.kind,
		records,
		...(review?.decision === 'approved' && review.memberId
			? { approvedMemberId: review.memberId }
			: {}),
		...(approvedMember
			? {
					approvedRecord: {
						member: approvedMember,
						differences: approvedDifferences,
						preTicked: defaultAcceptedFields(approvedDifferences)
					}
				}
			: {}),
		waiting: !!outboxEntry && !outboxEntry.refused,
		...(outboxEntry?.refused ? { refused: outboxEntry.refused } : {})
	};
}
