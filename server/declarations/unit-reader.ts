import { timingSafeEqual } from 'node:crypto';
import {
	CURRENT_CONSENT_VERSION,
	REVIEW_DECISIONS,
	declarationReviewId,
	declarationStatus,
	formatReceiptCode,
	type DeclarationDoc,
	type DeclarationReviewDoc,
	type DeclarationView,
	type JoinLinkDoc,
	type JoinLinkInfo,
	type JoinLinkToken
} from '../../src/lib/domain/declarations';
import type { CouchClient } from '../couch/couch-client';
import { designMode, unitStatus, type UnitRecord } from '../couch/provision-service';
import {
	BRANCH_MOVED,
	LINK_DISABLED,
	LINK_UNKNOWN,
	UNIT_CLOSED,
	inUnit
} from './declaration-errors';

// What the public API reads of a unit (docs/decisions/0019-self-declarations.md): its join links,
// a chi đoàn's name, a declaration and its review — always as the server, from the unit's database,
// and never more than the member who holds the link or the receipt may see.

export type UnitLookup = (id: string) => Promise<UnitRecord | undefined>;

/** A unit that still takes declarations: not dissolved, not merged, its database not closed. */
export function takesDeclarations(unit: UnitRecord): boolean {
	return unitStatus(unit) === 'active' && designMode(unit) === 'open';
}

function sameCode(a: string, b: string): boolean {
	const left = new Uint8Array(Buffer.from(a, 'utf8'));
	const right = new Uint8Array(Buffer.from(b, 'utf8'));
	return left.length === right.length && timingSafeEqual(left, right);
}

export class UnitReader {
	readonly #couch: CouchClient;
	readonly #units: UnitLookup;

	constructor(options: { couch: CouchClient; units: UnitLookup }) {
		this.#couch = options.couch;
		this.#units = options.units;
	}

	unit(id: string): Promise<UnitRecord | undefined> {
		return this.#units(id);
	}

	/**
	 * The enabled link a token names, in a unit that takes declarations. An unknown unit and an
	 * unknown code answer alike (404); only the holder of a real code learns that its link is off
	 * or its unit closed (410).
	 */
	async openLink(token: JoinLinkToken): Promise<{ unit: UnitRecord; link: JoinLinkDoc }> {
		const unit = await this.#units(token.unitId);
		if (!unit) throw LINK_UNKNOWN();
		const rows = await this.#couch.allDocs<JoinLinkDoc>({
			db: unit.db,
			startkey: 'join-link:',
			endkey: 'join-link:\ufff0',
			includeDocs: true
		});
		let found: JoinLinkDoc | undefined;
		// Every link compared in constant time, none skipped once one matched.
		for (const row of rows) {
			const doc = row.doc;
			if (!doc || doc.type !== 'join-link' || typeof doc.code !== 'string') continue;
			if (sameCode(doc.code, token.code) && !found) found = doc;
		}
		if (!found) throw LINK_UNKNOWN();
		if (!takesDeclarations(unit)) throw inUnit(UNIT_CLOSED(), unit.id);
		if (found.enabled !== true) throw inUnit(LINK_DISABLED(), unit.id);
		// A chi đoàn that left in a split (ADR 0028): its link stays with the unit that gave it out,
		// whose screens no longer list it, and delivers nothing — the new unit gives out its own.
		if (found.branchId && !(await this.#holdsBranch(unit, found.branchId)))
			throw inUnit(BRANCH_MOVED(), unit.id);
		return { unit, link: found };
	}

	async #holdsBranch(unit: UnitRecord, branchId: string): Promise<boolean> {
		const doc = await this.#couch.getDoc<{ _id: string; type?: string }>({
			db: unit.db,
			id: branchId
		});
		return doc?.type === 'branch';
	}

	async branchName(unit: UnitRecord, branchId: string | undefined): Promise<string | undefined> {
		if (!branchId) return undefined;
		const doc = await this.#couch.getDoc<{ _id: string; type?: string; name?: unknown }>({
			db: unit.db,
			id: branchId
		});
		return doc?.type === 'branch' && typeof doc.name === 'string' ? doc.name : undefined;
	}

	async joinInfo(token: JoinLinkToken): Promise<JoinLinkInfo> {
		const { unit, link } = await this.openLink(token);
		const branchName = await this.branchName(unit, link.branchId);
		return {
			unit: { id: unit.id, name: unit.name },
			...(link.branchId && branchName ? { branch: { id: link.branchId, name: branchName } } : {}),
			consentVersion: CURRENT_CONSENT_VERSION
		};
	}

	async declaration(unit: UnitRecord, id: string): Promise<DeclarationDoc | undefined> {
		const doc = await this.#couch.getDoc<DeclarationDoc>({ db: unit.db, id });
		return doc?.type === 'declaration' ? doc : undefined;
	}

	/** The unit's review, when it is one (its own secretary wrote it; validate_doc_update checked). */
	async review(unit: UnitRecord, declarationId: string): Promise<DeclarationReviewDoc | undefined> {
		const doc = await this.#couch.getDoc<DeclarationReviewDoc>({
			db: unit.db,
			id: declarationReviewId(declarationId)
		});
		if (!doc || doc.type !== 'declaration-review') return undefined;
		if (!(REVIEW_DECISIONS as readonly string[]).includes(doc.decision)) return undefined;
		if (typeof doc.revision !== 'number') return undefined;
		return doc;
	}

	/**
	 * Where a declaration lives now: the unit its receipt was recorded in, or — once that unit was
	 * merged and the merge copied its declarations (doc-copier.ts) — the unit it joined, or — once a
	 * split moved it with the member it is about (ADR 0028) — the new unit, which the tombstone left
	 * in the old one names (`splitInto`). Either way it is where its secretary reviews it.
	 */
	async home(
		unitId: string,
		declarationId: string
	): Promise<{ unit: UnitRecord; doc: DeclarationDoc } | undefined> {
		let unit = await this.#units(unitId);
		if (!unit) return undefined;
		let doc = await this.declaration(unit, declarationId);
		for (let hop = 0; hop < 8; hop++) {
			const nextId = doc
				? unit.status === 'merged'
					? unit.mergedInto
					: undefined
				: await this.#splitInto(unit, declarationId);
			if (!nextId) break;
			const next = await this.#units(nextId);
			const found = next ? await this.declaration(next, declarationId) : undefined;
			if (!next || !found) break;
			unit = next;
			doc = found;
		}
		return doc ? { unit, doc } : undefined;
	}

	/** The unit a split moved this document to: its tombstone here says so (split-worker.ts). */
	async #splitInto(unit: UnitRecord, id: string): Promise<string | undefined> {
		const [row] = await this.#couch.allDocs({ db: unit.db, keys: [id] });
		if (!row?.value?.deleted) return undefined;
		const tombstone = await this.#couch.getDoc<{ _id: string; splitInto?: unknown }>({
			db: unit.db,
			id,
			query: { rev: row.value.rev }
		});
		return typeof tombstone?.splitInto === 'string' ? tombstone.splitInto : undefined;
	}

	/** The declaration as its author may see it (declaration-api.ts DeclarationView). */
	async view(options: {
		code: string;
		unit: UnitRecord;
		doc: DeclarationDoc;
		review?: DeclarationReviewDoc;
	}): Promise<DeclarationView> {
		const { code, unit, doc, review } = options;
		const status = declarationStatus(doc, review);
		const branchName = await this.branchName(unit, doc.branchId);
		return {
			receipt: formatReceiptCode(code),
			unit: { id: unit.id, name: unit.name },
			...(doc.branchId && branchName ? { branch: { id: doc.branchId, name: branchName } } : {}),
			state: status.state,
			...(status.reason ? { reason: status.reason } : {}),
			revision: doc.revision,
			submittedAt: doc.submittedAt,
			...(doc.correctedAt ? { correctedAt: doc.correctedAt } : {}),
			...(review ? { decidedAt: review.decidedAt } : {}),
			fields: doc.fields,
			consent: { version: doc.consent.version, at: doc.consent.at }
		};
	}
}
