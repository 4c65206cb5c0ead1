import type { CouchClient } from '../couch/couch-client';
import { isRecord, type Refusal } from './citizen-id-check';

// The write guard's check of a unit's approval of a member's own declaration
// (`declaration-review:` with decision `approved`, docs/decisions/0019-self-declarations.md): an
// approval names the member record it created or updated, and stands only with that record. When
// the record is refused (its citizen id is on the rolls of another unit, found only at sync because
// the secretary approved offline), the approval is refused with the same reason; when the record
// has not reached the server yet (pushed apart, or waiting for a retry), the approval waits too and
// is sent again. Otherwise a declaration would read "Đã duyệt" to its author — and count as
// approved in the figures — while no such member exists.

export const MEMBER_NOT_YET_STORED =
	'Hồ sơ đoàn viên của bản khai này chưa lên máy chủ: việc duyệt sẽ được gửi lại sau khi hồ sơ được nhận.';

/** Indexes of approvals naming a member record: the ones to decide once members are decided. */
export function approvalsToCheck(docs: readonly unknown[]): number[] {
	const indexes: number[] = [];
	docs.forEach((doc, index) => {
		if (
			isRecord(doc) &&
			doc.type === 'declaration-review' &&
			doc._deleted !== true &&
			doc.decision === 'approved' &&
			typeof doc.memberId === 'string'
		) {
			indexes.push(index);
		}
	});
	return indexes;
}

/** Refuses (into `refused`) the approvals whose member record is refused or not on the server. */
export async function refuseApprovalsWithoutMember(options: {
	couch: CouchClient;
	db: string;
	docs: readonly unknown[];
	approvals: readonly number[];
	refused: Map<number, Refusal>;
}): Promise<void> {
	const { couch, db, docs, approvals, refused } = options;
	const inBatch = new Map<string, number>();
	docs.forEach((doc, index) => {
		if (isRecord(doc) && typeof doc._id === 'string' && doc.type === 'member') {
			inBatch.set(doc._id, index);
		}
	});
	for (const index of approvals) {
		if (refused.has(index)) continue;
		const memberId = (docs[index] as { memberId: string }).memberId;
		const sibling = inBatch.get(memberId);
		if (sibling !== undefined) {
			const refusal = refused.get(sibling);
			if (refusal) refused.set(index, refusal);
			continue;
		}
		const stored = await couch.getDoc<{ _id: string; _deleted?: boolean }>({ db, id: memberId });
		if (!stored || stored._deleted) {
			refused.set(index, { reason: MEMBER_NOT_YET_STORED, retry: true });
		}
	}
}
