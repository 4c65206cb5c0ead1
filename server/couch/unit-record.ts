import type { UnitStatus } from '../../src/lib/domain/org/unit-status';
import type { UnitKindId } from '../../src/lib/domain/unit-kinds';
import type { SecurityObject } from './couch-client';
import type { DesignMode } from './design-doc';

// A unit as the server keeps it: its entry in the admin-only directory, the `unit` document inside
// its own database, and what follows from the entry alone (its access list, status, design mode and
// name history). Pure: the provisioning service writes these, every other part reads them.

/** One name a unit has had: `from` when it took it, `to` when it gave it up, who and on what decision. */
export interface NameEntry {
	name: string;
	from?: string;
	to?: string;
	by?: string;
	decision?: string;
	/** The first records wrote `since` for `from`. */
	since?: string;
}

/** A unit's entry in the admin-only directory database (`unit:<id>`). */
export interface UnitRecord {
	_id: string;
	_rev?: string;
	type: 'unit';
	id: string;
	name: string;
	kind: UnitKindId;
	parentId: string | null;
	/** From the top of the tree down to the parent. */
	ancestors: string[];
	db: string;
	createdAt: string;
	createdBy: string;
	/** Every name the unit has had, oldest first; old records keep showing the old name. */
	nameHistory: NameEntry[];
	/** Absent on records written before units had a lifecycle: read as `active`. */
	status?: UnitStatus;
	mergedInto?: string;
	mergedAt?: string;
	/** Units merged into this one (their old names stay findable in the directory). */
	mergedFrom?: string[];
	dissolvedAt?: string;
	/** A merged unit whose forwarding its superior closed: its database takes no more writes. */
	closedAt?: string;
	/**
	 * Units whose role may also use this unit's database besides its own and its ancestors': the
	 * surviving unit of a merge, whose accounts (the merged unit's former ones among them) must
	 * still push what their phones hold.
	 */
	admits?: string[];
	/** The job (merge or split) holding this unit: no other reorganisation starts meanwhile. */
	lock?: string;
	/** Version of the design document its database has (DESIGN_DOC_VERSION). */
	designVersion?: number;
	updatedAt?: string;
	updatedBy?: string;
}

/** The `unit` document inside the unit's own database (written by the server only). */
export interface UnitDoc {
	_id: 'unit';
	_rev?: string;
	type: 'unit';
	v: 1;
	unitId: string;
	name: string;
	kind: UnitKindId;
	parentId: string | null;
	ancestors: string[];
	/** Devices read it: `merged` tells them to push what they hold and move to `mergedInto`. */
	status: UnitStatus;
	mergedInto?: string;
	nameHistory: NameEntry[];
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
}

/** Only server admins: the embedded store treats a database without `_security` as public. */
export const ADMIN_ONLY_SECURITY: SecurityObject = {
	admins: { names: [], roles: ['_admin'] },
	members: { names: [], roles: ['_admin'] }
};

export function unitRole(unitId: string): string {
	return `unit:${unitId}`;
}

export function unitSecurity(
	record: Pick<UnitRecord, 'id' | 'ancestors'> & { admits?: string[] | undefined }
): SecurityObject {
	const ids = [record.id, ...record.ancestors, ...(record.admits ?? [])];
	return {
		admins: { names: [], roles: [] },
		members: { names: [], roles: [...new Set(ids)].map(unitRole) }
	};
}

export function unitStatus(record: Pick<UnitRecord, 'status'>): UnitStatus {
	return record.status ?? 'active';
}

/** Dissolved units and closed merged ones take no more writes from anyone but the server. */
export function designMode(record: Pick<UnitRecord, 'status' | 'closedAt'>): DesignMode {
	return record.status === 'dissolved' || record.closedAt ? 'closed' : 'open';
}

/** The name history as the API shows it: `from` everywhere (old records said `since`). */
export function nameHistoryOf(record: Pick<UnitRecord, 'nameHistory'>): NameEntry[] {
	return (record.nameHistory ?? []).map(({ since, ...entry }) => ({
		...entry,
		...(entry.from === undefined && since !== undefined ? { from: since } : {})
	}));
}

export function unitDocFor(record: UnitRecord): UnitDoc {
	return {
		_id: 'unit',
		type: 'unit',
		v: 1,
		unitId: record.id,
		name: record.name,
		kind: record.kind,
		parentId: record.parentId,
		ancestors: record.ancestors,
		status: unitStatus(record),
		...(record.mergedInto ? { mergedInto: record.mergedInto } : {}),
		nameHistory: nameHistoryOf(record),
		createdAt: record.createdAt,
		createdBy: record.createdBy,
		updatedAt: record.updatedAt ?? record.createdAt,
		updatedBy: record.updatedBy ?? record.createdBy
	};
}
