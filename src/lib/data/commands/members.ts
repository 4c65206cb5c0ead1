import {
	MEMBER_SCHEMA_VERSION,
	planProfileEdit,
	todayIso,
	upgradeMemberDoc,
	validateMemberInput,
	type MemberDoc,
	type MemberFields
} from '$lib/domain';
import { memberDocId, ulid, unitIdOfDb } from '$lib/data/ids';
import { recordOutbox } from '$lib/data/sync/outbox';
import { localDb } from '$lib/data/store/pouch';
import type { Actor } from './actor';
import { writePlan } from './plan-writer';
import { membersWithNumber } from '$lib/data/read-model/search-index';

// Domain commands: validate, write PouchDB (the device's truth), note the write in the outbox, and
// return a result the screen can show. Nothing writes member documents around these functions.

export type FieldErrors = Partial<Record<keyof MemberFields | 'form', string>>;

export type CommandResult = { ok: true; id: string } | { ok: false; errors: FieldErrors };

export type MemberInput = Record<string, string | boolean | undefined>;

async function citizenIdClash(options: {
	citizenId: string | undefined;
	exceptId?: string;
}): Promise<string | null> {
	if (!options.citizenId) return null;
	const rows = await membersWithNumber({ citizenId: options.citizenId, match: 'equals' });
	const other = rows.find(
		(row) =>
			row.id !== options.exceptId && (row.status === 'active' || row.status === 'transferring')
	);
	return other
		? `Số CCCD: đã có đoàn viên ${other.fullName} mang số này trong đơn vị. Không nhập trùng một người.`
		: null;
}

export async function addMember(options: {
	db: string;
	actor: Actor;
	input: MemberInput;
	now?: Date;
}): Promise<CommandResult> {
	const now = options.now ?? new Date();
	const checked = validateMemberInput({
		input: options.input,
		today: todayIso(now),
		newRecord: true
	});
	if (!checked.ok) return { ok: false, errors: checked.errors };
	const clash = await citizenIdClash({ citizenId: checked.value.citizenId });
	if (clash) return { ok: false, errors: { citizenId: clash } };

	const at = now.toISOString();
	const doc: MemberDoc = {
		...checked.value,
		_id: memberDocId(ulid(now.getTime())) as MemberDoc['_id'],
		type: 'member',
		v: MEMBER_SCHEMA_VERSION,
		// The document belongs to the unit whose database it is written in (a superior may write a
		// pinned subordinate's roster): the server's validation insists on it.
		unitId: unitIdOfDb(options.db),
		provenance: { source: 'unit' },
		createdAt: at,
		createdBy: options.actor.login,
		updatedAt: at,
		updatedBy: options.actor.login
	};
	const res = await localDb(options.db).put(doc);
	await recordOutbox({ db: options.db, docId: res.id, rev: res.rev });
	return { ok: true, id: res.id };
}

export async function updateMember(options: {
	db: string;
	id: string;
	actor: Actor;
	input: MemberInput;
	now?: Date;
}): Promise<CommandResult> {
	const now = options.now ?? new Date();
	const checked = validateMemberInput({ input: options.input, today: todayIso(now) });
	if (!checked.ok) return { ok: false, errors: checked.errors };
	const clash = await citizenIdClash({ citizenId: checked.value.citizenId, exceptId: options.id });
	if (clash) return { ok: false, errors: { citizenId: clash } };

	const local = localDb(options.db);
	let current: MemberDoc;
	try {
		current = upgradeMemberDoc(await local.get(options.id));
	} catch {
		return { ok: false, errors: { form: 'Không tìm thấy hồ sơ đoàn viên này trên máy.' } };
	}
	// Through the domain: only the form's fields change, each stamped for the conflict merge, and the
	// edit is recorded in the member's history. Fields set by operations (dues, transfers…) stay.
	const planned = planProfileEdit({
		today: todayIso(now),
		now: now.toISOString(),
		actor: { login: options.actor.login, unitId: unitIdOfDb(options.db) },
		newUlid: () => ulid(now.getTime()),
		member: current,
		fields: checked.value
	});
	if (!planned.ok) return { ok: false, errors: planned.errors as FieldErrors };
	const written = await writePlan({ db: options.db, plan: planned.plan });
	return written.ok ? { ok: true, id: current._id } : { ok: false, errors: { form: written.message } };
}
