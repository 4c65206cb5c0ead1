import * as v from 'valibot';
import {
	FiguresDocSchema,
	addSummaries,
	emptySummary,
	type FiguresDevice,
	type FiguresDoc,
	type Summary
} from '../../src/lib/domain/figures';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { TestServer } from './test-server';

// Figures documents as the figures worker writes them (FiguresDocSchema), for the tests that need
// figures before the worker runs on this branch: built from a small tree of units with their own
// counts, totals added up the tree (own + children's totals), each written as the server admin
// into the unit's own database and every ancestor's — where the worker puts them.

export interface FiguresSeedUnit {
	unit: Pick<UnitRecord, 'id' | 'name' | 'kind' | 'parentId' | 'ancestors' | 'db'>;
	/** The unit's own members' counts (anything left out counts 0). */
	own?: Partial<Summary>;
	branches?: { id: string; name: string; onRolls: number }[];
	series?: Record<string, number>;
	lastWriteAt?: string;
	devices?: FiguresDevice[];
	pendingTransfersOut?: number;
	pendingTransfersIn?: number;
	conflicts?: number;
}

/** A summary with `onRolls` members all entered by the unit, unless `partial` says otherwise. */
export function summaryOf(partial: Partial<Summary> = {}): Summary {
	const base = emptySummary();
	const onRolls = partial.onRolls ?? 0;
	return {
		...base,
		byStatus: { active: onRolls },
		bySource: { unit: onRolls, self: 0, selfApproved: 0 },
		...partial,
		onRolls
	};
}

/** Every unit's figures document (one per unit, holder = the unit itself), totals added up. */
export function buildFigures(options: {
	units: readonly FiguresSeedUnit[];
	today: string;
	computedAt: string;
}): FiguresDoc[] {
	const byId = new Map(options.units.map((u) => [u.unit.id, u]));
	const childrenOf = (id: string) =>
		options.units.filter((u) => u.unit.parentId === id).map((u) => u.unit.id);
	const totals = new Map<string, Summary>();
	const totalOf = (id: string): Summary => {
		const known = totals.get(id);
		if (known) return known;
		const own = summaryOf(byId.get(id)?.own);
		const total = addSummaries([own, ...childrenOf(id).map(totalOf)]);
		totals.set(id, total);
		return total;
	};
	return options.units.map((seed) => {
		const { unit } = seed;
		const doc = {
			_id: `figures:${unit.id}`,
			type: 'figures' as const,
			v: 1 as const,
			unitId: unit.id,
			of: {
				id: unit.id,
				name: unit.name,
				kind: unit.kind,
				parentId: unit.parentId,
				ancestors: unit.ancestors,
				status: 'active'
			},
			children: childrenOf(unit.id),
			today: options.today,
			computedAt: options.computedAt,
			own: summaryOf(seed.own),
			total: totalOf(unit.id),
			branches: seed.branches ?? [],
			series: seed.series ?? {},
			activity: {
				...(seed.lastWriteAt ? { lastWriteAt: seed.lastWriteAt } : {}),
				devices: seed.devices ?? [],
				pendingTransfersOut: seed.pendingTransfersOut ?? 0,
				pendingTransfersIn: seed.pendingTransfersIn ?? 0,
				conflicts: seed.conflicts ?? 0
			},
			createdAt: options.computedAt,
			createdBy: 'doanvu-figures',
			updatedAt: options.computedAt,
			updatedBy: 'doanvu-figures'
		};
		return v.parse(FiguresDocSchema, doc);
	});
}

/**
 * Writes each unit's figures into its own database and every ancestor's among `units` (as the
 * worker does; `unitId` is the holder's). Returns the documents as built.
 */
export async function seedFigures(
	server: TestServer,
	options: { units: readonly FiguresSeedUnit[]; today: string; computedAt: string }
): Promise<FiguresDoc[]> {
	const docs = buildFigures(options);
	const dbOf = new Map(options.units.map((u) => [u.unit.id, u.unit.db]));
	for (const doc of docs) {
		for (const holder of [doc.of.id, ...doc.of.ancestors]) {
			const db = dbOf.get(holder);
			if (!db) continue;
			const existing = await server.couch.getDoc({ db, id: doc._id });
			await server.couch.putDoc({
				db,
				doc: { ...doc, unitId: holder, ...(existing?._rev ? { _rev: existing._rev } : {}) }
			});
		}
	}
	return docs;
}
