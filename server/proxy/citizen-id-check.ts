import { MemberDocError, upgradeMemberDoc } from '../../src/lib/domain/member-schema';

// What the write guard decides about the documents of one write, before the registry is asked:
// which carry a citizen id, which the member schema refuses, and the texts of its refusals.

/** A document of the write that does not go on, and why (Vietnamese, shown on the device). */
export type Refusal = { reason: string; retry?: boolean };

/** Past the lookup limit, or when the registry could not decide: names nobody. */
export const RETRY_LATER =
	'Chưa kiểm tra được số CCCD này với danh sách toàn quốc lúc này. Vui lòng thử lại sau ít phút: ' +
	'hồ sơ vẫn được giữ trên máy và sẽ được gửi lại ở lần đồng bộ sau.';

export function refusalReason(unitName: string | undefined): string {
	return unitName
		? `Số CCCD này đang sinh hoạt tại ${unitName}. Mỗi người chỉ có một hồ sơ đang sinh hoạt: ` +
				'hãy đề nghị đơn vị đó chuyển sinh hoạt đoàn viên đến đơn vị mình, không kết nạp lại.'
		: RETRY_LATER;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A live member document with a `citizenId` member, whatever its value. */
export function carriesCitizenId(doc: unknown): doc is Record<string, unknown> {
	if (!isRecord(doc) || doc._deleted === true) return false;
	const member = doc.type === 'member' || String(doc._id ?? '').startsWith('member:');
	return member && Object.hasOwn(doc, 'citizenId');
}

/** Why the domain's member schema refuses the document (Vietnamese, no field values), if it does. */
export function schemaProblem(doc: Record<string, unknown>): string | undefined {
	try {
		upgradeMemberDoc(doc);
		return undefined;
	} catch (error) {
		return error instanceof MemberDocError ? error.message : 'Hồ sơ đoàn viên không hợp lệ.';
	}
}

/**
 * A refused record's history entries (its admission above all) describe a member the unit does not
 * have: they are refused with it and stay on the device with it, to go together once the clash is
 * settled. Adds them to `refused`.
 */
export function refuseHistoryOfRefused(
	docs: readonly unknown[],
	refused: Map<number, Refusal>
): void {
	const refusedMembers = new Map<string, Refusal>();
	for (const [index, refusal] of refused) {
		const doc = docs[index];
		if (isRecord(doc)) refusedMembers.set(String(doc._id ?? ''), refusal);
	}
	docs.forEach((doc, index) => {
		const memberId = isRecord(doc) && doc.type === 'history' ? doc.memberId : undefined;
		const refusal = typeof memberId === 'string' ? refusedMembers.get(memberId) : undefined;
		if (refusal && !refused.has(index)) refused.set(index, refusal);
	});
}
