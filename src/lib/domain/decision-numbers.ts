import * as v from 'valibot';
import { DOCUMENT_TYPES, isOneOf, type DocumentType } from './labels';
import { UNIT_ID_PATTERN } from './org/ids';
import { toNfc } from './text';

// Document numbers (docs/domain.md §5): "Số: 12-QĐ/ĐTN" — the number, the document type, the issuing
// body's abbreviation; numbered from 1 per unit, per year, per type.
//
// Two devices of one unit (the secretary's and her deputy's phones) may both issue decisions
// offline, so numbers cannot come from a counter read at issue time. Only a partition of the
// numbers decided in advance avoids collisions. We considered:
//   - a device suffix ("12a-QĐ/ĐTN"): not a valid administrative number, and it changes the
//     format every other system and paper register expects;
//   - fixed ranges per device (1–99, 100–199): needs device slots, wastes numbers, looks odd;
//   - **blocks claimed from the unit's register** (chosen): the unit database holds one register
//     per year (`numbering:<year>`) listing blocks of numbers per type, each owned by one device.
//     While online a device claims the next block (10 numbers by default) with a revision-checked
//     write straight to the server: CouchDB refuses a stale revision (409), so two devices can never
//     own the same block — the loser re-reads the register and claims the next one. Offline the
//     device issues numbers from its own blocks, in order. It claims a new block as soon as fewer
//     than `refillBelow` numbers are left and it is online, so it rarely runs dry.
// The cost: numbers are not issued in strict date order across devices, and a year can end with
// unused numbers in a block (the paper register notes them as unused). If a device has no number
// left and no network, the secretary types the number from the paper register; checkNumberClash
// then warns about any number already used.

export const NUMBER_REGISTER_VERSION = 1 as const;
export const DEFAULT_BLOCK_SIZE = 10;

const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const Positive = v.pipe(v.number(), v.integer(), v.minValue(1));

export const NumberBlockSchema = v.pipe(
	v.strictObject({
		type: v.picklist(DOCUMENT_TYPES),
		from: Positive,
		to: Positive,
		deviceId: v.pipe(v.string(), v.nonEmpty()),
		claimedAt: Timestamp,
		claimedBy: v.pipe(v.string(), v.nonEmpty())
	}),
	v.check((block) => block.from <= block.to, 'Khối số: số đầu phải không lớn hơn số cuối.')
);

/** `numbering:<year>` in the unit's database: who owns which numbers this year. */
export const NumberRegisterSchema = v.strictObject({
	_id: v.custom<`numbering:${number}`>(
		(input) => typeof input === 'string' && /^numbering:\d{4}$/.test(input),
		'Mã sổ đăng ký số phải có dạng numbering:<năm>.'
	),
	_rev: v.optional(v.string()),
	type: v.literal('numbering'),
	v: v.literal(NUMBER_REGISTER_VERSION),
	unitId: v.pipe(v.string(), v.regex(UNIT_ID_PATTERN)),
	year: v.pipe(v.number(), v.integer(), v.minValue(1900)),
	blocks: v.array(NumberBlockSchema),
	createdAt: Timestamp,
	createdBy: v.string(),
	updatedAt: Timestamp,
	updatedBy: v.string()
});

export type NumberBlock = v.InferOutput<typeof NumberBlockSchema>;
export type NumberRegister = v.InferOutput<typeof NumberRegisterSchema>;

export function numberRegisterId(year: number): `numbering:${number}` {
	return `numbering:${year}`;
}

export function emptyNumberRegister(options: {
	unitId: string;
	year: number;
	now: string;
	by: string;
}): NumberRegister {
	return {
		_id: numberRegisterId(options.year),
		type: 'numbering',
		v: NUMBER_REGISTER_VERSION,
		unitId: options.unitId,
		year: options.year,
		blocks: [],
		createdAt: options.now,
		createdBy: options.by,
		updatedAt: options.now,
		updatedBy: options.by
	};
}

/**
 * The register with one more block for a device: the numbers after the highest one claimed for
 * that type and after the highest one already used (`used`: numbers of that type and year the
 * device knows of, from the unit's history, typed by hand or issued before the unit had a register,
 * e.g. the history of a unit loaded from paper). Write it back with the register's `_rev`; on 409
 * re-read and claim again.
 */
export function claimNumberBlock(options: {
	register: NumberRegister;
	deviceId: string;
	type: DocumentType;
	size?: number;
	used?: readonly number[];
	now: string;
	by: string;
}): NumberRegister {
	const { register } = options;
	const size = options.size ?? DEFAULT_BLOCK_SIZE;
	if (!Number.isInteger(size) || size < 1) throw new RangeError('Khối số phải có ít nhất 1 số.');
	const highest = register.blocks
		.filter((block) => block.type === options.type)
		.reduce((max, block) => Math.max(max, block.to), Math.max(0, ...(options.used ?? [])));
	const block: NumberBlock = {
		type: options.type,
		from: highest + 1,
		to: highest + size,
		deviceId: options.deviceId,
		claimedAt: options.now,
		claimedBy: options.by
	};
	return {
		...register,
		blocks: [...register.blocks, block],
		updatedAt: options.now,
		updatedBy: options.by
	};
}

export type NextNumberResult =
	{ ok: true; number: number; remaining: number; refill: boolean } | { ok: false; message: string };

/**
 * The next number this device may issue: the smallest number of its own blocks of that type that
 * is neither used (`used`: the numbers of that type this year found in the unit's history, typed
 * ones included) nor already handed out by this device (`issued`, kept on the device). The unit's
 * history alone is not enough: a member transferred to another unit leaves with her history, so
 * the decision that sent her away is no longer among the unit's documents, yet its number was
 * printed (the demo's "01-QĐ/ĐTN" issued twice). `refill` says it is time to claim a new block
 * when next online.
 */
export function nextDocumentNumber(options: {
	register: NumberRegister;
	deviceId: string;
	type: DocumentType;
	used: readonly number[];
	issued?: readonly number[];
	refillBelow?: number;
}): NextNumberResult {
	const used = new Set([...options.used, ...(options.issued ?? [])]);
	const free: number[] = [];
	for (const block of options.register.blocks) {
		if (block.type !== options.type || block.deviceId !== options.deviceId) continue;
		for (let n = block.from; n <= block.to; n++) if (!used.has(n)) free.push(n);
	}
	free.sort((a, b) => a - b);
	const number = free[0];
	if (number === undefined) {
		return {
			ok: false,
			message:
				'Máy này đã dùng hết số văn bản được cấp. Hãy kết nối mạng để nhận thêm số, hoặc ghi số ' +
				'theo sổ đăng ký văn bản.'
		};
	}
	const remaining = free.length - 1;
	return { ok: true, number, remaining, refill: remaining < (options.refillBelow ?? 3) };
}

/**
 * Joins two revisions of a register that conflicted anyway (e.g. one was written through
 * replication): the union of their blocks; blocks of different devices that overlap are returned
 * as `overlaps`, to be shown — never silently renumbered, as the numbers may be printed already.
 */
export function mergeNumberRegisters(options: { a: NumberRegister; b: NumberRegister }): {
	register: NumberRegister;
	overlaps: [NumberBlock, NumberBlock][];
} {
	const { a, b } = options;
	const key = (block: NumberBlock) => `${block.type}:${block.from}:${block.to}:${block.deviceId}`;
	const byKey = new Map<string, NumberBlock>();
	for (const block of [...a.blocks, ...b.blocks])
		if (!byKey.has(key(block))) byKey.set(key(block), block);
	const blocks = [...byKey.values()].sort(
		(x, y) =>
			x.type.localeCompare(y.type) || x.from - y.from || x.deviceId.localeCompare(y.deviceId)
	);
	const overlaps: [NumberBlock, NumberBlock][] = [];
	for (let i = 0; i < blocks.length; i++) {
		for (let j = i + 1; j < blocks.length; j++) {
			const x = blocks[i];
			const y = blocks[j];
			if (x === undefined || y === undefined || x.type !== y.type) continue;
			if (x.deviceId !== y.deviceId && x.from <= y.to && y.from <= x.to) overlaps.push([x, y]);
		}
	}
	const later = a.updatedAt >= b.updatedAt ? a : b;
	return {
		register: { ...later, blocks, updatedAt: later.updatedAt, updatedBy: later.updatedBy },
		overlaps
	};
}

// ---------------------------------------------------------------------------------------------
// Writing and reading numbers

/**
 * "12-QĐ/ĐTN". Numbers below 10 take a leading zero ("05-QĐ/ĐTN"), as the Party's and the Union's
 * documents write them. `issuer` is the issuing body's abbreviation, possibly with a department
 * ("TĐTN-VP").
 */
export function formatDocumentNumber(options: {
	number: number;
	type: DocumentType;
	issuer: string;
}): string {
	if (!Number.isInteger(options.number) || options.number < 1) {
		throw new RangeError(`Số văn bản không hợp lệ: ${options.number}`);
	}
	return `${String(options.number).padStart(2, '0')}-${options.type}/${toNfc(options.issuer)}`;
}

/** "Số: 12-QĐ/ĐTN" as printed at the top of a document. */
export function documentNumberLine(number: string): string {
	return `Số: ${number}`;
}

const NUMBER_TEXT = /^(?:số\s*:?\s*)?(\d{1,5})\s*-\s*([A-ZĐ]{2})\s*\/\s*(\S.*)$/iu;

/** "12-QĐ/ĐTN", "Số: 05 - QĐ/TĐTN-VP" → parts; null when it is not in that form. */
export function parseDocumentNumber(
	text: string
): { number: number; type: DocumentType; issuer: string } | null {
	const match = NUMBER_TEXT.exec(toNfc(text));
	if (!match) return null;
	const type = (match[2] ?? '').toLocaleUpperCase('vi');
	if (!isOneOf(DOCUMENT_TYPES, type)) return null;
	return { number: Number(match[1]), type, issuer: (match[3] ?? '').trim() };
}

/**
 * The numbers of one type in one year among decisions ("12-QĐ/ĐTN" dated "2026-03-05"); a decision
 * counts in the year of its date, as the paper register numbers it.
 */
export function numbersInUse(options: {
	decisions: readonly { number: string; date: string }[];
	year: number;
	type: DocumentType;
}): number[] {
	const used = new Set<number>();
	for (const decision of options.decisions) {
		if (Number(decision.date.slice(0, 4)) !== options.year) continue;
		const parsed = parseDocumentNumber(decision.number);
		if (parsed && parsed.type === options.type) used.add(parsed.number);
	}
	return [...used].sort((a, b) => a - b);
}

/**
 * A warning when a number (typed by hand, or issued before a register was merged) is already used
 * by another document of the same type and year; null otherwise. The caller passes the documents
 * of the decision's year only.
 */
export function checkNumberClash(options: {
	number: string;
	existing: readonly { number: string; title: string }[];
}): string | null {
	const parsed = parseDocumentNumber(options.number);
	if (parsed === null) return null;
	const clash = options.existing.find((doc) => {
		const other = parseDocumentNumber(doc.number);
		return other !== null && other.number === parsed.number && other.type === parsed.type;
	});
	return clash
		? `Số ${options.number} đã dùng cho văn bản "${clash.title}" trong năm; hãy chọn số khác.`
		: null;
}

/** The usual abbreviation of an issuing body by unit kind (the unit may set its own). */
export function defaultIssuerCode(unitKind: string): string {
	switch (unitKind) {
		case 'trung-uong':
			return 'TWĐTN';
		case 'tinh-doan':
			return 'TĐTN';
		case 'huyen-doan':
			return 'HĐTN';
		case 'doan-khoi':
			return 'ĐK';
		default:
			return 'ĐTN';
	}
}
