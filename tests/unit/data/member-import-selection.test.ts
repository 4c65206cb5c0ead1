import { describe, expect, it } from 'vitest';
import { guessColumnMapping } from '../../../src/lib/domain/spreadsheets/member-import-headers';
import {
	classifyImportRows,
	planMemberImport
} from '../../../src/lib/domain/spreadsheets/member-import-plan';
import type { SheetTable } from '../../../src/lib/domain/spreadsheets/member-import-types';
import {
	chosenRowNumbers,
	planInSlices
} from '../../../src/lib/data/commands/member-import-selection';
import { unpackImportPlan } from '../../../src/lib/data/commands/member-import-packed-plan';

// The screen plans a large import a slice of rows at a time (so no main-thread task runs long):
// the joined plan must be exactly the planner's own plan of the whole file.

const TODAY = '2026-12-07';
const NOW = '2026-12-07T03:00:00.000Z';
const UNIT = 'xayenlap';
const HEADERS = ['Họ và tên', 'Giới tính', 'Ngày sinh', 'Dân tộc', 'Tôn giáo', 'Giáo dục phổ thông'];

function sheet(rows: number): SheetTable {
	return {
		name: 'Đoàn viên',
		headerRowNumber: 1,
		headers: HEADERS,
		rows: Array.from({ length: rows }, (_, i) => ({
			rowNumber: i + 2,
			cells: [
				`Nguyễn Văn ${letters(i)}`,
				i % 2 ? 'Nam' : 'Nữ',
				// Every seventh row has no 31st of February: invalid, so skipped with its reason.
				i % 7 === 3 ? '31/02/2003' : `${String((i % 28) + 1).padStart(2, '0')}/05/2003`,
				'Kinh',
				'Không',
				'12/12'
			]
		}))
	};
}

/** A distinct given name per row, letters only ("Ba", "Bb"…): digits would make the row invalid. */
function letters(i: number): string {
	const a = 'abcdeghiklmnopqrstuvxy';
	return `B${a[Math.floor(i / a.length) % a.length]}${a[i % a.length]}${a[Math.floor(i / a.length / a.length) % a.length]}`;
}

function counter() {
	let n = 0;
	return () => `01JF${String(n++).padStart(22, '0')}`;
}

describe('planning an import in slices', () => {
	it('gives the same documents and report as one plan of the whole file', async () => {
		const context = { unitId: UNIT, existing: [], branches: [], today: TODAY };
		const table = sheet(1_100);
		const preview = classifyImportRows({
			...context,
			sheet: table,
			fileName: 'ds.xlsx',
			mapping: guessColumnMapping({ headers: HEADERS }).mapping
		});
		expect(preview.counts.invalid).toBeGreaterThan(100);
		// Most rows are new: the plan has documents to compare (a name with digits would be invalid).
		expect(preview.counts.new).toBeGreaterThan(900);
		// One new row left out by the secretary.
		const { rows } = chosenRowNumbers({
			preview,
			classes: new Set(['new', 'update']),
			skipped: new Set([2])
		});
		const common = {
			preview,
			chosenRows: rows,
			members: new Map(),
			actor: { login: 'bithu', unitId: UNIT },
			now: NOW,
			today: TODAY,
			fileName: 'ds.xlsx',
			unitId: UNIT
		};
		const whole = planMemberImport({ ...common, newUlid: counter() });
		let calls = 0;
		const sliced = await planInSlices({
			...common,
			newUlid: counter(),
			onProgress: () => (calls += 1)
		});
		expect(calls).toBeGreaterThan(1);
		if (!sliced.ok || !whole.ok) throw new Error('not planned');
		// Packed as it is planned (the write holds strings): read back, the planner's own plan.
		expect(sliced.plan.chunks.length).toBeGreaterThan(1);
		expect(unpackImportPlan(sliced.plan)).toEqual(whole.plan);
		expect(sliced.plan.report.skipped.map((s) => s.rowNumber)).toContain(2);
		expect(sliced.plan.documents).toBe(whole.plan.members.length + whole.plan.entries.length);
		expect([...sliced.plan.created].sort()).toEqual(
			[...whole.plan.members, ...whole.plan.entries].map((doc) => doc._id).sort()
		);
		expect(unpackImportPlan(sliced.plan).members).toHaveLength(rows.length);
	});
});
