import * as v from 'valibot';
import {
	TARGET_SCHEMA_VERSION,
	TargetDocSchema,
	targetDocId,
	type TargetDoc
} from '$lib/domain/figures';
import { recordOutbox } from '$lib/data/sync/outbox';
import { localDb } from '$lib/data/store/pouch';
import { unitIdOfDb } from '$lib/data/ids';
import type { Actor } from './actor';

// A superior sets (or changes) how many members it expects a subordinate unit to have on its rolls
// this year: `target:<unitId>:<year>` in the superior's own database, written on the device like
// every other document (PouchDB, noted in the outbox) and synced at the next connection.

export type TargetOutcome = { ok: true } | { ok: false; message: string };

const MembersInput = v.pipe(
	v.string(),
	v.trim(),
	v.regex(/^\d{1,8}$/, 'Chỉ tiêu phải là một số nguyên không âm.'),
	v.transform(Number)
);

/** Parses what the user typed as a target ("1.250" and "1250" alike). */
export function parseTargetInput(
	text: string
): { ok: true; members: number } | { ok: false; message: string } {
	const result = v.safeParse(MembersInput, text.replace(/[.\s]/g, ''));
	return result.success
		? { ok: true, members: result.output }
		: { ok: false, message: result.issues[0].message };
}

export async function setTarget(options: {
	/** The superior's own database (the target's holder). */
	db: string;
	forUnitId: string;
	year: number;
	members: number;
	actor: Actor;
	now?: Date;
}): Promise<TargetOutcome> {
	const unitId = unitIdOfDb(options.db);
	const id = targetDocId({ unitId: options.forUnitId, year: options.year });
	const now = (options.now ?? new Date()).toISOString();
	const pouch = localDb(options.db);
	let previous: TargetDoc | null = null;
	try {
		previous = (await pouch.get(id)) as TargetDoc;
	} catch (error) {
		if ((error as { status?: number }).status !== 404) throw error;
	}
	const doc = {
		_id: id,
		...(previous?._rev ? { _rev: previous._rev } : {}),
		type: 'target' as const,
		v: TARGET_SCHEMA_VERSION,
		unitId,
		forUnitId: options.forUnitId,
		year: options.year,
		members: options.members,
		createdAt: previous?.createdAt ?? now,
		createdBy: previous?.createdBy ?? options.actor.login,
		updatedAt: now,
		updatedBy: options.actor.login
	};
	const checked = v.safeParse(TargetDocSchema, doc);
	if (!checked.success) return { ok: false, message: 'Chỉ tiêu không hợp lệ.' };
	try {
		const result = await pouch.put(checked.output);
		await recordOutbox({ db: options.db, docId: result.id, rev: result.rev });
		return { ok: true };
	} catch (error) {
		if ((error as { status?: number }).status === 409)
			return { ok: false, message: 'Chỉ tiêu vừa được đổi ở nơi khác. Hãy đặt lại.' };
		throw error;
	}
}
