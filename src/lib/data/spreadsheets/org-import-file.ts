import {
	isOrgHeader,
	kindCellText,
	missingOrgColumns,
	matchOrgHeaders,
	ORG_SHEET_COLUMNS,
	orgRowsOfTable,
	type OrgSheetRow
} from '$lib/domain/spreadsheets/org-import-sheet';
import { isUnitKindId } from '$lib/domain/unit-kinds';
import { loadExcel } from './excel-module';
import { readSheetFile, SheetReadError } from './member-import-reader';
import type { OrgRows } from './org-import-api';

// The organisation sheet as a file on the phone (docs/spreadsheets.md, "The organisation in bulk"):
// read with the members' reader (its header test swapped for this sheet's), and written — the
// template, and the tree exported — with the same columns, so an export with rows added imports.

export class OrgSheetError extends Error {}

export async function readOrgSheet(file: File): Promise<OrgRows> {
	let grid;
	try {
		grid = await readSheetFile({
			data: await file.arrayBuffer(),
			fileName: file.name,
			isHeaderCell: isOrgHeader
		});
	} catch (error) {
		if (error instanceof SheetReadError) {
			throw new OrgSheetError(
				error.message.startsWith('Không tìm thấy dòng tiêu đề')
					? 'Không tìm thấy dòng tiêu đề: cần các cột "Tên đơn vị" và "Loại đơn vị". Hãy dùng tệp mẫu.'
					: error.message
			);
		}
		throw new OrgSheetError('Không đọc được tệp này. Hãy kiểm tra lại tệp .xlsx hoặc .csv.');
	}
	const table = grid.sheets[0];
	if (!table) throw new OrgSheetError('Tệp không có trang tính nào có dữ liệu.');
	const missing = missingOrgColumns(matchOrgHeaders(table.headers));
	if (missing.length > 0) {
		throw new OrgSheetError(`Tệp thiếu cột: ${missing.join(', ')}. Hãy dùng tệp mẫu.`);
	}
	const rows = orgRowsOfTable(table);
	if (rows.length === 0) throw new OrgSheetError('Tệp chưa có dòng đơn vị nào dưới dòng tiêu đề.');
	return rows;
}

const EXAMPLES: OrgSheetRow[] = [
	{
		unitId: '',
		name: 'Đoàn xã An Bình',
		kind: 'Đoàn xã',
		parent: '',
		fullName: 'Nguyễn Thị Hoa',
		login: 'hoa.anbinh',
		phone: '0912345678'
	},
	{
		unitId: '',
		name: 'Đoàn phường Hòa Lạc',
		kind: 'Đoàn phường',
		parent: '',
		fullName: 'Trần Văn Nam',
		login: 'nam.hoalac',
		phone: ''
	}
];

/** The sheet as an .xlsx: the header row, a note row for the template, then the rows. */
export async function orgSheetXlsx(options: {
	rows: readonly OrgSheetRow[];
	withNotes: boolean;
}): Promise<Blob> {
	const Excel = await loadExcel();
	const book = new Excel.Workbook();
	const sheet = book.addWorksheet('Đơn vị');
	sheet.columns = ORG_SHEET_COLUMNS.map((column) => ({
		header: column.header,
		key: column.key,
		width: column.width
	}));
	sheet.getRow(1).font = { bold: true };
	if (options.withNotes) {
		const notes = sheet.addRow(Object.fromEntries(ORG_SHEET_COLUMNS.map((c) => [c.key, c.note])));
		notes.font = { italic: true, color: { argb: 'FF666666' } };
	}
	for (const row of options.rows) {
		sheet.addRow({
			...row,
			kind: isUnitKindId(row.kind) ? kindCellText(row.kind) : row.kind
		});
	}
	// Logins and phone numbers stay text: Excel would drop a phone number's leading zero.
	for (const key of ['login', 'phone', 'unitId'] as const) sheet.getColumn(key).numFmt = '@';
	const buffer = await book.xlsx.writeBuffer();
	return new Blob([buffer], {
		type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
	});
}

export function orgTemplateXlsx(): Promise<Blob> {
	return orgSheetXlsx({ rows: EXAMPLES, withNotes: true });
}

