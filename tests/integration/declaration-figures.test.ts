import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitRecord } from '../../server/couch/provision-service';
import type { FiguresWorker } from '../../server/workers/figures-worker';
import {
	CURRENT_CONSENT_VERSION,
	DECLARED_FIELD_KEYS,
	DeclarationDocSchema,
	DeclarationReviewDocSchema,
	declarationReviewId,
	type DeclarationDoc,
	type DeclarationReviewDoc,
	type ReviewDecision
} from '../../src/lib/domain/declarations';
import { figuresDocId, FiguresDocSchema, type FiguresDoc } from '../../src/lib/domain/figures';
import { ulid } from '../../server/ulid';
import { validMember } from '../support/domain-fixture';
import { startTestServer, TEST_WORKERS, type TestServer } from '../support/test-server';
import { createJoinLink, declarationApi, submitDeclaration } from '../support/declaration-fixture';

// Members' declarations counted in the figures (ADR 0019 "Counts"): declarations and the unit's
// reviews written into a commune's database reach the province's copy of the commune's figures in
// one worker cycle, each counted once by the state the member and the queue see; the province's
// own total adds them up; figures of a unit without declarations say 0, not nothing.

const NOW = new Date('2026-12-06T20:30:00Z');

let server: TestServer;
let figures: FiguresWorker;
let province: UnitRecord;
let commune: UnitRecord;
let quiet: UnitRecord;

function declaration(
	unitId: string,
	options: { state?: 'submitted' | 'withdrawn'; revision?: number } = {}
): DeclarationDoc {
	const member = validMember({ unitId, login: 'server', givenName: 'Lan' }) as unknown as Record<
		string,
		unknown
	>;
	const fields = Object.fromEntries(
		DECLARED_FIELD_KEYS.filter((key) => member[key] !== undefined).map((key) => [key, member[key]])
	);
	const at = '2026-12-05T02:00:00.000Z';
	const doc = {
		_id: `declaration:${ulid()}`,
		type: 'declaration',
		v: 1,
		unitId,
		joinLinkId: 'join-link:unit',
		fields,
		consent: { version: CURRENT_CONSENT_VERSION, given: true, at },
		revision: options.revision ?? 1,
		state: options.state ?? 'submitted',
		submittedAt: at,
		...(options.state === 'withdrawn' ? { withdrawnAt: at } : {}),
		createdAt: at,
		createdBy: 'server',
		updatedAt: at,
		updatedBy: 'server'
	};
	// What the server writes must be what the contract accepts, or this test counts fiction.
	return v.parse(DeclarationDocSchema, doc);
}

function review(of: DeclarationDoc, decision: ReviewDecision, revision = 1): DeclarationReviewDoc {
	const at = '2026-12-06T02:00:00.000Z';
	return v.parse(DeclarationReviewDocSchema, {
		_id: declarationReviewId(of._id),
		type: 'declaration-review',
		v: 1,
		unitId: of.unitId,
		declarationId: of._id,
		decision,
		revision,
		...(decision === 'approved' ? {} : { reason: 'Thiếu số điện thoại.' }),
		decidedAt: at,
		decidedBy: 'bithu',
		createdAt: at,
		createdBy: 'bithu',
		updatedAt: at,
		updatedBy: 'bithu'
	});
}

async function write(db: string, docs: object[]): Promise<void> {
	const results = await server.couch.bulkDocs({ db, docs });
	expect(results.filter((row) => row.error)).toEqual([]);
}

async function figuresOf(holder: UnitRecord, unit: UnitRecord): Promise<FiguresDoc> {
	const doc = await server.couch.getDoc<FiguresDoc>({ db: holder.db, id: figuresDocId(unit.id) });
	expect(doc, `figures of ${unit.name} in ${holder.name}`).toBeDefined();
	return v.parse(FiguresDocSchema, doc);
}

beforeAll(async () => {
	server = await startTestServer({
		workers: {
			...TEST_WORKERS,
			figures: { enabled: true, pollMs: 60_000, minIntervalMs: 10, now: () => NOW }
		}
	});
	figures = server.workers.figures!;
	province = await server.provision.createUnit({
		name: 'Tỉnh đoàn Thử',
		kind: 'tinh-doan',
		createdBy: 'test'
	});
	commune = await server.provision.createUnit({
		name: 'Đoàn xã Khai Báo',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	quiet = await server.provision.createUnit({
		name: 'Đoàn xã Yên Lặng',
		kind: 'doan-xa',
		parentId: province.id,
		createdBy: 'test'
	});
	for (const unit of [province, commune, quiet]) figures.nudge(unit.db);
	await figures.cycle();
}, 60_000);

afterAll(async () => {
	await server?.close();
});

describe('declarations in the figures', () => {
	it('counts pending, correction requested, approved, rejected and withdrawn after one cycle', async () => {
		const before = await figuresOf(province, commune);
		expect(before.own.declarations).toEqual({
			pending: 0,
			correctionRequested: 0,
			approved: 0,
			rejected: 0,
			withdrawn: 0
		});

		const pending = [declaration(commune.id), declaration(commune.id)];
		const approved = declaration(commune.id);
		const rejected = declaration(commune.id);
		const sentBack = declaration(commune.id);
		// Corrected after the unit's request: the unit's turn again.
		const corrected = declaration(commune.id, { revision: 2 });
		const withdrawn = declaration(commune.id, { state: 'withdrawn' });
		// Approved, then a correction crossed the approval offline: the decision stands.
		const crossed = declaration(commune.id, { revision: 2 });
		await write(commune.db, [
			...pending,
			approved,
			rejected,
			sentBack,
			corrected,
			withdrawn,
			crossed,
			review(approved, 'approved'),
			review(rejected, 'rejected'),
			review(sentBack, 'correction-requested'),
			review(corrected, 'correction-requested'),
			review(crossed, 'approved')
		]);
		// Written as admin: the test tells the worker, as the proxy would for a device's write.
		figures.nudge(commune.db);
		const cycle = await figures.cycle();
		expect(cycle.read).toBe(1);

		const expected = { pending: 3, correctionRequested: 1, approved: 2, rejected: 1, withdrawn: 1 };
		const inProvince = await figuresOf(province, commune);
		expect(inProvince.own.declarations).toEqual(expected);
		expect(inProvince.total.declarations).toEqual(expected);
		// The province's own total adds its communes' (the quiet one adds zeros).
		const top = await figuresOf(province, province);
		expect(top.total.declarations).toEqual(expected);
		expect((await figuresOf(province, quiet)).total.declarations?.pending).toBe(0);
		// Counts only: no name or field of a declaration leaves the unit's database.
		expect(JSON.stringify(inProvince)).not.toContain('Lan');
	});

	it('counts what members send and withdraw through the public API after a cycle', async () => {
		const { token } = await createJoinLink({ server, unit: quiet });
		const kept = await submitDeclaration({ server, token });
		expect(kept.res.status).toBe(201);
		const gone = await submitDeclaration({ server, token });
		expect(gone.res.status).toBe(201);
		const withdrawn = await declarationApi(server, '/withdraw', { receipt: gone.receipt });
		expect(withdrawn.status).toBe(200);

		await figures.cycle();
		const counted = await figuresOf(province, quiet);
		expect(counted.own.declarations).toEqual({
			pending: 1,
			correctionRequested: 0,
			approved: 0,
			rejected: 0,
			withdrawn: 1
		});
		expect((await figuresOf(province, province)).total.declarations).toMatchObject({
			pending: 4,
			withdrawn: 2
		});
	});
});
