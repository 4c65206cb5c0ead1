import { downloadFile } from './download-file';
import { formatDate } from '$lib/domain/dates';
import { unitIdOfDb } from '$lib/domain/org/ids';
import type { ExportFilters, ExportKind } from '$lib/domain/spreadsheets/export-log-schema';
import { recordExport } from './export-log-store';
import { packWorkbook } from './roster-export-book';
import {
	fileSlug,
	type ExportCell,
	type ExportColumn
} from './roster-export-sheet';

// The Nghiệp vụ screens' lists as workbooks (docs/spreadsheets.md, "Exports"): coming of age this
// year, transfers, ratings of a year. Each screen passes the list it shows with its own columns;
// this writes it in the house style, hands the download over and logs the export.

export type OperationListKind = Extract<ExportKind, 'coming-of-age' | 'transfers' | 'ratings'>;

const FILE_PREFIX: Record<OperationListKind, string> = {
	'coming-of-age': 'truong-thanh',
	transfers: 'chuyen-sinh-hoat',
	ratings: 'xep-loai'
};

export interface OperationList {
	kind: OperationListKind;
	/** What the list is, e.g. "Danh sách trưởng thành Đoàn năm 2026". */
	title: string;
	sheetName: string;
	columns: readonly ExportColumn[];
	rows: readonly (readonly ExportCell[])[];
}

export function operationListTitle(options: {
	title: string;
	unitName: string;
	today: string;
}): string {
	return `${options.title} — ${options.unitName} — ngày ${formatDate(options.today)}`;
}

export function operationListFileName(options: {
	kind: OperationListKind;
	unitId: string;
	today: string;
	/** The year, for lists of one. */
	year?: number;
}): string {
	const year = options.year === undefined ? '' : `-${options.year}`;
	return `${FILE_PREFIX[options.kind]}${year}-${fileSlug(options.unitId)}-${options.today}.xlsx`;
}

/** The workbook's bytes (packed off the main thread: roster-export-book.ts). */
export async function operationListWorkbook(options: {
	list: OperationList;
	unitName: string;
	/** Vietnam's date (ISO). */
	today: string;
	signal?: AbortSignal;
}): Promise<ArrayBuffer> {
	const { list, signal } = options;
	return packWorkbook({
		spec: {
			sheets: [
				{
					name: list.sheetName,
					title: operationListTitle({ ...options, title: list.title }),
					columns: list.columns,
					rows: list.rows
				}
			]
		},
		signal
	});
}

/** Builds the file, hands it to the browser and logs the export for the audit trail. */
export async function exportOperationList(options: {
	list: OperationList;
	/** The unit database the list is of. */
	db: string;
	unitName: string;
	today: string;
	filters: ExportFilters;
	login: string;
	signal?: AbortSignal;
}): Promise<{ rows: number; fileName: string }> {
	const { list, db, today } = options;
	const bytes = await operationListWorkbook(options);
	options.signal?.throwIfAborted();
	const unitId = unitIdOfDb(db);
	const fileName = operationListFileName({
		kind: list.kind,
		unitId,
		today,
		...(options.filters.year === undefined ? {} : { year: options.filters.year })
	});
	downloadFile({ data: bytes, fileName });
	await recordExport({
		entry: { unitId, kind: list.kind, rows: list.rows.length, filters: options.filters },
		login: options.login
	});
	return { rows: list.rows.length, fileName };
}
