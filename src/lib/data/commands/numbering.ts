import * as v from 'valibot';
import {
	claimNumberBlock,
	emptyNumberRegister,
	formatDocumentNumber,
	checkNumberClash,
	nextDocumentNumber,
	NumberRegisterSchema,
	numberRegisterId,
	numbersInUse,
	parseDocumentNumber,
	type NumberRegister
} from '$lib/domain/decision-numbers';
import { formatDate, parseDate } from '$lib/domain/dates';
import type { DocumentType } from '$lib/domain/labels';
import { unitIdOfDb } from '$lib/data/ids';
import { localDb, remoteDb } from '$lib/data/store/pouch';
import { deviceDb } from '$lib/data/store/device-db';
import { historyOfDb } from '$lib/data/read-model/member-store';

// Decision numbers ("Số: 12-QĐ/ĐTN", per unit, per year, per type) allocated in blocks claimed from
// the unit's register `numbering:<year>` (src/lib/domain/decision-numbers.ts explains the choice).
// Everything about the register stays behind takeDecisionNumber: it issues from this device's own
// blocks, claims a new block by a revision-checked write straight to the server while online, and
// says "type the number from the paper register" when neither works (offline with no block left,
// or a server that does not accept the register yet).
//
// Never the same number twice (issue 10: the demo's transfer decision "01-QĐ/ĐTN" was issued again
// for a reward). Three sources of numbers are counted, because each one alone misses some:
//   - the register's blocks: another device never issues from this device's blocks;
//   - the unit's history on the device: numbers typed by hand, and numbers written before the unit
//     had a register (the demo's history, a unit's paper past); a new block starts above them;
//   - the numbers this device handed out, kept in a `_local/` document of its copy of the unit
//     database (never replicated): a member transferred away leaves with her history, so the
//     number of the decision that sent her is gone from the unit's documents, and before this
//     record the device handed it out again. A number taken and then not used stays handed out
//     (the paper register notes it unused) rather than risk a second decision with it.
// The record lives as long as the device's copy of the database; signing in again retires the
// device (a new device id, hence new blocks above every block claimed so far).

/** The subset of a remote PouchDB the claim needs; the server's `/couch/<db>` in the app. */
export interface RegisterRemote {
	get(id: string, options?: { revs?: boolean }): Promise<unknown>;
	put(doc: object): Promise<{ rev: string }>;
}

/** The subset of the device's PouchDB copy of the unit database that numbering needs. */
export interface RegisterLocal {
	get(id: string): Promise<unknown>;
	put(doc: object): Promise<{ rev: string }>;
	bulkDocs(docs: object[], options: { new_edits: false }): Promise<unknown>;
}

/** One device as numbering sees it: its copy of the unit database, the server, the history. */
export interface NumberingDevice {
	deviceId: string;
	login: string;
	local: RegisterLocal;
	remote: RegisterRemote;
	/** The decisions in the unit's history as far as this device knows. */
	decisions(): Promise<{ number: string; date: string }[]>;
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

async function localRegister(local: RegisterLocal, year: number): Promise<NumberRegister | null> {
	try {
		return parseRegister(await local.get(numberRegisterId(year)));
	} catch {
		return null;
	}
}

/** `_local/issued-numbers:<year>`: what this device handed out, per document type. */
interface IssuedRecord {
	_id: string;
	_rev?: string;
	issued: Partial<Record<DocumentType, number[]>>;
}

export function issuedRecordId(year: number): string {
	return `_local/issued-numbers:${year}`;
}

async function issuedRecord(local: RegisterLocal, year: number): Promise<IssuedRecord> {
	try {
		const doc = (await local.get(issuedRecordId(year))) as Partial<IssuedRecord>;
		return { _id: issuedRecordId(year), _rev: doc._rev, issued: doc.issued ?? {} };
	} catch {
		return { _id: issuedRecordId(year), issued: {} };
	}
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
	device: NumberingDevice;
	unitId: string;
	year: number;
	type: DocumentType;
	used: readonly number[];
	now: string;
}): Promise<NumberRegister | null> {
	const { device, year } = options;
	const id = numberRegisterId(year);
	for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
		let current: NumberRegister;
		try {
			const found = parseRegister(await withTimeout(device.remote.get(id)));
			if (!found) return null;
			current = found;
		} catch (error) {
			if ((error as { status?: number }).status !== 404) return null;
			current = emptyNumberRegister({
				unitId: options.unitId,
				year,
				now: options.now,
				by: device.login
			});
		}
		const claimed = claimNumberBlock({
			register: current,
			deviceId: device.deviceId,
			type: options.type,
			used: options.used,
			now: options.now,
			by: device.login
		});
		try {
			await withTimeout(device.remote.put(claimed));
		} catch (error) {
			if ((error as { status?: number }).status === 409) continue;
			return null;
		}
		try {
			// The server's revision, with its history, so the device's copy never conflicts with it.
			const stored = await withTimeout(device.remote.get(id, { revs: true }));
			await device.local.bulkDocs([stored as object], { new_edits: false });
		} catch {
			// The register comes down with the next sync anyway.
		}
		return claimed;
	}
	return null;
}

const NO_NUMBER =
	'Chưa cấp được số quyết định tự động (máy chưa có số dự trữ và chưa kết nối được máy chủ). ' +
	'Hãy ghi số theo sổ đăng ký văn bản của đơn vị (số quyết định nhập tay).';

/**
 * The next number this device may use, formatted ("05-QĐ/ĐTN"), recorded on the device as handed
 * out; or why none: then the secretary types the number from the unit's paper register.
 */
export async function issueDecisionNumber(options: {
	device: NumberingDevice;
	unitId: string;
	year: number;
	type?: DocumentType;
	/** The issuing body's abbreviation in the number ("ĐTN"). */
	issuerCode: string;
	now?: Date;
}): Promise<NumberOutcome> {
	const { device, year } = options;
	const type = options.type ?? 'QĐ';
	const now = (options.now ?? new Date()).toISOString();
	const used = numbersInUse({ decisions: await device.decisions(), year, type });
	let claimed: NumberRegister | null = null;
	// Two takes at once on one device (two tabs) race on the record's revision: the loser retries.
	for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
		const record = await issuedRecord(device.local, year);
		const issued = record.issued[type] ?? [];
		const next = (register: NumberRegister | null) =>
			register
				? nextDocumentNumber({ register, deviceId: device.deviceId, type, used, issued })
				: null;
		let found = next(claimed ?? (await localRegister(device.local, year)));
		if (claimed === null && (found === null || !found.ok || found.refill)) {
			claimed = await claimBlock({
				device,
				unitId: options.unitId,
				year,
				type,
				used: [...used, ...issued],
				now
			});
			if (claimed) found = next(claimed);
		}
		if (!found || !found.ok) return { ok: false, message: NO_NUMBER };
		try {
			await device.local.put({
				...record,
				issued: { ...record.issued, [type]: [...issued, found.number].sort((a, b) => a - b) }
			});
		} catch (error) {
			if ((error as { status?: number }).status === 409) continue;
			throw error;
		}
		return {
			ok: true,
			number: formatDocumentNumber({ number: found.number, type, issuer: options.issuerCode }),
			remaining: found.remaining
		};
	}
	return { ok: false, message: NO_NUMBER };
}

/** The decisions in a unit's history on this device (the read model). */
async function historyDecisions(
	db: string
): Promise<{ number: string; date: string; signer?: string; kind?: string }[]> {
	const rows = await historyOfDb({ db });
	return rows.flatMap((row) =>
		row.entry.decision ? [{ ...row.entry.decision, kind: row.entry.kind }] : []
	);
}

function foldSigner(name: string | undefined): string {
	return (name ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** This device in the app: its copy of the unit database and the server's `/couch/<db>`. */
function appDevice(options: {
	db: string;
	deviceId: string;
	login: string;
	remote?: RegisterRemote;
}): NumberingDevice {
	return {
		deviceId: options.deviceId,
		login: options.login,
		local: localDb(options.db) as unknown as RegisterLocal,
		remote: options.remote ?? (remoteDb(options.db) as unknown as RegisterRemote),
		decisions: () => historyDecisions(options.db)
	};
}

/** The app's "Lấy số tự động": issueDecisionNumber for this device and a unit database. */
export async function takeDecisionNumber(options: {
	db: string;
	year: number;
	type?: DocumentType;
	issuerCode: string;
	deviceId: string;
	login: string;
	now?: Date;
	remote?: RegisterRemote;
}): Promise<NumberOutcome> {
	return issueDecisionNumber({
		device: appDevice(options),
		unitId: unitIdOfDb(options.db),
		year: options.year,
		type: options.type,
		issuerCode: options.issuerCode,
		now: options.now
	});
}

/**
 * Before saving: a Vietnamese error for the decision-number field when the number is already used
 * in the unit's history for that year and type, or was handed out by this device for another
 * decision (`taken`: the number this form took with "Lấy số tự động", which is its own). Null when
 * the number is free or not in the "12-QĐ/ĐTN" form (the domain's validation speaks to that).
 */
export async function decisionNumberClash(options: {
	db: string;
	number: string;
	/** The decision's date, ISO; its year is the register's year. */
	date: string;
	/** Who signed it: with the date, what tells the same decision entered for another member. */
	signer?: string;
	/** The operation (history kind) it decides, for forms whose decisions may cover several members. */
	kind?: string;
	taken?: string;
}): Promise<string | null> {
	const parsed = parseDocumentNumber(options.number);
	const year = Number(options.date.slice(0, 4));
	if (parsed === null || !Number.isInteger(year)) return null;
	// One decision often covers several members (the admissions of one meeting, a ceremony) and is
	// entered once per member: the same number for the same operation, date and signer is that
	// decision again. Another operation's decision with the number is another document.
	const sameDecision = (decision: { date: string; signer?: string; kind?: string }) =>
		options.kind !== undefined &&
		decision.kind === options.kind &&
		options.signer !== undefined &&
		decision.date === options.date &&
		foldSigner(decision.signer) === foldSigner(options.signer);
	const history = await historyDecisions(options.db);
	const again = history.some(
		(decision) =>
			parseDocumentNumber(decision.number)?.number === parsed.number &&
			parseDocumentNumber(decision.number)?.type === parsed.type &&
			sameDecision(decision)
	);
	if (again) return null;
	const existing = history
		.filter((decision) => Number(decision.date.slice(0, 4)) === year)
		.map((decision) => ({ number: decision.number, title: `quyết định ngày ${formatDate(decision.date)}` }));
	const fromHistory = checkNumberClash({ number: options.number, existing });
	if (fromHistory) return fromHistory;
	if (options.taken !== undefined && parseDocumentNumber(options.taken)?.number === parsed.number) {
		return null;
	}
	let issued: number[] = [];
	try {
		issued = (await issuedRecord(localDb(options.db) as unknown as RegisterLocal, year)).issued[parsed.type] ?? [];
	} catch {
		return null;
	}
	return issued.includes(parsed.number)
		? `Số ${options.number} máy này đã cấp cho một quyết định khác trong năm ${year}; hãy chọn số khác.`
		: null;
}

/** The kind of the unit a database belongs to, for the issuer code of its numbers. */
export async function unitKindOf(db: string): Promise<string> {
	return (await deviceDb.units.get(db))?.kind ?? '';
}

/**
 * The operation forms' check before saving: `{ 'decision.number': message }` when the number typed
 * (or kept from a draft) is already used, `{}` otherwise. The date is as typed ("05/03/2026"); the
 * year of `today` when it cannot be read yet (the domain's validation names that mistake).
 */
export async function decisionNumberErrors(options: {
	db: string;
	values: { number: string; date: string; signer?: string };
	today: string;
	/** See decisionNumberClash. */
	kind?: string;
	taken?: string;
}): Promise<Record<string, string>> {
	const number = options.values.number.trim();
	if (!number || !options.db) return {};
	const message = await decisionNumberClash({
		db: options.db,
		number,
		date: parseDate(options.values.date) ?? options.today,
		signer: options.values.signer,
		kind: options.kind,
		taken: options.taken
	});
	return message ? { 'decision.number': message } : {};
}
