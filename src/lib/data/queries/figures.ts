import * as v from 'valibot';
import {
	FiguresDocSchema,
	TargetDocSchema,
	type FiguresDoc,
	type TargetDoc
} from '$lib/domain/figures';
import { deviceDb, type RecordRow } from '$lib/data/store/device-db';

// What the dashboard reads: the figures documents the figures worker wrote into the databases this
// device syncs (a superior's own database holds its whole subtree's), and the targets superiors
// set. Read from the read model's `records` table only (no PouchDB, no network), so the screen
// opens offline and a LiveQuery runs again whenever sync brings new figures. A document that does
// not parse (an older or newer shape, a damaged copy) is skipped, never shown half.

async function recordsOf(dbs: readonly string[], type: string): Promise<RecordRow[]> {
	if (dbs.length === 0) return [];
	return deviceDb.records
		.where('[db+type]')
		.anyOf(dbs.map((db) => [db, type]))
		.toArray();
}

function parsed<T>(schema: v.GenericSchema<unknown, T>, rows: readonly RecordRow[]): T[] {
	const docs: T[] = [];
	for (const row of rows) {
		const result = v.safeParse(schema, row.doc);
		if (result.success) docs.push(result.output);
		else console.warn('Bỏ qua số liệu không đọc được', row.key, result.issues[0]?.message);
	}
	return docs;
}

/**
 * Every unit's figures held on the device, by the unit described. One unit's figures may be in
 * several databases (its own and each superior's the device syncs): the latest computation wins.
 */
export async function allFigures(dbs: readonly string[]): Promise<Map<string, FiguresDoc>> {
	const byUnit = new Map<string, FiguresDoc>();
	for (const doc of parsed(FiguresDocSchema, await recordsOf(dbs, 'figures'))) {
		const held = byUnit.get(doc.of.id);
		if (!held || held.computedAt < doc.computedAt) byUnit.set(doc.of.id, doc);
	}
	return byUnit;
}

/** The targets set for `year`, by the unit they are for (set by that unit's direct superior). */
export async function targetsOf(options: {
	dbs: readonly string[];
	year: number;
}): Promise<Map<string, TargetDoc>> {
	const targets = new Map<string, TargetDoc>();
	for (const doc of parsed(TargetDocSchema, await recordsOf(options.dbs, 'target'))) {
		if (doc.year === options.year) targets.set(`${doc.unitId}|${doc.forUnitId}`, doc);
	}
	return targets;
}

export interface UnitDashboard {
	/** The unit's own figures, or null before the first ones arrive. */
	unit: FiguresDoc | null;
	/** Its direct subordinates' figures the device holds, in the order of `unit.children`. */
	children: FiguresDoc[];
	/** Every descendant's figures the device holds (sync health covers the whole subtree). */
	descendants: FiguresDoc[];
	/** The targets `unit` set for its direct subordinates this year, by subordinate id. */
	targets: Map<string, number>;
	/** The names of the unit's ancestors the device holds figures of (the way back up). */
	names: Map<string, string>;
	/** How many figures documents the device holds at all (0: nothing synced yet). */
	held: number;
}

/** The dashboard of `unitId` from the figures held on the device's databases `dbs`. */
export async function unitDashboard(options: {
	dbs: readonly string[];
	unitId: string;
	year: number;
}): Promise<UnitDashboard> {
	const [figures, targetDocs] = await Promise.all([
		allFigures(options.dbs),
		targetsOf({ dbs: options.dbs, year: options.year })
	]);
	const unit = figures.get(options.unitId) ?? null;
	const children = (unit?.children ?? [])
		.map((id) => figures.get(id))
		.filter((doc): doc is FiguresDoc => doc !== undefined);
	const descendants = [...figures.values()].filter((doc) =>
		doc.of.ancestors.includes(options.unitId)
	);
	const targets = new Map<string, number>();
	for (const target of targetDocs.values()) {
		if (target.unitId === options.unitId) targets.set(target.forUnitId, target.members);
	}
	const names = new Map<string, string>();
	for (const id of unit?.of.ancestors ?? []) {
		const name = figures.get(id)?.of.name;
		if (name) names.set(id, name);
	}
	return { unit, children, descendants, targets, names, held: figures.size };
}
