import * as v from 'valibot';
import {
	claimNumberBlock,
	emptyNumberRegister,
	formatDocumentNumber,
	nextDocumentNumber,
	NumberRegisterSchema,
	numberRegisterId,
	parseDocumentNumber,
	type NumberRegister
} from '$lib/domain/decision-numbers';
import type { DocumentType } from '$lib/domain/labels';
import { unitIdOfDb } from './ids';
import { localDb, remoteDb } from './pouch';
import { readModel } from './read-model';

// Decision numbers ("Số: 12-QĐ/ĐTN", per unit, per year, per type) allocated in blocks claimed from
// the unit's register `numbering:<year>` (src/lib/domain/decision-numbers.ts explains the choice).
// Everything about the register stays behind takeDecisionNumber: it issues from this device's own
// blocks, claims a new block by a revision-checked write straight to the server while online, and
// says "type the number from the paper register" when neither works (offline with no block left,
// or a server that does not accept the register yet).

/** The subset of a remote PouchDB the claim needs; the server's `/couch/<db>` in the app. */
export interface RegisterRemote {
	get(id: string, options?: { revs?: boolean }): Promise<unknown>;
	put(doc: object): Promise<{ rev: string }>;
}

export type NumberOutcome =
	| { ok: true; number: string; remaining: number }
	| { ok: false; message: string };

const CLAIM_TIMEOUT_MS = 8_000;
const CLAIM_ATTEMPTS = 4;

function parseRegister(doc: unknown): NumberRegister | null {
	const { _revisions: _r, _conflicts: _c, ...rest } = (doc ?? {}) as Record<string, unknown>;
	const parsed = v.safeParse(NumberRegisterSchema, rest);
	return parsed.success ? parsed.output : null;
}

async function localRegister(db: string, year: number): Promise<NumberRegister | null> {
	try {
		return parseRegister(await localDb(db).get(numberRegisterId(year)));
	} catch {
		return null;
	}
}

/** The numbers of a type already used in a year in this unit, as far as this device knows. */
export async function usedNumbers(options: {
	db: string;
	year: number;
	type: DocumentType;
}): Promise<number[]> {
	const rows = await readModel.history.where('db').equals(options.db).toArray();
	const used = new Set<number>();
	for (const row of rows) {
		const decision = row.entry.decision;
		if (!decision || Number(decision.date.slice(0, 4)) !== options.year) continue;
		const parsed = parseDocumentNumber(decision.number);
		if (parsed && parsed.type === options.type) used.add(parsed.number);
	}
	return [...used];
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
	return Promise.race([
		promise,
		new Promise<T>((_, reject) =>
			setTimeout(() => reject(new Error('timeout')), CLAIM_TIMEOUT_MS)
		)
	]);
}

/**
 * Claims the next block of numbers for this device on the server (create or update the register
 * with its revision; on 409 another device claimed first: read again and claim the next one), then
 * keeps the server's revision on the device. The register as claimed, or null when the server
 * cannot be reached or refuses.
 */
async function claimBlock(options: {
	db: string;
	year: number;
	type: DocumentType;
	deviceId: string;
	login: string;
	now: string;
	remote: RegisterRemote;
}): Promise<NumberRegister | null> {
	const { db, year, remote } = options;
	const id = numberRegisterId(year);
	for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
		let current: NumberRegister;
		try {
			const found = parseRegister(await withTimeout(remote.get(id)));
			if (!found) return null;
			current = found;
		} catch (error) {
			if ((error as { status?: number }).status !== 404) return null;
			current = emptyNumberRegister({
				unitId: unitIdOfDb(db),
				year,
				now: options.now,
				by: options.login
			});
		}
		const claimed = claimNumberBlock({
			register: current,
			deviceId: options.deviceId,
			type: options.type,
			now: options.now,
			by: options.login
		});
		try {
			await withTimeout(remote.put(claimed));
		} catch (error) {
			if ((error as { status?: number }).status === 409) continue;
			return null;
		}
		try {
			// The server's revision, with its history, so the device's copy never conflicts with it.
			const stored = await withTimeout(remote.get(id, { revs: true }));
			await localDb(db).bulkDocs([stored as PouchDB.Core.PutDocument<object>], {
				new_edits: false
			});
		} catch {
			// The register comes down with the next sync anyway.
		}
		return claimed;
	}
	return null;
}

/**
 * The next decision number this device may use, formatted ("05-QĐ/ĐTN"), or why none: then the
 * secretary types the number from the unit's paper register.
 */
export async function takeDecisionNumber(options: {
	db: string;
	year: number;
	type?: DocumentType;
	/** The issuing body's abbreviation in the number ("ĐTN"). */
	issuerCode: string;
	deviceId: string;
	login: string;
	now?: Date;
	remote?: RegisterRemote;
}): Promise<NumberOutcome> {
	const type = options.type ?? 'QĐ';
	const now = (options.now ?? new Date()).toISOString();
	const used = await usedNumbers({ db: options.db, year: options.year, type });
	const next = (register: NumberRegister | null) =>
		register ? nextDocumentNumber({ register, deviceId: options.deviceId, type, used }) : null;
	let found = next(await localRegister(options.db, options.year));
	if (found === null || !found.ok || found.refill) {
		const claimed = await claimBlock({
			db: options.db,
			year: options.year,
			type,
			deviceId: options.deviceId,
			login: options.login,
			now,
			remote: options.remote ?? (remoteDb(options.db) as unknown as RegisterRemote)
		});
		if (claimed) found = next(claimed);
	}
	if (found && found.ok) {
		return {
			ok: true,
			number: formatDocumentNumber({ number: found.number, type, issuer: options.issuerCode }),
			remaining: found.remaining
		};
	}
	return {
		ok: false,
		message:
			'Chưa cấp được số quyết định tự động (máy chưa có số dự trữ và chưa kết nối được máy chủ). ' +
			'Hãy ghi số theo sổ đăng ký văn bản của đơn vị (số quyết định nhập tay).'
	};
}

/** The kind of the unit a database belongs to, for the issuer code of its numbers. */
export async function unitKindOf(db: string): Promise<string> {
	return (await readModel.units.get(db))?.kind ?? '';
}
