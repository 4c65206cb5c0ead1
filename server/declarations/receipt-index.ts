import { createHash, createHmac } from 'node:crypto';
import type { CouchClient, CouchDoc } from '../couch/couch-client';
import { CouchError } from '../couch/couch-client';

// The receipt index (docs/decisions/0019-self-declarations.md, "Links and receipt codes"): in the
// server-only database `doanvu_declarations`, `receipt:<sha256 of the canonical code>` → which
// unit's database holds the declaration and its id. No personal data, and a copy opens nothing: the
// code itself (60 bits, on the member's paper) is needed to find anything.
//
// `submission` recognises an identical resend (a phone that never got the answer sends the same
// body again): an HMAC of the submitted body keyed by the receipt code, so that it cannot be used
// to test guesses of what somebody declared without the code either.

export interface ReceiptEntry extends CouchDoc {
	_id: string;
	_rev?: string;
	type: 'receipt';
	unitId: string;
	declarationId: string;
	submission: string;
	createdAt: string;
}

/** The index key of a canonical receipt code (codes.ts parseReceiptCode). */
export function receiptHash(code: string): string {
	return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** JSON with every object's keys sorted: the same content gives the same text. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, item]) => item !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export function submissionFingerprint(code: string, submission: unknown): string {
	return createHmac('sha256', code).update(canonicalJson(submission), 'utf8').digest('hex');
}

export class ReceiptIndex {
	readonly #couch: CouchClient;
	readonly #db: string;

	constructor(options: { couch: CouchClient; db: string }) {
		this.#couch = options.couch;
		this.#db = options.db;
	}

	get(code: string): Promise<ReceiptEntry | undefined> {
		return this.#couch.getDoc<ReceiptEntry>({ db: this.#db, id: `receipt:${receiptHash(code)}` });
	}

	/** Records a receipt; false when another request recorded the same code first. */
	async put(options: {
		code: string;
		unitId: string;
		declarationId: string;
		submission: string;
		now: string;
	}): Promise<boolean> {
		const entry: ReceiptEntry = {
			_id: `receipt:${receiptHash(options.code)}`,
			type: 'receipt',
			unitId: options.unitId,
			declarationId: options.declarationId,
			submission: options.submission,
			createdAt: options.now
		};
		try {
			await this.#couch.putDoc({ db: this.#db, doc: entry });
			return true;
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) return false;
			throw error;
		}
	}
}
