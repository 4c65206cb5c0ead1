import { describe, expect, it } from 'vitest';
import {
	planOrgImport,
	type OrgKnownUnit
} from '../../../../src/lib/domain/spreadsheets/org-import-plan';
import {
	findOrgHeaderRow,
	kindOfCell,
	matchOrgHeaders,
	orgRowsOfGrid,
	type OrgSheetRow
} from '../../../../src/lib/domain/spreadsheets/org-import-sheet';
import { sheetRow as row } from '../../../support/org-sheet-rows';

// The organisation sheet's rules: headers found however they are written, and each row new, an
// exported unit, or invalid with the field and the reason a secretary can act on.

const root = { id: 'tinh0001', name: 'Tỉnh đoàn Hà Tĩnh', kind: 'tinh-doan' as const };

function plan(
	rows: Partial<OrgSheetRow>[],
	options: { subtree?: OrgKnownUnit[]; taken?: string[] } = {}
) {
	return planOrgImport({
		rows: rows.map((cells, index) => ({ line: index + 2, row: row(cells) })),
		root,
		subtree: options.subtree ?? [],
		takenLogins: new Set(options.taken ?? [])
	});
}

const commune = (name: string, login: string) => ({
	name,
	kind: 'Đoàn xã',
	fullName: 'Nguyễn Văn An',
	login
});

describe('the sheet', () => {
	it('finds the header row under a title, whatever the case, marks or punctuation', () => {
		const grid = [
			['DANH SÁCH ĐƠN VỊ TRỰC THUỘC'],
			[],
			[
				'STT',
				'TEN DON VI',
				'loại đơn vị',
				'Đơn vị cấp trên',
				'Họ tên bí thư:',
				'Tên  đăng-nhập',
				'SĐT'
			],
			['1', ' Đoàn xã An Bình ', 'Đoàn xã', '', 'Lê Thị Hoa', 'hoa.ab', '0912 345 678'],
			['', '', '', '', '', '', ''],
			['2', 'Đoàn xã Hoà Lạc', 'DOAN XA', '', '', '', '']
		];
		const headerRow = findOrgHeaderRow(grid);
		expect(headerRow).toBe(2);
		const mapping = matchOrgHeaders(grid[headerRow] ?? []);
		expect(mapping).toMatchObject({ name: 1, kind: 2, parent: 3, fullName: 4, login: 5, phone: 6 });
		const rows = orgRowsOfGrid({ grid, headerRow, mapping });
		expect(rows.map((r) => [r.line, r.row.name])).toEqual([
			[4, 'Đoàn xã An Bình'],
			[6, 'Đoàn xã Hoà Lạc']
		]);
	});

	it('reads kinds as people write them, and refuses branches as units', () => {
		expect(kindOfCell('Đoàn xã')).toBe('doan-xa');
		expect(kindOfCell('DOAN PHUONG')).toBe('doan-phuong');
		expect(kindOfCell('doan-co-so')).toBe('doan-co-so');
		expect(kindOfCell('Huyện đoàn')).toBe('huyen-doan');
		expect(kindOfCell('Thành đoàn')).toBe('tinh-doan');
		expect(kindOfCell('Chi đoàn')).toBe('branch');
		expect(kindOfCell('Hội phụ nữ')).toBeUndefined();
	});
});

describe('the plan', () => {
	it('creates valid rows, parents before their children', () => {
		const result = plan([
			{ ...commune('Đoàn xã Tân Lập', 'tanlap'), parent: 'Huyện đoàn Cẩm Xuyên' },
			{ name: 'Huyện đoàn Cẩm Xuyên', kind: 'Huyện đoàn', fullName: 'Trần B', login: 'camxuyen' },
			{ ...commune('Đoàn xã An Bình', 'anbinh'), phone: '+84 912 345 678' }
		]);
		expect(result.counts).toEqual({ new: 3, existing: 0, invalid: 0, accounts: 3 });
		expect(result.order).toEqual([1, 0, 2]);
		expect(result.rows[0]?.parent).toEqual({ row: 1 });
		expect(result.rows[2]?.account).toEqual({
			login: 'anbinh',
			fullName: 'Nguyễn Văn An',
			phone: '0912345678'
		});
	});

	it('refuses a kind its superior may not contain', () => {
		const result = plan([
			{ name: 'Đoàn xã A', kind: 'Đoàn xã' },
			{ name: 'Đoàn xã B', kind: 'Đoàn xã', parent: 'Đoàn xã A' },
			{ name: 'Chi đoàn thôn 1', kind: 'Chi đoàn' }
		]);
		expect(result.rows[1]).toMatchObject({
			status: 'invalid',
			errors: [{ field: 'kind', message: 'Đoàn xã không thể trực thuộc Đoàn xã (Đoàn xã A).' }]
		});
		expect(result.rows[2]?.errors[0]?.message).toMatch(/không phải đơn vị riêng/);
		expect(result.rows[0]?.status).toBe('new');
	});

	it('folds names for clashes within the sheet and with the existing subordinates', () => {
		const result = plan(
			[
				{ name: 'Đoàn xã Hoà An', kind: 'Đoàn xã' },
				{ name: 'doan xa  hòa an', kind: 'Đoàn xã' },
				{ name: 'ĐOÀN XÃ KỲ PHONG', kind: 'Đoàn xã' }
			],
			{
				subtree: [{ id: 'xa000001', name: 'Đoàn xã Kỳ Phong', kind: 'doan-xa', parentId: root.id }]
			}
		);
		expect(result.rows[1]?.errors).toEqual([
			{ field: 'name', message: 'Trùng tên với dòng 2 trong bảng.' }
		]);
		expect(result.rows[2]?.errors).toEqual([
			{
				field: 'name',
				message: 'Tỉnh đoàn Hà Tĩnh đã có đơn vị trực thuộc tên "Đoàn xã Kỳ Phong".'
			}
		]);
	});

	it('refuses logins repeated, taken or malformed, and a half-filled secretary', () => {
		const result = plan(
			[
				commune('Đoàn xã 1', 'bithu1'),
				commune('Đoàn xã 2', 'BiThu1'),
				commune('Đoàn xã 3', 'dalay'),
				commune('Đoàn xã 4', 'có dấu'),
				{ name: 'Đoàn xã 5', kind: 'Đoàn xã', fullName: 'Lê Văn C' }
			],
			{ taken: ['dalay'] }
		);
		expect(result.rows.map((r) => r.errors.map((e) => `${e.field}: ${e.message}`))).toEqual([
			[],
			['login: Tên đăng nhập trùng với dòng 2.'],
			['login: Tên đăng nhập này đã có tài khoản dùng. Hãy chọn tên khác.'],
			[
				'login: Tên đăng nhập gồm 3–32 ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang.'
			],
			['login: Thiếu tên đăng nhập của bí thư.']
		]);
	});

	it('refuses control characters and names too long, and the rows beneath them', () => {
		const result = plan([
			{ name: 'Huyện đoàn\u202eX', kind: 'Huyện đoàn' },
			{ name: 'Đoàn xã Dưới', kind: 'Đoàn xã', parent: 'Huyện đoàn\u202eX' },
			{ name: 'x'.repeat(201), kind: 'Đoàn xã' },
			{ ...commune('Đoàn xã Y', 'bithuy'), fullName: 'Lê\u0007 Bell' }
		]);
		expect(result.rows[0]?.errors[0]?.message).toMatch(/ký tự điều khiển/);
		expect(result.rows[1]?.errors[0]).toEqual({
			field: 'parent',
			message: 'Đơn vị cấp trên ở dòng 2 có lỗi.'
		});
		expect(result.rows[2]?.errors[0]?.message).toBe('Tên đơn vị quá dài (tối đa 200 ký tự).');
		expect(result.rows[3]?.errors[0]?.field).toBe('fullName');
		expect(result.counts.invalid).toBe(4);
	});

	it('skips exported rows and refuses new rows under units already in the tree', () => {
		const subtree: OrgKnownUnit[] = [
			{ id: 'huyen001', name: 'Huyện đoàn Kỳ Anh', kind: 'huyen-doan', parentId: root.id },
			{ id: 'xa000002', name: 'Đoàn xã Kỳ Hà', kind: 'doan-xa', parentId: 'huyen001' }
		];
		const result = plan(
			[
				{ unitId: 'huyen001', name: 'Huyện đoàn Kỳ Anh', kind: 'Huyện đoàn', login: 'kyanh' },
				{ unitId: 'xa000002', name: 'Đoàn xã Kỳ Hà', kind: 'Đoàn xã', parent: 'Huyện đoàn Kỳ Anh' },
				{ name: 'Đoàn xã Mới', kind: 'Đoàn xã', parent: 'Huyện đoàn Kỳ Anh' },
				{ unitId: 'zzzz9999', name: 'Đoàn xã Lạ', kind: 'Đoàn xã' },
				{ name: 'Huyện đoàn Mới', kind: 'Huyện đoàn' }
			],
			{ subtree, taken: ['kyanh'] }
		);
		expect(result.rows.map((r) => r.status)).toEqual([
			'existing',
			'existing',
			'invalid',
			'invalid',
			'new'
		]);
		expect(result.rows[2]?.errors[0]?.message).toMatch(/đã có trong cây/);
		expect(result.order).toEqual([4]);
	});

	it('finds a loop between rows', () => {
		const result = plan([
			{ name: 'Huyện đoàn A', kind: 'Huyện đoàn', parent: 'Huyện đoàn B' },
			{ name: 'Huyện đoàn B', kind: 'Huyện đoàn', parent: 'Huyện đoàn A' }
		]);
		expect(result.counts.invalid).toBe(2);
		expect(result.order).toEqual([]);
	});
});
