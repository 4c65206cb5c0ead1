import { describe, expect, it } from 'vitest';
import {
	IRREVERSIBLE_KINDS,
	entriesInForce,
	planComingOfAge,
	planProfileEdit,
	planRemoval,
	planReversal,
	planStayExtension,
	type HistoryDoc,
	type MemberDoc,
	type MemberFields
} from '$lib/domain';
import { DECISION, context, errorsOf, member, planOf } from './operation-fixtures';

function removed() {
	const plan = planOf(
		planRemoval({
			...context(),
			member: member(),
			input: { reasonId: 'bo-sinh-hoat', monthsMissed: '4', on: '20/11/2025', decision: DECISION }
		})
	);
	return { member: { ...(plan.member as MemberDoc), _rev: '4-bbb' }, history: plan.entries };
}

function reverse(who: MemberDoc, entry: HistoryDoc, history: HistoryDoc[]) {
	return planReversal({
		...context(),
		member: who,
		entry,
		history,
		input: { reason: 'Ghi nhầm người' }
	});
}

describe('planReversal: history is never edited, a mistake is undone by a new entry', () => {
	it('puts back what the entry changed, naming it, with a derived id', () => {
		const { member: gone, history } = removed();
		const entry = history[0] as HistoryDoc;
		const plan = planOf(reverse(gone, entry, history));
		expect(plan.member).toMatchObject({ status: 'active' });
		expect(plan.member).not.toHaveProperty('statusSince');
		expect(plan.entries[0]).toMatchObject({
			_id: `${entry._id}-reversal`,
			kind: 'reversal',
			reverses: entry._id,
			data: { reversedKind: 'removal', reason: 'Ghi nhầm người' },
			effect: { before: { status: 'removed' }, after: { status: 'active' } }
		});
		expect(entriesInForce([...history, ...plan.entries])).toEqual([]);
	});

	it('refuses reversing twice, and reversing a reversal', () => {
		const { member: gone, history } = removed();
		const entry = history[0] as HistoryDoc;
		const plan = planOf(reverse(gone, entry, history));
		const all = [...history, ...plan.entries];
		expect(errorsOf(reverse(plan.member as MemberDoc, entry, all)).form).toBe(
			'Nghiệp vụ này đã được hủy trước đó.'
		);
		expect(
			errorsOf(reverse(plan.member as MemberDoc, plan.entries[0] as HistoryDoc, all)).form
		).toContain('Không hủy một lần hủy');
	});

	it('refuses when a later operation changed the same fields: reverse that one first', () => {
		const thirty = member({ birthDate: '1995-06-10' });
		const stayed = planOf(
			planStayExtension({
				...context(),
				member: thirty,
				input: { until: '10/06/2027', on: '01/06/2025' }
			})
		);
		const after = {
			...(stayed.member as MemberDoc),
			staysUntil: undefined,
			status: 'matured' as const
		};
		expect(errorsOf(reverse(after, stayed.entries[0] as HistoryDoc, stayed.entries)).form).toBe(
			'Không hủy được: Sinh hoạt đến ngày đã thay đổi sau nghiệp vụ này; hãy hủy các nghiệp vụ ghi sau trước.'
		);
	});

	it('undoes a coming of age back to active', () => {
		const thirty = member({ birthDate: '1995-06-10' });
		const matured = planOf(
			planComingOfAge({ ...context(), member: thirty, input: { on: '15/10/2025' } })
		);
		const plan = planOf(
			reverse(
				{ ...(matured.member as MemberDoc), _rev: '4-x' },
				matured.entries[0] as HistoryDoc,
				matured.entries
			)
		);
		expect(plan.member?.status).toBe('active');
	});

	it('does not reverse admissions nor the steps of a transfer between units', () => {
		expect(IRREVERSIBLE_KINDS).toEqual([
			'admission',
			'transfer-requested',
			'transfer-out',
			'transfer-rejected',
			'transfer-in',
			'reversal'
		]);
		const { member: gone, history } = removed();
		const admission = { ...(history[0] as HistoryDoc), kind: 'admission' } as HistoryDoc;
		expect(errorsOf(reverse(gone, admission, [admission])).form).toContain(
			'Không hủy được "Kết nạp đoàn viên"'
		);
	});

	it('refuses an entry of another member and needs a reason', () => {
		const { member: gone, history } = removed();
		const other = { ...gone, _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Z' as const };
		expect(errorsOf(reverse(other, history[0] as HistoryDoc, history)).form).toBe(
			'Mục lịch sử này không thuộc đoàn viên này.'
		);
		const noReason = planReversal({
			...context(),
			member: gone,
			entry: history[0] as HistoryDoc,
			history,
			input: {}
		});
		expect(errorsOf(noReason).reason).toBe('Lý do hủy không được để trống.');
	});
});

describe('planProfileEdit', () => {
	const fieldsOf = (doc: MemberDoc): MemberFields => {
		const {
			familyName,
			middleName,
			givenName,
			gender,
			birthDate,
			citizenId,
			ethnicCode,
			religion,
			nationality,
			joinedOn,
			branchId,
			partyMember,
			status
		} = doc;
		return {
			familyName,
			middleName,
			givenName,
			gender,
			birthDate,
			citizenId,
			ethnicCode,
			religion,
			nationality,
			joinedOn,
			branchId,
			partyMember,
			status
		};
	};

	it('records the changed fields, set and cleared, and can be reversed', () => {
		const before = member({ phone: '0912345678' });
		const fields = { ...fieldsOf(before), givenName: 'Hòa', email: 'hoa@gmail.com' };
		const plan = planOf(planProfileEdit({ ...context(), member: before, fields }));
		expect(plan.entries[0]).toMatchObject({
			kind: 'profile-edit',
			data: { fields: ['givenName', 'phone', 'email'] },
			effect: {
				before: { givenName: 'Hoa', phone: '0912345678', email: null },
				after: { givenName: 'Hòa', phone: null, email: 'hoa@gmail.com' }
			}
		});
		expect(plan.member).not.toHaveProperty('phone');
		const back = planOf(
			reverse(
				{ ...(plan.member as MemberDoc), _rev: '4-b' },
				plan.entries[0] as HistoryDoc,
				plan.entries
			)
		);
		expect(back.member).toMatchObject({ givenName: 'Hoa', phone: '0912345678' });
		expect(back.member).not.toHaveProperty('email');
	});

	it('writes nothing when nothing changed, and refuses a status change', () => {
		const doc = member();
		expect(planOf(planProfileEdit({ ...context(), member: doc, fields: fieldsOf(doc) }))).toEqual({
			entries: [],
			member: null,
			warnings: []
		});
		expect(
			errorsOf(
				planProfileEdit({
					...context(),
					member: doc,
					fields: { ...fieldsOf(doc), status: 'removed' }
				})
			).status
		).toContain('Trạng thái chỉ thay đổi qua nghiệp vụ');
	});
});
