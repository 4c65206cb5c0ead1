import { historyId, type HistoryDoc } from '../history-schema';
import { MEMBER_SCHEMA_VERSION, type MemberDoc, type MemberFieldKey } from '../member-schema';
import type { CitizenIdRegistryAnswer } from '../operations/admission';
import {
	applyMemberPatch,
	buildEntry,
	type MemberPatch,
	type OperationContext
} from '../operations/shared';
import type { DeclarationDoc, DeclarationReviewDoc } from './declaration-schema';
import { declarationStatus } from './declaration-status';
import {
	declarationDifferences,
	type DeclarationMatch,
	type FieldDifference,
	type MatchableMember
} from './matching';
import { closedRefusal, isRegistryClash, reviewDoc, type ReviewResult } from './review-document';

// The unit's approval of a member's own declaration (docs/decisions/0019-self-declarations.md, "The
// unit's review"; a rejection or a correction request: review-reasons.ts): pure planners returning
// what to write — the member created or updated, its `declaration-approved` history entry, and the
// `declaration-review:` document — which the data layer writes through the one writer. Nothing here
// reads the database: the caller passes the match (matching.ts over the unit's records) and the
// registry's answer for the declared citizen id.

/** What the secretary approves the declaration as. */
export type ApprovalChoice =
	/** A record that did not exist: created from the declaration. */
	| { kind: 'new' }
	/** The unit's record the declaration is about: only the ticked fields change. */
	| { kind: 'existing'; member: MemberDoc };

/**
 * The fields ticked before the secretary looks: those that fill a gap in the record. A field the
 * unit typed and the member declares differently stays unticked: the unit's value is kept unless
 * she decides otherwise.
 */
export function defaultAcceptedFields(differences: readonly FieldDifference[]): MemberFieldKey[] {
	return differences.filter((d) => d.fillsGap).map((d) => d.field);
}

/**
 * Whether a declaration may be approved in a bulk act: still open, nobody like her in the unit
 * (approving creates a record, so no field of the unit is at stake) and no clash in the registry.
 */
export function bulkApprovable(options: {
	declaration: Pick<DeclarationDoc, 'state' | 'revision'>;
	review?: Pick<DeclarationReviewDoc, 'decision' | 'revision' | 'reason'> | null;
	match: DeclarationMatch<MatchableMember>['kind'];
	registry?: CitizenIdRegistryAnswer;
}): boolean {
	return (
		declarationStatus(options.declaration, options.review).state === 'pending' &&
		options.match === 'none' &&
		!isRegistryClash(options.registry)
	);
}

/**
 * Approving a declaration. As a new member: refused when a record of this unit carries the same
 * citizen id (update that one instead) or when the registry says the citizen id is on the rolls of
 * another unit (a transfer, not a new record). As an existing member: only `acceptedFields`, which
 * must be among the differences, change.
 *
 * Provenance: a record created here is `self`, approved by whom and when. A record the unit entered
 * stays `unit` when a declaration only fills or corrects some of its fields — the record is still
 * the unit's, and the history entry says which fields came from the member; a record that was
 * itself created from a declaration gets the new approval's who and when.
 */
export function planApproval(
	options: OperationContext & {
		declaration: DeclarationDoc;
		review?: DeclarationReviewDoc | null;
		/** The unit's records matched against the declaration (matchDeclaration). */
		match: DeclarationMatch<MatchableMember>;
		choice: ApprovalChoice;
		/** The differences the secretary ticked (existing member only). */
		acceptedFields?: readonly string[];
		/** The registry's answer for the declared citizen id; absent when not asked. */
		registry?: CitizenIdRegistryAnswer;
	}
): ReviewResult {
	const { declaration, review, choice, match } = options;
	if (declaration.unitId !== options.actor.unitId) {
		return { ok: false, message: 'Bản khai này không thuộc đơn vị của bạn.' };
	}
	const closed = closedRefusal(declaration, review);
	if (closed) return { ok: false, message: closed };
	const approvedAt = options.now;
	const approvedBy = options.actor.login;

	if (choice.kind === 'new') {
		if (match.kind === 'citizen-id') {
			return {
				ok: false,
				message:
					'Số CCCD trong bản khai trùng với một hồ sơ của đơn vị: hãy duyệt để cập nhật hồ sơ đó, ' +
					'không tạo hồ sơ mới.'
			};
		}
		if (isRegistryClash(options.registry)) {
			return {
				ok: false,
				message:
					`Số CCCD trong bản khai đang sinh hoạt tại ${options.registry.unitName}: không duyệt thành ` +
					'đoàn viên mới được. Hãy đề nghị đơn vị đó chuyển sinh hoạt, hoặc yêu cầu đoàn viên sửa.'
			};
		}
		const memberId = `member:${options.newUlid()}` as const;
		const member: MemberDoc = {
			...declaration.fields,
			_id: memberId,
			type: 'member',
			v: MEMBER_SCHEMA_VERSION,
			unitId: declaration.unitId,
			status: 'active',
			provenance: { source: 'self', approvedBy, approvedAt },
			fieldRevs: {},
			createdAt: options.now,
			createdBy: approvedBy,
			updatedAt: options.now,
			updatedBy: approvedBy
		};
		if (declaration.branchId) member.branchId = declaration.branchId;
		const entry = buildEntry({
			context: options,
			member,
			kind: 'declaration-approved',
			id: historyId({ memberId, key: options.newUlid() }),
			at: options.today,
			data: {
				declarationId: declaration._id,
				revision: declaration.revision,
				created: true,
				fields: Object.keys(declaration.fields).filter(
					(key) => (declaration.fields as Record<string, unknown>)[key] !== undefined
				)
			}
		});
		return {
			ok: true,
			plan: {
				member,
				entries: [entry],
				review: reviewDoc({
					context: options,
					declaration,
					review,
					decision: 'approved',
					memberId
				})
			}
		};
	}

	const target = choice.member;
	if (target.unitId !== declaration.unitId) {
		return { ok: false, message: 'Hồ sơ được chọn không thuộc đơn vị của bản khai.' };
	}
	const matched =
		match.kind === 'citizen-id'
			? [match.member._id]
			: match.kind === 'name-and-birth'
				? match.members.map((m) => m._id)
				: [];
	if (!matched.includes(target._id)) {
		return { ok: false, message: 'Hồ sơ được chọn không khớp với bản khai.' };
	}
	const taken = takeFields({
		context: options,
		declaration,
		member: target,
		acceptedFields: options.acceptedFields ?? [],
		registry: options.registry
	});
	if (!taken.ok) return taken;
	return {
		ok: true,
		plan: {
			member: taken.member,
			entries: [taken.entry],
			review: reviewDoc({
				context: options,
				declaration,
				review,
				decision: 'approved',
				memberId: target._id
			})
		}
	};
}

/**
 * The ticked differences taken onto a record, with the `declaration-approved` entry saying which.
 * Only fields where the declaration differs may be taken; a citizen id on the rolls elsewhere never.
 */
function takeFields(options: {
	context: OperationContext;
	declaration: DeclarationDoc;
	member: MemberDoc;
	acceptedFields: readonly string[];
	registry: CitizenIdRegistryAnswer | undefined;
}): { ok: true; member: MemberDoc | null; entry: HistoryDoc } | { ok: false; message: string } {
	const { context, declaration, member: target } = options;
	const approvedBy = context.actor.login;
	const differences = declarationDifferences({
		declared: declaration.fields,
		recorded: target
	});
	const byField = new Map(differences.map((d) => [d.field as string, d]));
	const accepted = [...new Set(options.acceptedFields)];
	const unknown = accepted.filter((field) => !byField.has(field));
	if (unknown.length > 0) {
		return {
			ok: false,
			message: 'Chỉ lấy được những trường khác với hồ sơ; hãy mở lại bản khai rồi chọn lại.'
		};
	}
	if (accepted.includes('citizenId') && isRegistryClash(options.registry)) {
		return {
			ok: false,
			message: `Số CCCD trong bản khai đang sinh hoạt tại ${options.registry.unitName}: không lấy số này vào hồ sơ.`
		};
	}
	const patch: MemberPatch = {};
	for (const field of accepted) {
		(patch as Record<string, unknown>)[field] = (declaration.fields as Record<string, unknown>)[
			field
		];
	}
	if (target.provenance.source === 'self') {
		patch.provenance = { source: 'self', approvedBy, approvedAt: context.now };
	}
	const applied = applyMemberPatch({ member: target, patch, at: context.now, by: approvedBy });
	const entry = buildEntry({
		context,
		member: target,
		kind: 'declaration-approved',
		at: context.today,
		data: {
			declarationId: declaration._id,
			revision: declaration.revision,
			created: false,
			fields: accepted
		},
		effect: applied.effect
	});
	return { ok: true, member: applied.changed.length > 0 ? applied.member : null, entry };
}

/**
 * The unit reads a revision the member sent after its final decision (two offline acts crossed):
 * the decision stands — the review only moves to the revision read, by whom and when — and, after
 * an approval, the ticked differences of the new revision are taken onto the approved record.
 */
export function planRevisionRead(
	options: OperationContext & {
		declaration: DeclarationDoc;
		review: DeclarationReviewDoc;
		/** The record the approval created or updated (approvals only). */
		member?: MemberDoc;
		acceptedFields?: readonly string[];
		registry?: CitizenIdRegistryAnswer;
	}
): ReviewResult {
	const { declaration, review } = options;
	if (declaration.unitId !== options.actor.unitId) {
		return { ok: false, message: 'Bản khai này không thuộc đơn vị của bạn.' };
	}
	if (!declarationStatus(declaration, review).changedAfterReview) {
		return { ok: false, message: 'Đơn vị đã đọc lần sửa mới nhất của bản khai này.' };
	}
	const accepted = options.acceptedFields ?? [];
	let member: MemberDoc | null = null;
	const entries: HistoryDoc[] = [];
	if (review.decision === 'approved' && accepted.length > 0) {
		if (!options.member || options.member._id !== review.memberId) {
			return { ok: false, message: 'Không tìm thấy hồ sơ đã duyệt từ bản khai này.' };
		}
		const taken = takeFields({
			context: options,
			declaration,
			member: options.member,
			acceptedFields: accepted,
			registry: options.registry
		});
		if (!taken.ok) return taken;
		member = taken.member;
		entries.push(taken.entry);
	} else if (accepted.length > 0) {
		return { ok: false, message: 'Bản khai không được duyệt: không lấy thông tin vào hồ sơ.' };
	}
	return {
		ok: true,
		plan: {
			member,
			entries,
			review: {
				...review,
				revision: declaration.revision,
				decidedAt: options.now,
				decidedBy: options.actor.login,
				updatedAt: options.now,
				updatedBy: options.actor.login
			}
		}
	};
}
