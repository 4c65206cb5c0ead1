import { joinPath } from '$lib/domain/declarations/codes';
import { joinLinkId, type JoinLinkDoc } from '$lib/domain/declarations/declaration-schema';
import { unitIdOfDb } from '$lib/data/ids';
import { deviceDb, type RecordRow } from '$lib/data/store/device-db';

// What the join-link screens read (ADR 0019), from the read model only (offline): the unit's join
// links (`records` of type `join-link`), its active chi đoàn, and the outbox — a link this device
// wrote and the server has not accepted yet does not work for anyone else ("Chờ gửi").

export interface JoinLinkRow {
	/** `unit`, or the chi đoàn's id (`branch:…`). */
	scope: string;
	/** The link's document id (`join-link:unit`, `join-link:<key>`). */
	id: string;
	/** The unit's name, or the chi đoàn's. */
	name: string;
	branchId?: string;
	/** The link, when the unit has made it. */
	link: JoinLinkDoc | null;
	/** Its path on this site (`/khai/<unitId>-<CODE>`), when it exists. */
	path?: string;
	/** Written on this device and not yet accepted by the server: works only after a sync. */
	waiting: boolean;
	/** The server refused it: why, in Vietnamese. */
	refusedReason?: string;
}

export interface JoinLinksView {
	unitId: string;
	unitName: string;
	/** The unit's own link first, then one row per active chi đoàn, by name. */
	rows: JoinLinkRow[];
}

/** The scope of a route (`don-vi` for the unit, else a chi đoàn's key) → branch id or none. */
export function branchIdOfScope(scope: string): string | undefined {
	return scope === 'don-vi' ? undefined : `branch:${scope}`;
}

/** The route scope of a row: `don-vi`, or the chi đoàn's key. */
export function scopeOfBranch(branchId?: string): string {
	return branchId ? branchId.replace(/^branch:/, '') : 'don-vi';
}

export async function joinLinks(db: string): Promise<JoinLinksView> {
	const [records, branches, outbox, unit] = await Promise.all([
		deviceDb.records.where('[db+type]').equals([db, 'join-link']).toArray(),
		deviceDb.branches.where('db').equals(db).toArray(),
		deviceDb.outbox.where('db').equals(db).toArray(),
		deviceDb.units.get(db)
	]);
	const unitId = unitIdOfDb(db);
	const links = new Map(
		records.map((row: RecordRow) => [row.doc._id as string, row.doc as unknown as JoinLinkDoc])
	);
	const pending = new Map(outbox.map((entry) => [entry.docId, entry]));
	const row = (name: string, branchId?: string): JoinLinkRow => {
		const id = joinLinkId(branchId);
		const link = links.get(id) ?? null;
		const entry = pending.get(id);
		return {
			scope: scopeOfBranch(branchId),
			id,
			name,
			...(branchId ? { branchId } : {}),
			link,
			...(link ? { path: joinPath({ unitId, code: link.code }) } : {}),
			waiting: !!entry && !entry.refused,
			...(entry?.refused ? { refusedReason: entry.refused } : {})
		};
	};
	const unitName = unit?.name ?? unitId;
	const active = branches
		.filter((b) => b.closed === 0)
		.sort((a, b) => a.name.localeCompare(b.name, 'vi', { numeric: true }));
	return {
		unitId,
		unitName,
		rows: [row(unitName), ...active.map((b) => row(b.name, b.id))]
	};
}

/** One link by its route scope (the poster), or null when the unit has not made it. */
export async function joinLinkOf(options: {
	db: string;
	scope: string;
}): Promise<{ unitName: string; row: JoinLinkRow | null }> {
	const view = await joinLinks(options.db);
	const branchId = branchIdOfScope(options.scope);
	const row = view.rows.find((r) => (r.branchId ?? undefined) === branchId) ?? null;
	return { unitName: view.unitName, row };
}
