import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	HISTORY_KINDS,
	HISTORY_KIND_LABELS,
	HISTORY_SCHEMA_VERSION,
	HistoryDocError,
	HistoryDocSchema,
	derivedHistoryId,
	entriesInForce,
	entriesOfKind,
	historyId,
	historyKey,
	historyKindLabel,
	sortHistory,
	upgradeHistoryDoc,
	type HistoryDoc
} from '$lib/domain';

const M = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y';

function entry(overrides: Record<string, unknown> = {}): HistoryDoc {
	return {
		_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000001',
		type: 'history',
		v: 1,
		unitId: 'xathanhson',
		memberId: M,
		kind: 'stay-extended',
		at: '2025-06-01',
		rulesVersion: 2,
		data: { until: '2027-06-10' },
		effect: { before: { staysUntil: null }, after: { staysUntil: '2027-06-10' } },
		createdAt: '2025-06-01T03:00:00.000Z',
		createdBy: 'bithu',
		updatedAt: '2025-06-01T03:00:00.000Z',
		updatedBy: 'bithu',
		...overrides
	} as HistoryDoc;
}

describe('history ids', () => {
	it('are history:<member ULID>:<ULID>, derived ones add a step', () => {
		expect(historyId({ memberId: M, key: '01JE0000000000000000000001' })).toBe(
			'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000001'
		);
		const out = derivedHistoryId({
			memberId: M,
			sourceKey: '01JE0000000000000000000001',
			step: 'out'
		});
		expect(out).toBe('history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000001-out');
		expect(derivedHistoryId({ memberId: M, sourceKey: historyKey(out), step: 'reversal' })).toBe(
			`${out}-reversal`
		);
		expect(() => historyId({ memberId: 'member:abc', key: '01JE0000000000000000000001' })).toThrow(
			RangeError
		);
		expect(() => historyId({ memberId: M, key: 'x' })).toThrow(RangeError);
		expect(() =>
			derivedHistoryId({ memberId: M, sourceKey: '01JE0000000000000000000001', step: 'Out!' })
		).toThrow(RangeError);
	});
});

describe('HistoryDocSchema', () => {
	it('is version 1 and checks each kind’s payload', () => {
		expect(HISTORY_SCHEMA_VERSION).toBe(1);
		expect(v.safeParse(HistoryDocSchema, entry()).success).toBe(true);
		expect(v.safeParse(HistoryDocSchema, entry({ data: { until: '10/06/2027' } })).success).toBe(
			false
		);
		expect(v.safeParse(HistoryDocSchema, entry({ data: { reasonId: 'x' } })).success).toBe(false);
		expect(v.safeParse(HistoryDocSchema, entry({ kind: 'promotion' })).success).toBe(false);
	});

	it('requires `reverses` on reversals and only there', () => {
		const reversal = entry({
			_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000001-reversal',
			kind: 'reversal',
			data: { reversedKind: 'stay-extended', reason: 'Nhầm' },
			reverses: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000001'
		});
		expect(v.safeParse(HistoryDocSchema, reversal).success).toBe(true);
		expect(v.safeParse(HistoryDocSchema, { ...reversal, reverses: undefined }).success).toBe(false);
		expect(v.safeParse(HistoryDocSchema, entry({ reverses: reversal.reverses })).success).toBe(
			false
		);
	});

	it('requires the id to name the member and the effect to name member fields', () => {
		expect(
			v.safeParse(HistoryDocSchema, entry({ memberId: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Z' }))
				.success
		).toBe(false);
		expect(
			v.safeParse(
				HistoryDocSchema,
				entry({ effect: { before: { password: 'x' }, after: { password: 'y' } } })
			).success
		).toBe(false);
	});
});

describe('upgradeHistoryDoc', () => {
	it('loads a stored entry and drops CouchDB’s extras', () => {
		expect(upgradeHistoryDoc({ ...entry(), _rev: '1-a', _conflicts: [] })).toEqual({
			...entry(),
			_rev: '1-a'
		});
	});

	it('says what is wrong with what it cannot load', () => {
		expect(() => upgradeHistoryDoc(null)).toThrow(HistoryDocError);
		expect(() => upgradeHistoryDoc({ ...entry(), type: 'member' })).toThrow('"member"');
		expect(() => upgradeHistoryDoc({ ...entry(), v: 0 })).toThrow('phiên bản');
		expect(() => upgradeHistoryDoc({ ...entry(), v: 2 })).toThrow(/mới hơn.*cập nhật ứng dụng/);
		try {
			upgradeHistoryDoc({ ...entry(), at: '2025-02-30' });
			expect.unreachable();
		} catch (error) {
			expect((error as HistoryDocError).message).toContain('at:');
			expect((error as HistoryDocError).docId).toBe(entry()._id);
		}
	});
});

describe('reading a history', () => {
	const first = entry();
	const reward = entry({
		_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01JE0000000000000000000002',
		kind: 'reward',
		at: '2025-05-19',
		effect: undefined,
		data: {
			formId: 'giay-khen',
			formLabel: 'Giấy khen',
			levelId: 'huyen',
			levelLabel: 'Huyện',
			achievement: 'Tốt'
		}
	});
	const reversal = entry({
		_id: `${first._id}-reversal`,
		kind: 'reversal',
		at: '2025-06-02',
		data: { reversedKind: 'stay-extended', reason: 'Nhầm' },
		reverses: first._id
	});

	it('sorts by effective date and leaves out what was reversed', () => {
		expect(sortHistory([reversal, first, reward]).map((e) => e.kind)).toEqual([
			'reward',
			'stay-extended',
			'reversal'
		]);
		expect(entriesInForce([first, reward, reversal]).map((e) => e.kind)).toEqual(['reward']);
		expect(entriesOfKind({ entries: [first, reward], kind: 'stay-extended' })).toEqual([first]);
	});

	it('names every kind in Vietnamese', () => {
		for (const kind of HISTORY_KINDS) expect(HISTORY_KIND_LABELS[kind]).toMatch(/\p{Lu}/u);
		expect(historyKindLabel('coming-of-age')).toBe('Trưởng thành Đoàn');
		expect(historyKindLabel('unknown')).toBe('unknown');
	});
});
