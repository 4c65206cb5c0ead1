import { formatDateTime } from '$lib/domain/dates';
import type { ImportReport } from '$lib/domain/spreadsheets/member-import-types';
import { loadExcel } from './excel-module';
import { downloadFile } from './download-file';

// The import's report as a file to keep (what the unit answers when asked "where did these records
// come from?"): the file, who and when, the counts, then every row — imported, updated, unchanged
// or left out with its reason — by its row number in the secretary's sheet.

const CLASS_WORDS: Record<string, string> = {
	new: 'Mới',
	update: 'Cập nhật',
	duplicate: 'Trùng trong tệp',
	clash: 'Đang sinh hoạt nơi khác',
	invalid: 'Lỗi'
};

export function importReportFileName(report: ImportReport): string {
	const base = report.fileName.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}_-]+/gu, '-');
	return `bao-cao-nhap-${base || 'doan-vien'}.xlsx`;
}

export async function importReportWorkbook(report: ImportReport): Promise<ArrayBuffer> {
	const { Workbook } = await loadExcel();
	const workbook = new Workbook();
	workbook.creator = 'Đoàn vụ';
	const sheet = workbook.addWorksheet('Báo cáo nhập');
	const head: [string, string | number][] = [
		['Tệp', report.fileName],
		['Người nhập', report.by],
		['Bắt đầu', formatDateTime(report.startedAt)],
		['Xong', formatDateTime(report.finishedAt)],
		['Đoàn viên mới', report.created.length],
		['Cập nhật', report.updated.length],
		['Không thay đổi', report.unchanged.length],
		['Không nhập', report.skipped.length]
	];
	sheet.getCell(1, 1).value = 'Báo cáo nhập đoàn viên';
	sheet.getCell(1, 1).font = { bold: true, size: 13 };
	head.forEach(([label, value], i) => {
		sheet.getCell(i + 2, 1).value = label;
		sheet.getCell(i + 2, 1).font = { bold: true };
		sheet.getCell(i + 2, 2).value = value;
	});
	let row = head.length + 3;
	const headers = ['Dòng', 'Họ và tên', 'Kết quả', 'Ghi chú'];
	headers.forEach((text, i) => {
		const cell = sheet.getCell(row, i + 1);
		cell.value = text;
		cell.font = { bold: true };
	});
	const lines: { rowNumber: number; name: string; result: string; note: string }[] = [
		...report.created.map((r) => ({ ...r, result: 'Đã thêm', note: '' })),
		...report.updated.map((r) => ({ ...r, result: 'Đã cập nhật', note: '' })),
		...report.unchanged.map((r) => ({ ...r, result: 'Không thay đổi', note: '' })),
		...report.skipped.map((r) => ({
			rowNumber: r.rowNumber,
			name: '',
			result: `Không nhập (${CLASS_WORDS[r.class] ?? r.class})`,
			note: r.reason
		}))
	].sort((a, b) => a.rowNumber - b.rowNumber);
	for (const line of lines) {
		row += 1;
		sheet.getCell(row, 1).value = line.rowNumber;
		sheet.getCell(row, 2).value = line.name;
		sheet.getCell(row, 3).value = line.result;
		sheet.getCell(row, 4).value = line.note;
	}
	sheet.getColumn(1).width = 16;
	sheet.getColumn(2).width = 28;
	sheet.getColumn(3).width = 28;
	sheet.getColumn(4).width = 60;
	return (await workbook.xlsx.writeBuffer()) as ArrayBuffer;
}

export async function downloadImportReport(report: ImportReport): Promise<void> {
	downloadFile({
		data: await importReportWorkbook(report),
		fileName: importReportFileName(report)
	});
}
