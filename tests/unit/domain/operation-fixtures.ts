import * as v from 'valibot';
import {
	HistoryDocSchema,
	MemberDocSchema,
	type HistoryDoc,
	type MemberDoc,
	type OperationContext,
	type OperationResult
} from '$lib/domain';

// Shared fixtures of the operation tests: a member, a context with predictable ULIDs, and helpers
// that unwrap results and check what an operation would write against the stored schemas.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULIDs in creation order: 01HZZ… followed by a counter. */
export function ulidSequence(prefix = '01HZZ'): () => string {
	let n = 0;
	return () => {
		let counter = '';
		let rest = ++n;
		for (let i = 0; i < 26 - prefix.length; i++) {
			counter = CROCKFORD[rest % 32] + counter;
			rest = Math.floor(rest / 32);
		}
		return prefix + counter;
	};
}

export const TODAY = '2025-11-28';
export const NOW = '2025-11-28T03:00:00.000Z';
export const MEMBER_ID = 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y' as const;

export function context(overrides: Partial<OperationContext> = {}): OperationContext {
	return {
		today: TODAY,
		now: NOW,
		actor: { login: 'bithu.thanhson', unitId: 'xathanhson' },
		newUlid: ulidSequence(),
		...overrides
	};
}

export function member(overrides: Partial<MemberDoc> = {}): MemberDoc {
	return {
		_id: MEMBER_ID,
		_rev: '3-aaa',
		type: 'member',
		v: 2,
		unitId: 'xathanhson',
		familyName: 'Hà',
		middleName: 'Thị',
		givenName: 'Hoa',
		gender: 'female',
		birthDate: '2004-03-08',
		citizenId: '025304001234',
		ethnicCode: '06',
		religion: 'Không',
		nationality: 'Việt Nam',
		joinedOn: '2020-03-26',
		branchId: 'branch:xathanhsonkhu3',
		partyMember: false,
		status: 'active',
		duesCategory: 'khong-luong',
		duesPaidThrough: '2025-11',
		provenance: { source: 'unit' },
		fieldRevs: {},
		createdAt: '2024-04-30T03:00:00.000Z',
		createdBy: 'bithu.thanhson',
		updatedAt: '2024-05-01T02:00:00.000Z',
		updatedBy: 'bithu.thanhson',
		...overrides
	};
}

/** The plan of a result that must succeed; every entry and member checked against the schemas. */
export function planOf(result: OperationResult) {
	if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.errors)}`);
	for (const entry of result.plan.entries) expectValidEntry(entry);
	if (result.plan.member) expectValidMember(result.plan.member);
	return result.plan;
}

/** The errors of a result that must fail. */
export function errorsOf(result: { ok: boolean; errors?: Partial<Record<string, string>> }) {
	if (result.ok || !result.errors) throw new Error('expected errors, got a plan');
	return result.errors;
}

export function expectValidEntry(entry: HistoryDoc): void {
	const parsed = v.safeParse(HistoryDocSchema, entry);
	if (!parsed.success) {
		throw new Error(
			`invalid entry ${entry._id}: ${JSON.stringify(parsed.issues.map((i) => i.message))}`
		);
	}
}

export function expectValidMember(doc: MemberDoc): void {
	const parsed = v.safeParse(MemberDocSchema, doc);
	if (!parsed.success) {
		throw new Error(
			`invalid member: ${JSON.stringify(parsed.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`))}`
		);
	}
}

export const DECISION = {
	number: '12-QĐ/ĐTN',
	date: '20/11/2025',
	signer: 'Nguyễn Văn An',
	signerTitle: 'Bí thư',
	issuer: 'Ban Chấp hành Đoàn xã Thanh Sơn'
};
