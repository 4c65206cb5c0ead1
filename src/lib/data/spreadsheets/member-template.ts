import { downloadFile } from './download-file';
import type { Worksheet } from 'exceljs';
import { ETHNIC_GROUPS } from '$lib/domain/ethnic-groups';
import {
	GENDER_LABELS,
	OCCUPATION_LABELS,
	POLITICAL_THEORY_LABELS
} from '$lib/domain/labels';
import type { MemberFieldKey } from '$lib/domain/member-schema';
import { MEMBER_STATUS_LABELS } from '$lib/domain/member-statuses';
import {
	MEMBER_SHEET_COLUMNS,
	type MemberCellKind,
	type MemberSheetColumn
} from '$lib/domain/spreadsheets/member-sheet';
import { missingFields } from '$lib/domain/spreadsheets/member-import-headers';
import { loadExcel } from './excel-module';

// The import's template (docs/member-import-screen.md), built on the phone with exceljs (loaded lazily, so
// it never weighs on the roster): the first sheet "Đoàn viên" holds only the headers, bold and
// frozen, each with a note saying its format and whether it is required; the examples live on a
// second sheet "Hướng dẫn" so a secretary who forgets to delete them never imports them (the
// import reads the first sheet only). Citizen ids and dates are text columns (`@`) so Excel keeps
// leading zeros and never turns 05/09/2004 into a date serial in another locale's order.

export const TEMPLATE_FILE_NAME = 'mau-nhap-doan-vien.xlsx';
export const TEMPLATE_DATA_SHEET = 'Đoàn viên';
export const TEMPLATE_GUIDE_SHEET = 'Hướng dẫn';
export const TEMPLATE_LISTS_SHEET = 'Danh mục';
/** Rows of the data sheet that carry the drop-down lists and text formats. */
export const TEMPLATE_ROWS = 1000;

/** The fields a new member cannot be imported without: the import's own list (nothing mapped). */
export const TEMPLATE_REQUIRED: ReadonlySet<MemberFieldKey> = new Set(missingFields([]));

const KIND_NOTES: Record<MemberCellKind, string> = {
	text: 'Chữ.',
	date: 'Ngày dạng dd/mm/yyyy, ví dụ 05/09/2004.',
	'citizen-id': '12 chữ số; ô để dạng chữ nên giữ được số 0 ở đầu.',
	gender: 'Nam hoặc Nữ (chọn trong danh sách).',
	ethnic: 'Tên dân tộc, ví dụ Kinh, Tày, Mường (chọn trong danh sách).',
	branch: 'Tên chi đoàn như trong Đoàn vụ.',
	'yes-no': 'Có hoặc Không.',
	status: 'Chọn trong danh sách; để trống là Đang sinh hoạt.',
	'political-theory': `Một trong: ${Object.values(POLITICAL_THEORY_LABELS).join(', ')}.`,
	occupation: `Một trong: ${Object.values(OCCUPATION_LABELS).join('; ')}.`,
	'general-education': 'Dạng 9/12, 12/12.'
};

/** The note on a header: what to type and whether it may be left empty. */
export function templateNote(column: MemberSheetColumn): string {
	const required = TEMPLATE_REQUIRED.has(column.key) ? 'Bắt buộc.' : 'Không bắt buộc.';
	return `${column.header}: ${KIND_NOTES[column.kind]} ${required}`;
}

/** Two made-up people, as a secretary would type them (cell texts by field). */
export const TEMPLATE_EXAMPLES: readonly Partial<Record<MemberFieldKey, string>>[] = [
	{
		familyName: 'Nguyễn',
		middleName: 'Thị',
		givenName: 'Lan',
		gender: 'Nữ',
		birthDate: '05/09/2004',
		citizenId: '025304000123',
		ethnicCode: 'Kinh',
		religion: 'Không',
		phone: '0912345678',
		joinedOn: '26/03/2019',
		branchId: 'Chi đoàn khu 1',
		generalEducation: '12/12',
		partyMember: 'Không',
		occupation: 'Sinh viên',
		status: 'Đang sinh hoạt'
	},
	{
		familyName: 'Hà',
		middleName: 'Văn',
		givenName: 'Minh',
		gender: 'Nam',
		birthDate: '17/11/2001',
		citizenId: '025201000456',
		ethnicCode: 'Mường',
		religion: 'Không',
		joinedOn: '19/05/2016',
		branchId: 'Chi đoàn khu 2',
		generalEducation: '12/12',
		partyMember: 'Có',
		partyJoinedOn: '03/02/2023',
		occupation: 'Nông dân',
		status: 'Đang sinh hoạt'
	}
];

const TEXT_KINDS: ReadonlySet<MemberCellKind> = new Set(['date', 'citizen-id']);

// exceljs writes range validations (its typings only know per-cell ones).
interface RangeValidations {
	add(range: string, validation: object): void;
}

function columnLetter(index: number): string {
	let n = index;
	let out = '';
	while (n > 0) {
		const r = (n - 1) % 26;
		out = String.fromCharCode(65 + r) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

function writeHeaders(sheet: Worksheet, options: { notes: boolean }): void {
	const header = sheet.getRow(1);
	MEMBER_SHEET_COLUMNS.forEach((column, i) => {
		const cell = header.getCell(i + 1);
		cell.value = column.header;
		cell.font = { bold: true };
		cell.alignment = { wrapText: true, vertical: 'middle' };
		if (TEMPLATE_REQUIRED.has(column.key)) {
			cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
		}
		if (options.notes) cell.note = templateNote(column);
		sheet.getColumn(i + 1).width = column.width;
	});
}

/** A list sheet: one closed list per column, for the data sheet's drop-downs. */
function writeLists(sheet: Worksheet): Record<'gender' | 'ethnic' | 'status', string> {
	const lists = {
		gender: Object.values(GENDER_LABELS),
		ethnic: ETHNIC_GROUPS.map((group) => group.name),
		status: Object.values(MEMBER_STATUS_LABELS)
	};
	const ranges = {} as Record<keyof typeof lists, string>;
	(Object.keys(lists) as (keyof typeof lists)[]).forEach((key, i) => {
		const col = i + 1;
		const values = lists[key];
		sheet.getCell(1, col).value = { gender: 'Giới tính', ethnic: 'Dân tộc', status: 'Trạng thái' }[
			key
		];
		sheet.getCell(1, col).font = { bold: true };
		values.forEach((value, r) => (sheet.getCell(r + 2, col).value = value));
		sheet.getColumn(col).width = 18;
		const letter = columnLetter(col);
		ranges[key] = `'${TEMPLATE_LISTS_SHEET}'!$${letter}$2:$${letter}$${values.length + 1}`;
	});
	return ranges;
}

/** The template's bytes. */
export async function memberTemplateWorkbook(): Promise<ArrayBuffer> {
	const { Workbook } = await loadExcel();
	const workbook = new Workbook();
	workbook.creator = 'Đoàn vụ';

	const data = workbook.addWorksheet(TEMPLATE_DATA_SHEET, {
		views: [{ state: 'frozen', ySplit: 1 }]
	});
	writeHeaders(data, { notes: true });
	data.getRow(1).height = 32;

	const guide = workbook.addWorksheet(TEMPLATE_GUIDE_SHEET);
	// Hidden: the drop-downs read it, the import skips it (its headers name member fields too).
	const lists = workbook.addWorksheet(TEMPLATE_LISTS_SHEET, { state: 'hidden' });
	const ranges = writeLists(lists);

	const validations = (data as unknown as { dataValidations: RangeValidations }).dataValidations;
	const last = TEMPLATE_ROWS + 1;
	MEMBER_SHEET_COLUMNS.forEach((column, i) => {
		const letter = columnLetter(i + 1);
		if (TEXT_KINDS.has(column.kind)) data.getColumn(i + 1).numFmt = '@';
		const list =
			column.kind === 'gender' || column.kind === 'ethnic' || column.kind === 'status'
				? ranges[column.kind]
				: column.kind === 'yes-no'
					? '"Có,Không"'
					: null;
		if (!list) return;
		validations.add(`${letter}2:${letter}${last}`, {
			type: 'list',
			allowBlank: true,
			formulae: [list],
			showErrorMessage: true,
			errorStyle: 'warning',
			errorTitle: column.header,
			error: 'Giá trị không có trong danh sách.'
		});
	});

	// The guide: what to do, then the columns with their notes, then the two examples.
	guide.getColumn(1).width = 24;
	guide.getColumn(2).width = 70;
	const intro = [
		'Cách điền mẫu nhập đoàn viên',
		`1. Điền mỗi đoàn viên một dòng ở trang "${TEMPLATE_DATA_SHEET}", bắt đầu từ dòng 2; không đổi tên các cột.`,
		'2. Các cột tô vàng là bắt buộc; các cột khác để trống nếu chưa có.',
		'3. Ngày ghi dạng dd/mm/yyyy; số CCCD ghi đủ 12 chữ số.',
		'4. Đoàn viên đã có trong Đoàn vụ (cùng số CCCD) sẽ được cập nhật, không tạo thêm.',
		`5. Các dòng ví dụ dưới đây chỉ để xem, không được nhập; trang "${TEMPLATE_DATA_SHEET}" không có ví dụ.`
	];
	intro.forEach((text, r) => {
		guide.getCell(r + 1, 1).value = text;
		if (r === 0) guide.getCell(1, 1).font = { bold: true, size: 13 };
	});
	let row = intro.length + 2;
	guide.getCell(row, 1).value = 'Cột';
	guide.getCell(row, 2).value = 'Cách ghi';
	guide.getRow(row).font = { bold: true };
	for (const column of MEMBER_SHEET_COLUMNS) {
		row += 1;
		guide.getCell(row, 1).value = column.header;
		guide.getCell(row, 2).value = templateNote(column);
	}
	row += 2;
	guide.getCell(row, 1).value = 'VÍ DỤ (không nhập các dòng này)';
	guide.getCell(row, 1).font = { bold: true, color: { argb: 'FFC00000' } };
	row += 1;
	const exampleHeader = guide.getRow(row);
	MEMBER_SHEET_COLUMNS.forEach((column, i) => {
		exampleHeader.getCell(i + 1).value = column.header;
		exampleHeader.getCell(i + 1).font = { bold: true };
	});
	for (const example of TEMPLATE_EXAMPLES) {
		row += 1;
		const line = guide.getRow(row);
		MEMBER_SHEET_COLUMNS.forEach((column, i) => {
			const text = example[column.key];
			if (text) line.getCell(i + 1).value = text;
		});
	}
	return (await workbook.xlsx.writeBuffer()) as ArrayBuffer;
}

/** Builds the template and hands it to the browser as a download. */
export async function downloadMemberTemplate(): Promise<void> {
	downloadFile({ data: await memberTemplateWorkbook(), fileName: TEMPLATE_FILE_NAME });
}
