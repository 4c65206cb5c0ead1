import * as v from 'valibot';
import {
	CorrectDeclarationSchema,
	DECLARATION_SCHEMA_VERSION,
	DeclarationDocSchema,
	ReceiptRequestSchema,
	SubmitDeclarationSchema,
	declarationStatus,
	formatJoinToken,
	parseJoinToken,
	parseReceiptCode,
	validateDeclarationInput,
	type ConsentRecord,
	type DeclarationDoc,
	type DeclarationInput,
	type DeclarationView,
	type DeclaredFields,
	type JoinLinkInfo
} from '../../src/lib/domain/declarations';
import { todayIso } from '../../src/lib/domain/dates';
import { CouchError, type CouchClient } from '../couch/couch-client';
import type { UnitRecord } from '../couch/provision-service';
import { derivedUlid } from '../ulid';
import {
	closed,
	DECLARATION_UNKNOWN,
	inUnit,
	type DeclarationError,
	invalidBody,
	invalidFields,
	LINK_UNKNOWN,
	RECEIPT_TAKEN,
	tooMany,
	UNIT_CLOSED
} from './declaration-errors';
import type { DeclarationAudit } from './declaration-audit';
import type { DeclarationLimiter } from './declaration-limits';
import {
	canonicalJson,
	receiptHash,
	submissionFingerprint,
	type ReceiptIndex
} from './receipt-index';
import { takesDeclarations, type UnitReader } from './unit-reader';

// The public declaration API's work (docs/decisions/0019-self-declarations.md): every body checked
// whole — schema, then the member form's rules with Vietnam's date — before anything is read or
// written; the declaration written as the server into the unit's database; the receipt recorded in
// `doanvu_declarations` after it.
//
// Crash safety and resends. The declaration's id is derived from the receipt code's hash and the
// consent time the phone sent (server/ulid.ts derivedUlid): the same body always names the same
// `declaration:<ulid>`. So a resend after the server stopped between the two writes (declaration
// stored, receipt not) finds the declaration where the first attempt put it, checks it is the same,
// and records the receipt then — never a second declaration. A resend once the receipt is recorded
// is recognised by the index's fingerprint of the body (receipt-index.ts) and answered 200 with
// the declaration as it is now; the same code with other content is refused (409).

/** The server's name in `createdBy` / `updatedBy` (as the figures worker's documents). */
export const SERVER_NAME = 'doanvu-server';

const MAX_ULID_TIME = 2 ** 48 - 1;

/** A ULID's time from the phone's consent moment: deterministic, whatever the phone's clock said. */
function ulidTime(consentAt: string): number {
	const time = Date.parse(consentAt);
	if (!Number.isFinite(time)) return 0;
	return Math.min(Math.max(Math.trunc(time), 0), MAX_ULID_TIME);
}

export interface Answer {
	status: 200 | 201;
	view: DeclarationView;
}

export class DeclarationService {
	readonly #couch: CouchClient;
	readonly #reader: UnitReader;
	readonly #index: ReceiptIndex;
	readonly #limiter: DeclarationLimiter;
	readonly #now: () => Date;
	readonly #onWrite: (db: string) => void;
	readonly #audit: DeclarationAudit | undefined;

	constructor(options: {
		couch: CouchClient;
		reader: UnitReader;
		index: ReceiptIndex;
		limiter: DeclarationLimiter;
		now?: () => Date;
		/** A unit database was written to (recorded for the workers, as the /couch proxy does). */
		onWrite?: (db: string) => void;
		/** The audit trail's side of this API (declaration-audit.ts); none: nothing recorded. */
		audit?: DeclarationAudit;
	}) {
		this.#couch = options.couch;
		this.#reader = options.reader;
		this.#index = options.index;
		this.#limiter = options.limiter;
		this.#now = options.now ?? (() => new Date());
		this.#onWrite = options.onWrite ?? (() => {});
		this.#audit = options.audit;
	}

	/** A refusal sent to a client: counted in the audit trail, by code (declaration-audit.ts). */
	refused(error: DeclarationError): void {
		this.#audit?.refused({
			error: error.body.error,
			...(error.unitId ? { unitId: error.unitId } : {})
		});
	}

	get limiter(): DeclarationLimiter {
		return this.#limiter;
	}

	async joinInfo(segment: string): Promise<JoinLinkInfo> {
		const token = parseJoinToken(segment);
		if (!token) throw LINK_UNKNOWN();
		return this.#reader.joinInfo(token);
	}

	/** POST /api/declarations. */
	async submit(body: unknown): Promise<Answer> {
		const parsed = v.safeParse(SubmitDeclarationSchema, body);
		if (!parsed.success) throw invalidBody(parsed.issues);
		const input = parsed.output;
		const code = parseReceiptCode(input.receipt);
		if (!code) throw invalidBody([receiptIssue()]);
		const token = parseJoinToken(input.link);
		if (!token) throw LINK_UNKNOWN();
		const fields = this.#checkFields(input.fields);
		const linkKey = formatJoinToken(token);
		const perLink = this.#limiter.link(linkKey);
		if (!perLink.ok) throw tooMany(perLink.retryAfterSeconds);

		const consent = consentOf(input.consent);
		const fingerprint = submissionFingerprint(code, { link: linkKey, fields, consent });

		// An identical resend is answered even if the link was disabled since: she did send it.
		const recorded = await this.#index.get(code);
		if (recorded && recorded.submission === fingerprint) {
			// Recorded again in case the first attempt stopped before its audit entry (the same id:
			// written once).
			await this.#auditSubmit({
				unitId: recorded.unitId,
				declarationId: recorded.declarationId,
				consentAt: consent.at
			});
			return { status: 200, view: await this.#viewOf(code, recorded) };
		}
		const { unit, link } = await this.#reader.openLink(token);
		if (recorded) throw inUnit(RECEIPT_TAKEN(), unit.id);

		const id = `declaration:${derivedUlid({ time: ulidTime(consent.at), seed: receiptHash(code) })}`;
		const now = this.#now().toISOString();
		const doc: DeclarationDoc = {
			_id: id,
			type: 'declaration',
			v: DECLARATION_SCHEMA_VERSION,
			unitId: unit.id,
			...(link.branchId ? { branchId: link.branchId } : {}),
			joinLinkId: link._id,
			fields,
			consent,
			revision: 1,
			state: 'submitted',
			submittedAt: now,
			createdAt: now,
			createdBy: SERVER_NAME,
			updatedAt: now,
			updatedBy: SERVER_NAME
		};
		// What the server writes is checked against the contract too: a bug here is a 500, not a
		// document the unit's app cannot read.
		v.parse(DeclarationDocSchema, doc);

		let created = false;
		const existing = await this.#reader.declaration(unit, id);
		if (existing) {
			// A first attempt stored it and stopped before the receipt (or runs right now).
			if (!sameSubmission(existing, doc)) throw inUnit(RECEIPT_TAKEN(), unit.id);
		} else {
			created = await this.#create(unit, doc);
			if (!created) {
				const raced = await this.#reader.declaration(unit, id);
				if (!raced || !sameSubmission(raced, doc)) throw inUnit(RECEIPT_TAKEN(), unit.id);
			}
		}
		const saved = await this.#index.put({
			code,
			unitId: unit.id,
			declarationId: id,
			submission: fingerprint,
			now
		});
		if (!saved) {
			const winner = await this.#index.get(code);
			if (!winner || winner.declarationId !== id || winner.unitId !== unit.id) {
				// Another declaration took this code meanwhile: nothing of this one may stay.
				if (created) await this.#remove(unit, id);
				throw inUnit(RECEIPT_TAKEN(), unit.id);
			}
		}
		await this.#audit?.wrote({
			unitId: unit.id,
			write: {
				kind: 'submit',
				declarationId: id,
				joinLinkId: link._id,
				...(link.branchId ? { branchId: link.branchId } : {})
			},
			at: ulidTime(consent.at)
		});
		return {
			status: created ? 201 : 200,
			view: await this.#viewOf(code, { unitId: unit.id, declarationId: id })
		};
	}

	/** POST /api/declarations/status. `known`: the code matched (it stops counting as a guess). */
	async status(body: unknown, known: () => void): Promise<DeclarationView> {
		const code = this.#receiptOf(ReceiptRequestSchema, body).code;
		const found = await this.#find(code, known);
		return this.#reader.view({ code, ...found });
	}

	/** POST /api/declarations/correct: a new revision, while the declaration is open. */
	async correct(body: unknown, known: () => void): Promise<DeclarationView> {
		const { code, input } = this.#receiptOf(CorrectDeclarationSchema, body);
		const fields = this.#checkFields(input.fields);
		const consent = consentOf(input.consent);
		return this.#change(code, known, 'correct', (doc, now) => {
			// The same correction sent again (the answer was lost) changes nothing.
			if (
				canonicalJson(doc.fields) === canonicalJson(fields) &&
				sameConsent(doc.consent, consent)
			) {
				return undefined;
			}
			return {
				...doc,
				fields,
				consent,
				revision: doc.revision + 1,
				state: 'submitted',
				correctedAt: now,
				updatedAt: now,
				updatedBy: SERVER_NAME
			};
		});
	}

	/** POST /api/declarations/withdraw: marked withdrawn (kept: the consent record is proof). */
	async withdraw(body: unknown, known: () => void): Promise<DeclarationView> {
		const { code } = this.#receiptOf(ReceiptRequestSchema, body);
		return this.#change(code, known, 'withdraw', (doc, now) => ({
			...doc,
			state: 'withdrawn',
			withdrawnAt: now,
			updatedAt: now,
			updatedBy: SERVER_NAME
		}));
	}

	#checkFields(input: DeclarationInput): DeclaredFields {
		const checked = validateDeclarationInput({ input, today: todayIso(this.#now()) });
		if (!checked.ok) throw invalidFields(checked.errors);
		return checked.value;
	}

	#receiptOf<S extends typeof ReceiptRequestSchema | typeof CorrectDeclarationSchema>(
		schema: S,
		body: unknown
	): { code: string; input: v.InferOutput<S> } {
		const parsed = v.safeParse(schema, body);
		if (!parsed.success) throw invalidBody(parsed.issues);
		const code = parseReceiptCode(parsed.output.receipt);
		if (!code) throw invalidBody([receiptIssue()]);
		return { code, input: parsed.output };
	}

	async #find(code: string, known: () => void) {
		const entry = await this.#index.get(code);
		if (!entry) throw DECLARATION_UNKNOWN();
		known();
		const home = await this.#reader.home(entry.unitId, entry.declarationId);
		if (!home) throw DECLARATION_UNKNOWN();
		const review = await this.#reader.review(home.unit, home.doc._id);
		return { unit: home.unit, doc: home.doc, review };
	}

	/** Reads, decides, writes; a concurrent write (409) is read again and decided again. */
	async #change(
		code: string,
		known: () => void,
		kind: 'correct' | 'withdraw',
		next: (doc: DeclarationDoc, now: string) => DeclarationDoc | undefined
	): Promise<DeclarationView> {
		for (let attempt = 0; ; attempt++) {
			const { unit, doc, review } = await this.#find(code, known);
			const status = declarationStatus(doc, review);
			if (!status.open) {
				// Withdrawing twice is what she asked for: she sees it withdrawn, not an error.
				if (kind === 'withdraw' && status.state === 'withdrawn') {
					return this.#reader.view({ code, unit, doc, review });
				}
				throw inUnit(closed(status.state), unit.id);
			}
			if (!takesDeclarations(unit)) throw inUnit(UNIT_CLOSED(), unit.id);
			const now = this.#now();
			const changed = next(doc, now.toISOString());
			if (!changed) return this.#reader.view({ code, unit, doc, review });
			v.parse(DeclarationDocSchema, changed);
			try {
				const { rev } = await this.#couch.putDoc({ db: unit.db, doc: changed });
				this.#onWrite(unit.db);
				await this.#audit?.wrote({
					unitId: unit.id,
					write: { kind, declarationId: doc._id, revision: changed.revision },
					at: now.getTime()
				});
				return this.#reader.view({ code, unit, doc: { ...changed, _rev: rev }, review });
			} catch (error) {
				if (!(error instanceof CouchError && error.status === 409) || attempt >= 3) throw error;
			}
		}
	}

	/** A submission's entry, from the declaration as stored (its link), if it is still there. */
	async #auditSubmit(options: {
		unitId: string;
		declarationId: string;
		consentAt: string;
	}): Promise<void> {
		if (!this.#audit) return;
		const unit = await this.#reader.unit(options.unitId);
		const doc = unit ? await this.#reader.declaration(unit, options.declarationId) : undefined;
		if (!doc) return;
		await this.#audit.wrote({
			unitId: options.unitId,
			write: {
				kind: 'submit',
				declarationId: doc._id,
				joinLinkId: doc.joinLinkId,
				...(doc.branchId ? { branchId: doc.branchId } : {})
			},
			at: ulidTime(options.consentAt)
		});
	}

	async #viewOf(
		code: string,
		entry: { unitId: string; declarationId: string }
	): Promise<DeclarationView> {
		const home = await this.#reader.home(entry.unitId, entry.declarationId);
		if (!home) throw DECLARATION_UNKNOWN();
		const review = await this.#reader.review(home.unit, home.doc._id);
		return this.#reader.view({ code, unit: home.unit, doc: home.doc, review });
	}

	async #create(unit: UnitRecord, doc: DeclarationDoc): Promise<boolean> {
		try {
			await this.#couch.putDoc({ db: unit.db, doc });
			this.#onWrite(unit.db);
			return true;
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) return false;
			throw error;
		}
	}

	/** Purged in effect: a deletion of the one revision this request wrote. */
	async #remove(unit: UnitRecord, id: string): Promise<void> {
		const doc = await this.#reader.declaration(unit, id);
		if (!doc?._rev) return;
		await this.#couch.request({
			method: 'DELETE',
			path: `${encodeURIComponent(unit.db)}/${encodeURIComponent(id)}`,
			query: { rev: doc._rev }
		});
		this.#onWrite(unit.db);
	}
}

function consentOf(consent: ConsentRecord): ConsentRecord {
	return { version: consent.version, given: true, at: consent.at };
}

function sameConsent(a: ConsentRecord, b: ConsentRecord): boolean {
	return a.version === b.version && a.at === b.at;
}

/** The stored first revision says what this submission says (the link, the fields, the consent). */
function sameSubmission(stored: DeclarationDoc, fresh: DeclarationDoc): boolean {
	return (
		stored.revision === 1 &&
		stored.unitId === fresh.unitId &&
		stored.joinLinkId === fresh.joinLinkId &&
		canonicalJson(stored.fields) === canonicalJson(fresh.fields) &&
		sameConsent(stored.consent, fresh.consent)
	);
}

function receiptIssue(): v.BaseIssue<unknown> {
	return {
		kind: 'validation',
		type: 'receipt',
		input: undefined,
		expected: null,
		received: 'unknown',
		message: 'Mã biên nhận không hợp lệ (12 ký tự, dạng XXXX-XXXX-XXXX).',
		path: [{ type: 'object', origin: 'value', input: {}, key: 'receipt', value: undefined }]
	} as v.BaseIssue<unknown>;
}
