import {
	bulkApprovable,
	isRegistryClash,
	matchDeclaration,
	planApproval,
	planCorrectionRequest,
	planRejection,
	planRevisionRead,
	type DeclarationDoc,
	type DeclarationReviewDoc,
	type ReviewResult
} from '$lib/domain/declarations';
import { todayIso } from '$lib/domain/dates';
import type { CitizenIdRegistryAnswer } from '$lib/domain/operations/admission';
import type { OperationContext } from '$lib/domain/operations/shared';
import { ulid, unitIdOfDb } from '$lib/data/ids';
import { checkCitizenIdRegistry } from '$lib/data/online/registry';
import { askRegistryClashes } from '$lib/data/online/registry-clashes';
import { declarationCandidates } from '$lib/data/queries/declarations';
import { getMember } from '$lib/data/queries/members';
import { localDb } from '$lib/data/store/pouch';
import type { Actor } from './actor';
import { writePlan, writeRecords } from './plan-writer';

// What the review queue writes (docs/decisions/0019-self-declarations.md, "The unit's review"):
// the domain plans (declarations/review.ts) through the one writer, so they wait in the outbox and
// sync like every other write, offline included. The declaration and its review are read from the
// device's PouchDB (the truth), the unit's records for the match from the read model.

export type ReviewCommandResult = { ok: true; memberId?: string } | { ok: false; message: string };

/** What the registry says of a declaration's citizen id, as the review screen shows it. */
export type ClashCheck =
	/** No citizen id declared: nothing to ask. */
	| { state: 'no-citizen-id' }
	| { state: 'clear' }
	| { state: 'clash'; unitName: string }
	/** Offline, or the server did not answer: the server checks when the approval syncs. */
	| { state: 'unchecked' };

export const UNCHECKED_CLASH_TEXT =
	'Chưa kiểm tra được (không có mạng); máy chủ sẽ kiểm tra khi đồng bộ.';

/**
 * Asks the registry whether the declared citizen id is on the rolls of another unit. The unit's own
 * record with that number (matched by citizen id) does not count against itself.
 */
export async function checkDeclarationClash(options: {
	citizenId: string | undefined;
	ownMemberId?: string;
}): Promise<{ check: ClashCheck; answer?: CitizenIdRegistryAnswer }> {
	if (!options.citizenId) return { check: { state: 'no-citizen-id' } };
	const answer = await checkCitizenIdRegistry({
		citizenId: options.citizenId,
		...(options.ownMemberId ? { memberId: options.ownMemberId } : {})
	});
	if (answer.status === 'active') {
		return { check: { state: 'clash', unitName: answer.unitName }, answer };
	}
	if (answer.status === 'free') return { check: { state: 'clear' }, answer };
	return { check: { state: 'unchecked' }, answer };
}

async function load(
	db: string,
	id: string
): Promise<{ declaration: DeclarationDoc; review: DeclarationReviewDoc | null } | null> {
	const local = localDb(db);
	const declaration = await local
		.get<DeclarationDoc>(`declaration:${id}`)
		.catch(() => null);
	if (!declaration) return null;
	const review = await local
		.get<DeclarationReviewDoc>(`declaration-review:${id}`)
		.catch(() => null);
	return { declaration, review };
}

function contextOf(db: string, actor: Actor, now: Date): OperationContext {
	return {
		today: todayIso(now),
		now: now.toISOString(),
		actor: { login: actor.login, unitId: unitIdOfDb(db) },
		newUlid: () => ulid(now.getTime())
	};
}

const NOT_FOUND = 'Không tìm thấy bản khai này trên máy.';

async function write(db: string, result: ReviewResult): Promise<ReviewCommandResult> {
	if (!result.ok) return result;
	const { plan } = result;
	// The member and its entry first; the review only once they are written, so a declaration is
	// never marked approved on this device while its member failed to be written.
	const member = await writePlan({ db, plan: { member: plan.member, entries: plan.entries } });
	if (!member.ok) return member;
	const review = await writeRecords({ db, docs: [plan.review] });
	if (!review.ok) return review;
	return { ok: true, ...(plan.review.memberId ? { memberId: plan.review.memberId } : {}) };
}

export async function approveDeclaration(options: {
	db: string;
	id: string;
	choice: { kind: 'new' } | { kind: 'existing'; memberId: string };
	acceptedFields?: readonly string[];
	/** The registry's answer the screen got (checkDeclarationClash); absent: not asked. */
	registry?: CitizenIdRegistryAnswer;
	actor: Actor;
	now?: Date;
}): Promise<ReviewCommandResult> {
	const { db } = options;
	const loaded = await load(db, options.id);
	if (!loaded) return { ok: false, message: NOT_FOUND };
	const match = matchDeclaration({
		declaration: loaded.declaration.fields,
		members: await declarationCandidates(db, loaded.declaration)
	});
	let choice: Parameters<typeof planApproval>[0]['choice'] = { kind: 'new' };
	if (options.choice.kind === 'existing') {
		const member = await getMember({ db, id: options.choice.memberId });
		if (!member) return { ok: false, message: 'Không tìm thấy hồ sơ được chọn trên máy.' };
		choice = { kind: 'existing', member };
	}
	return write(
		db,
		planApproval({
			...contextOf(db, options.actor, options.now ?? new Date()),
			...loaded,
			match,
			choice,
			...(options.acceptedFields ? { acceptedFields: options.acceptedFields } : {}),
			...(options.registry ? { registry: options.registry } : {})
		})
	);
}

export async function rejectDeclaration(options: {
	db: string;
	id: string;
	reason: string;
	actor: Actor;
	now?: Date;
}): Promise<ReviewCommandResult> {
	const loaded = await load(options.db, options.id);
	if (!loaded) return { ok: false, message: NOT_FOUND };
	return write(
		options.db,
		planRejection({
			...contextOf(options.db, options.actor, options.now ?? new Date()),
			...loaded,
			reason: options.reason
		})
	);
}

export async function requestDeclarationCorrection(options: {
	db: string;
	id: string;
	reason: string;
	actor: Actor;
	now?: Date;
}): Promise<ReviewCommandResult> {
	const loaded = await load(options.db, options.id);
	if (!loaded) return { ok: false, message: NOT_FOUND };
	return write(
		options.db,
		planCorrectionRequest({
			...contextOf(options.db, options.actor, options.now ?? new Date()),
			...loaded,
			reason: options.reason
		})
	);
}

/**
 * The unit reads a revision the member sent after the final decision: the decision stands; after
 * an approval the ticked differences are taken onto the approved record.
 */
export async function readDeclarationRevision(options: {
	db: string;
	id: string;
	acceptedFields?: readonly string[];
	registry?: CitizenIdRegistryAnswer;
	actor: Actor;
	now?: Date;
}): Promise<ReviewCommandResult> {
	const { db } = options;
	const loaded = await load(db, options.id);
	if (!loaded?.review) return { ok: false, message: NOT_FOUND };
	const member =
		loaded.review.decision === 'approved' && loaded.review.memberId
			? await getMember({ db, id: loaded.review.memberId })
			: null;
	return write(
		db,
		planRevisionRead({
			...contextOf(db, options.actor, options.now ?? new Date()),
			declaration: loaded.declaration,
			review: loaded.review,
			...(member ? { member } : {}),
			...(options.acceptedFields ? { acceptedFields: options.acceptedFields } : {}),
			...(options.registry ? { registry: options.registry } : {})
		})
	);
}

export interface BulkApprovalResult {
	approved: number;
	/** Left for one-by-one review: a match appeared, a clash, or another device decided first. */
	skipped: number;
	messages: string[];
}

/** The server to ask and how (tests in Node); the page's own origin and cookie by default. */
export interface RegistryRemote {
	origin?: string;
	headers?: Record<string, string>;
}

/**
 * What the registry says of each citizen id, asked in one batch (POST /api/registry/clashes, slices
 * of 1,000): a clash names the unit; an id not named is free once the whole batch was answered, else
 * unchecked — the server checks again when the member syncs.
 */
async function registryAnswers(options: {
	citizenIds: readonly string[];
	remote?: RegistryRemote;
}): Promise<(citizenId: string | undefined) => CitizenIdRegistryAnswer | undefined> {
	const { clashes, checked } = await askRegistryClashes({
		citizenIds: options.citizenIds,
		...options.remote
	});
	const elsewhere = new Map(clashes.map((clash) => [clash.citizenId, clash.unitName]));
	return (citizenId) => {
		if (!citizenId) return undefined;
		const unitName = elsewhere.get(citizenId);
		if (unitName !== undefined) return { status: 'active', unitName };
		return checked ? { status: 'free' } : { status: 'unavailable' };
	};
}

/**
 * Approves as new members the declarations among `ids` that still qualify (no match in the unit,
 * no clash in the registry when it can be asked); the others are left for one-by-one review. The
 * registry is asked once for all of them (a request per 1,000), not once per declaration: on 3G a
 * hundred look-ups were a minute of waiting, and each counted against the account's limit.
 */
export async function approveDeclarations(options: {
	db: string;
	ids: readonly string[];
	actor: Actor;
	now?: Date;
	remote?: RegistryRemote;
}): Promise<BulkApprovalResult> {
	const result: BulkApprovalResult = { approved: 0, skipped: 0, messages: [] };
	const candidates: { id: string; loaded: NonNullable<Awaited<ReturnType<typeof load>>> }[] = [];
	for (const id of options.ids) {
		const loaded = await load(options.db, id);
		const match = loaded
			? matchDeclaration({
					declaration: loaded.declaration.fields,
					members: await declarationCandidates(options.db, loaded.declaration)
				})
			: undefined;
		// A match or a decision already taken: no need to ask the registry about her.
		if (!loaded || !bulkApprovable({ ...loaded, match: match?.kind ?? 'none' })) {
			result.skipped += 1;
			continue;
		}
		candidates.push({ id, loaded });
	}
	const registryOf = await registryAnswers({
		citizenIds: candidates.flatMap(({ loaded }) => loaded.declaration.fields.citizenId ?? []),
		...(options.remote ? { remote: options.remote } : {})
	});
	for (const { id, loaded } of candidates) {
		const answer = registryOf(loaded.declaration.fields.citizenId);
		if (isRegistryClash(answer)) {
			result.skipped += 1;
			result.messages.push(
				`Bản khai của ${loaded.declaration.fields.givenName}: trùng CCCD đang sinh hoạt tại ${answer.unitName}.`
			);
			continue;
		}
		// approveDeclaration reads the declaration and the unit's records again: a record written
		// meanwhile (another device's sync) still stops a duplicate.
		const written = await approveDeclaration({
			db: options.db,
			id,
			choice: { kind: 'new' },
			...(answer ? { registry: answer } : {}),
			actor: options.actor,
			...(options.now ? { now: options.now } : {})
		});
		if (written.ok) result.approved += 1;
		else {
			result.skipped += 1;
			result.messages.push(written.message);
		}
	}
	return result;
}
