import { describe, expect, it } from 'vitest';
import { upgradeHistoryDoc } from '../../../src/lib/domain/history-schema';
import { upgradeMemberDoc, type MemberDoc } from '../../../src/lib/domain/member-schema';
import { guessColumnMapping } from '../../../src/lib/domain/spreadsheets/member-import-headers';
import {
	classifyImportRows,
	planMemberImport,
	revalidateImportRow,
	type ImportContext
} from '../../../src/lib/domain/spreadsheets/member-import-plan';
import type { SheetTable } from '../../../src/lib/domain/spreadsheets/member-import-types';

// Classification of a unit's rows before anything is written, exactly: new, update (same citizen
// id, or same name and birth date), duplicate within the file, clash (active elsewhere, known
// online), invalid with the field, its column and the reason in Vietnamese; a fixed cell judged
// again; and the documents of the chosen rows (`imported` history entries that load).

const TODAY = '2026-12-07';
const NOW = '2026-12-07T03:00:00.000Z';
const UNIT = 'xathanhson';

const AN: MemberDoc = {
	_id: 'member:01JF0000000000000000000001',
	_rev: '3-abc',
	type: 'member',
	v: 2,
	unitId: UNIT,
	familyName: 'Lê',
	middleName: 'Văn',
	givenName: 'An',
	gender: 'male',
	birthDate: '1998-03-18',
	citizenId: '001098012345',
	ethnicCode: '01',
	religion: 'Không',
	nationality: 'Việt Nam',
	partyMember: false,
	status: 'active',
	branchId: 'branch:xathanhson-dong',
	generalEducation: '12/12',
	provenance: { source: 'unit' },
	fieldRevs: {},
	createdAt: '2026-01-01T00:00:00.000Z',
	createdBy: 'bithu',
	updatedAt: '2026-01-01T00:00:00.000Z',
	updatedBy: 'bithu'
};

const context: ImportContext = {
	unitId: UNIT,
	existing: [
		{
			id: AN._id,
			citizenId: AN.citizenId,
			familyName: 'Lê',
			middleName: 'Văn',
			givenName: 'An',
			birthDate: AN.birthDate,
			status: 'active',
			doc: AN
		},
		{
			id: 'member:01JF0000000000000000000002',
			familyName: 'Đỗ',
			middleName: 'Thị',
			givenName: 'Mai',
			birthDate: '2001-06-01',
			status: 'active'
		}
	],
	clashes: [{ citizenId: '001305009999', unitName: 'Đoàn phường Ba Đình' }],
	branches: [
		{ id: 'branch:xathanhson-dong', name: 'Chi đoàn thôn Đông' },
		{ id: 'branch:xathanhson-tay', name: 'Chi đoàn thôn Tây' }
	],
	today: TODAY
};

const HEADERS = [
	'STT',
	'Họ và tên',
	'Giới tính',
	'Ngày sinh',
	'Số CCCD',
	'Dân tộc',
	'Tôn giáo',
	'Giáo dục phổ thông',
	'Chi đoàn',
	'Sở thích'
];

const sheet: SheetTable = {
	name: 'DS',
	headerRowNumber: 1,
	headers: HEADERS,
	rows: [
		{
			rowNumber: 2,
			cells: [
				1,
				'Nguyễn Thị Lan',
				'Nữ',
				new Date(Date.UTC(2003, 0, 5)),
				1303012345,
				'Kinh',
				'không',
				'12/12',
				'Chi đoàn thôn Đông',
				'Hát'
			]
		},
		{
			rowNumber: 3,
			cells: [
				2,
				'LÊ VĂN AN',
				'nam',
				35_872,
				'001098012345',
				'Kinh',
				'Phật',
				'12/12',
				'chi doan thon tay',
				null
			]
		},
		{
			rowNumber: 4,
			cells: [
				3,
				'trần văn bình'.normalize('NFD'),
				'Nam',
				'12/04/2005',
				'1.23457E+11',
				'Kinh',
				'Không',
				'9/12',
				null,
				null
			]
		},
		{
			rowNumber: 5,
			cells: [
				4,
				'Nguyễn Thị Lan',
				'Nữ',
				'05/01/2003',
				'001303012345',
				'Kinh',
				'Không',
				'12/12',
				null,
				null
			]
		},
		{
			rowNumber: 6,
			cells: [5, 'Phạm Thị Hoa', 'Nữ', '31/02/2004', null, 'Kinh', 'Không', '12/12', null, null]
		},
		{
			rowNumber: 7,
			cells: [
				6,
				'Vũ Thị Hà',
				'Nữ',
				'01/02/2005',
				'001305009999',
				'Mường',
				'Không',
				'12/12',
				null,
				null
			]
		},
		{
			rowNumber: 8,
			cells: [
				7,
				'Hoàng Văn Cường',
				'Nam',
				'2005-05-05',
				null,
				'Sao Hỏa',
				'Không',
				'12/12',
				'Chi đoàn Bắc',
				null
			]
		},
		{
			rowNumber: 9,
			cells: [8, 'nguyễn thị lan', 'NU', '5/1/03', null, 'Kinh', 'Không', '12/12', null, null]
		},
		{
			rowNumber: 10,
			cells: [9, 'Đỗ Thị Mai', 'Nữ', '01/06/2001', null, 'Kinh', null, null, null, null]
		}
	]
};

function classify() {
	const { mapping } = guessColumnMapping({ headers: HEADERS });
	return classifyImportRows({ ...context, sheet, fileName: 'thon-dong.xlsx', mapping });
}

describe('classifyImportRows', () => {
	it('classifies every row exactly', () => {
		const preview = classify();
		expect(preview.rows.map((row) => [row.rowNumber, row.class])).toEqual([
			[2, 'new'],
			[3, 'update'],
			[4, 'invalid'],
			[5, 'duplicate'],
			[6, 'invalid'],
			[7, 'clash'],
			[8, 'invalid'],
			[9, 'duplicate'],
			[10, 'update']
		]);
		expect(preview.counts).toEqual({ new: 1, update: 2, duplicate: 2, clash: 1, invalid: 3 });
		expect(preview.clashesChecked).toBe(true);
	});

	it('gives new rows their whole record, NFC names split, ids with their zeros restored', () => {
		const lan = classify().rows[0];
		expect(lan?.fields).toEqual({
			familyName: 'Nguyễn',
			middleName: 'Thị',
			givenName: 'Lan',
			gender: 'female',
			birthDate: '2003-01-05',
			citizenId: '001303012345',
			ethnicCode: '01',
			religion: 'Không',
			nationality: 'Việt Nam',
			generalEducation: '12/12',
			branchId: 'branch:xathanhson-dong',
			partyMember: false,
			status: 'active'
		});
		expect(lan?.notes).toEqual([
			'Số CCCD 1303012345 được thêm 2 số 0 ở đầu (Excel đã bỏ đi): 001303012345.'
		]);
	});

	it('gives updates the fields the sheet changes, and only those', () => {
		const an = classify().rows[1];
		expect(an?.existingId).toBe(AN._id);
		expect(an?.changedFields).toEqual(['religion', 'branchId']);
		// Matched by name and birth date (no id on either side), document not loaded.
		const mai = classify().rows[8];
		expect(mai?.existingId).toBe('member:01JF0000000000000000000002');
		expect(mai?.changedFields).toBeUndefined();
	});

	it('names the field, its column and the reason in Vietnamese', () => {
		const rows = classify().rows;
		expect(rows[2]?.errors).toEqual([
			{
				field: 'citizenId',
				header: 'Số CCCD',
				message:
					'Số CCCD: "1.23457E+11" là dạng số mũ của Excel, đã mất các chữ số cuối nên không ' +
					'khôi phục được. Hãy định dạng cột là Văn bản (Text) rồi nhập lại đủ 12 chữ số.'
			}
		]);
		expect(rows[4]?.errors).toEqual([
			{
				field: 'birthDate',
				header: 'Ngày sinh',
				message: 'Ngày sinh: không có ngày 31/02/2004, hãy kiểm tra ngày và tháng.'
			}
		]);
		expect(rows[6]?.errors).toEqual([
			{
				field: 'branchId',
				header: 'Chi đoàn',
				message:
					'Chi đoàn "Chi đoàn Bắc" không có trong đơn vị: sửa tên cho đúng với danh sách chi ' +
					'đoàn, hoặc lập chi đoàn trước rồi nhập lại.'
			},
			{
				field: 'ethnicCode',
				header: 'Dân tộc',
				message: 'Dân tộc "Sao Hỏa" không có trong danh mục 54 dân tộc.'
			}
		]);
	});

	it('says what a duplicate repeats and where a clash is active', () => {
		const rows = classify().rows;
		expect(rows[3]?.duplicateOf).toEqual({ rowNumber: 2, by: 'citizen-id' });
		expect(rows[7]?.duplicateOf).toEqual({ rowNumber: 2, by: 'name-and-birth' });
		expect(rows[5]?.clashWith).toEqual({ unitName: 'Đoàn phường Ba Đình' });
	});

	it('offline (no clashes known) a clashing id is new, refused at sync as today', () => {
		const { mapping } = guessColumnMapping({ headers: HEADERS });
		const preview = classifyImportRows({
			...context,
			clashes: undefined,
			sheet,
			fileName: 'x.xlsx',
			mapping
		});
		expect(preview.rows[5]?.class).toBe('new');
		expect(preview.clashesChecked).toBe(false);
	});
});

describe('revalidateImportRow', () => {
	it('judges a fixed row again, and the rows that depend on it', () => {
		const fixed = revalidateImportRow({
			...context,
			preview: classify(),
			rowNumber: 4,
			changes: { citizenId: '001205001122' }
		});
		expect(fixed.rows[2]).toMatchObject({ class: 'new', edited: true, errors: [] });
		expect(fixed.rows[2]?.fields.citizenId).toBe('001205001122');
		expect(fixed.counts.invalid).toBe(2);
		// The fix now makes row 5 the first of its id? No: row 2 still is; an edit to row 2's id
		// hands row 5 the id, so it stops being a duplicate.
		const moved = revalidateImportRow({
			...context,
			preview: fixed,
			rowNumber: 2,
			changes: { citizenId: '' }
		});
		expect(moved.rows[0]?.class).toBe('new');
		expect(moved.rows[3]?.class).toBe('duplicate');
		expect(moved.rows[3]?.duplicateOf).toEqual({ rowNumber: 2, by: 'name-and-birth' });
	});

	it('a fix that is still wrong keeps the row invalid with the new reason', () => {
		const still = revalidateImportRow({
			...context,
			preview: classify(),
			rowNumber: 6,
			changes: { birthDate: '30/02/2004' }
		});
		expect(still.rows[4]?.errors.map((e) => e.message)).toEqual([
			'Ngày sinh: không có ngày 30/02/2004, hãy kiểm tra ngày và tháng.'
		]);
	});
});

describe('planMemberImport', () => {
	let counter = 0;
	const newUlid = () => `01JG${String(++counter).padStart(22, '0')}`;
	const base = {
		actor: { login: 'bithu', unitId: UNIT },
		now: NOW,
		today: TODAY,
		fileName: 'thon-dong.xlsx',
		unitId: UNIT,
		newUlid,
		members: new Map([[AN._id, AN]])
	};

	it('writes new members and changed fields only, each with an imported entry that loads', () => {
		const result = planMemberImport({ ...base, preview: classify(), chosenRows: [2, 3] });
		if (!result.ok) throw new Error(result.message);
		const { plan } = result;
		expect(plan.members).toHaveLength(2);
		const [lan, an] = plan.members;
		expect(upgradeMemberDoc(lan)).toMatchObject({
			familyName: 'Nguyễn',
			provenance: { source: 'unit' },
			createdBy: 'bithu',
			unitId: UNIT
		});
		expect(lan?._rev).toBeUndefined();
		expect(an).toMatchObject({
			_id: AN._id,
			_rev: '3-abc',
			religion: 'Phật giáo',
			branchId: 'branch:xathanhson-tay'
		});
		expect(Object.keys(an?.fieldRevs ?? {}).sort()).toEqual(['branchId', 'religion']);
		expect(plan.entries.map((entry) => upgradeHistoryDoc(entry))).toMatchObject([
			{
				kind: 'imported',
				memberId: lan?._id,
				at: TODAY,
				data: { fileName: 'thon-dong.xlsx', rowNumber: 2, created: true }
			},
			{
				kind: 'imported',
				memberId: AN._id,
				data: { rowNumber: 3, created: false, fields: ['religion', 'branchId'] },
				effect: {
					before: { religion: 'Không', branchId: 'branch:xathanhson-dong' },
					after: { religion: 'Phật giáo', branchId: 'branch:xathanhson-tay' }
				}
			}
		]);
		expect(plan.report.created.map((r) => r.name)).toEqual(['Nguyễn Thị Lan']);
		expect(plan.report.updated.map((r) => r.fields)).toEqual([['religion', 'branchId']]);
		expect(plan.report.skipped.map((s) => [s.rowNumber, s.class])).toEqual([
			[4, 'invalid'],
			[5, 'duplicate'],
			[6, 'invalid'],
			[7, 'clash'],
			[8, 'invalid'],
			[9, 'duplicate'],
			[10, 'update']
		]);
		expect(plan.report.skipped[1]?.reason).toBe('Trùng với dòng 2 (cùng số CCCD).');
		expect(plan.report.documents).toBe(4);
	});

	it('an imported entry without its file or row does not load', () => {
		const result = planMemberImport({ ...base, preview: classify(), chosenRows: [2] });
		if (!result.ok) throw new Error(result.message);
		const [entry] = result.plan.entries;
		expect(() => upgradeHistoryDoc({ ...entry, data: { ...entry?.data, rowNumber: 0 } })).toThrow(
			/data\.rowNumber/
		);
		expect(() => upgradeHistoryDoc({ ...entry, data: { ...entry?.data, fileName: ' ' } })).toThrow(
			/data\.fileName/
		);
	});

	it('refuses a chosen row that cannot be imported, naming it', () => {
		const result = planMemberImport({ ...base, preview: classify(), chosenRows: [2, 4] });
		expect(result).toEqual({
			ok: false,
			message: expect.stringMatching(/^Dòng 4 không nhập được: Số CCCD: "1\.23457E\+11"/)
		});
	});

	it('an update whose sheet changes nothing writes nothing', () => {
		const same: SheetTable = {
			...sheet,
			rows: [
				{
					rowNumber: 2,
					cells: [
						1,
						'Lê Văn An',
						'Nam',
						'18/03/1998',
						'001098012345',
						'Kinh',
						'không',
						'12/12',
						'Chi đoàn thôn Đông',
						null
					]
				}
			]
		};
		const { mapping } = guessColumnMapping({ headers: HEADERS });
		const preview = classifyImportRows({ ...context, sheet: same, fileName: 'x.xlsx', mapping });
		expect(preview.rows[0]).toMatchObject({ class: 'update', changedFields: [] });
		const result = planMemberImport({ ...base, preview, chosenRows: [2] });
		expect(result.ok && result.plan.members.length + result.plan.entries.length).toBe(0);
		expect(result.ok && result.plan.report.unchanged.map((r) => r.rowNumber)).toEqual([2]);
	});
});
