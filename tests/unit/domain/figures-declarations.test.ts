import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import {
	addSummaries,
	countDeclarations,
	emptySummary,
	summariseUnit,
	SummarySchema,
	type SummaryDeclaration,
	type SummaryDeclarationReview
} from '../../../src/lib/domain/figures';

// The declarations block of a unit's figures (ADR 0019 "Counts"): each declaration counted once, by
// the state the member and the queue see (declarationStatus), summed up the tree; figures written
// before the block existed still load and add.

const ULIDS = [
	'01JAAAAAAAAAAAAAAAAAAAAAA1',
	'01JAAAAAAAAAAAAAAAAAAAAAA2',
	'01JAAAAAAAAAAAAAAAAAAAAAA3'
];

function declaration(n: number, fields: Partial<SummaryDeclaration> = {}): SummaryDeclaration {
	return { _id: `declaration:${ULIDS[n]}`, state: 'submitted', revision: 1, ...fields };
}

function review(n: number, decision: string, revision = 1): SummaryDeclarationReview {
	return { declarationId: `declaration:${ULIDS[n]}`, decision, revision };
}

describe('countDeclarations', () => {
	it('counts each declaration by its derived state', () => {
		const more = (i: number, f: Partial<SummaryDeclaration> = {}) => ({
			...declaration(0, f),
			_id: `declaration:X${i}`
		});
		const declarations = [
			more(1),
			more(2),
			more(3),
			more(4, { revision: 2 }),
			more(5),
			more(6, { state: 'withdrawn' }),
			more(7)
		];
		const reviews: SummaryDeclarationReview[] = [
			{ declarationId: 'declaration:X2', decision: 'approved', revision: 1 },
			{ declarationId: 'declaration:X3', decision: 'rejected', revision: 1 },
			// Corrected after the request: waiting again.
			{ declarationId: 'declaration:X4', decision: 'correction-requested', revision: 1 },
			{ declarationId: 'declaration:X5', decision: 'correction-requested', revision: 1 },
			// A review of a declaration not synced yet counts nothing.
			{ declarationId: 'declaration:X99', decision: 'approved', revision: 1 }
		];
		expect(countDeclarations(declarations, reviews)).toEqual({
			pending: 3,
			correctionRequested: 1,
			approved: 1,
			rejected: 1,
			withdrawn: 1
		});
	});

	it('keeps a final decision even when a correction crossed it', () => {
		expect(
			countDeclarations([declaration(0, { revision: 3 })], [review(0, 'approved', 1)])
		).toMatchObject({ approved: 1, pending: 0 });
	});

	it('ignores a declaration of an unknown state', () => {
		expect(countDeclarations([declaration(0, { state: 'deleted' })], [])).toEqual({
			pending: 0,
			correctionRequested: 0,
			approved: 0,
			rejected: 0,
			withdrawn: 0
		});
	});
});

describe('summariseUnit with declarations', () => {
	const today = '2026-12-07';

	it('adds the block only when declarations are read', () => {
		expect(summariseUnit({ members: [], history: [], today }).declarations).toBeUndefined();
		const summary = summariseUnit({
			members: [],
			history: [],
			today,
			declarations: {
				declarations: [declaration(0), declaration(1), declaration(2)],
				reviews: [review(1, 'approved'), review(2, 'rejected')]
			}
		});
		expect(summary.declarations).toEqual({
			pending: 1,
			correctionRequested: 0,
			approved: 1,
			rejected: 1,
			withdrawn: 0
		});
	});

	it('sums up the tree, an old summary without the block counting 0', () => {
		const a = summariseUnit({
			members: [],
			history: [],
			today,
			declarations: { declarations: [declaration(0), declaration(1)], reviews: [] }
		});
		const b = summariseUnit({
			members: [],
			history: [],
			today,
			declarations: { declarations: [declaration(2)], reviews: [review(2, 'approved')] }
		});
		const total = addSummaries([a, b, emptySummary()]);
		expect(total.declarations).toEqual({
			pending: 2,
			correctionRequested: 0,
			approved: 1,
			rejected: 0,
			withdrawn: 0
		});
		expect(addSummaries([emptySummary()]).declarations).toBeUndefined();
	});

	it('the figures schema loads summaries with and without the block, and refuses a bad count', () => {
		const old = emptySummary();
		expect(v.safeParse(SummarySchema, old).success).toBe(true);
		const withBlock = {
			...old,
			declarations: { pending: 1, correctionRequested: 0, approved: 2, rejected: 0, withdrawn: 0 }
		};
		expect(v.safeParse(SummarySchema, withBlock).success).toBe(true);
		const bad = { ...withBlock, declarations: { ...withBlock.declarations, pending: -1 } };
		expect(v.safeParse(SummarySchema, bad).success).toBe(false);
	});
});
