import 'fake-indexeddb/auto';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { progressRow, progressTable, sortProgress } from '../../../src/lib/domain/figures';
import { setTarget } from '../../../src/lib/data/commands/targets';
import {
	HEADER_ROW,
	TITLE_ROW,
	progressTitle,
	progressWorkbook
} from '../../../src/lib/data/spreadsheets/progress-xlsx';
import { unitDashboard } from '../../../src/lib/data/queries/figures';
import { hasSubordinates } from '../../../src/lib/data/queries/figures-landing';
import { catchUp } from '../../../src/lib/data/read-model/indexer';
import { deviceDb } from '../../../src/lib/data/store/device-db';
import { destroyLocalDbs, localDb } from '../../../src/lib/data/store/pouch';
import { buildFigures, type FiguresSeedUnit } from '../../support/figures-fixture';

// The dashboard's data on the device, with real PouchDB (memory) and Dexie (fake-indexeddb): the
// figures synced into the province's database reach the screen's query through the indexer (what
// does not parse is left out), a target set on the device is read back as the unit's target, and
// the .xlsx export read back with exceljs holds exactly the table the screen shows.

const TODAY = '2026-12-07';
const COMPUTED = '2026-12-07T00:30:00.000Z';
const RECENT = '2026-12-06T03:00:00.000Z';
// A fresh province per test: a destroyed local database stays marked as wiped on the device.
let run = 0;
let PROVINCE = '';
let DB = '';

function seed(id: string, name: string, extra: Partial<FiguresSeedUnit> = {}): FiguresSeedUnit {
	const top = id === PROVINCE;
	return {
		lastWriteAt: RECENT,
		...extra,
		unit: {
			id,
			name,
			kind: top ? 'tinh-doan' : 'doan-xa',
			parentId: top ? null : PROVINCE,
			ancestors: top ? [] : [PROVINCE],
			db: `unit_${id}`
		}
	};
}

const units = () => [
	seed(PROVINCE, 'Tỉnh đoàn Phú Thọ'),
	seed('xathanhson', 'Đoàn xã Thanh Sơn', { own: { onRolls: 1250 } }),
	seed('xatanson', 'Đoàn xã Tân Sơn', { own: { onRolls: 12 }, series: { '2025-12': 40 } })
];

/** The province's database on the device as sync leaves it: every unit's figures in it. */
async function syncFigures() {
	const docs = buildFigures({ units: units(), today: TODAY, computedAt: COMPUTED }).map((doc) => ({
		...doc,
		unitId: PROVINCE
	}));
	// A damaged copy is left out rather than shown half.
	const broken = { _id: 'figures:xahong', type: 'figures', v: 1, unitId: PROVINCE, of: {} };
	await localDb(DB).bulkDocs([...docs, broken]);
	await catchUp(DB);
}

beforeEach(async () => {
	run++;
	PROVINCE = `tinhdash${run}`;
	DB = `unit_${PROVINCE}`;
	await Promise.all(deviceDb.tables.map((t) => t.clear()));
});

afterEach(async () => {
	await destroyLocalDbs([DB]);
});

describe('the dashboard query', () => {
	it('reads the unit and its subordinates from the synced records, skipping what does not parse', async () => {
		const before = await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2026 });
		expect(before.unit).toBeNull();
		await syncFigures();
		const dashboard = await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2026 });
		expect(dashboard.held).toBe(3);
		expect(dashboard.unit?.total.onRolls).toBe(1262);
		expect(dashboard.children.map((c) => c.of.id)).toEqual(['xathanhson', 'xatanson']);
		expect(dashboard.descendants).toHaveLength(2);
		expect(await hasSubordinates({ dbs: [DB], unitId: PROVINCE })).toBe(true);
		expect(await hasSubordinates({ dbs: [DB], unitId: 'xatanson' })).toBe(false);
	});

	it('takes a target set on the device for the year, written to sync like any document', async () => {
		await syncFigures();
		const result = await setTarget({
			db: DB,
			forUnitId: 'xathanhson',
			year: 2026,
			members: 1500,
			actor: { login: 'quantri' },
			now: new Date(COMPUTED)
		});
		expect(result).toEqual({ ok: true });
		const stored = await localDb(DB).get('target:xathanhson:2026');
		expect(stored).toMatchObject({ type: 'target', unitId: PROVINCE, members: 1500 });
		expect(await deviceDb.outbox.where('db').equals(DB).count()).toBe(1);
		await catchUp(DB);
		const dashboard = await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2026 });
		expect(dashboard.targets.get('xathanhson')).toBe(1500);
		const again = await setTarget({
			db: DB,
			forUnitId: 'xathanhson',
			year: 2026,
			members: 1300,
			actor: { login: 'quantri' }
		});
		expect(again).toEqual({ ok: true });
		await catchUp(DB);
		const changed = await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2026 });
		expect(changed.targets.get('xathanhson')).toBe(1300);
		expect(
			(await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2027 })).targets.size
		).toBe(0);
	});
});

describe('the .xlsx export', () => {
	it('reads back as the screen’s table: title, Vietnamese headers, numbers as numbers', async () => {
		await syncFigures();
		const dashboard = await unitDashboard({ dbs: [DB], unitId: PROVINCE, year: 2026 });
		const rows = sortProgress(
			dashboard.children.map((figures) =>
				progressRow({ figures, today: TODAY, target: figures.of.id === 'xathanhson' ? 1500 : null })
			),
			'laggards'
		);
		const table = progressTable(rows);
		const bytes = await progressWorkbook({ table, unitName: 'Tỉnh đoàn Phú Thọ', today: TODAY });

		const book = new ExcelJS.Workbook();
		await book.xlsx.load(bytes);
		const sheet = book.getWorksheet('Tiến độ')!;
		expect(sheet.getCell(TITLE_ROW, 1).value).toBe(
			progressTitle({ unitName: 'Tỉnh đoàn Phú Thọ', today: TODAY })
		);
		expect(String(sheet.getCell(TITLE_ROW, 1).value)).toContain('07/12/2026');
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
		const read = (r: number) =>
			table.headers.map((_, c) => {
				const value = sheet.getCell(r, c + 1).value;
				return value === undefined || value === null ? null : value;
			});
		expect(read(HEADER_ROW)).toEqual(table.headers);
		const body = table.rows.map((_, i) => read(HEADER_ROW + 1 + i));
		expect(body).toEqual(table.rows);
		// Tân Sơn (12 of last year's 40) is the laggard and comes first.
		expect(body[0]!.slice(0, 4)).toEqual(['Đoàn xã Tân Sơn', 'Chậm tiến độ', 40, 12]);
		expect(typeof body[1]![6]).toBe('number');
		expect(sheet.rowCount).toBe(HEADER_ROW + table.rows.length);
	});
});
