import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '../../server/ulid';
import type { ExportLogEntry } from '../../src/lib/domain/spreadsheets/export-log-schema';
import { expectAlive, expectRefused, expectRefusedResponse } from './support/attack-log';
import { startOrg, type Actor, type Org } from './support/org-fixture';

// The exports' audit endpoint (POST /api/audit/exports): the trail says who exported what, so
// nobody writes an entry for another unit's list or in another account's name, no body carries a
// member's personal data into the trail, oversized or unauthenticated bodies are refused, and a
// flood is braked.

let org: Org;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
});

function entry(overrides: Partial<ExportLogEntry> & Record<string, unknown> = {}): ExportLogEntry {
	return {
		id: ulid(),
		unitId: org.units.communeA.unit.id,
		kind: 'roster',
		at: new Date().toISOString(),
		rows: 12,
		filters: { status: 'active' },
		...overrides
	} as ExportLogEntry;
}

function send(actor: Actor | null, body: unknown, raw = false): Promise<Response> {
	return org.server.request('/api/audit/exports', {
		method: 'POST',
		cookie: actor ? org.cookies[actor] : undefined,
		headers: { 'content-type': 'application/json' },
		body: raw ? (body as string) : JSON.stringify(body)
	});
}

async function exportsOf(unitKey: keyof Org['units']) {
	const entries = await org.server.audit.listFor({ type: 'unit', id: org.units[unitKey].unit.id });
	return entries.filter((e) => e.action === 'export');
}

describe('exports audit endpoint', () => {
	it('control: a secretary’s export is recorded once, in her name, however often it is sent', async () => {
		const mine = entry({ filters: { status: 'active', search: true } });
		expect((await send('secretaryA', { entries: [mine] })).status).toBe(200);
		expect((await send('secretaryA', { entries: [mine] })).status).toBe(200);
		const recorded = (await exportsOf('communeA')).filter((e) => e.details?.exportId === mine.id);
		expect(recorded).toHaveLength(1);
		expect(recorded[0]?.actor).toBe(org.logins.secretaryA);
		expect(recorded[0]?.details).toMatchObject({ kind: 'roster', rows: 12 });
	});

	it('another unit’s id is refused, and nothing of the batch is recorded', async () => {
		for (const [actor, unit] of [
			['secretaryA', 'communeB'],
			['secretaryB', 'communeA'],
			['secretaryA', 'province'],
			['otherAdmin', 'communeA']
		] as const) {
			const foreign = entry({ unitId: org.units[unit].unit.id });
			const own = entry({ unitId: org.units[org.homes[actor]].unit.id });
			await expectRefusedResponse(
				`${actor}: export entry for ${unit}`,
				await send(actor, { entries: [own, foreign] }),
				[403]
			);
			const all = [...(await exportsOf(unit)), ...(await exportsOf(org.homes[actor]))];
			expectRefused(
				`${actor}: no entry of a refused batch recorded`,
				!all.some((e) => e.details?.exportId === foreign.id || e.details?.exportId === own.id)
			);
		}
		const unknown = entry({ unitId: 'zzzzunknown' });
		await expectRefusedResponse(
			'secretaryA: export entry for a unit that does not exist',
			await send('secretaryA', { entries: [unknown] }),
			[403]
		);
	});

	it('a superior may log an export of a unit below it', async () => {
		const below = entry({
			unitId: org.units.communeB.unit.id,
			kind: 'coming-of-age',
			filters: { year: 2026 }
		});
		expect((await send('provinceAdmin', { entries: [below] })).status).toBe(200);
		const recorded = (await exportsOf('communeB')).find((e) => e.details?.exportId === below.id);
		expect(recorded?.actor).toBe(org.logins.provinceAdmin);
	});

	it('a forged actor or any field outside the enumerated ones is refused', async () => {
		const forged = { ...entry(), actor: org.logins.secretaryB };
		await expectRefusedResponse(
			'secretaryA: entry with a forged actor',
			await send('secretaryA', { entries: [forged] }),
			[422]
		);
		await expectRefusedResponse(
			'secretaryA: batch with a forged actor beside the entries',
			await send('secretaryA', { entries: [entry()], actor: org.logins.secretaryB }),
			[422]
		);
		const personal = [
			{ ...entry(), fullName: 'Nguyễn Văn Thử' },
			{ ...entry(), citizenId: '001203004005' },
			entry({ filters: { query: 'Nguyễn Văn' } as never }),
			entry({ filters: { search: 'Nguyễn Văn' } as never }),
			entry({ filters: { branchId: 'branch:<script>' } }),
			entry({ kind: 'everything' as never }),
			entry({ rows: 10_000_000 }),
			entry({ rows: -1 }),
			entry({ memberId: 'Nguyễn Văn Thử' }),
			entry({ id: 'not-a-ulid' }),
			entry({ at: 'yesterday' }),
			entry({ at: '2099-01-01T00:00:00.000Z' }),
			entry({ at: '1970-01-01T00:00:00.000Z' })
		];
		for (const [i, bad] of personal.entries()) {
			await expectRefusedResponse(
				`secretaryA: unbounded or personal field in an entry (#${i})`,
				await send('secretaryA', { entries: [bad] }),
				[422]
			);
		}
		const trail = JSON.stringify(await exportsOf('communeA'));
		expectRefused(
			'no personal data reached the trail',
			!trail.includes('Nguyễn') && !trail.includes('001203004005') && !trail.includes('query')
		);
	});

	it('huge bodies and batches are refused', async () => {
		const many = Array.from({ length: 51 }, () => entry());
		await expectRefusedResponse(
			'secretaryA: 51 entries in one batch',
			await send('secretaryA', { entries: many }),
			[422]
		);
		const huge = `{"entries":[${JSON.stringify(entry())}],"pad":"${'x'.repeat(200_000)}"}`;
		await expectRefusedResponse(
			'secretaryA: 200 kB body',
			await send('secretaryA', huge, true),
			[413]
		);
		await expectRefusedResponse(
			'secretaryA: not JSON',
			await send('secretaryA', '{"entries": [', true),
			[400, 422]
		);
		await expectRefusedResponse(
			'secretaryA: empty batch',
			await send('secretaryA', { entries: [] }),
			[422]
		);
	});

	it('no cookie, or a stale one, is refused', async () => {
		await expectRefusedResponse(
			'no cookie: export entry',
			await send(null, { entries: [entry()] }),
			[401]
		);
		const res = await org.server.request('/api/audit/exports', {
			method: 'POST',
			cookie: 'dv_session=forged.cookie.value',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ entries: [entry()] })
		});
		await expectRefusedResponse('forged cookie: export entry', res, [401]);
	});

	it('a flood of batches is braked per account', async () => {
		let limited: Response | undefined;
		for (let i = 0; i < 70 && !limited; i++) {
			const res = await send('deputyA', { entries: [entry()] });
			if (res.status === 429) limited = res;
			else expect(res.status).toBe(200);
		}
		expectRefused('deputyA: 70 batches in a row', limited !== undefined);
		expect(limited?.headers.get('retry-after')).toBeTruthy();
	});
});
