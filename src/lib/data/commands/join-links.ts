import { newJoinCode } from '$lib/domain/declarations/codes';
import { joinLinkId, type JoinLinkDoc } from '$lib/domain/declarations/declaration-schema';
import {
	planCreateJoinLink,
	planRotateJoinLink,
	planSetJoinLinkEnabled,
	type JoinLinkPlan
} from '$lib/domain/declarations/join-links';
import { unitIdOfDb } from '$lib/data/ids';
import { loadBranch } from '$lib/data/queries/branches';
import { localDb } from '$lib/data/store/pouch';
import { writeRecords } from './plan-writer';
import type { Actor } from './actor';

// The unit's join links on the device (ADR 0019), offline like every write: read the link and its
// chi đoàn from PouchDB (the truth), let the planner decide (domain/declarations/join-links.ts),
// write the one document through the one writer, noted as waiting to upload. A link made or rotated
// offline works once this device has synced (the screen says so while it waits).

export type JoinLinkOutcome = { ok: true; link: JoinLinkDoc } | { ok: false; message: string };

export interface JoinLinkCall {
	db: string;
	actor: Actor;
	/** The chi đoàn's link; none: the unit's own. */
	branchId?: string;
	now?: Date;
}

async function loadLink(db: string, id: string): Promise<JoinLinkDoc | null> {
	try {
		return await localDb(db).get<JoinLinkDoc>(id);
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

async function write(db: string, plan: JoinLinkPlan): Promise<JoinLinkOutcome> {
	if (!plan.ok) return plan;
	const written = await writeRecords({ db, docs: [plan.doc] });
	if (!written.ok) return written;
	// The stored revision, so the screen's next act starts from it.
	return { ok: true, link: (await loadLink(db, plan.doc._id)) ?? plan.doc };
}

const NOT_FOUND: JoinLinkOutcome = {
	ok: false,
	message: 'Không tìm thấy đường dẫn này trên máy. Có thể dữ liệu chưa đồng bộ.'
};

async function branchOf(call: JoinLinkCall) {
	return call.branchId ? loadBranch({ db: call.db, id: call.branchId }) : null;
}

/** Creates the unit's link, or a chi đoàn's. */
export async function createJoinLink(call: JoinLinkCall): Promise<JoinLinkOutcome> {
	const [existing, branch] = await Promise.all([
		loadLink(call.db, joinLinkId(call.branchId)),
		branchOf(call)
	]);
	if (call.branchId && !branch) return { ok: false, message: 'Không tìm thấy chi đoàn này.' };
	return write(
		call.db,
		planCreateJoinLink({
			unitId: unitIdOfDb(call.db),
			branch,
			existing,
			code: newJoinCode(),
			now: (call.now ?? new Date()).toISOString(),
			login: call.actor.login
		})
	);
}

/** Gives the link a new code: the old link and its posters stop working. */
export async function rotateJoinLink(call: JoinLinkCall): Promise<JoinLinkOutcome> {
	const link = await loadLink(call.db, joinLinkId(call.branchId));
	if (!link) return NOT_FOUND;
	return write(
		call.db,
		planRotateJoinLink({
			link,
			code: newJoinCode(),
			now: (call.now ?? new Date()).toISOString(),
			login: call.actor.login
		})
	);
}

/** Pauses the link (`enabled: false`) or opens it again. */
export async function setJoinLinkEnabled(
	call: JoinLinkCall & { enabled: boolean }
): Promise<JoinLinkOutcome> {
	const [link, branch] = await Promise.all([
		loadLink(call.db, joinLinkId(call.branchId)),
		branchOf(call)
	]);
	if (!link) return NOT_FOUND;
	return write(
		call.db,
		planSetJoinLinkEnabled({
			link,
			branch,
			enabled: call.enabled,
			now: (call.now ?? new Date()).toISOString(),
			login: call.actor.login
		})
	);
}
