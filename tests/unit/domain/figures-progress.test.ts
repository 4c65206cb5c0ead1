import { describe, expect, it } from 'vitest';
import {
	LIGHT_LABELS,
	daysSince,
	progressCells,
	progressRow,
	progressTable,
	sortProgress,
	syncHealth,
	formatCell,
	type FiguresDoc
} from '../../../src/lib/domain/figures';
import { UNIT_KIND_IDS, kindHasSubordinates } from '../../../src/lib/domain/unit-kinds';
import { isSuperiorKind } from '../../../src/lib/domain/superior-kinds';
import { buildFigures, type FiguresSeedUnit } from '../../support/figures-fixture';

// The superior's progress rows: pure functions of the figures documents and Vietnam's today (a
// fixed date here: nothing depends on the machine's zone or clock).

const TODAY = '2026-12-07';
const COMPUTED = '2026-12-07T00:30:00.000Z';

function unit(id: string, options: Partial<FiguresSeedUnit> & { parent?: string } = {}) {
	const parent = options.parent ?? 'tinh0001';
	return {
		...options,
		unit: {
			id,
			name: `Đoàn xã ${id}`,
			kind: 'doan-xa',
			parentId: parent,
			ancestors: [parent],
			db: `unit_${id}`
		}
	} satisfies FiguresSeedUnit;
}

function figuresOf(seed: FiguresSeedUnit): FiguresDoc {
	return buildFigures({ units: [seed], today: TODAY, computedAt: COMPUTED })[0]!;
}

const RECENT = '2026-12-06T03:00:00.000Z';

describe('progressRow', () => {
	it('takes the superior’s target, else last year’s December count, else none', () => {
		const figures = figuresOf(
			unit('xa000001', { own: { onRolls: 45 }, series: { '2025-12': 60 }, lastWriteAt: RECENT })
		);
		const set = progressRow({ figures, today: TODAY, target: 50 });
		expect(set).toMatchObject({ target: 50, targetSource: 'set', onRolls: 45, percent: 90 });
		const lastYear = progressRow({ figures, today: TODAY });
		expect(lastYear).toMatchObject({ target: 60, targetSource: 'last-year', percent: 75 });
		const none = progressRow({
			figures: figuresOf(unit('xa000002', { own: { onRolls: 3 }, lastWriteAt: RECENT })),
			today: TODAY
		});
		expect(none).toMatchObject({ target: null, targetSource: 'none', percent: null });
	});

	it('counts declared and approved from the subtree’s sources, percent to one decimal', () => {
		const figures = figuresOf(
			unit('xa000003', {
				own: { onRolls: 7, bySource: { unit: 4, self: 3, selfApproved: 2 } },
				lastWriteAt: RECENT
			})
		);
		const row = progressRow({ figures, today: TODAY, target: 9 });
		expect(row).toMatchObject({ declared: 3, approved: 2, percent: 77.8 });
	});

	it('counts declarations waiting for the unit (pending and sent back), 0 for old figures', () => {
		const figures = figuresOf(
			unit('xa000004', {
				own: {
					onRolls: 2,
					declarations: {
						pending: 4,
						correctionRequested: 1,
						approved: 6,
						rejected: 2,
						withdrawn: 1
					}
				},
				lastWriteAt: RECENT
			})
		);
		const row = progressRow({ figures, today: TODAY });
		expect(row.pendingReview).toBe(5);
		const cells = progressTable([row]);
		expect(cells.rows[0]![cells.headers.indexOf('Chờ duyệt')]).toBe(5);
		const old = figuresOf(unit('xa000005', { own: { onRolls: 2 }, lastWriteAt: RECENT }));
		expect(old.total.declarations).toBeUndefined();
		expect(progressRow({ figures: old, today: TODAY }).pendingReview).toBe(0);
	});

	it('reads days since activity on Vietnam’s calendar (evening UTC is already tomorrow)', () => {
		// 18:00 UTC on the 6th is 01:00 on the 7th in Vietnam: the same day as today.
		expect(daysSince({ instant: '2026-12-06T18:00:00Z', today: TODAY })).toBe(0);
		expect(daysSince({ instant: '2026-12-06T16:59:00Z', today: TODAY })).toBe(1);
		const figures = figuresOf(
			unit('xa000004', {
				own: { onRolls: 10 },
				lastWriteAt: '2026-11-20T02:00:00Z',
				devices: [
					{ id: 'dev00001', login: 'a', state: 'active', lastSyncAt: '2026-12-01T02:00:00Z' }
				]
			})
		);
		// The latest of the last write and any device's sync.
		expect(progressRow({ figures, today: TODAY, target: 10 }).daysSinceActivity).toBe(6);
	});

	it('counts active devices not synced for N days (or never), not revoked ones', () => {
		const figures = figuresOf(
			unit('xa000005', {
				own: { onRolls: 10 },
				lastWriteAt: RECENT,
				devices: [
					{ id: 'dev00001', login: 'a', state: 'active', lastSyncAt: RECENT },
					{ id: 'dev00002', login: 'b', state: 'active', lastSyncAt: '2026-11-25T02:00:00Z' },
					{ id: 'dev00003', login: 'c', state: 'active' },
					{ id: 'dev00004', login: 'd', state: 'revoked', lastSyncAt: '2026-01-01T00:00:00Z' }
				]
			})
		);
		const row = progressRow({ figures, today: TODAY, target: 10 });
		expect(row).toMatchObject({ devices: 3, staleDevices: 2, light: 'amber' });
		expect(row.reason).toContain('2 máy lâu chưa đồng bộ');
	});

	it('lights red below half the target or after a long silence, amber on the way, green on track', () => {
		const row = (options: Partial<FiguresSeedUnit>, target: number) =>
			progressRow({ figures: figuresOf(unit('xa000006', options)), today: TODAY, target });
		expect(row({ own: { onRolls: 4 }, lastWriteAt: RECENT }, 10)).toMatchObject({
			light: 'red',
			reason: 'mới đạt 40%'
		});
		expect(row({ own: { onRolls: 10 } }, 10)).toMatchObject({
			light: 'red',
			reason: 'chưa có hoạt động nào'
		});
		expect(row({ own: { onRolls: 10 }, lastWriteAt: '2026-10-01T02:00:00Z' }, 10).light).toBe(
			'red'
		);
		expect(row({ own: { onRolls: 8 }, lastWriteAt: RECENT }, 10)).toMatchObject({
			light: 'amber',
			reason: 'mới đạt 80%'
		});
		expect(row({ own: { onRolls: 10 }, lastWriteAt: RECENT, conflicts: 1 }, 10).light).toBe(
			'amber'
		);
		expect(row({ own: { onRolls: 10 }, lastWriteAt: RECENT }, 10)).toMatchObject({
			light: 'green',
			reason: ''
		});
		expect(LIGHT_LABELS).toEqual({
			red: 'Chậm tiến độ',
			amber: 'Cần chú ý',
			green: 'Đạt tiến độ'
		});
	});
});

describe('sortProgress', () => {
	const rows = [
		['xa00000a', 10, RECENT], // green
		['xa00000b', 3, RECENT], // red 30 %
		['xa00000c', 8, RECENT], // amber 80 %
		['xa00000d', 1, RECENT], // red 10 %
		['xa00000e', 7, RECENT] // amber 70 %
	].map(([id, onRolls, at]) =>
		progressRow({
			figures: figuresOf(
				unit(id as string, { own: { onRolls: onRolls as number }, lastWriteAt: at as string })
			),
			today: TODAY,
			target: 10
		})
	);

	it('puts the laggards first: red, then amber, the lowest percent first within each', () => {
		expect(sortProgress(rows, 'laggards').map((r) => r.unitId)).toEqual([
			'xa00000d',
			'xa00000b',
			'xa00000e',
			'xa00000c',
			'xa00000a'
		]);
	});

	it('sorts by name, by size, and leaves the input as it was', () => {
		const before = rows.map((r) => r.unitId);
		expect(sortProgress(rows, 'onRolls')[0]!.unitId).toBe('xa00000a');
		expect(sortProgress(rows, 'name').map((r) => r.unitId)).toEqual([...before].sort());
		expect(rows.map((r) => r.unitId)).toEqual(before);
	});
});

describe('syncHealth', () => {
	it('lists quiet units (never first), closed devices and refused changes', () => {
		const units = [
			unit('xa000010', { lastWriteAt: RECENT }),
			unit('xa000011', { lastWriteAt: '2026-11-01T02:00:00Z' }),
			unit('xa000012', {
				devices: [
					{ id: 'dev00001', login: 'a', state: 'wiped' },
					{ id: 'dev00002', login: 'b', state: 'active', lastSyncAt: RECENT, refused: 2 }
				]
			}),
			unit('xa000013', {})
		].map(figuresOf);
		const health = syncHealth({ units, today: TODAY, staleDays: 7 });
		expect(health.quietUnits.map((q) => [q.unitId, q.days])).toEqual([
			['xa000013', null],
			['xa000011', 36]
		]);
		expect(health.closedDevices).toEqual([
			{
				unitId: 'xa000012',
				unitName: 'Đoàn xã xa000012',
				deviceId: 'dev00001',
				login: 'a',
				state: 'wiped'
			}
		]);
		expect(health.refusedTotal).toBe(2);
	});
});

describe('progressTable', () => {
	it('keeps numbers as numbers and an unknown target empty, in the rows’ order', () => {
		const a = progressRow({
			figures: figuresOf(unit('xa000020', { own: { onRolls: 1234 }, lastWriteAt: RECENT })),
			today: TODAY,
			target: 2000
		});
		const b = progressRow({
			figures: figuresOf(unit('xa000021', { own: { onRolls: 5 }, lastWriteAt: RECENT })),
			today: TODAY
		});
		const table = progressTable([a, b]);
		expect(table.headers[0]).toBe('Đơn vị');
		expect(table.rows[0]).toEqual(progressCells(a));
		expect(table.rows[0]!.slice(0, 8)).toEqual([
			'Đoàn xã xa000020',
			'Cần chú ý',
			2000,
			1234,
			0,
			0,
			0,
			61.7
		]);
		expect(table.rows[1]![2]).toBeNull();
		expect(formatCell(1234)).toBe('1.234');
		expect(formatCell(61.7)).toBe('61,7');
		expect(formatCell(null)).toBe('—');
	});
});

describe('kindHasSubordinates', () => {
	it('is true for kinds that hold units with their own data, false for grassroots units', () => {
		expect(kindHasSubordinates('tinh-doan')).toBe(true);
		expect(kindHasSubordinates('doan-truong')).toBe(true);
		expect(kindHasSubordinates('doan-xa')).toBe(false);
		expect(kindHasSubordinates('chi-doan-co-so')).toBe(false);
	});

	it('agrees with the short list the app’s frame reads', () => {
		for (const kind of UNIT_KIND_IDS)
			expect(isSuperiorKind(kind), kind).toBe(kindHasSubordinates(kind));
	});
});
