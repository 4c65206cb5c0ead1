import { addDays, formatNumber, todayIso } from '../dates';
import { unitKindLabel } from '../unit-kinds';
import type { FiguresDoc } from './figures-schema';
import type { DeclarationCounts } from './summary';

// The superior's progress view of its subordinate units (docs/dashboard.md):
// pure functions over the figures documents the device already holds, so the screen, its export
// and the tests compute the same rows. "Today" is always Vietnam's date, passed in.

/** How a unit stands, never shown by colour alone: each light has its Vietnamese label. */
export type ProgressLight = 'red' | 'amber' | 'green';

export const LIGHT_LABELS: Record<ProgressLight, string> = {
	red: 'Chậm tiến độ',
	amber: 'Cần chú ý',
	green: 'Đạt tiến độ'
};

/** The thresholds of the traffic light; the defaults are the Union's usual reading. */
export interface ProgressThresholds {
	/** A device (or unit) that has not synced for this many days counts as out of touch. */
	staleDays: number;
	/** Below this % of the target a unit is red; below `amberBelow`, amber. */
	redBelow: number;
	amberBelow: number;
	/** No activity at all for this many days (or never) makes a unit red. */
	silentDays: number;
}

export const DEFAULT_THRESHOLDS: ProgressThresholds = {
	staleDays: 7,
	redBelow: 50,
	amberBelow: 90,
	silentDays: 30
};

export type TargetSource = 'set' | 'last-year' | 'none';

export interface ProgressRow {
	unitId: string;
	name: string;
	kind: string;
	kindLabel: string;
	/** The unit has subordinate units of its own (the drill-down goes on). */
	hasChildren: boolean;
	/** A grassroots unit with chi đoàn (the drill-down ends on its branches). */
	branches: number;
	target: number | null;
	targetSource: TargetSource;
	/** Members on the rolls in the unit's subtree. */
	onRolls: number;
	/** Of them, declared by the members themselves, and of those approved by the unit. */
	declared: number;
	approved: number;
	/** Declarations waiting for the unit (pending, or corrected after a request; ADR 0019). */
	pendingReview: number;
	/** On the rolls as a % of the target, one decimal; null without a target. */
	percent: number | null;
	/** Whole days since the last write or sync of any of its devices; null: never. */
	daysSinceActivity: number | null;
	devices: number;
	/** Active devices whose last sync is older than `staleDays` (or that never synced). */
	staleDevices: number;
	pendingTransfers: number;
	conflicts: number;
	light: ProgressLight;
	/** Why the light is not green, in Vietnamese ("" when green). */
	reason: string;
}

/** Whole days from the Vietnam date of `instant` to `today` (0 the same day). */
export function daysSince(options: { instant: string; today: string }): number {
	const day = todayIso(new Date(options.instant));
	const from = Date.parse(`${day}T00:00:00Z`);
	const to = Date.parse(`${options.today}T00:00:00Z`);
	return Math.max(0, Math.round((to - from) / 86_400_000));
}

function latest(instants: readonly (string | undefined)[]): string | null {
	let best: string | null = null;
	let bestMs = -Infinity;
	for (const instant of instants) {
		if (!instant) continue;
		const ms = Date.parse(instant);
		if (!Number.isNaN(ms) && ms > bestMs) {
			best = instant;
			bestMs = ms;
		}
	}
	return best;
}

/** The last sign of life of a unit: a write, or any device's sync. */
export function lastActivity(figures: FiguresDoc): string | null {
	return latest([
		figures.activity.lastWriteAt,
		...figures.activity.devices.map((device) => device.lastSyncAt)
	]);
}

/** Last year's December count, the target when the superior set none. */
export function lastYearCount(options: { figures: FiguresDoc; year: number }): number | null {
	const count = options.figures.series[`${options.year - 1}-12`];
	return typeof count === 'number' ? count : null;
}

function percentOf(onRolls: number, target: number | null): number | null {
	if (target === null || target <= 0) return null;
	return Math.round((onRolls / target) * 1000) / 10;
}

function judge(
	row: Omit<ProgressRow, 'light' | 'reason'>,
	t: ProgressThresholds
): { light: ProgressLight; reason: string } {
	const silent = row.daysSinceActivity === null || row.daysSinceActivity > t.silentDays;
	const silentText =
		row.daysSinceActivity === null
			? 'chưa có hoạt động nào'
			: `${row.daysSinceActivity} ngày không hoạt động`;
	if (row.percent !== null && row.percent < t.redBelow)
		return { light: 'red', reason: `mới đạt ${formatNumber(row.percent, { fractionDigits: 1 })}%` };
	if (silent) return { light: 'red', reason: silentText };
	const reasons: string[] = [];
	if (row.percent !== null && row.percent < t.amberBelow)
		reasons.push(`mới đạt ${formatNumber(row.percent, { fractionDigits: 1 })}%`);
	if (row.daysSinceActivity !== null && row.daysSinceActivity > t.staleDays)
		reasons.push(`${row.daysSinceActivity} ngày không hoạt động`);
	if (row.staleDevices > 0) reasons.push(`${row.staleDevices} máy lâu chưa đồng bộ`);
	if (row.conflicts > 0) reasons.push(`${row.conflicts} hồ sơ xung đột`);
	return reasons.length
		? { light: 'amber', reason: reasons.join(', ') }
		: { light: 'green', reason: '' };
}

/** Declarations the unit still has to act on: new or corrected, and those sent back for a
 * correction (the member's turn, but not closed); 0 for figures written before declarations. */
export function pendingReview(counts: DeclarationCounts | undefined): number {
	return (counts?.pending ?? 0) + (counts?.correctionRequested ?? 0);
}

/** One subordinate unit's progress row on `today` (Vietnam's date), against its target if any. */
export function progressRow(options: {
	figures: FiguresDoc;
	today: string;
	/** The superior's target for the year of `today`, if it set one. */
	target?: number | null;
	thresholds?: ProgressThresholds;
}): ProgressRow {
	const { figures, today } = options;
	const t = options.thresholds ?? DEFAULT_THRESHOLDS;
	const year = Number(today.slice(0, 4));
	const set = options.target ?? null;
	const fallback = set === null ? lastYearCount({ figures, year }) : null;
	const target = set ?? fallback;
	const staleFrom = addDays({ date: today, days: -t.staleDays });
	const active = figures.activity.devices.filter((device) => device.state === 'active');
	const staleDevices = active.filter(
		(device) => !device.lastSyncAt || todayIso(new Date(device.lastSyncAt)) < staleFrom
	).length;
	const activity = lastActivity(figures);
	const base = {
		unitId: figures.of.id,
		name: figures.of.name,
		kind: figures.of.kind,
		kindLabel: unitKindLabel(figures.of.kind),
		hasChildren: figures.children.length > 0,
		branches: figures.branches.length,
		target,
		targetSource: (set !== null ? 'set' : fallback !== null ? 'last-year' : 'none') as TargetSource,
		onRolls: figures.total.onRolls,
		declared: figures.total.bySource.self,
		approved: figures.total.bySource.selfApproved ?? 0,
		pendingReview: pendingReview(figures.total.declarations),
		percent: percentOf(figures.total.onRolls, target),
		daysSinceActivity: activity === null ? null : daysSince({ instant: activity, today }),
		devices: active.length,
		staleDevices,
		pendingTransfers: figures.activity.pendingTransfersOut + figures.activity.pendingTransfersIn,
		conflicts: figures.activity.conflicts
	};
	return { ...base, ...judge(base, t) };
}

export type ProgressSort = 'laggards' | 'name' | 'percent' | 'onRolls' | 'activity';

export const PROGRESS_SORTS: readonly { id: ProgressSort; label: string }[] = [
	{ id: 'laggards', label: 'Đơn vị chậm trước' },
	{ id: 'percent', label: 'Tỷ lệ hoàn thành (thấp trước)' },
	{ id: 'activity', label: 'Lâu không hoạt động trước' },
	{ id: 'onRolls', label: 'Số đoàn viên (nhiều trước)' },
	{ id: 'name', label: 'Tên đơn vị (A–Z)' }
];

const LIGHT_ORDER: Record<ProgressLight, number> = { red: 0, amber: 1, green: 2 };

function byName(a: ProgressRow, b: ProgressRow): number {
	return a.name.localeCompare(b.name, 'vi', { numeric: true }) || a.unitId.localeCompare(b.unitId);
}

/** Lower percent first; a unit without a target after those with one. */
function byPercent(a: ProgressRow, b: ProgressRow): number {
	const pa = a.percent ?? Infinity;
	const pb = b.percent ?? Infinity;
	return pa - pb;
}

/** Longest silence first; "never" is the longest. */
function byActivity(a: ProgressRow, b: ProgressRow): number {
	const da = a.daysSinceActivity ?? Infinity;
	const db = b.daysSinceActivity ?? Infinity;
	return da === db ? 0 : db > da ? 1 : -1;
}

/** The rows in the chosen order (a new array); ties always by name, so the order is stable. */
export function sortProgress(rows: readonly ProgressRow[], sort: ProgressSort): ProgressRow[] {
	const compare: (a: ProgressRow, b: ProgressRow) => number =
		sort === 'name'
			? byName
			: sort === 'percent'
				? (a, b) => byPercent(a, b) || byName(a, b)
				: sort === 'onRolls'
					? (a, b) => b.onRolls - a.onRolls || byName(a, b)
					: sort === 'activity'
						? (a, b) => byActivity(a, b) || byName(a, b)
						: (a, b) =>
								LIGHT_ORDER[a.light] - LIGHT_ORDER[b.light] ||
								byPercent(a, b) ||
								byActivity(a, b) ||
								byName(a, b);
	return [...rows].sort(compare);
}

export function isProgressSort(value: unknown): value is ProgressSort {
	return PROGRESS_SORTS.some((sort) => sort.id === value);
}
