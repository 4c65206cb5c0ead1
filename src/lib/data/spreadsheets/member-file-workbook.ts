import { formatDate } from '$lib/domain/dates';
import { packWorkbook } from './roster-export-book';
import type { ExportColumn } from './roster-export-sheet';

// A member's file as a workbook (docs/spreadsheets.md, "Exports"): sheet "Hồ sơ" holds the profile
// as the screen lists it (section, field, value), sheet "Quá trình" the history timeline (date,
// operation, what it recorded, decision number). The screen words both (member-profile-sections.ts,
// history-text.ts): the file reads as the profile does, and nothing is worded twice.

export const PROFILE_SHEET_NAME = 'Hồ sơ';
export const HISTORY_SHEET_NAME = 'Quá trình';

export interface MemberFileContent {
	/** The member's full name, for the title. */
	name: string;
	unitName: string;
	sections: readonly { title: string; rows: readonly { label: string; value: string }[] }[];
	/** ISO dates; in the timeline's order. */
	history: readonly {
		at: string;
		kind: string;
		summary: string;
		decisionNumber: string;
		decisionDate: string;
		note: string;
	}[];
}

const PROFILE_COLUMNS: readonly ExportColumn[] = [
	{ header: 'Mục', width: 22 },
	{ header: 'Thông tin', width: 24 },
	// Citizen ids, card numbers, phones: text, so no leading zero is lost when the cell is edited.
	{ header: 'Nội dung', width: 48, format: 'text' }
];

const HISTORY_COLUMNS: readonly ExportColumn[] = [
	{ header: 'Ngày', width: 12, format: 'text' },
	{ header: 'Nghiệp vụ', width: 26 },
	{ header: 'Nội dung', width: 60 },
	{ header: 'Số quyết định', width: 16, format: 'text' },
	{ header: 'Ngày quyết định', width: 14, format: 'text' },
	{ header: 'Ghi chú', width: 20 }
];

/** The profile's "no value" dash is the screen's; an empty cell says the same in a sheet. */
const blank = (value: string) => (value === '—' ? '' : value);

export function memberFileName(options: { memberKey: string; today: string }): string {
	return `ho-so-${options.memberKey.toLowerCase()}-${options.today}.xlsx`;
}

/** The rows the file holds: the profile's fields and the history's entries. */
export function memberFileRowCount(content: MemberFileContent): number {
	return content.sections.reduce((n, s) => n + s.rows.length, 0) + content.history.length;
}

export async function memberFileWorkbook(options: {
	content: MemberFileContent;
	/** Vietnam's date (ISO). */
	today: string;
	signal?: AbortSignal;
}): Promise<ArrayBuffer> {
	const { content, today, signal } = options;
	const titleEnd = `${content.name} — ${content.unitName} — ngày ${formatDate(today)}`;
	return packWorkbook({
		spec: {
			sheets: [
				{
					name: PROFILE_SHEET_NAME,
					title: `Hồ sơ đoàn viên ${titleEnd}`,
					columns: PROFILE_COLUMNS,
					rows: content.sections.flatMap((section) =>
						section.rows.map((row) => [section.title, row.label, blank(row.value)])
					)
				},
				{
					name: HISTORY_SHEET_NAME,
					title: `Quá trình sinh hoạt Đoàn của ${titleEnd}`,
					columns: HISTORY_COLUMNS,
					rows: content.history.map((entry) => [
						formatDate(entry.at),
						entry.kind,
						entry.summary,
						entry.decisionNumber,
						entry.decisionDate ? formatDate(entry.decisionDate) : '',
						entry.note
					])
				}
			]
		},
		signal
	});
}
