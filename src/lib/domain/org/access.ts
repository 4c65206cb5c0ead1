import { isManagerRole } from './roles';

// Who manages what in the organisation tree (docs/domain.md §1), as plain predicates over the
// actor's role and unit and the unit's place in the tree. The server enforces them on its own acts
// (founding units, issuing accounts…); the unit screen asks the same questions to show only what
// the server would allow. CouchDB's `_security` guards the data itself.

export interface OrgActor {
	role: string;
	/** The actor's own unit. */
	unitId: string;
}

/** Where a unit sits: its own id, its ancestors (top first), its direct superior. */
export interface UnitPlacement {
	id: string;
	ancestors: readonly string[];
	parentId: string | null;
	/** Units admitted to this one's database: those it was merged into. */
	admits?: readonly string[];
}

/**
 * The unit is the actor's own or beneath it — or a merged unit whose database the actor's unit was
 * admitted to (it absorbed that unit and its records).
 */
export function inSubtree(actor: OrgActor, unit: UnitPlacement): boolean {
	return (
		unit.id === actor.unitId ||
		unit.ancestors.includes(actor.unitId) ||
		(unit.admits ?? []).includes(actor.unitId)
	);
}

/** Only the direct superior founds, renames, merges, splits and dissolves a unit. */
export function managesUnit(actor: OrgActor, unit: Pick<UnitPlacement, 'parentId'>): boolean {
	return isManagerRole(actor.role) && unit.parentId !== null && unit.parentId === actor.unitId;
}

/** A unit's accounts: its direct superior's managers, and an admin of the unit itself (the top). */
export function managesAccountsOf(
	actor: OrgActor,
	unit: Pick<UnitPlacement, 'id' | 'parentId'>
): boolean {
	return managesUnit(actor, unit) || (actor.role === 'admin' && actor.unitId === unit.id);
}

/** New units are founded directly under the actor's own unit, by its managers. */
export function mayFoundUnder(actor: OrgActor, parentId: string): boolean {
	return isManagerRole(actor.role) && actor.unitId === parentId;
}
