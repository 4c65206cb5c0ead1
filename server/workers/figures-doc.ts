import * as v from 'valibot';
import { unitStatus, type UnitRecord } from '../couch/provision-service';
import {
	figuresDocId,
	FIGURES_SCHEMA_VERSION,
	FiguresDocSchema,
	type FiguresDoc,
	type Summary
} from '../../src/lib/domain/figures';
import type { UnitPart } from './figures-reader';

// One unit's figures document as the worker writes it (src/lib/domain/figures/figures-schema.ts),
// and what the worker keeps of each unit between cycles.

const SERVER_NAME = 'doanvu-server';
const SERIES_MONTHS = 24;

/** What the worker knows of a unit: its own part, its subtree's total, its monthly series. */
export interface Known {
	part: UnitPart;
	total: Summary;
	series: Record<string, number>;
}

/** What a written figures document tells of its unit (read back after a start). */
export function knownOf(doc: FiguresDoc): Known {
	return {
		part: { own: doc.own, branches: doc.branches, activity: doc.activity, today: doc.today },
		total: doc.total,
		series: doc.series
	};
}

/** The month's count set, the 24 latest months kept. */
export function seriesWith(
	series: Record<string, number>,
	today: string,
	onRolls: number
): Record<string, number> {
	const next = { ...series, [today.slice(0, 7)]: onRolls };
	const months = Object.keys(next).sort().slice(-SERIES_MONTHS);
	return Object.fromEntries(months.map((month) => [month, next[month]!]));
}

/** The document (its own database's copy), checked against the schema; the first issue if not valid. */
export function buildFiguresDoc(options: {
	unit: UnitRecord;
	children: string[];
	part: UnitPart;
	total: Summary;
	series: Record<string, number>;
	today: string;
	at: string;
}): FiguresDoc | string {
	const { unit, part, at } = options;
	const doc: FiguresDoc = {
		_id: figuresDocId(unit.id),
		type: 'figures',
		v: FIGURES_SCHEMA_VERSION,
		unitId: unit.id,
		of: {
			id: unit.id,
			name: unit.name,
			kind: unit.kind,
			parentId: unit.parentId,
			ancestors: unit.ancestors,
			status: unitStatus(unit)
		},
		children: options.children,
		today: options.today,
		computedAt: at,
		own: part.own,
		total: options.total,
		branches: part.branches,
		series: options.series,
		activity: part.activity,
		createdAt: at,
		createdBy: SERVER_NAME,
		updatedAt: at,
		updatedBy: SERVER_NAME
	};
	const checked = v.safeParse(FiguresDocSchema, doc);
	return checked.success ? doc : (checked.issues[0]?.message ?? 'invalid');
}
