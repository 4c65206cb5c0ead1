import { declarationReviewId } from '../../src/lib/domain/declarations/declaration-schema';
import {
	matchDeclaration,
	nameKey,
	type MatchableDeclaration,
	type MatchableMember
} from '../../src/lib/domain/declarations/matching';
import type { RevDoc } from './doc-copier';

// What a split moves (ADR 0028, ADR 0007 "Split S"): decided once from the old unit's documents, with
// no I/O, and kept in the job so a retried step moves the same. The worker's copy and remove steps
// carry the plan out.
//
// - the chosen branch documents, the members on them and those members' history (as before);
// - members' own declarations about a moved member, with the unit's review of each: the new unit's
//   secretary reviews them, and the old unit no longer lists a person it does not hold. A declaration
//   is about the member its approval names; otherwise the member it matches by citizen id, or by
//   name and birth date when every such record moves (matching.ts, what the review queue shows);
//   otherwise — a newcomer — the chi đoàn whose link she used. Whatever its state: the consent
//   record is the proof for the record it fed, and stays beside it.
// - join links never move (they are the issuing unit's, like a merge's): the links of moved chi
//   đoàn are listed so the job can say which posters stopped working.

export interface SplitPlan {
	/** Documents to copy into the new unit and then delete in the old one. */
	movedIds: string[];
	/** The moved chi đoàn's join links, left in the old unit (they answer 410 from now on). */
	joinLinksLeft: string[];
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function matchableMember(doc: RevDoc): MatchableMember {
	return {
		_id: doc._id,
		status: text(doc.status),
		familyName: text(doc.familyName),
		middleName: text(doc.middleName),
		givenName: text(doc.givenName),
		birthDate: text(doc.birthDate),
		...(typeof doc.citizenId === 'string' ? { citizenId: doc.citizenId } : {})
	};
}

function matchableDeclaration(doc: RevDoc): MatchableDeclaration | undefined {
	const fields = doc.fields;
	if (!fields || typeof fields !== 'object') return undefined;
	const f = fields as Record<string, unknown>;
	return {
		familyName: text(f.familyName),
		middleName: text(f.middleName),
		givenName: text(f.givenName),
		birthDate: text(f.birthDate),
		...(typeof f.citizenId === 'string' ? { citizenId: f.citizenId } : {})
	};
}

/**
 * The unit's records a declaration could match: those with its citizen id or its name and birth
 * date. Looked up in maps built once — a 16,000-member unit with thousands of declarations would
 * otherwise fold every name once per declaration.
 */
class Candidates {
	readonly #byCitizenId = new Map<string, MatchableMember[]>();
	readonly #byNameAndBirth = new Map<string, MatchableMember[]>();

	constructor(members: readonly MatchableMember[]) {
		for (const member of members) {
			if (member.citizenId) push(this.#byCitizenId, member.citizenId, member);
			push(this.#byNameAndBirth, `${nameKey(member)}|${member.birthDate}`, member);
		}
	}

	of(declared: MatchableDeclaration): MatchableMember[] {
		const found = new Set([
			...(declared.citizenId ? (this.#byCitizenId.get(declared.citizenId) ?? []) : []),
			...(this.#byNameAndBirth.get(`${nameKey(declared)}|${declared.birthDate}`) ?? [])
		]);
		return [...found];
	}
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** Whether a declaration is about a moved member (or, for a newcomer, came through a moved chi đoàn). */
function declarationMoves(options: {
	declaration: RevDoc;
	review: RevDoc | undefined;
	candidates: Candidates;
	movedMembers: ReadonlySet<string>;
	branchIds: ReadonlySet<string>;
}): boolean {
	const { declaration, review, movedMembers } = options;
	if (typeof review?.memberId === 'string') return movedMembers.has(review.memberId);
	const declared = matchableDeclaration(declaration);
	if (declared) {
		const match = matchDeclaration({
			declaration: declared,
			members: options.candidates.of(declared)
		});
		if (match.kind === 'citizen-id') return movedMembers.has(match.member._id);
		if (match.kind === 'name-and-birth') {
			// Several records fit and not all move: the old unit's secretary still has one to choose.
			return match.members.every((member) => movedMembers.has(member._id));
		}
	}
	return options.branchIds.has(text(declaration.branchId));
}

export function planSplit(options: {
	/** The old unit's live documents. */
	docs: readonly RevDoc[];
	/** The branch documents (`branch:…`) that move. */
	branchIds: ReadonlySet<string>;
}): SplitPlan {
	const { docs, branchIds } = options;
	const memberDocs = docs.filter((doc) => doc.type === 'member');
	const movedMembers = new Set(
		memberDocs.filter((doc) => branchIds.has(text(doc.branchId))).map((doc) => doc._id)
	);
	const candidates = new Candidates(memberDocs.map(matchableMember));
	const byId = new Map(docs.map((doc) => [doc._id, doc]));
	const movedDeclarations = new Set(
		docs
			.filter(
				(doc) =>
					doc.type === 'declaration' &&
					declarationMoves({
						declaration: doc,
						review: byId.get(declarationReviewId(doc._id)),
						candidates,
						movedMembers,
						branchIds
					})
			)
			.map((doc) => doc._id)
	);
	const movedIds = docs
		.filter(
			(doc) =>
				(doc.type === 'branch' && branchIds.has(doc._id)) ||
				movedMembers.has(doc._id) ||
				(doc.type === 'history' && movedMembers.has(text(doc.memberId))) ||
				movedDeclarations.has(doc._id) ||
				(doc.type === 'declaration-review' && movedDeclarations.has(text(doc.declarationId)))
		)
		.map((doc) => doc._id);
	const joinLinksLeft = docs
		.filter((doc) => doc.type === 'join-link' && branchIds.has(text(doc.branchId)))
		.map((doc) => doc._id);
	return { movedIds, joinLinksLeft };
}
