import { isManagerRole, type AccountDoc, type AccountRole } from '../accounts/account-service';
import { AppError } from '../http/app-error';
import type { UnitRecord } from '../couch/provision-service';

// Who may do what in the organisation API (docs/architecture.md, "Organisation API"). Kept as plain
// predicates over the actor and the directory record, so each rule is read in one place. CouchDB's
// `_security` enforces the same tree on the data itself; these rules guard the server's own acts
// (founding units, issuing accounts…), which CouchDB cannot see.

export interface Actor {
	login: string;
	role: AccountRole;
	unitId: string;
	/** The signed-in account (reads "as the user" need its service secret). */
	account: AccountDoc;
}

export function actorOf(account: AccountDoc): Actor {
	return { login: account.login, role: account.role, unitId: account.unitId, account };
}

type Placement = Pick<UnitRecord, 'id' | 'ancestors' | 'parentId'> & { admits?: string[] };

/**
 * The unit is the actor's own or beneath it — or a merged unit whose database the actor's unit was
 * admitted to (it absorbed that unit and its records).
 */
export function inSubtree(actor: Actor, unit: Placement): boolean {
	return (
		unit.id === actor.unitId ||
		unit.ancestors.includes(actor.unitId) ||
		(unit.admits ?? []).includes(actor.unitId)
	);
}

/** Only the direct superior founds, renames, merges, splits and dissolves a unit (docs/domain.md §1). */
export function managesUnit(actor: Actor, unit: Pick<UnitRecord, 'parentId'>): boolean {
	return isManagerRole(actor.role) && unit.parentId !== null && unit.parentId === actor.unitId;
}

/** A unit's accounts: its direct superior's managers, and an admin of the unit itself (the top). */
export function managesAccountsOf(
	actor: Actor,
	unit: Pick<UnitRecord, 'id' | 'parentId'>
): boolean {
	return managesUnit(actor, unit) || (actor.role === 'admin' && actor.unitId === unit.id);
}

/** New units are founded directly under the actor's own unit, by its managers. */
export function mayFoundUnder(actor: Actor, parentId: string): boolean {
	return isManagerRole(actor.role) && actor.unitId === parentId;
}

export function forbidden(reason: string): AppError {
	return new AppError({ status: 403, error: 'forbidden', reason });
}

export const NOT_IN_SUBTREE = 'Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.';
export const NOT_MANAGER =
	'Chỉ bí thư hoặc quản trị viên của đơn vị cấp trên trực tiếp được làm việc này.';
