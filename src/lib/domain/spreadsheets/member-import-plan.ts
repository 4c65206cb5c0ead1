import { historyId, type HistoryDoc } from '../history-schema';
import { MEMBER_SCHEMA_VERSION, type MemberDoc, type MemberFieldKey } from '../member-schema';
import { fullName } from '../names';
import {
	applyMemberPatch,
	buildEntry,
	type MemberPatch,
	type OperationActor,
	type OperationContext
} from '../operations/shared';
import { changedFields } from './member-import-rows';
import type {
	ImportPreview,
	ImportReport,
	ImportReportRow,
	ImportRowClass,
	ImportRowPreview
} from './member-import-types';

// Planning the documents of the rows the secretary chose (docs/spreadsheets.md, "Importing
// members"); the classification before it is in member-import-classify.ts, re-exported here.
export * from './member-import-classify';

// ---------------------------------------------------------------------------------------------
// The documents

/** The documents of an import: members created or updated, one `imported` history entry each. */
export interface MemberImportPlan {
	unitId: string;
	fileName: string;
	/** New members (no `_rev`) and updated ones (on top of the `_rev` they were read at). */
	members: MemberDoc[];
	entries: HistoryDoc[];
	/** The report the import gives once written (times filled in by the writer). */
	report: Omit<ImportReport, 'startedAt' | 'finishedAt'>;
}

export type MemberImportPlanResult =
	{ ok: true; plan: MemberImportPlan } | { ok: false; message: string };

const CLASS_REASONS: Record<ImportRowClass, string> = {
	new: 'Không chọn nhập.',
	update: 'Không chọn nhập.',
	duplicate: 'Trùng với một dòng trước trong tệp.',
	clash: 'Số CCCD đang sinh hoạt ở đơn vị khác.',
	invalid: 'Có ô sai.'
};

function skipReason(row: ImportRowPreview): string {
	if (row.class === 'invalid') return row.errors.map((e) => e.message).join(' ');
	if (row.class === 'duplicate' && row.duplicateOf) {
		return `Trùng với dòng ${row.duplicateOf.rowNumber} (${row.duplicateOf.by === 'citizen-id' ? 'cùng số CCCD' : 'cùng họ tên và ngày sinh'}).`;
	}
	if (row.class === 'clash' && row.clashWith) {
		return `Số CCCD đang sinh hoạt tại ${row.clashWith.unitName}.`;
	}
	return CLASS_REASONS[row.class];
}

function rowName(fields: { familyName?: string; middleName?: string; givenName?: string }): string {
	return fullName({
		familyName: fields.familyName ?? '',
		middleName: fields.middleName ?? '',
		givenName: fields.givenName ?? ''
	});
}

export function planMemberImport(options: {
	preview: ImportPreview;
	/** Row numbers to import: new and update rows only. */
	chosenRows: readonly number[];
	/** The current documents of the members the update rows name. */
	members: ReadonlyMap<string, MemberDoc>;
	actor: OperationActor;
	now: string;
	today: string;
	fileName: string;
	unitId: string;
	newUlid: () => string;
}): MemberImportPlanResult {
	const chosen = new Set(options.chosenRows);
	const context: OperationContext = {
		today: options.today,
		now: options.now,
		actor: options.actor,
		newUlid: options.newUlid
	};
	const members: MemberDoc[] = [];
	const entries: HistoryDoc[] = [];
	const created: ImportReportRow[] = [];
	const updated: ImportReportRow[] = [];
	const unchanged: ImportReportRow[] = [];
	const skipped: ImportReport['skipped'] = [];
	const entryData = (rowNumber: number, isNew: boolean, fields: string[]) => ({
		fileName: options.fileName,
		rowNumber,
		created: isNew,
		fields
	});

	for (const row of options.preview.rows) {
		if (!chosen.has(row.rowNumber)) {
			skipped.push({ rowNumber: row.rowNumber, class: row.class, reason: skipReason(row) });
			continue;
		}
		if (row.class !== 'new' && row.class !== 'update') {
			return {
				ok: false,
				message: `Dòng ${row.rowNumber} không nhập được: ${skipReason(row)} Hãy sửa dòng đó hoặc bỏ qua.`
			};
		}
		if (row.class === 'new') {
			const memberId = `member:${options.newUlid()}` as const;
			const member = {
				...row.fields,
				_id: memberId,
				type: 'member',
				v: MEMBER_SCHEMA_VERSION,
				unitId: options.unitId,
				provenance: { source: 'unit' },
				fieldRevs: {},
				createdAt: options.now,
				createdBy: options.actor.login,
				updatedAt: options.now,
				updatedBy: options.actor.login
			} as MemberDoc;
			const fields = Object.keys(row.fields);
			members.push(member);
			entries.push(
				buildEntry({
					context,
					member,
					kind: 'imported',
					id: historyId({ memberId, key: options.newUlid() }),
					at: options.today,
					data: entryData(row.rowNumber, true, fields)
				})
			);
			created.push({
				rowNumber: row.rowNumber,
				memberId,
				name: rowName(row.fields),
				fields: fields as MemberFieldKey[]
			});
			continue;
		}
		const doc = row.existingId ? options.members.get(row.existingId) : undefined;
		if (doc === undefined) {
			return {
				ok: false,
				message:
					`Dòng ${row.rowNumber}: hồ sơ đoàn viên cần cập nhật không còn trên máy này. ` +
					'Hãy đồng bộ rồi xem trước lại.'
			};
		}
		// Computed again on the document as it is now: only what the sheet changes is written.
		const changed = changedFields({ doc, fields: row.fields });
		const reportRow = {
			rowNumber: row.rowNumber,
			memberId: doc._id,
			name: rowName(doc),
			fields: changed
		};
		if (changed.length === 0) {
			unchanged.push(reportRow);
			continue;
		}
		const patch: MemberPatch = {};
		for (const field of changed) (patch as Record<string, unknown>)[field] = row.fields[field];
		const applied = applyMemberPatch({
			member: doc,
			patch,
			at: options.now,
			by: options.actor.login
		});
		members.push(applied.member);
		entries.push(
			buildEntry({
				context,
				member: doc,
				kind: 'imported',
				at: options.today,
				data: entryData(row.rowNumber, false, changed),
				effect: applied.effect
			})
		);
		updated.push(reportRow);
	}
	return {
		ok: true,
		plan: {
			unitId: options.unitId,
			fileName: options.fileName,
			members,
			entries,
			report: {
				fileName: options.fileName,
				unitId: options.unitId,
				by: options.actor.login,
				created,
				updated,
				unchanged,
				skipped,
				documents: members.length + entries.length
			}
		}
	};
}
