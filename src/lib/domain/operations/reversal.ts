import { derivedHistoryId, historyKey, reversedIds, type HistoryDoc } from '../history-schema';
import { HISTORY_KIND_LABELS, type HistoryKind } from '../labels';
import { MEMBER_FIELD_KEYS, type MemberDoc, type MemberFields } from '../member-schema';
import {
	applyMemberPatch,
	buildEntry,
	createInputReader,
	hasErrors,
	memberFieldLabel,
	sameValue,
	type InputValue,
	type MemberPatch,
	type MemberPatchKey,
	type OperationContext,
	type OperationResult
} from './shared';

// History is never edited (docs/design.md §2). A mistaken entry is undone by a new "reversal" entry that
// names it and puts back what it changed on the member — only while the member still holds what the
// entry set: if a later operation changed the same fields, that one must be reversed first, so a
// reversal never silently overwrites a later change. Its id derives from the reversed entry, so
// reversing twice (two taps, two devices) writes one document.
//
// Not reversible here: admission (delete the wrongly entered record instead, or remove the member)
// and the steps of a transfer between units, which span two databases — a transfer is undone by the
// receiving unit's rejection, or by a transfer back.

export const IRREVERSIBLE_KINDS: readonly HistoryKind[] = [
	'admission',
	'transfer-requested',
	'transfer-out',
	'transfer-rejected',
	'transfer-in',
	'reversal'
];

export interface ReversalInput {
	reason?: InputValue;
	on?: InputValue;
}

/** Why an entry cannot be reversed on this member now, or null. */
export function reversalRefusal(options: {
	member: MemberDoc;
	entry: HistoryDoc;
	history: readonly HistoryDoc[];
}): string | null {
	const { member, entry } = options;
	if (entry.memberId !== member._id) return 'Mục lịch sử này không thuộc đoàn viên này.';
	if (entry.kind === 'reversal') {
		return 'Không hủy một lần hủy; nếu cần, hãy ghi lại nghiệp vụ đó.';
	}
	if (IRREVERSIBLE_KINDS.includes(entry.kind)) {
		return (
			`Không hủy được "${HISTORY_KIND_LABELS[entry.kind]}": ` +
			(entry.kind === 'admission'
				? 'hồ sơ nhập nhầm thì xóa hồ sơ, còn đoàn viên thôi sinh hoạt thì ghi xóa tên.'
				: 'chuyển sinh hoạt giữa hai đơn vị chỉ dừng khi đơn vị nhận từ chối, hoặc chuyển ngược lại.')
		);
	}
	// A record created from a member's declaration, like an admission, is not undone by an entry:
	// the record itself is deleted (entered by mistake) or the member removed. An approval that only
	// took some declared fields onto a record is reversed like a profile edit.
	if ((entry.kind === 'declaration-approved' || entry.kind === 'imported') && entry.data.created) {
		return (
			`Không hủy được "${HISTORY_KIND_LABELS[entry.kind]}" đã tạo hồ sơ: hồ sơ nhập nhầm thì xóa ` +
			'hồ sơ, còn đoàn viên thôi sinh hoạt thì ghi xóa tên.'
		);
	}
	if (reversedIds(options.history).has(entry._id)) return 'Nghiệp vụ này đã được hủy trước đó.';
	const changedSince = Object.entries(entry.effect?.after ?? {})
		.filter(([key, value]) => !sameValue((member as Record<string, unknown>)[key], value))
		.map(([key]) => memberFieldLabel(key));
	if (changedSince.length > 0) {
		return (
			`Không hủy được: ${changedSince.join(', ')} đã thay đổi sau nghiệp vụ này; hãy hủy các ` +
			'nghiệp vụ ghi sau trước.'
		);
	}
	return null;
}

/** Plans the reversal of one entry: the member gets back what the entry changed. */
export function planReversal(
	options: OperationContext & {
		member: MemberDoc;
		entry: HistoryDoc;
		history: readonly HistoryDoc[];
		input: ReversalInput;
	}
): OperationResult {
	const { member, entry, input } = options;
	const reader = createInputReader({ today: options.today });
	const { errors } = reader;
	const refusal = reversalRefusal(options);
	if (refusal) errors.form = refusal;
	const reason = reader.text('reason', input.reason, 'Lý do hủy', { required: true });
	const on = reader.date('on', input.on ?? options.today, 'Ngày hủy', { required: true });
	if (hasErrors(errors) || !on) return { ok: false, errors };
	const applied = applyMemberPatch({
		member,
		patch: (entry.effect?.before ?? {}) as MemberPatch,
		at: options.now,
		by: options.actor.login
	});
	const reversal = buildEntry({
		context: options,
		member,
		kind: 'reversal',
		id: derivedHistoryId({
			memberId: member._id,
			sourceKey: historyKey(entry._id),
			step: 'reversal'
		}),
		at: on,
		data: { reversedKind: entry.kind, reason },
		effect: applied.effect,
		reverses: entry._id
	});
	return {
		ok: true,
		plan: {
			entries: [reversal],
			member: applied.changed.length > 0 ? applied.member : null,
			warnings: []
		}
	};
}

/**
 * A profile edit from the member form, as a history entry listing the changed fields (with before
 * and after, so it can be reversed). The status only changes through operations.
 */
export function planProfileEdit(
	options: OperationContext & { member: MemberDoc; fields: MemberFields }
): OperationResult {
	const { member, fields } = options;
	if (fields.status !== member.status) {
		return {
			ok: false,
			errors: {
				status:
					'Trạng thái chỉ thay đổi qua nghiệp vụ (chuyển sinh hoạt, trưởng thành, xóa tên, kỷ ' +
					'luật…), không sửa trực tiếp.'
			}
		};
	}
	const patch: MemberPatch = {};
	for (const key of MEMBER_FIELD_KEYS) {
		(patch as Record<MemberPatchKey, unknown>)[key] = fields[key] ?? null;
	}
	const applied = applyMemberPatch({ member, patch, at: options.now, by: options.actor.login });
	if (applied.changed.length === 0) {
		return { ok: true, plan: { entries: [], member: null, warnings: [] } };
	}
	const entry = buildEntry({
		context: options,
		member,
		kind: 'profile-edit',
		at: options.today,
		data: { fields: applied.changed },
		effect: applied.effect
	});
	return { ok: true, plan: { entries: [entry], member: applied.member, warnings: [] } };
}
