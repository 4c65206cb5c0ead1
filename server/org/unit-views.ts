import { canContain, unitKindLabel, type UnitKindId } from '../../src/lib/domain/unit-kinds';
import { AppError } from '../http/app-error';
import {
	nameHistoryOf,
	unitStatus,
	type NameEntry,
	type ProvisionService,
	type UnitRecord,
	type UnitStatus
} from '../couch/provision-service';

// What the organisation API shows of a unit (docs/architecture.md, "Organisation API"), and the
// errors every unit act shares.

export interface UnitSummary {
	id: string;
	name: string;
	kind: UnitKindId;
	status: UnitStatus;
}

export interface UnitInfo extends UnitSummary {
	parentId: string | null;
	db: string;
	mergedInto?: string;
	mergedFrom?: string[];
	nameHistory: NameEntry[];
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
	dissolvedAt?: string;
	closedAt?: string;
	/** A merge or split holding the unit, if any (GET /api/jobs/:id). */
	job?: string;
}

export interface UnitView {
	unit: UnitInfo;
	ancestors: UnitSummary[];
	children: UnitSummary[];
	/** The actor is this unit's direct superior's secretary or admin (rename, merge, split…). */
	canManage: boolean;
	/** The actor may list and issue this unit's accounts (canManage, or the unit's own admin). */
	canManageAccounts: boolean;
}

export function summary(record: UnitRecord): UnitSummary {
	return { id: record.id, name: record.name, kind: record.kind, status: unitStatus(record) };
}

export function unitInfo(record: UnitRecord): UnitInfo {
	return {
		...summary(record),
		parentId: record.parentId,
		db: record.db,
		...(record.mergedInto ? { mergedInto: record.mergedInto } : {}),
		...(record.mergedFrom?.length ? { mergedFrom: record.mergedFrom } : {}),
		nameHistory: nameHistoryOf(record),
		createdAt: record.createdAt,
		createdBy: record.createdBy,
		updatedAt: record.updatedAt ?? record.createdAt,
		updatedBy: record.updatedBy ?? record.createdBy,
		...(record.dissolvedAt ? { dissolvedAt: record.dissolvedAt } : {}),
		...(record.closedAt ? { closedAt: record.closedAt } : {}),
		...(record.lock ? { job: record.lock } : {})
	};
}

export function notFound(): AppError {
	return new AppError({ status: 404, error: 'unit_not_found', reason: 'Không tìm thấy đơn vị.' });
}

export function notActive(unit: UnitRecord): AppError {
	const status = unitStatus(unit);
	return new AppError({
		status: 409,
		error: 'unit_not_active',
		reason:
			status === 'merged'
				? `"${unit.name}" đã được hợp nhất vào đơn vị khác.`
				: `"${unit.name}" đã giải thể.`
	});
}

/** The unit's directory record, or a 404. */
export async function requireUnit(provision: ProvisionService, id: string): Promise<UnitRecord> {
	const unit = await provision.getUnit(id);
	if (!unit) throw notFound();
	return unit;
}

/** A 422 on the kind field when a unit of kind `child` may not be under one of kind `parent`. */
export function assertMayContain(kinds: { parent: UnitKindId; child: UnitKindId }): void {
	if (canContain(kinds)) return;
	throw new AppError({
		status: 422,
		error: 'invalid_kind',
		reason: `${unitKindLabel(kinds.child)} không thể trực thuộc ${unitKindLabel(kinds.parent)}.`,
		field: 'kind'
	});
}
