import * as v from 'valibot';
import { UNIT_ID_PATTERN } from '../org/ids';
import type { Summary } from './summary';

// The documents of the figures (docs/figures.md):
//   - `figures:<unitId>` (type `figures`): one unit's figures, written by the server's figures
//     worker only, into the unit's own database and into every ancestor's, so a superior's own
//     synced database holds its whole subtree's figures (offline too). `unitId` is the holder's
//     unit (like every document); `of` is the unit described.
//   - `target:<unitId>:<year>` (type `target`): how many members a superior expects a subordinate
//     unit to have on its rolls in a year, written by the superior's secretary or deputy in the
//     superior's own database. Without one, last year's count (the figures' December) stands.
// Version 1 of both. A later version adds an upgrade step here; summaries of an older shape still
// add, since every count missing from them counts 0.

export const FIGURES_SCHEMA_VERSION = 1 as const;
export const TARGET_SCHEMA_VERSION = 1 as const;

const UnitId = v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.'));
const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const CountMap = v.record(v.string(), Count);
const IsoDate = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/));

export const SummarySchema = v.object({
	onRolls: Count,
	byStatus: CountMap,
	bySource: v.object({ unit: Count, self: Count, selfApproved: v.optional(Count, 0) }),
	byGender: v.object({ male: Count, female: Count }),
	minority: Count,
	byEthnicity: CountMap,
	byAgeBand: CountMap,
	byReligion: CountMap,
	partyMembers: Count,
	byEducation: CountMap,
	ratings: CountMap,
	training: v.object({ registered: Count, scored: Count, byBand: CountMap }),
	comingOfAge: Count,
	comingOfAgeByYear: v.optional(CountMap),
	duesPaidUp: Count,
	// Optional: figures written before declarations (ADR 0019) have none and still load.
	declarations: v.optional(
		v.object({
			pending: Count,
			correctionRequested: Count,
			approved: Count,
			rejected: Count,
			withdrawn: Count
		})
	),
	year: v.object({
		admissions: Count,
		transfersIn: Count,
		transfersOut: Count,
		removals: Count,
		comingOfAge: Count
	})
}) as v.GenericSchema<Summary>;

/** One device of the unit as the superiors see it (no secret, only what sync health needs). */
export const FiguresDeviceSchema = v.object({
	/** The first 8 characters of the device id: enough to tell devices apart on a screen. */
	id: v.string(),
	login: v.string(),
	/** The server last heard from it (ISO timestamp). */
	lastSeenAt: v.optional(Timestamp),
	/** Its last complete sync, as the device reported it. */
	lastSyncAt: v.optional(Timestamp),
	/** Changes waiting on the device to be sent, and those the server refused, as reported. */
	waiting: v.optional(Count),
	refused: v.optional(Count),
	state: v.picklist(['active', 'revoked', 'wiped'])
});

export const FiguresDocSchema = v.object({
	_id: v.pipe(v.string(), v.regex(/^figures:[a-z0-9]{4,24}$/)),
	_rev: v.optional(v.string()),
	type: v.literal('figures'),
	v: v.literal(FIGURES_SCHEMA_VERSION),
	/** The holder's unit (the database's). */
	unitId: UnitId,
	/** The unit described. */
	of: v.object({
		id: UnitId,
		name: v.string(),
		kind: v.string(),
		parentId: v.nullable(UnitId),
		/** Ancestors' ids, the top first. */
		ancestors: v.array(UnitId),
		status: v.string()
	}),
	/** Direct subordinate units (their figures are beside this one in a superior's database). */
	children: v.array(UnitId),
	/** Vietnam's date the figures were computed for, and when. */
	today: IsoDate,
	computedAt: Timestamp,
	/** The unit's own members. */
	own: SummarySchema,
	/** The unit and its whole subtree: `own` plus every child's `total`. */
	total: SummarySchema,
	/** The unit's chi đoàn with members on the rolls (for the drill-down). */
	branches: v.array(v.object({ id: v.string(), name: v.string(), onRolls: Count })),
	/** Members on the rolls in the subtree at each month's last computation ('YYYY-MM' → count). */
	series: CountMap,
	activity: v.object({
		/** The last write by any of the unit's devices (a document's updatedAt), if any. */
		lastWriteAt: v.optional(Timestamp),
		devices: v.array(FiguresDeviceSchema),
		/** Transfers out of the unit waiting for the receiver, and offers waiting for its answer. */
		pendingTransfersOut: Count,
		pendingTransfersIn: Count,
		/** Member documents with unresolved conflicts. */
		conflicts: Count
	}),
	createdAt: Timestamp,
	createdBy: v.string(),
	updatedAt: Timestamp,
	updatedBy: v.string()
});

export type FiguresDoc = v.InferOutput<typeof FiguresDocSchema>;
export type FiguresDevice = v.InferOutput<typeof FiguresDeviceSchema>;

export const TargetDocSchema = v.object({
	_id: v.pipe(v.string(), v.regex(/^target:[a-z0-9]{4,24}:\d{4}$/)),
	_rev: v.optional(v.string()),
	type: v.literal('target'),
	v: v.literal(TARGET_SCHEMA_VERSION),
	unitId: UnitId,
	/** The subordinate unit the target is for. */
	forUnitId: UnitId,
	year: v.pipe(v.number(), v.integer(), v.minValue(2000), v.maxValue(2100)),
	members: v.pipe(Count, v.maxValue(10_000_000)),
	createdAt: Timestamp,
	createdBy: v.string(),
	updatedAt: Timestamp,
	updatedBy: v.string()
});

export type TargetDoc = v.InferOutput<typeof TargetDocSchema>;

export function figuresDocId(unitId: string): string {
	return `figures:${unitId}`;
}

export function targetDocId(options: { unitId: string; year: number }): string {
	return `target:${options.unitId}:${options.year}`;
}
