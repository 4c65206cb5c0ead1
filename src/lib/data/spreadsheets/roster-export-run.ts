import { describeExportFilters } from '$lib/domain/spreadsheets/export-log-schema';
import { unitDbName, unitIdOfDb } from '$lib/domain/org/ids';
import { listBranches, unitNames } from '$lib/data/queries/members';
import { recordExport } from './export-log-store';
import {
	rosterExportFilters,
	rosterRecords,
	rosterRows,
	type RosterSelection
} from './roster-export-members';
import { downloadFile } from './download-file';
import { rosterFileName, rosterWorkbook } from './roster-export-workbook';

// "Xuất Excel" on the roster (docs/spreadsheets.md, "Exports"): the list's members read, the
// workbook built, the download handed to the browser, and the export kept in the log for the audit
// trail — one entry per unit the list spans, each with its own row count.

/** Where a long export is, for the progress bar: `total` 0 while the file is being packed. */
export interface ExportProgress {
	label: string;
	done: number;
	total: number;
}

export async function exportRoster(options: {
	selection: RosterSelection;
	/** The signed-in account's unit: named in the title and the file name. */
	unit: { id: string; name: string };
	login: string;
	onProgress?: (progress: ExportProgress) => void;
	signal?: AbortSignal;
}): Promise<{ rows: number; fileName: string }> {
	const { selection, unit, onProgress, signal } = options;
	onProgress?.({ label: 'Đang tìm đoàn viên…', done: 0, total: 0 });
	const rows = await rosterRows(selection);
	const members = await rosterRecords({
		rows,
		signal,
		onProgress: ({ done, total }) =>
			onProgress?.({ label: 'Đang đọc hồ sơ đoàn viên…', done, total })
	});
	const filters = rosterExportFilters(selection);
	// Every branch of the units, merged and closed ones too: a member may still name one.
	const branches = new Map((await listBranches(selection.dbs)).map((b) => [b.id, b.name]));
	const branchName = (id: string) => branches.get(id);
	// A list over several units says whose each member is (the name the device knows, else the id).
	const unitNamesByDb = selection.dbs.length > 1 ? await unitNames(selection.dbs) : null;
	const bytes = await rosterWorkbook({
		members,
		branchName: (id) => branchName(id) ?? '',
		unitName: unit.name,
		today: selection.today,
		filters: describeExportFilters(filters, branchName),
		...(unitNamesByDb
			? {
					memberUnitName: (member: { unitId?: string }) =>
						member.unitId
							? (unitNamesByDb.get(unitDbName(member.unitId)) ?? member.unitId)
							: ''
				}
			: {}),
		signal,
		onProgress: ({ done, total }) => onProgress?.({ label: 'Đang tạo bảng tính…', done, total })
	});
	onProgress?.({ label: 'Đang đóng gói tệp…', done: 0, total: 0 });
	signal?.throwIfAborted();
	const fileName = rosterFileName({ unitId: unit.id, today: selection.today });
	downloadFile({ data: bytes, fileName });
	// One entry per unit the list spans; a list with nobody still says what was exported, and where.
	const perDb = new Map<string, number>();
	for (const member of rows) perDb.set(member.db, (perDb.get(member.db) ?? 0) + 1);
	if (perDb.size === 0) perDb.set(unitDbName(unit.id), 0);
	for (const [db, count] of perDb) {
		await recordExport({
			entry: { unitId: unitIdOfDb(db), kind: 'roster', rows: count, filters },
			login: options.login
		});
	}
	return { rows: members.length, fileName };
}
