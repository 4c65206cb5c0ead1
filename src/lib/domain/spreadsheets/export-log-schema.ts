import * as v from 'valibot';
import { BRANCH_ID_PATTERN } from '../branch-schema';
import { MEMBER_STATUSES, MEMBER_STATUS_LABELS } from '../member-statuses';
import { MEMBER_ID_PATTERN } from '../member-schema';
import { ULID_PATTERN, UNIT_ID_PATTERN } from '../org/ids';

// One export made on a phone, as the audit trail records it (docs/spreadsheets.md, "Exports"): who
// is the server's to say (the device cookie), the rest is what the phone sends — the unit, the kind
// of list, the filters, how many rows. Every field is enumerated or bounded: a search's words, a
// name or a citizen id never travel (a typed search may be exactly that), only that a search was
// used. The phone validates its own entries with the same schema before it keeps them.

export const EXPORT_KINDS = [
	'roster',
	'member-file',
	'coming-of-age',
	'transfers',
	'ratings'
] as const;

export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_KIND_LABELS: Readonly<Record<ExportKind, string>> = {
	roster: 'Danh sách đoàn viên',
	'member-file': 'Hồ sơ đoàn viên',
	'coming-of-age': 'Danh sách trưởng thành Đoàn',
	transfers: 'Danh sách chuyển sinh hoạt',
	ratings: 'Danh sách xếp loại đoàn viên'
};

const AGE_BANDS = ['under-18', '18-24', '25-30', 'over-30'] as const;

const AGE_BAND_LABELS: Readonly<Record<(typeof AGE_BANDS)[number], string>> = {
	'under-18': 'dưới 18 tuổi',
	'18-24': '18–24 tuổi',
	'25-30': '25–30 tuổi',
	'over-30': 'trên 30 tuổi'
};

/** The most rows one export may claim: a whole province's roster on one phone, with room. */
export const EXPORT_MAX_ROWS = 200_000;

/** Entries per request: a phone offline for weeks sends its backlog in batches of this size. */
export const EXPORT_BATCH_MAX = 50;

export const ExportFiltersSchema = v.strictObject({
	status: v.optional(v.picklist(MEMBER_STATUSES, 'Trạng thái lọc không hợp lệ.')),
	branchId: v.optional(
		v.pipe(v.string(), v.regex(BRANCH_ID_PATTERN, 'Chi đoàn lọc không hợp lệ.'))
	),
	minority: v.optional(v.boolean('Bộ lọc dân tộc không hợp lệ.')),
	ageBand: v.optional(v.picklist(AGE_BANDS, 'Độ tuổi lọc không hợp lệ.')),
	/** A search was typed; its words are not recorded. */
	search: v.optional(v.boolean('Bộ lọc tìm kiếm không hợp lệ.')),
	year: v.optional(
		v.pipe(
			v.number('Năm không hợp lệ.'),
			v.integer('Năm không hợp lệ.'),
			v.minValue(1931, 'Năm không hợp lệ.'),
			v.maxValue(2200, 'Năm không hợp lệ.')
		)
	)
});

export type ExportFilters = v.InferOutput<typeof ExportFiltersSchema>;

export const ExportLogEntrySchema = v.strictObject({
	/** Made on the phone (a ULID): a resend of the same export is recorded once. */
	id: v.pipe(
		v.string('Mã lần xuất không hợp lệ.'),
		v.regex(ULID_PATTERN, 'Mã lần xuất không hợp lệ.')
	),
	unitId: v.pipe(
		v.string('Mã đơn vị không hợp lệ.'),
		v.regex(UNIT_ID_PATTERN, 'Mã đơn vị không hợp lệ.')
	),
	kind: v.picklist(EXPORT_KINDS, 'Loại danh sách không hợp lệ.'),
	/** When the phone made the file (ISO). */
	at: v.pipe(
		v.string('Thời điểm xuất không hợp lệ.'),
		v.isoTimestamp('Thời điểm xuất không hợp lệ.')
	),
	rows: v.pipe(
		v.number('Số dòng không hợp lệ.'),
		v.integer('Số dòng không hợp lệ.'),
		v.minValue(0, 'Số dòng không hợp lệ.'),
		v.maxValue(EXPORT_MAX_ROWS, 'Số dòng không hợp lệ.')
	),
	filters: ExportFiltersSchema,
	/** A member's file: whose (the record's id, never a name). */
	memberId: v.optional(v.pipe(v.string(), v.regex(MEMBER_ID_PATTERN, 'Mã hồ sơ không hợp lệ.')))
});

export type ExportLogEntry = v.InferOutput<typeof ExportLogEntrySchema>;

export const ExportLogBatchSchema = v.strictObject({
	entries: v.pipe(
		v.array(ExportLogEntrySchema, 'Danh sách lần xuất không hợp lệ.'),
		v.minLength(1, 'Danh sách lần xuất trống.'),
		v.maxLength(EXPORT_BATCH_MAX, `Mỗi lần gửi tối đa ${EXPORT_BATCH_MAX} lần xuất.`)
	)
});

/**
 * The filters in words, for the audit trail and the file's title. Branch names are the unit's
 * business, so the branch is named through `branchName` only where the caller has it (the phone);
 * the server, which records ids, passes nothing and says "một chi đoàn".
 */
export function describeExportFilters(
	filters: ExportFilters,
	branchName?: (branchId: string) => string | undefined
): string {
	const parts: string[] = [];
	if (filters.status) parts.push(MEMBER_STATUS_LABELS[filters.status].toLowerCase());
	if (filters.branchId) {
		const name = branchName?.(filters.branchId);
		parts.push(name ? `chi đoàn ${name}` : 'một chi đoàn');
	}
	if (filters.minority !== undefined)
		parts.push(filters.minority ? 'dân tộc thiểu số' : 'dân tộc Kinh');
	if (filters.ageBand) parts.push(AGE_BAND_LABELS[filters.ageBand]);
	if (filters.search) parts.push('theo từ khóa tìm kiếm');
	if (filters.year !== undefined) parts.push(`năm ${filters.year}`);
	return parts.length === 0 ? 'không lọc' : parts.join(', ');
}
