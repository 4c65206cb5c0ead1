import * as v from 'valibot';
import {
	ORG_IMPORT_MAX_CELL,
	ORG_IMPORT_MAX_ROWS,
	type IssuedAccount,
	type OrgImportPlan,
	type OrgImportView
} from '../../src/lib/domain/spreadsheets/org-import-plan';
import {
	ORG_SHEET_COLUMNS,
	type OrgSheetRow
} from '../../src/lib/domain/spreadsheets/org-import-sheet';
import { AppError } from '../http/app-error';
import type { OrgImportJournal } from './org-import-journal';

// What the organisation import's API takes and answers (docs/spreadsheets.md, "The organisation in
// bulk"): the sheet's rows as the phone sends them, the import's progress as a caller may see it
// (never the journal itself), and the printable list of accounts, the one place a temporary password
// ever appears (their shapes are the domain's, shared with the phone). The service
// (org-import-service.ts) does the work.

const Cell = v.optional(
	v.pipe(
		v.string('Mỗi ô phải là chữ.'),
		v.maxLength(ORG_IMPORT_MAX_CELL, `Một ô quá dài (tối đa ${ORG_IMPORT_MAX_CELL} ký tự).`)
	),
	''
);

/** The body of POST /api/units/:id/import, checked after JSON parsing. */
export const OrgImportBodySchema = v.object(
	{
		rows: v.pipe(
			v.array(
				v.object(
					{
						line: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)),
						row: v.object(
							Object.fromEntries(ORG_SHEET_COLUMNS.map((column) => [column.key, Cell])) as Record<
								keyof OrgSheetRow,
								typeof Cell
							>
						)
					},
					'Dòng dữ liệu không hợp lệ.'
				),
				'Dữ liệu gửi lên không hợp lệ.'
			),
			v.minLength(1, 'Bảng không có dòng nào.'),
			v.maxLength(
				ORG_IMPORT_MAX_ROWS,
				`Mỗi lần nhập tối đa ${ORG_IMPORT_MAX_ROWS} dòng; hãy chia bảng thành nhiều lần.`
			)
		),
		dryRun: v.optional(v.boolean('dryRun phải là true hoặc false.'), false)
	},
	'Dữ liệu gửi lên không hợp lệ.'
);

export type OrgImportAnswer =
	| { dryRun: true; plan: OrgImportPlan }
	| { dryRun: false; plan: OrgImportPlan; import: OrgImportView; accounts: IssuedAccount[] };

/** The commit was refused for rows with errors: the answer carries the server's plan. */
export class InvalidRows extends AppError {
	constructor(readonly plan: OrgImportPlan) {
		super({
			status: 422,
			error: 'invalid_rows',
			reason: `Còn ${plan.counts.invalid} dòng có lỗi: chưa tạo đơn vị nào. Hãy sửa các dòng đó rồi nhập lại.`
		});
	}
}

export function viewOf(journal: OrgImportJournal): OrgImportView {
	return {
		importId: journal.importId,
		rootId: journal.rootId,
		state: journal.state,
		progress: { done: journal.done, total: journal.units.length },
		...(journal.error ? { error: journal.error } : {}),
		createdAt: journal.createdAt,
		...(journal.finishedAt ? { finishedAt: journal.finishedAt } : {})
	};
}
