import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	bulkApprovable,
	declarationDifferences,
	DeclarationDocSchema,
	DeclarationReviewDocSchema,
	declarationStatus,
	defaultAcceptedFields,
	matchDeclaration,
	planApproval,
	planCorrectionRequest,
	planRejection,
	planRevisionRead,
	type DeclarationDoc,
	type DeclarationReviewDoc,
	type ReviewResult
} from '../../../src/lib/domain/declarations';
import { HISTORY_KIND_LABELS, planReversal, reversalRefusal, upgradeHistoryDoc } from '$lib/domain';
import { context, expectValidEntry, expectValidMember, member, NOW } from './operation-fixtures';

// The unit's review of a member's own declaration (ADR 0019): approving creates a member or updates
// the matched one with only the ticked fields, never as a new member when the citizen id is the
// unit's or on the rolls elsewhere; rejecting and asking for corrections need a reason.

const DECLARATION_ID = 'declaration:01JE0000000000000000000001';

function declaration(overrides: Partial<DeclarationDoc> = {}): DeclarationDoc {
	const doc: DeclarationDoc = {
		_id: DECLARATION_ID,
		_rev: '1-abc',
		type: 'declaration',
		v: 1,
		unitId: 'xathanhson',
		branchId: 'branch:xathanhsonkhu3',
		joinLinkId: 'join-link:xathanhsonkhu3',
		fields: {
			familyName: 'Lò',
			middleName: 'Văn',
			givenName: 'Pằng',
			gender: 'male',
			birthDate: '2005-06-01',
			citizenId: '011205009999',
			ethnicCode: '02',
			religion: 'Không',
			nationality: 'Việt Nam',
			phone: '0912345678',
			partyMember: false
		},
		consent: { version: '2026-1', given: true, at: '2025-11-27T10:00:00.000Z' },
		revision: 1,
		state: 'submitted',
		submittedAt: '2025-11-27T10:00:00.000Z',
		createdAt: '2025-11-27T10:00:00.000Z',
		createdBy: 'server',
		updatedAt: '2025-11-27T10:00:00.000Z',
		updatedBy: 'server',
		...overrides
	};
	expect(v.safeParse(DeclarationDocSchema, doc).success).toBe(true);
	return doc;
}

function planOf(result: ReviewResult) {
	if (!result.ok) throw new Error(`expected a plan, got: ${result.message}`);
	expect(v.safeParse(DeclarationReviewDocSchema, result.plan.review).success).toBe(true);
	for (const entry of result.plan.entries) expectValidEntry(entry);
	if (result.plan.member) expectValidMember(result.plan.member);
	return result.plan;
}

function refusal(result: ReviewResult): string {
	if (result.ok) throw new Error('expected a refusal');
	return result.message;
}

describe('approving as a new member', () => {
	it('creates an active, self-declared member in the chi đoàn of the link, with its entry and review', () => {
		const decl = declaration();
		const plan = planOf(
			planApproval({
				...context(),
				declaration: decl,
				match: { kind: 'none' },
				choice: { kind: 'new' },
				registry: { status: 'free' }
			})
		);
		expect(plan.member).toMatchObject({
			status: 'active',
			unitId: 'xathanhson',
			branchId: 'branch:xathanhsonkhu3',
			familyName: 'Lò',
			givenName: 'Pằng',
			citizenId: '011205009999',
			phone: '0912345678',
			provenance: { source: 'self', approvedBy: 'bithu.thanhson', approvedAt: NOW }
		});
		const [entry] = plan.entries;
		expect(entry?.kind).toBe('declaration-approved');
		expect(entry?.memberId).toBe(plan.member?._id);
		expect(entry?.data).toMatchObject({
			declarationId: DECLARATION_ID,
			revision: 1,
			created: true
		});
		expect(plan.review).toMatchObject({
			_id: 'declaration-review:01JE0000000000000000000001',
			decision: 'approved',
			revision: 1,
			memberId: plan.member?._id,
			decidedBy: 'bithu.thanhson',
			decidedAt: NOW
		});
		expect(declarationStatus(decl, plan.review).state).toBe('approved');
	});

	it('is refused when the citizen id is a record of this unit: that record is updated instead', () => {
		const existing = member({ citizenId: '011205009999' });
		const match = matchDeclaration({ declaration: declaration().fields, members: [existing] });
		expect(match.kind).toBe('citizen-id');
		const message = refusal(
			planApproval({ ...context(), declaration: declaration(), match, choice: { kind: 'new' } })
		);
		expect(message).toMatch(/cập nhật hồ sơ đó/);
	});

	it('is refused when the registry says the citizen id is on the rolls of another unit', () => {
		const message = refusal(
			planApproval({
				...context(),
				declaration: declaration(),
				match: { kind: 'none' },
				choice: { kind: 'new' },
				registry: { status: 'active', unitName: 'Đoàn xã Tân Lập' }
			})
		);
		expect(message).toMatch(/đang sinh hoạt tại Đoàn xã Tân Lập/);
	});

	it('goes ahead offline (registry unavailable): the server checks at sync', () => {
		const plan = planOf(
			planApproval({
				...context(),
				declaration: declaration(),
				match: { kind: 'none' },
				choice: { kind: 'new' },
				registry: { status: 'unavailable' }
			})
		);
		expect(plan.member?.status).toBe('active');
	});
});

describe('approving onto an existing member', () => {
	// The unit typed a phone number; the record has no current address; the member declares both.
	const existing = member({
		citizenId: '011205009999',
		phone: '0987000111',
		provenance: { source: 'unit' }
	});
	const decl = declaration({
		fields: {
			...declaration().fields,
			familyName: 'Hà',
			middleName: 'Thị',
			givenName: 'Hoa',
			gender: 'female',
			birthDate: '2004-03-08',
			ethnicCode: '06',
			phone: '0912345678',
			currentAddress: 'Bản Nà Lừa, xã Thanh Sơn'
		}
	});
	const match = matchDeclaration({ declaration: decl.fields, members: [existing] });
	const differences = declarationDifferences({ declared: decl.fields, recorded: existing });

	it('pre-ticks only the gaps, never a field the unit typed', () => {
		expect(differences.map((d) => d.field).sort()).toEqual(['currentAddress', 'phone']);
		expect(defaultAcceptedFields(differences)).toEqual(['currentAddress']);
	});

	it('changes only the ticked fields and keeps the unit-entered provenance', () => {
		const plan = planOf(
			planApproval({
				...context(),
				declaration: decl,
				match,
				choice: { kind: 'existing', member: existing },
				acceptedFields: ['currentAddress'],
				registry: { status: 'free' }
			})
		);
		expect(plan.member?.currentAddress).toBe('Bản Nà Lừa, xã Thanh Sơn');
		expect(plan.member?.phone).toBe('0987000111');
		expect(plan.member?.provenance).toEqual({ source: 'unit' });
		expect(plan.member?.fieldRevs?.currentAddress?.rev).toBe('3-aaa');
		expect(plan.entries[0]?.data).toMatchObject({ created: false, fields: ['currentAddress'] });
		expect(plan.entries[0]?.effect?.after).toEqual({ currentAddress: 'Bản Nà Lừa, xã Thanh Sơn' });
		expect(plan.review.memberId).toBe(existing._id);
	});

	it('takes a differing field only when ticked, and refreshes the approval of a self-declared record', () => {
		const selfDeclared = {
			...existing,
			provenance: {
				source: 'self' as const,
				approvedBy: 'cu',
				approvedAt: '2024-01-01T00:00:00.000Z'
			}
		};
		const plan = planOf(
			planApproval({
				...context(),
				declaration: decl,
				match: { kind: 'citizen-id', member: selfDeclared },
				choice: { kind: 'existing', member: selfDeclared },
				acceptedFields: ['phone']
			})
		);
		expect(plan.member?.phone).toBe('0912345678');
		expect(plan.member?.currentAddress).toBeUndefined();
		expect(plan.member?.provenance).toEqual({
			source: 'self',
			approvedBy: 'bithu.thanhson',
			approvedAt: NOW
		});
	});

	it('with nothing ticked, records the approval and changes nothing', () => {
		const plan = planOf(
			planApproval({
				...context(),
				declaration: decl,
				match,
				choice: { kind: 'existing', member: existing },
				acceptedFields: []
			})
		);
		expect(plan.member).toBeNull();
		expect(plan.entries).toHaveLength(1);
		expect(plan.review.decision).toBe('approved');
	});

	it('refuses a field that is no difference, and a record the match did not find', () => {
		expect(
			refusal(
				planApproval({
					...context(),
					declaration: decl,
					match,
					choice: { kind: 'existing', member: existing },
					acceptedFields: ['familyName']
				})
			)
		).toMatch(/Chỉ lấy được/);
		const other = member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X30', citizenId: undefined });
		expect(
			refusal(
				planApproval({
					...context(),
					declaration: decl,
					match,
					choice: { kind: 'existing', member: other },
					acceptedFields: []
				})
			)
		).toMatch(/không khớp/);
	});
});

describe('decisions that close or send back', () => {
	const base = () => ({ ...context(), declaration: declaration() });

	it('need a reason of 1 to 500 characters, in Vietnamese', () => {
		expect(refusal(planRejection({ ...base(), reason: '   ' }))).toMatch(/Cần ghi lý do/);
		expect(refusal(planCorrectionRequest({ ...base(), reason: 'x'.repeat(501) }))).toMatch(
			/không quá 500 ký tự/
		);
		const rejected = planOf(planRejection({ ...base(), reason: ' Không phải người địa phương ' }));
		expect(rejected.member).toBeNull();
		expect(rejected.entries).toEqual([]);
		expect(rejected.review).toMatchObject({
			decision: 'rejected',
			reason: 'Không phải người địa phương'
		});
		const sentBack = planOf(planCorrectionRequest({ ...base(), reason: 'Ghi lại ngày sinh' }));
		expect(declarationStatus(declaration(), sentBack.review).state).toBe('correction-requested');
	});

	it('an approval after a correction request replaces the review on top of its revision', () => {
		const first = planOf(planCorrectionRequest({ ...base(), reason: 'Ghi lại ngày sinh' }));
		const review: DeclarationReviewDoc = { ...first.review, _rev: '1-rrr' };
		const corrected = declaration({ revision: 2 });
		const plan = planOf(
			planApproval({
				...context(),
				declaration: corrected,
				review,
				match: { kind: 'none' },
				choice: { kind: 'new' }
			})
		);
		expect(plan.review).toMatchObject({ _rev: '1-rrr', decision: 'approved', revision: 2 });
		expect(plan.review.reason).toBeUndefined();
	});

	it('nothing more is decided once approved, rejected or withdrawn', () => {
		const approved = planOf(
			planApproval({ ...base(), match: { kind: 'none' }, choice: { kind: 'new' } })
		).review;
		expect(refusal(planRejection({ ...base(), review: approved, reason: 'Nhầm' }))).toMatch(
			/đã được duyệt/
		);
		const withdrawn = declaration({ state: 'withdrawn', withdrawnAt: NOW });
		expect(
			refusal(
				planApproval({
					...context(),
					declaration: withdrawn,
					match: { kind: 'none' },
					choice: { kind: 'new' }
				})
			)
		).toMatch(/đã rút/);
	});

	it("refuses another unit's declaration", () => {
		expect(
			refusal(
				planRejection({
					...context({ actor: { login: 'x', unitId: 'xatanlap' } }),
					declaration: declaration(),
					reason: 'Không'
				})
			)
		).toMatch(/không thuộc đơn vị/);
	});
});

describe('bulk approval', () => {
	it('takes only pending declarations with no match and no clash', () => {
		const pending = declaration();
		expect(bulkApprovable({ declaration: pending, match: 'none' })).toBe(true);
		expect(
			bulkApprovable({ declaration: pending, match: 'none', registry: { status: 'unavailable' } })
		).toBe(true);
		expect(bulkApprovable({ declaration: pending, match: 'citizen-id' })).toBe(false);
		expect(bulkApprovable({ declaration: pending, match: 'name-and-birth' })).toBe(false);
		expect(
			bulkApprovable({
				declaration: pending,
				match: 'none',
				registry: { status: 'active', unitName: 'Đoàn xã Tân Lập' }
			})
		).toBe(false);
		expect(
			bulkApprovable({ declaration: declaration({ state: 'withdrawn' }), match: 'none' })
		).toBe(false);
	});
});

describe('the declaration-approved history kind', () => {
	it('has a label and loads as a stored version 1 entry', () => {
		expect(HISTORY_KIND_LABELS['declaration-approved']).toBe('Duyệt thông tin tự khai');
		const plan = planOf(
			planApproval({
				...context(),
				declaration: declaration(),
				match: { kind: 'none' },
				choice: { kind: 'new' }
			})
		);
		const stored = JSON.parse(JSON.stringify({ ...plan.entries[0], _rev: '1-x' }));
		const loaded = upgradeHistoryDoc(stored);
		expect(loaded.kind).toBe('declaration-approved');
		expect(() =>
			upgradeHistoryDoc({ ...stored, data: { ...stored.data, created: 'yes' } })
		).toThrow(/không hợp lệ/);
	});
});

describe('reversing an approval', () => {
	it('puts the unit’s values back after an update, and refuses to undo a created record', () => {
		const existing = member({ citizenId: '011205009999', provenance: { source: 'unit' } });
		const decl = declaration({
			fields: { ...declaration().fields, ...pick(existing), currentAddress: 'Bản Nà Lừa' }
		});
		const approved = planOf(
			planApproval({
				...context(),
				declaration: decl,
				match: { kind: 'citizen-id', member: existing },
				choice: { kind: 'existing', member: existing },
				acceptedFields: ['currentAddress']
			})
		);
		const after = { ...approved.member!, _rev: '4-bbb' };
		const reversed = planReversal({
			...context(),
			member: after,
			entry: approved.entries[0]!,
			history: approved.entries,
			input: { reason: 'Nhầm địa chỉ' }
		});
		if (!reversed.ok) throw new Error(JSON.stringify(reversed.errors));
		expect(reversed.plan.member?.currentAddress).toBeUndefined();

		const created = planOf(
			planApproval({
				...context(),
				declaration: declaration(),
				match: { kind: 'none' },
				choice: { kind: 'new' }
			})
		);
		expect(
			reversalRefusal({
				member: created.member!,
				entry: created.entries[0]!,
				history: created.entries
			})
		).toMatch(/đã tạo hồ sơ/);
	});
});

function pick(m: ReturnType<typeof member>) {
	return {
		familyName: m.familyName,
		middleName: m.middleName,
		givenName: m.givenName,
		gender: m.gender,
		birthDate: m.birthDate,
		ethnicCode: m.ethnicCode
	};
}

describe('a correction that crossed the decision', () => {
	it('keeps the decision, moves to the revision read, and takes only the ticked fields', () => {
		const approved = planOf(
			planApproval({
				...context(),
				declaration: declaration(),
				match: { kind: 'none' },
				choice: { kind: 'new' }
			})
		);
		const member = { ...approved.member!, _rev: '1-mmm' };
		const review = { ...approved.review, _rev: '1-rrr' };
		const corrected = declaration({
			revision: 2,
			fields: { ...declaration().fields, phone: '0900000001', email: 'pang@example.vn' }
		});
		expect(declarationStatus(corrected, review)).toMatchObject({
			state: 'approved',
			changedAfterReview: true
		});
		const later = context({ now: '2025-11-29T03:00:00.000Z', today: '2025-11-29' });
		const plan = planOf(
			planRevisionRead({
				...later,
				declaration: corrected,
				review,
				member,
				acceptedFields: ['email']
			})
		);
		expect(plan.member?.email).toBe('pang@example.vn');
		expect(plan.member?.phone).toBe('0912345678');
		expect(plan.member?.provenance.approvedAt).toBe('2025-11-29T03:00:00.000Z');
		expect(plan.entries[0]?.data).toMatchObject({ revision: 2, created: false, fields: ['email'] });
		expect(plan.review).toMatchObject({
			_rev: '1-rrr',
			decision: 'approved',
			memberId: member._id,
			revision: 2,
			decidedAt: '2025-11-29T03:00:00.000Z'
		});
		expect(declarationStatus(corrected, plan.review).changedAfterReview).toBe(false);
		// Read once: nothing more to read.
		expect(
			refusal(planRevisionRead({ ...later, declaration: corrected, review: plan.review }))
		).toMatch(/đã đọc lần sửa mới nhất/);
	});

	it('after a rejection only records the reading', () => {
		const rejected = planOf(
			planRejection({ ...context(), declaration: declaration(), reason: 'Không đúng người' })
		);
		const corrected = declaration({ revision: 2 });
		const plan = planOf(
			planRevisionRead({ ...context(), declaration: corrected, review: rejected.review })
		);
		expect(plan.member).toBeNull();
		expect(plan.entries).toEqual([]);
		expect(plan.review).toMatchObject({
			decision: 'rejected',
			reason: 'Không đúng người',
			revision: 2
		});
		expect(
			refusal(
				planRevisionRead({
					...context(),
					declaration: corrected,
					review: rejected.review,
					acceptedFields: ['phone']
				})
			)
		).toMatch(/không lấy thông tin/);
	});
});
